"""Incremental sync of one ERP entity: window → pages → ``load_records`` (one batch per page) → watermark.

The sync of an entity with a change field (SAP ``LastChangeDateTime``, Oracle ``LastUpdateDate``, Workday
``Last_Updated``) reads the window ``[watermark - overlap, now]`` (``window``); an entity without one (a
stock snapshot, a report as of a date) is read whole every time. The client (``greenlang.erp.clients``) turns the
window into requests and yields ``Page(records, url, total)``; ``sync_window`` loads each page as its own
atomic, idempotent batch (``greenlang.core.loader.load_records``, ``source_uri`` = the page's URL), reads
the window again while a pass disagrees with the server's count, computes the new watermark from the rows
it committed and records the sync in ``raw.erp_sync`` (``sync_entity``: the same with one pass).

Guarantees:

- **Nothing lost.** The new watermark is returned only when every page of the window is committed; it is
  the largest change value of the raw rows of this sync's batches (``max(<change field>)`` over their
  ``_batch_id``), never larger than the window's end. If the client or a load raises part-way, no
  sync is recorded (the watermark stays where it was), the pages already committed stay, and the next run
  reads the same window again. The overlap re-reads changes whose commit in the ERP lagged their stamp.
- **Nothing doubled by retries.** A page whose records were loaded before (same records, whatever the
  URL) is skipped by the loader, and a page of an incremental entity whose every record is already in
  raw with the same values (``held_in_raw``: the overlap, a window read again) is not loaded: a sync with
  no change in the ERP loads nothing. Such pages are represented in ``batch_ids`` by the batches that
  hold their records.
- **Raw keeps every page that brought something new**, whole. The same business key can be in several
  batches (a page mixing overlap and new records, a record changed while paging, the next window). Removing those duplicates is the job
  of dbt staging: per business key (``ErpSourceSpec.keys`` and ``tenant_id``) the row with the latest
  change value wins, ties broken by the later ``_ingested_at``, then ``_source_row``, then ``_batch_id``
  (``stg_sap__purchase_order_items`` …). Deletions are rows too (SAP deletion code ``L``, Oracle
  ``CANCELED``, a Workday reversal's negative amount) and win like any change.
- **Consistent with the server's count.** Offset paging over records that change meanwhile can skip a
  record (a changed record leaves the window and every later row moves back by one); a page the server
  repeats drops others. The SAP and Oracle clients page by key, which avoids both; as a second line,
  ``sync_window`` compares what a pass received with the total the server reported on every page and
  reads the window again until they agree; if they never do, the watermark stays where it was.

The sync's state is in the warehouse it describes, never in Dagster's instance: ``sync_window`` ends by
writing one row to ``raw.erp_sync`` (``record_sync``) with the window, the previous and new watermark,
what it read, its batches and the server's counts; the next sync of the (tenant, source) starts from the
watermark of its latest row (``last_watermark``). So wiping Dagster's instance, or pointing the same
checkout at another warehouse, neither skips nor duplicates anything: a fresh warehouse has no row, and
its first sync reads everything. Writing that row after the pages is safe: each page is its own atomic
batch with its own ``raw.load_batch`` row, and the sync's row is one statement written after every page
of the sync committed. A crash before it leaves the committed pages and no row, so the next sync starts
from the previous watermark and reads the same window again, which is idempotent (``held_in_raw`` and
the loader's skip of a page loaded before).

Counts: ``SyncResult.server_total`` is the count the server reported for the window (OData ``__count``,
Oracle ``totalResults``); ``server_full_total`` the entity's whole count, asked before the window is
computed (``ErpEntity.count`` with no filter; for a snapshot the window is the whole entity, so it is
``server_total``; None when the API cannot count). The reconciliation check (``greenlang.erp.checks``)
compares the keys raw holds over every batch with ``server_full_total`` of the latest row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from greenlang.core.loader import SourceSpec, load_records, prepare_raw_tables
from greenlang.core.readers import UnreadableFileError, open_records, snake_case
from greenlang.core.validation import ContractMismatchError, field_rules, map_columns
from greenlang.core.warehouse import RAW_SCHEMA, Session, Warehouse, utcnow

if TYPE_CHECKING:
    from greenlang.core.freshness import Cadence

log = logging.getLogger(__name__)

DEFAULT_OVERLAP = dt.timedelta(hours=1)


class Page(Protocol):
    """What an ERP client yields (``greenlang.erp.clients``): records, the request URL, the window's total."""

    records: Sequence[Mapping[str, Any]]
    url: str
    total: int | None


@dataclass(frozen=True)
class ErpSourceSpec(SourceSpec):
    """An ERP entity: its raw table and contract (``SourceSpec``), business key and change field."""

    cadence: Cadence = "hourly"  # synced hourly (schedule) and on change (sensor)
    system: str = ""  # sap | oracle | workday
    keys: tuple[str, ...] = ()
    change_field: str | None = None  # None: a snapshot or a report, read whole on every sync
    overlap: dt.timedelta = DEFAULT_OVERLAP
    # What the server's count counts, when it is not ``keys``: SAP's __count and Oracle's totalResults
    # count orders (headers), whose items/lines the client flattens into records.
    count_keys: tuple[str, ...] = ()

    @property
    def counted_keys(self) -> tuple[str, ...]:
        return self.count_keys or self.keys

    @property
    def incremental(self) -> bool:
        return self.change_field is not None

    def key_of(
        self, record: Mapping[str, Any], keys: tuple[str, ...] | None = None
    ) -> tuple[str, ...] | None:
        """The business key (or other ``keys``) of a received record (API names, as the loader maps
        them), or None when a key field is missing or empty (the contract will reject such a record)."""
        wanted = _key_names(self, keys or self.keys)
        found: dict[str, Any] = {}
        for name, value in record.items():
            column = _snake(name)
            if column in wanted.columns:
                found[column] = value
        key = []
        for accepted in wanted.accepted:
            value = next((found[name] for name in accepted if name in found), None)
            if value is None or value == "":
                return None
            key.append(str(value))
        return tuple(key)


@dataclass(frozen=True)
class _KeyNames:
    accepted: tuple[tuple[str, ...], ...]  # per key field, the column names it accepts (in order)
    columns: frozenset[str]


@functools.lru_cache(maxsize=64)
def _key_names(spec: ErpSourceSpec, keys: tuple[str, ...]) -> _KeyNames:
    rules = {rule.name: rule for rule in field_rules(spec.contract)}
    accepted = tuple(rules[key].accepted_names for key in keys)
    return _KeyNames(accepted, frozenset(name for names in accepted for name in names))


@functools.lru_cache(maxsize=4096)
def _snake(name: str) -> str:
    return snake_case(str(name))


@dataclass(frozen=True)
class Window:
    """The change values a sync reads: from ``since`` (None: the beginning) to ``until``. The clients
    query both ends inclusively; a record exactly at the watermark is read again, which is harmless."""

    since: dt.datetime | None
    until: dt.datetime

    @property
    def full(self) -> bool:
        return self.since is None

    def describe(self) -> str:
        return f"[{self.since.isoformat() if self.since else '-∞'}, {self.until.isoformat()}]"


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
    """One sync of an entity: one or more passes over its window (see ``sync_window``)."""

    source: str
    tenant_id: str
    window: Window | None
    previous_watermark: dt.datetime | None
    sync_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    watermark: dt.datetime | None = None  # the new one; None for a snapshot
    complete: bool = False  # every page of every pass committed
    consistent: bool = False  # the last pass read what the server counted (see ``PassReading``)
    passes: int = 0
    pages: int = 0
    pages_loaded: int = 0
    pages_skipped: int = 0  # loaded before (same records): idempotent
    pages_empty: int = 0
    pages_held: int = 0  # every record already in raw with the same content: not loaded again
    records: int = 0  # received, all passes
    rows_loaded: int = 0  # of the pages loaded now
    rows_rejected: int = 0
    distinct_keys: int = 0  # distinct business keys received, all passes
    distinct_counted: int = 0  # distinct values of what the server counts (spec.counted_keys), last pass
    server_total: int | None = None  # the count the server reported for the window (last page's)
    server_full_total: int | None = None  # the entity's whole count on the server when the sync started
    server_totals: list[int] = field(default_factory=list)  # the distinct totals of the last pass, in order
    batch_ids: list[str] = field(default_factory=list)  # every committed batch of the sync
    new_batch_ids: list[str] = field(default_factory=list)  # the batches this sync wrote
    last_pass_batch_ids: list[str] = field(default_factory=list)  # the batches of the last pass
    _keys: set[tuple[Any, ...]] = field(default_factory=set, repr=False)
    _counted: set[tuple[Any, ...]] = field(default_factory=set, repr=False)

    def reading_is_consistent(self) -> bool:
        """The pass saw one server total on every page and received exactly that many counted keys (a
        server that reports no count is taken at its word)."""
        if self.server_total is None:
            return True
        return len(self.server_totals) == 1 and self.distinct_counted == self.server_total

    def metadata(self) -> dict[str, Any]:
        """The sync's figures, as the asset reports them in the UI; its state is its ``raw.erp_sync`` row."""
        metadata = {
            "sync_id": self.sync_id,
            "tenant_id": self.tenant_id,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "previous_watermark": self.previous_watermark.isoformat() if self.previous_watermark else None,
            "window_since": self.window.since.isoformat() if self.window and self.window.since else None,
            "window_until": self.window.until.isoformat() if self.window else None,
            "consistent": self.consistent,
            "passes": self.passes,
            "records": self.records,
            "distinct_keys": self.distinct_keys,
            "pages": self.pages,
            "pages_loaded": self.pages_loaded,
            "pages_skipped": self.pages_skipped,
            "pages_held": self.pages_held,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "server_total": self.server_total,
            "server_full_total": self.server_full_total,
            "batch_ids": list(self.batch_ids),
        }
        if self.passes > 1:
            metadata["last_pass_batch_ids"] = list(self.last_pass_batch_ids)
        return metadata


def sync_entity(
    warehouse: Warehouse,
    spec: ErpSourceSpec,
    pages: Iterable[Page],
    tenant_id: str,
    *,
    window: Window | None = None,
    previous_watermark: dt.datetime | None = None,
    server_full_total: int | None = None,
) -> SyncResult:
    """A sync of one pass: load every page as one batch; return the counts and the new watermark.

    ``pages`` is consumed once; an exception from it (the client gave up) or from a load propagates
    after the pages before it are committed, and no sync is recorded: the watermark stays. The
    watermark returned is the largest change committed by the pass (see the module docstring) when the
    pass is ``consistent`` with the server's count, else ``previous_watermark``: a record skipped by
    the paging must be read again (``sync_window`` does that at once).
    """
    return sync_window(
        warehouse,
        spec,
        lambda: pages,
        tenant_id,
        window=window,
        previous_watermark=previous_watermark,
        server_full_total=server_full_total,
        max_passes=1,
    )


def sync_window(
    warehouse: Warehouse,
    spec: ErpSourceSpec,
    read_pages: Callable[[], Iterable[Page]],
    tenant_id: str,
    *,
    window: Window | None = None,
    previous_watermark: dt.datetime | None = None,
    server_full_total: int | None = None,
    max_passes: int = 3,
) -> SyncResult:
    """Sync the window, reading it again while a pass is inconsistent with the server's count; record
    the sync in ``raw.erp_sync`` (``record_sync``). ``server_full_total``: the entity's whole count,
    asked before the window was computed (a snapshot's is its window's).

    A pass is inconsistent when the server's total changed between its pages or the distinct counted
    keys received differ from it: offset paging over records that change meanwhile skips a record (the
    ``shift`` of a changed record), a page repeated by the server drops others. Records skipped that way
    are still in the window, so reading it again finds them; pages already loaded are skipped by the
    loader, so a second pass costs reads, not rows. Stops at the first consistent pass, or when two
    passes in a row received the same keys under the same total (the difference is structural, e.g. an
    order without items: the reconciliation check reports it). Otherwise, after ``max_passes``, the
    watermark is NOT advanced: the next sync reads the window again.
    """
    result = SyncResult(
        source=spec.name,
        tenant_id=tenant_id,
        window=window,
        previous_watermark=previous_watermark,
        server_full_total=server_full_total,
    )
    last_counted: tuple[frozenset, int | None] | None = None
    while True:
        result.passes += 1
        result.last_pass_batch_ids, result.server_totals, result.server_total = [], [], None
        result._counted = set()
        _read_pass(warehouse, spec, read_pages(), result)
        result.consistent = result.reading_is_consistent()
        stable = len(result.server_totals) <= 1 and last_counted == (
            frozenset(result._counted),
            result.server_total,
        )
        if result.consistent or stable:
            result.watermark = _new_watermark(warehouse, spec, result)
            break
        if result.passes >= max_passes:
            log.warning(
                "%s/%s: still inconsistent after %d pass(es) (totals %s, %d counted keys received): "
                "watermark kept at %s",
                tenant_id,
                spec.name,
                result.passes,
                result.server_totals,
                result.distinct_counted,
                previous_watermark,
            )
            result.watermark = previous_watermark if spec.incremental else None
            break
        last_counted = (frozenset(result._counted), result.server_total)
        log.info(
            "%s/%s: pass %d inconsistent (totals %s, %d counted keys received): reading the window again",
            tenant_id,
            spec.name,
            result.passes,
            result.server_totals,
            result.distinct_counted,
        )
    if not spec.incremental:
        result.server_full_total = result.server_total
    record_sync(warehouse, result)
    _log(result)
    return result


def _read_pass(warehouse: Warehouse, spec: ErpSourceSpec, pages: Iterable[Page], result: SyncResult) -> None:
    prepare_raw_tables(warehouse, [spec])
    for page in pages:
        result.pages += 1
        records = list(page.records)
        result.records += len(records)
        result._keys.update(key for key in map(spec.key_of, records) if key is not None)
        result._counted.update(key for record in records if (key := spec.key_of(record, spec.counted_keys)))
        if page.total is not None:
            result.server_total = page.total
            if not result.server_totals or result.server_totals[-1] != page.total:
                result.server_totals.append(page.total)
        if not records:
            # Nothing to load: a batch needs columns to map (and an empty window is not an error).
            result.pages_empty += 1
            continue
        holding = (
            held_in_raw(warehouse, spec, result.tenant_id, records, page.url) if spec.incremental else None
        )
        if holding is not None:
            # Every record of the page is in raw already, as it is now (the overlap re-read, a window
            # read again): loading the page would add only copies. The batches holding its records
            # stand for it (watermark, reconciliation). Snapshots re-read the same pages, which the
            # loader skips by content, so they need no such test.
            result.pages_held += 1
            result.batch_ids.extend(holding)
            result.last_pass_batch_ids.extend(holding)
            continue
        loaded = load_records(warehouse, spec, records, tenant_id=result.tenant_id, source_uri=page.url)
        result.batch_ids.append(loaded.batch_id)
        result.last_pass_batch_ids.append(loaded.batch_id)
        if loaded.status == "skipped":
            result.pages_skipped += 1
        else:
            result.pages_loaded += 1
            result.new_batch_ids.append(loaded.batch_id)
            result.rows_loaded += loaded.rows_loaded
            result.rows_rejected += loaded.rows_rejected
    result.distinct_keys = len(result._keys)
    result.distinct_counted = len(result._counted)
    result.batch_ids = list(dict.fromkeys(result.batch_ids))
    result.last_pass_batch_ids = list(dict.fromkeys(result.last_pass_batch_ids))
    result.complete = True


def _log(result: SyncResult) -> None:
    log.info(
        "%s/%s: %d pass(es), %d pages (%d loaded, %d skipped), %d records, %d rows loaded, %d rejected, "
        "total %s, consistent %s, watermark %s → %s",
        result.tenant_id,
        result.source,
        result.passes,
        result.pages,
        result.pages_loaded,
        result.pages_skipped,
        result.records,
        result.rows_loaded,
        result.rows_rejected,
        result.server_total,
        result.consistent,
        result.previous_watermark,
        result.watermark,
    )


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


def row_hashes(spec: ErpSourceSpec, records: Sequence[Mapping[str, Any]], label: str) -> list[str] | None:
    """The ``_row_sha256`` the loader gives each record (``greenlang.core.validation``: the received text of
    the contract's fields in contract order, absent as empty, joined by U+001F); None when the records
    cannot feed the contract at all (the loader will record that as a failed batch)."""
    try:
        source = open_records(list(records), label)
        mapping, _ignored = map_columns(field_rules(spec.contract), source.columns)
    except (UnreadableFileError, ContractMismatchError):
        return None
    names = [rule.name for rule in field_rules(spec.contract)]
    hashes = []
    for batch in source.iter_batches():
        columns = {name: batch.column(mapping[name]).to_pylist() for name in names if name in mapping}
        for index in range(batch.num_rows):
            text = _HASH_SEPARATOR.join(
                (columns[name][index] or "") if name in columns else "" for name in names
            )
            hashes.append(hashlib.sha256(text.encode()).hexdigest())
    return hashes


_HASH_SEPARATOR = "\x1f"


def held_in_raw(
    warehouse: Warehouse,
    spec: ErpSourceSpec,
    tenant_id: str,
    records: Sequence[Mapping[str, Any]],
    label: str,
) -> list[str] | None:
    """When every record is in ``raw.<table>`` for the tenant with the same contract values: the batches
    holding them (one per record); None otherwise."""
    hashes = sorted(set(row_hashes(spec, records, label) or []))
    if not hashes:
        return None
    placeholders = ", ".join(f"%(h{index})s" for index in range(len(hashes)))
    with warehouse.session() as session:
        rows = session.fetchall(
            f"SELECT _row_sha256, max(_batch_id) FROM {spec.raw_table} "
            f"WHERE tenant_id = %(tenant)s AND _row_sha256 IN ({placeholders}) GROUP BY _row_sha256",
            {"tenant": tenant_id, **{f"h{index}": value for index, value in enumerate(hashes)}},
        )
    if len(rows) != len(hashes):
        return None
    return sorted({batch for _hash, batch in rows})


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


def distinct_keys_held(
    session: Session, spec: ErpSourceSpec, tenant_id: str, keys: Sequence[str] | None = None
) -> int:
    """Distinct ``keys`` (default: the business key) among every raw row of the tenant, whatever its batch."""
    columns = ", ".join(keys or spec.keys)
    return int(
        session.scalar(
            f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {spec.raw_table} "
            "WHERE tenant_id = %(tenant)s) AS k",
            {"tenant": tenant_id},
        )
    )


# --- the sync ledger: raw.erp_sync ---------------------------------------------------------------------

ERP_SYNC_TABLE = f"{RAW_SCHEMA}.erp_sync"


@dataclass(frozen=True)
class SyncRecord:
    """A row of ``raw.erp_sync``: one completed sync."""

    sync_id: str
    tenant_id: str
    source: str
    window_since: dt.datetime | None
    window_until: dt.datetime | None
    previous_watermark: dt.datetime | None
    watermark: dt.datetime | None
    consistent: bool
    server_total: int | None
    server_full_total: int | None
    passes: int
    pages: int
    records: int
    rows_loaded: int
    rows_rejected: int
    batch_ids: tuple[str, ...]
    started_at: dt.datetime
    finished_at: dt.datetime

    def describe_window(self) -> str:
        if self.window_until is None:
            return "(snapshot)"
        return Window(self.window_since, self.window_until).describe()


def record_sync(warehouse: Warehouse, result: SyncResult) -> None:
    """Write the sync's row: one INSERT, so one transaction, after every page of the sync committed."""
    result.finished_at = utcnow()
    window = result.window
    row = {
        "sync_id": result.sync_id,
        "tenant_id": result.tenant_id,
        "source": result.source,
        "window_since": window.since if window else None,
        "window_until": window.until if window else None,
        "previous_watermark": result.previous_watermark,
        "watermark": result.watermark,
        "consistent": result.consistent,
        "server_total": result.server_total,
        "server_full_total": result.server_full_total,
        "passes": result.passes,
        "pages": result.pages,
        "records": result.records,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "batch_ids": json.dumps(result.batch_ids),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
    }
    with warehouse.session() as session:
        session.migrate_raw_layer({})
        session.execute(
            f"INSERT INTO {ERP_SYNC_TABLE} ({', '.join(row)}) VALUES ({', '.join(f'%({name})s' for name in row)})",
            row,
        )


def latest_syncs(
    session: Session, *, source: str | None = None, tenant_ids: Sequence[str] | None = None
) -> dict[tuple[str, str], SyncRecord]:
    """The latest row of ``raw.erp_sync`` per (tenant_id, source), of ``source`` and ``tenant_ids`` when
    given; empty when the warehouse has no ledger yet (a reader must not create it)."""
    if ERP_SYNC_TABLE not in {f"{schema}.{name}" for schema, name, _kind in session.relations([RAW_SCHEMA])}:
        return {}
    conditions, params = [], {}
    if source is not None:
        conditions.append("source = %(source)s")
        params["source"] = source
    if tenant_ids is not None:
        if not tenant_ids:
            return {}
        params.update({f"t{index}": tenant for index, tenant in enumerate(tenant_ids)})
        conditions.append(f"tenant_id IN ({', '.join(f'%(t{index})s' for index in range(len(tenant_ids)))})")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = session.fetch_dicts(
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY tenant_id, source "
        f"ORDER BY finished_at DESC, sync_id DESC) AS recency FROM {ERP_SYNC_TABLE} {where}) AS s "
        "WHERE recency = 1",
        params,
    )
    records = {}
    for row in rows:
        del row["recency"]
        record = SyncRecord(**{**row, "batch_ids": tuple(json.loads(row["batch_ids"]))})
        records[(record.tenant_id, record.source)] = record
    return records


def last_watermark(warehouse: Warehouse, spec: ErpSourceSpec, tenant_id: str) -> dt.datetime | None:
    """Where the next sync of ``spec`` for ``tenant_id`` starts: the watermark of its latest sync in this
    warehouse; None when it was never synced here."""
    with warehouse.session() as session:
        latest = latest_syncs(session, source=spec.name, tenant_ids=[tenant_id]).get((tenant_id, spec.name))
    return latest.watermark if latest else None
