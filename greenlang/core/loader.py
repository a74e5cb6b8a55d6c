"""Load one inbound file into the raw layer as one atomic, idempotent batch.

read (``greenlang.core.readers``) → validate against the contract (``greenlang.core.validation``) → in ONE
transaction: valid rows to ``raw.<source>``, rejected rows to ``raw.dead_letter``, one row to
``raw.load_batch``. A file already loaded for the tenant (same sha256) is skipped. A file that
cannot be read, or whose columns cannot feed the contract, loads nothing and is recorded as a
``failed`` batch before ``LoadError`` is raised; so does a load that fails unexpectedly (any other
exception), its ledger row naming only the exception type (a message could quote the file). A file the
landing directory refuses (``refuse_file``) is recorded as a ``refused`` batch of no rows, once, and
nothing of it is read.

Quarantine: a file that failed for what it holds (unreadable, columns that cannot feed the contract) is
not read again while its bytes and the contract version stay the same: the next load raises the same
``LoadError`` without adding a batch, until the file changes or ``retry_quarantined`` asks for it (after
a fix to the reader). An unexpected failure (disk full, a bug) quarantines nothing: the next load retries.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from greenlang.core.contract import Contract
from greenlang.core.personal_data import (
    KeyShredded,
    KeyStore,
    Pseudonymiser,
    personal_fields,
    tenant_keys,
)
from greenlang.core.readers import SourceFile, UnreadableFileError, open_records, open_source
from greenlang.core.schema_drift import api_page_drift, delivery_drift
from greenlang.core.validation import (
    SQL_TYPES,
    BatchValidator,
    ContractMismatchError,
    NumberFormat,
    ValidatedBatch,
    field_rules,
)
from greenlang.core.warehouse import RAW_SCHEMA, BulkLoad, Session, Warehouse, utcnow

if TYPE_CHECKING:
    from greenlang.core.freshness import Cadence
    from greenlang.core.landing import LandedFile

DEFAULT_BATCH_ROWS = 100_000


@dataclass(frozen=True)
class SourceSpec:
    """An inbound source, declared once: its raw table name (``<source>__<entity>``), record contract,
    how often it must arrive (``cadence``: the asset's freshness policy, ``greenlang.core.freshness``),
    whether it is sliced into daily partitions (one file per reading day), and how a delivery is read."""

    name: str
    contract: type[Contract]
    cadence: Cadence = "monthly"
    daily_partitions: bool = False
    # The worksheet of a workbook delivery (else the active one, which must be a visible worksheet).
    sheet: str | None = None
    # The value of a row that closes the table, as the publisher writes it (the UK DESNZ flat file ends
    # with an "END" row): dropped only as the very last record; anywhere else it is a record like any
    # other (and rejected by the contract). None: every row is a record.
    end_marker: str | None = None
    # The decimal separator of delimited text deliveries ("." or ","); None: detected per file from its
    # numbers, and if none tells, numbers that read two ways (1.234) are rejected as ambiguous.
    decimal_separator: str | None = None
    # What a delivery says about itself beyond its rows (a publication's edition in a column name, a
    # version in the file name): (source uri, columns) → attributes kept in raw.load_batch.attributes.
    describe: Callable[[str, list[str]], dict[str, str]] | None = None

    @property
    def raw_table(self) -> str:
        return f"{RAW_SCHEMA}.{self.name}"

    def column_types(self) -> list[tuple[str, str]]:
        return [
            (
                rule.name,
                SQL_TYPES[rule.kind].replace("VARCHAR", "TEXT") + (" NOT NULL" if rule.required else ""),
            )
            for rule in field_rules(self.contract)
        ]


@dataclass(frozen=True)
class LoadResult:
    batch_id: str
    # "succeeded" | "skipped" (this file was loaded, or refused, before for the tenant) | "refused"
    status: str
    source_uri: str
    file_sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    ignored_columns: list[str] = field(default_factory=list)


class _LoadedMeanwhile(Exception):
    def __init__(self, batch_id: str):
        super().__init__(batch_id)
        self.batch_id = batch_id


class LoadError(Exception):
    """The file was recorded as a failed batch (``batch_id``) and nothing of it was loaded; ``quarantined``:
    it failed for what it holds, and is not read again until its bytes change."""

    def __init__(self, message: str, batch_id: str, *, quarantined: bool):
        super().__init__(message)
        self.batch_id = batch_id
        self.quarantined = quarantined


# The ledger error of a load that failed for no reason of the file's (``_load``); quarantine leaves it out.
UNEXPECTED_FAILURE_PREFIX = "unexpected "


def unexpected_failure_message(label: str, error: Exception) -> str:
    """What the ledger says of an unexpected failure: the exception type only, never its message, which may
    quote the file (the run's log has the traceback)."""
    return (
        f"{UNEXPECTED_FAILURE_PREFIX}{type(error).__name__} while loading {label} (traceback in the run log)"
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_raw_tables(
    warehouse: Warehouse, specs: list[SourceSpec], contracts: Iterable[type[Contract]] = ()
) -> None:
    """The ledger and the raw tables of ``specs`` as the code expects them, their contracts and
    ``contracts`` registered (``Session.migrate_raw_layer``): a check without DDL once the warehouse is
    set up."""
    with warehouse.session() as session:
        migrate_raw_tables(session, specs, contracts)


def migrate_raw_tables(
    session: Session, specs: list[SourceSpec], contracts: Iterable[type[Contract]] = ()
) -> None:
    session.migrate_raw_layer(
        {spec.name: spec.column_types() for spec in specs},
        list(dict.fromkeys([*(spec.contract for spec in specs), *contracts])),
    )


def load_file(
    warehouse: Warehouse,
    spec: SourceSpec,
    path: Path | str,
    tenant_id: str,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    retry_quarantined: bool = False,
) -> LoadResult:
    """Load one file; the same file (by sha256) for the same tenant and source loads once, and a quarantined
    one (see the module) fails again without being read unless ``retry_quarantined``."""
    path = Path(path).resolve()
    return _load(
        warehouse,
        spec,
        tenant_id,
        source_uri=path.as_uri(),
        content_sha256=file_sha256(path),
        open_delivery=lambda: open_source(
            path, sheet=spec.sheet, end_marker=spec.end_marker, decimal_separator=spec.decimal_separator
        ),
        label=path.name,
        batch_rows=batch_rows,
        retry_quarantined=retry_quarantined,
    )


def refuse_file(warehouse: Warehouse, spec: SourceSpec, item: LandedFile) -> LoadResult:
    """Record that a landed entry is refused (``item.refusal``, which never quotes what the file holds) as
    a ``refused`` batch of no rows; the same entry (tenant, source, sha256) is recorded once."""
    sha256 = item.sha256()
    source_uri = item.path.absolute().as_uri()
    prepare_raw_tables(warehouse, [spec])
    # the delivery's lock, as a load takes it: one refusal of the same entry, whoever records it first
    with (
        warehouse.session() as session,
        session.bulk_load() as load,
        load.publish(f"{item.tenant_id}/{spec.name}/{sha256}"),
    ):
        previous = _batch_of(session, item.tenant_id, spec.name, sha256, status="refused")
        if previous:
            return LoadResult(batch_id=previous, status="skipped", source_uri=source_uri, file_sha256=sha256)
        batch_id = uuid.uuid4().hex
        ledger = {
            "batch_id": batch_id,
            "tenant_id": item.tenant_id,
            "source": spec.name,
            "source_uri": source_uri,
            "file_sha256": sha256,
            "contract_name": spec.contract.contract_name,
            "contract_version": spec.contract.contract_version,
            "started_at": utcnow(),
        }
        _record_batch(session, ledger, status="refused", error=item.refusal)
    return LoadResult(batch_id=batch_id, status="refused", source_uri=source_uri, file_sha256=sha256)


def load_records(
    warehouse: Warehouse,
    spec: SourceSpec,
    records: list[Mapping[str, Any]],
    tenant_id: str,
    *,
    source_uri: str,
) -> LoadResult:
    """Load records an API returned (parsed with ``greenlang.core.readers.loads_exact``) as one batch.

    The records' canonical JSON stands in for a file's bytes: the same records load once.
    """
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _load(
        warehouse,
        spec,
        tenant_id,
        source_uri=source_uri,
        content_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        open_delivery=lambda: open_records(list(records), source_uri),
        label=source_uri,
        batch_rows=DEFAULT_BATCH_ROWS,
        retry_quarantined=False,
    )


def _load(
    warehouse: Warehouse,
    spec: SourceSpec,
    tenant_id: str,
    *,
    source_uri: str,
    content_sha256: str,
    open_delivery: Callable[[], SourceFile],
    label: str,
    batch_rows: int,
    retry_quarantined: bool,
) -> LoadResult:
    sha256 = content_sha256
    batch_id = uuid.uuid4().hex
    started_at = utcnow()
    ledger = {
        "batch_id": batch_id,
        "tenant_id": tenant_id,
        "source": spec.name,
        "source_uri": source_uri,
        "file_sha256": sha256,
        "contract_name": spec.contract.contract_name,
        "contract_version": spec.contract.contract_version,
        "started_at": started_at,
    }
    with warehouse.session() as session:
        migrate_raw_tables(session, [spec])
        previous = _batch_of(session, tenant_id, spec.name, sha256)
        if previous:
            return LoadResult(batch_id=previous, status="skipped", source_uri=source_uri, file_sha256=sha256)
        quarantine = None if retry_quarantined else _quarantining_batch(session, ledger)
        if quarantine:
            failed_batch, error = quarantine
            raise LoadError(error, failed_batch, quarantined=True)
        try:
            personal = personal_fields(spec.contract)
            # the tenant's keys (created with its first personal value) before the load's transaction
            keys = (
                tenant_keys(session, KeyStore(warehouse.settings.key_store), tenant_id, create=True)
                if personal
                else None
            )
            with session.bulk_load() as load:
                source = open_delivery()
                number_format = NumberFormat(source.decimal_separator, source.decimal_separator_assumed)
                validator = BatchValidator(spec.contract, source.schema.names, number_format)
                pseudonymiser = Pseudonymiser(keys, personal, validator.mapping) if keys else None
                ledger["attributes"] = json.dumps(
                    spec.describe(source_uri, source.columns) if spec.describe else {}
                )
                counts = _load_batches(load, spec, source, validator, ledger, batch_rows, pseudonymiser)
                # re-checked under the delivery's lock: a concurrent load of the same file may have won
                with load.publish(f"{tenant_id}/{spec.name}/{sha256}"):
                    previous = _batch_of(session, tenant_id, spec.name, sha256)
                    if previous:
                        raise _LoadedMeanwhile(previous)
                    header = [column for column in source.columns if not column.startswith("_")]
                    previous_header = _previous_header(session, tenant_id, spec.name)
                    drift = (
                        api_page_drift(header, previous_header, validator.ignored_columns)
                        if source.format == "api"
                        else delivery_drift(
                            header,
                            previous_header,
                            absent_fields=[
                                rule.name for rule in validator.rules if rule.name not in validator.mapping
                            ],
                            unknown_columns=validator.ignored_columns,
                        )
                    )
                    _record_batch(
                        session,
                        ledger,
                        status="succeeded",
                        file_format=source.format + (f"+{source.compression}" if source.compression else ""),
                        file_encoding=source.encoding,
                        ignored_columns=validator.ignored_columns,
                        columns_received=json.dumps(header, ensure_ascii=False),
                        schema_drift=drift.to_json(),
                        **counts,
                    )
        except _LoadedMeanwhile as loaded:
            return LoadResult(
                batch_id=loaded.batch_id, status="skipped", source_uri=source_uri, file_sha256=sha256
            )
        except (UnreadableFileError, ContractMismatchError) as error:
            message = f"{label}: {error}"
            _record_batch(session, ledger, status="failed", error=message)
            raise LoadError(message, batch_id, quarantined=True) from error
        except KeyShredded as error:  # the file is fine: loadable again once the erasure is complete
            message = f"{label}: {error}; finish the tenant's erasure (docs/design.md, Personal data)"
            _record_batch(session, ledger, status="failed", error=message)
            raise LoadError(message, batch_id, quarantined=False) from error
        except Exception as error:
            message = unexpected_failure_message(label, error)
            _record_batch(session, ledger, status="failed", error=message)
            raise LoadError(message, batch_id, quarantined=False) from error
    return LoadResult(
        batch_id=batch_id,
        status="succeeded",
        source_uri=source_uri,
        file_sha256=sha256,
        ignored_columns=validator.ignored_columns,
        **counts,
    )


def _load_batches(
    load: BulkLoad,
    spec: SourceSpec,
    source: SourceFile,
    validator: BatchValidator,
    ledger: dict,
    batch_rows: int,
    pseudonymiser: Pseudonymiser | None,
) -> dict[str, int]:
    rows_read = rows_loaded = rows_rejected = 0
    constants = {
        "tenant_id": ledger["tenant_id"],
        "_batch_id": ledger["batch_id"],
        "_source_uri": ledger["source_uri"],
        "_ingested_at": ledger["started_at"],
    }
    # Validation of the next batch overlaps with the write of the previous one (the warehouse works on
    # its own core); one write in flight keeps memory at two batches whatever the file's size.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse-writer") as writer:
        pending: Future | None = None
        for batch in source.iter_batches(batch_rows):
            rows_read += batch.num_rows
            result = validator.validate(batch)
            rows_loaded += result.valid.num_rows
            rows_rejected += len(result.rejected)
            if pending is not None:
                pending.result()
            pending = writer.submit(_write, load, spec, result, constants, ledger, pseudonymiser)
        if pending is not None:
            pending.result()
    if (
        rows_read != rows_loaded + rows_rejected
    ):  # the ledger's invariant; never record a batch that breaks it
        raise AssertionError(
            f"row conservation broken: read {rows_read}, loaded {rows_loaded}, rejected {rows_rejected}"
        )
    return {"rows_read": rows_read, "rows_loaded": rows_loaded, "rows_rejected": rows_rejected}


def _write(
    load: BulkLoad,
    spec: SourceSpec,
    result: ValidatedBatch,
    constants: dict,
    ledger: dict,
    pseudonymiser: Pseudonymiser | None,
) -> None:
    valid, rejected = result.valid, result.rejected
    if pseudonymiser is not None:
        valid, originals = pseudonymiser.protect(valid)
        rejected = [
            {**row, "raw_record": pseudonymiser.protect_received(row["raw_record"], originals)}
            for row in rejected
        ]
        if originals:
            load.insert(
                f"{RAW_SCHEMA}.personal_data", pseudonymiser.vault_rows(originals, ledger["batch_id"])
            )
    if valid.num_rows:
        load.insert(spec.raw_table, _with_constants(valid, constants))
    if rejected:
        load.insert(f"{RAW_SCHEMA}.dead_letter", _dead_letters(rejected, ledger))


def _with_constants(table: pa.Table, constants: dict) -> pa.Table:
    for name, value in constants.items():
        table = table.append_column(name, _repeat(value, table.num_rows))
    return table


def _repeat(value: object, length: int) -> pa.Array:
    """A column holding ``value`` ``length`` times, without a Python list of that length."""
    indices = pa.array(np.zeros(length, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array([value])).dictionary_decode()


def _dead_letters(rejected: list[dict], ledger: dict) -> pa.Table:
    rejected_at = utcnow()
    rows = [
        {
            "batch_id": ledger["batch_id"],
            "tenant_id": ledger["tenant_id"],
            "source": ledger["source"],
            "source_uri": ledger["source_uri"],
            "source_row": row["source_row"],
            "raw_record": row["raw_record"],
            "errors": row["errors"],
            "contract_name": ledger["contract_name"],
            "contract_version": ledger["contract_version"],
            "rejected_at": rejected_at,
        }
        for row in rejected
    ]
    return pa.Table.from_pylist(rows)


def _batch_of(
    session: Session, tenant_id: str, source: str, sha256: str, *, status: str = "succeeded"
) -> str | None:
    return session.scalar(
        f"SELECT batch_id FROM {RAW_SCHEMA}.load_batch WHERE tenant_id = %(tenant)s AND source = %(source)s "
        "AND file_sha256 = %(sha)s AND status = %(status)s",
        {"tenant": tenant_id, "source": source, "sha": sha256, "status": status},
    )


def _previous_header(session: Session, tenant_id: str, source: str) -> list[str] | None:
    """The header of the latest succeeded delivery of ``source`` for the tenant that recorded one."""
    rows = session.fetchall(
        f"SELECT columns_received FROM {RAW_SCHEMA}.load_batch WHERE tenant_id = %(tenant)s "
        "AND source = %(source)s AND status = 'succeeded' AND columns_received IS NOT NULL "
        "ORDER BY finished_at DESC LIMIT 1",
        {"tenant": tenant_id, "source": source},
    )
    return json.loads(rows[0][0]) if rows else None


def _quarantining_batch(session: Session, ledger: dict) -> tuple[str, str] | None:
    """The latest failed batch of these bytes (tenant, source, sha256) under this contract version that
    failed for what the file holds, with its error; none if the file is to be read."""
    rows = session.fetchall(
        f"SELECT batch_id, error FROM {RAW_SCHEMA}.load_batch WHERE tenant_id = %(tenant_id)s "
        "AND source = %(source)s AND file_sha256 = %(file_sha256)s AND contract_version = %(contract_version)s "
        "AND status = 'failed' AND error NOT LIKE %(unexpected)s ORDER BY finished_at DESC LIMIT 1",
        {
            **{key: ledger[key] for key in ("tenant_id", "source", "file_sha256", "contract_version")},
            "unexpected": UNEXPECTED_FAILURE_PREFIX + "%",
        },
    )
    return (rows[0][0], rows[0][1]) if rows else None


# A delivery as the ledger knows it: (tenant_id, source, sha256 of the file or page).
Delivery = tuple[str, str, str]
_SHAS_PER_QUERY = 500


def ledger_version(session: Session, source: str) -> str:
    """What the ledger holds of ``source``: how many batches succeeded, and when the latest finished. A load
    that added nothing (every delivery already loaded) leaves it as it was; any new batch changes it."""
    count, latest = session.fetchall(
        f"SELECT count(*), max(finished_at) FROM {RAW_SCHEMA}.load_batch "
        "WHERE source = %(source)s AND status = 'succeeded'",
        {"source": source},
    )[0]
    return f"{count} batches, latest {latest.isoformat() if latest else 'none'}"


def loaded_deliveries(
    session: Session, deliveries: Iterable[Delivery], *, status: str = "succeeded"
) -> set[Delivery]:
    """The deliveries a batch of ``status`` already holds, which a load (``succeeded``) or a refusal
    (``refused``) would skip (``_batch_of``'s rule, for many at once); none before the raw layer exists."""
    wanted = set(deliveries)
    if not wanted or (RAW_SCHEMA, "load_batch", "table") not in session.relations([RAW_SCHEMA]):
        return set()
    shas = sorted({sha256 for _tenant, _source, sha256 in wanted})
    found: set[Delivery] = set()
    for start in range(0, len(shas), _SHAS_PER_QUERY):
        names = {f"sha_{index}": sha for index, sha in enumerate(shas[start : start + _SHAS_PER_QUERY])}
        rows = session.fetchall(
            f"SELECT DISTINCT tenant_id, source, file_sha256 FROM {RAW_SCHEMA}.load_batch "
            f"WHERE status = %(status)s AND file_sha256 IN ({', '.join(f'%({name})s' for name in names)})",
            {**names, "status": status},
        )
        found.update((tenant_id, source, sha256) for tenant_id, source, sha256 in rows)
    return wanted & found


def _record_batch(
    session: Session,
    ledger: dict,
    *,
    status: str,
    rows_read: int = 0,
    rows_loaded: int = 0,
    rows_rejected: int = 0,
    file_format: str | None = None,
    file_encoding: str | None = None,
    ignored_columns: list[str] | None = None,
    columns_received: str | None = None,
    schema_drift: str | None = None,
    error: str | None = None,
) -> None:
    session.execute(
        f"INSERT INTO {RAW_SCHEMA}.load_batch (batch_id, tenant_id, source, source_uri, file_sha256, file_format, "
        "file_encoding, contract_name, contract_version, rows_read, rows_loaded, rows_rejected, status, error, "
        "ignored_columns, attributes, columns_received, schema_drift, started_at, finished_at) VALUES "
        "(%(batch_id)s, %(tenant_id)s, %(source)s, %(source_uri)s, %(file_sha256)s, %(file_format)s, "
        "%(file_encoding)s, %(contract_name)s, %(contract_version)s, %(rows_read)s, %(rows_loaded)s, "
        "%(rows_rejected)s, %(status)s, %(error)s, %(ignored_columns)s, %(attributes)s, %(columns_received)s, "
        "%(schema_drift)s, %(started_at)s, %(finished_at)s)",
        {
            "attributes": None,
            **ledger,
            "file_format": file_format,
            "file_encoding": file_encoding,
            "rows_read": rows_read,
            "rows_loaded": rows_loaded,
            "rows_rejected": rows_rejected,
            "status": status,
            "error": error,
            "ignored_columns": json.dumps(ignored_columns or []),
            "columns_received": columns_received,
            "schema_drift": schema_drift,
            "finished_at": utcnow(),
        },
    )
