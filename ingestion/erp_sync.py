"""Incremental sync of one ERP entity: window → pages → ``load_records`` (one batch per page) → watermark.

The sync of an entity with a change field (SAP ``LastChangeDateTime``, Oracle ``LastUpdateDate``, Workday
``Last_Updated``) reads the window ``(watermark - overlap, now]`` (``window``); an entity without one (a
stock snapshot, a report as of a date) is read whole every time. The client (``resources.erp``) turns the
window into requests and yields ``Page(records, url, total)``; ``sync_entity`` loads each page as its own
atomic, idempotent batch (``ingestion.loader.load_records``, ``source_uri`` = the page's URL) and computes
the new watermark from the rows it committed.

Guarantees:

- **Nothing lost.** The new watermark is returned only when every page of the window is committed; it is
  the largest change value of the raw rows of this sync's batches (``max(<change field>)`` over their
  ``_batch_id``), never larger than the window's end. If the client or a load raises part-way, no
  watermark comes out (the caller keeps the old one), the pages already committed stay, and the next run
  reads the same window again. The overlap re-reads changes whose commit in the ERP lagged their stamp.
- **Nothing doubled by retries.** A page whose records were loaded before (same records, whatever the
  URL) is skipped by the loader: re-running a window loads only what changed.
- **Raw keeps every page.** The same business key can be in several batches (the overlap, a page the
  server repeated, a record changed while paging, the next window). Removing those duplicates is the job
  of dbt staging: per business key (``ErpSourceSpec.keys`` and ``tenant_id``) the row with the latest
  change value wins, ties broken by the later ``_ingested_at`` then ``_batch_id``/``_source_row``.
  Deletions are rows too (SAP deletion code ``L``, Oracle ``CANCELED``) and win like any change.

``SyncResult.server_total`` is the count the server reported for the window (OData ``__count``, Oracle
``totalResults``): the asset check compares it with the distinct business keys this sync loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingestion.loader import LoadResult, SourceSpec, load_records, prepare_raw_tables
from ingestion.readers import snake_case
from ingestion.validation import field_rules
from resources.warehouse import Warehouse

log = logging.getLogger(__name__)

DEFAULT_OVERLAP = dt.timedelta(hours=1)


class Page(Protocol):
    """What an ERP client yields (``resources.erp``): records, the request URL, the window's total."""

    records: Sequence[Mapping[str, Any]]
    url: str
    total: int | None


@dataclass(frozen=True)
class ErpSourceSpec(SourceSpec):
    """An ERP entity: its raw table and contract (``SourceSpec``), business key and change field."""

    system: str = ""  # sap | oracle | workday
    keys: tuple[str, ...] = ()
    change_field: str | None = None  # None: a snapshot or a report, read whole on every sync
    overlap: dt.timedelta = DEFAULT_OVERLAP

    @property
    def incremental(self) -> bool:
        return self.change_field is not None

    def key_of(self, record: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The business key of a received record (API names, as the loader maps them), or None when a
        key field is missing or empty (such a record will be rejected by the contract)."""
        names = _key_names(self)
        snake = {snake_case(str(name)): value for name, value in record.items()}
        key = []
        for accepted in names:
            value = next((snake[name] for name in accepted if name in snake), None)
            if value is None or value == "":
                return None
            key.append(str(value))
        return tuple(key)


def _key_names(spec: ErpSourceSpec) -> list[tuple[str, ...]]:
    rules = {rule.name: rule for rule in field_rules(spec.contract)}
    return [rules[key].accepted_names for key in spec.keys]


@dataclass(frozen=True)
class Window:
    """The change values a sync reads: ``since < change <= until``; ``since`` None means everything."""

    since: dt.datetime | None
    until: dt.datetime

    @property
    def full(self) -> bool:
        return self.since is None

    def describe(self) -> str:
        return f"({self.since.isoformat() if self.since else '-∞'}, {self.until.isoformat()}]"


def window(
    watermark: dt.datetime | None,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    now: dt.datetime | None = None,
    full_resync: bool = False,
) -> Window:
    """The window of the next sync: ``(watermark - overlap, now]``, or everything up to ``now`` on the
    first sync (no watermark) and on a full resync. All values naive UTC (an aware value is converted).

    A watermark later than ``now`` (the ERP's clock ahead of ours) counts as ``now``, so the window never
    starts after it ends.
    """
    if overlap < dt.timedelta(0):
        raise ValueError(f"overlap must not be negative, got {overlap}")
    until = _naive_utc(now or dt.datetime.now(dt.UTC))
    if full_resync or watermark is None:
        return Window(since=None, until=until)
    return Window(since=min(_naive_utc(watermark), until) - overlap, until=until)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


@dataclass
class SyncResult:
    source: str
    tenant_id: str
    window: Window | None
    previous_watermark: dt.datetime | None
    watermark: dt.datetime | None = None  # the new one: set only when every page was committed
    complete: bool = False
    pages: int = 0
    pages_loaded: int = 0
    pages_skipped: int = 0  # loaded before (same records): idempotent
    pages_empty: int = 0
    records: int = 0  # received
    rows_loaded: int = 0  # of the pages loaded now
    rows_rejected: int = 0
    distinct_keys: int = 0  # distinct business keys among the records received
    server_total: int | None = None  # the count the server reported for the window (last page's)
    server_totals: list[int] = field(default_factory=list)  # every distinct total seen, in order
    batch_ids: list[str] = field(default_factory=list)  # every committed batch of the window
    new_batch_ids: list[str] = field(default_factory=list)  # the batches this sync wrote

    def metadata(self) -> dict[str, Any]:
        """What the asset records in its materialization (the watermark is the sync's state)."""
        return {
            "tenant_id": self.tenant_id,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "previous_watermark": self.previous_watermark.isoformat() if self.previous_watermark else None,
            "window_since": self.window.since.isoformat() if self.window and self.window.since else None,
            "window_until": self.window.until.isoformat() if self.window else None,
            "records": self.records,
            "distinct_keys": self.distinct_keys,
            "pages": self.pages,
            "pages_loaded": self.pages_loaded,
            "pages_skipped": self.pages_skipped,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "server_total": self.server_total,
            "batch_ids": list(self.batch_ids),
        }


def sync_entity(
    warehouse: Warehouse,
    spec: ErpSourceSpec,
    pages: Iterable[Page],
    tenant_id: str,
    *,
    window: Window | None = None,
    previous_watermark: dt.datetime | None = None,
    on_page: Callable[[Page, LoadResult | None], None] | None = None,
) -> SyncResult:
    """Load every page as one batch; on success return the new watermark (see the module docstring).

    ``pages`` is consumed once; an exception from it (the client gave up) or from a load propagates
    after the pages before it are committed — the caller must then keep ``previous_watermark``.
    """
    result = SyncResult(
        source=spec.name, tenant_id=tenant_id, window=window, previous_watermark=previous_watermark
    )
    prepare_raw_tables(warehouse, [spec])
    keys: set[tuple[Any, ...]] = set()
    for page in pages:
        result.pages += 1
        records = list(page.records)
        result.records += len(records)
        keys.update(key for key in map(spec.key_of, records) if key is not None)
        if page.total is not None:
            result.server_total = page.total
            if not result.server_totals or result.server_totals[-1] != page.total:
                result.server_totals.append(page.total)
        if not records:
            # Nothing to load: a batch needs columns to map (and an empty window is not an error).
            result.pages_empty += 1
            if on_page:
                on_page(page, None)
            continue
        loaded = load_records(warehouse, spec, records, tenant_id, source_uri=page.url)
        result.batch_ids.append(loaded.batch_id)
        if loaded.status == "skipped":
            result.pages_skipped += 1
        else:
            result.pages_loaded += 1
            result.new_batch_ids.append(loaded.batch_id)
            result.rows_loaded += loaded.rows_loaded
            result.rows_rejected += loaded.rows_rejected
        if on_page:
            on_page(page, loaded)
    result.distinct_keys = len(keys)
    result.batch_ids = list(dict.fromkeys(result.batch_ids))
    result.watermark = _new_watermark(warehouse, spec, result)
    result.complete = True
    log.info(
        "%s/%s: %d pages (%d loaded, %d skipped), %d records, %d rows loaded, %d rejected, total %s, "
        "watermark %s → %s",
        tenant_id,
        spec.name,
        result.pages,
        result.pages_loaded,
        result.pages_skipped,
        result.records,
        result.rows_loaded,
        result.rows_rejected,
        result.server_total,
        previous_watermark,
        result.watermark,
    )
    return result


def _new_watermark(warehouse: Warehouse, spec: ErpSourceSpec, result: SyncResult) -> dt.datetime | None:
    """The largest change value committed by this sync's batches (capped at the window's end), or the
    previous watermark when they hold none larger."""
    if not spec.incremental:
        return None
    committed = max_change(warehouse, spec, result.tenant_id, result.batch_ids)
    if committed is not None and result.window is not None:
        committed = min(committed, result.window.until)
    candidates = [value for value in (committed, result.previous_watermark) if value is not None]
    return max(candidates) if candidates else None


def max_change(
    warehouse: Warehouse, spec: ErpSourceSpec, tenant_id: str, batch_ids: Sequence[str]
) -> dt.datetime | None:
    """``max(<change field>)`` of the raw rows of ``batch_ids`` (None if they hold no row)."""
    if not spec.change_field or not batch_ids:
        return None
    placeholders = ", ".join(f"%(b{index})s" for index in range(len(batch_ids)))
    with warehouse.session() as session:
        return session.scalar(
            f"SELECT max({spec.change_field}) FROM {spec.raw_table} "
            f"WHERE tenant_id = %(tenant)s AND _batch_id IN ({placeholders})",
            {"tenant": tenant_id, **{f"b{index}": batch for index, batch in enumerate(batch_ids)}},
        )


def distinct_keys_loaded(
    warehouse: Warehouse, spec: ErpSourceSpec, tenant_id: str, batch_ids: Sequence[str]
) -> int:
    """Distinct business keys among the raw rows of ``batch_ids`` (what reconciliation compares)."""
    if not batch_ids:
        return 0
    placeholders = ", ".join(f"%(b{index})s" for index in range(len(batch_ids)))
    columns = ", ".join(spec.keys)
    with warehouse.session() as session:
        return int(
            session.scalar(
                f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {spec.raw_table} "
                f"WHERE tenant_id = %(tenant)s AND _batch_id IN ({placeholders})) AS k",
                {"tenant": tenant_id, **{f"b{index}": batch for index, batch in enumerate(batch_ids)}},
            )
        )
