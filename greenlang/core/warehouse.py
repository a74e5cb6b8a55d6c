"""The warehouse the Python loaders write to: an embedded DuckDB file or a PostgreSQL database.

Both speak the same small interface (``Warehouse.session()``): run SQL with ``%(name)s`` parameters,
fetch rows, bulk-insert an Arrow table (DuckDB's native Arrow scan; PostgreSQL ``COPY ... FROM STDIN``),
and open a transaction. The raw-layer DDL lives here too, so both engines get the same tables.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
import uuid
import weakref
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import sql as pg_sql

from greenlang.core.contract import Contract
from greenlang.settings import PostgresSettings, Settings

RAW_SCHEMA = "raw"
# The Dagster concurrency pool of every asset and check that opens the warehouse. A DuckDB file admits one
# process while any of them writes, so the instance gives this pool one slot (dagster.yaml): overlapping
# runs queue their warehouse steps instead of failing on the file lock.
WAREHOUSE_POOL = "warehouse"
STAGE_PREFIX = "_stage_"
_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")

PROVENANCE_COLUMNS = (
    ("_batch_id", "TEXT NOT NULL"),
    ("_source_uri", "TEXT NOT NULL"),
    ("_source_row", "BIGINT NOT NULL"),
    ("_row_sha256", "TEXT NOT NULL"),
    ("_ingested_at", "TIMESTAMP NOT NULL"),
)

LOAD_BATCH_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.load_batch (
    batch_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    source TEXT NOT NULL,
    source_uri TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_format TEXT,
    file_encoding TEXT,
    contract_name TEXT NOT NULL,
    contract_version TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    ignored_columns TEXT,
    attributes TEXT,
    columns_received TEXT,
    schema_drift TEXT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL
)"""

DEAD_LETTER_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.dead_letter (
    batch_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    source TEXT NOT NULL,
    source_uri TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    raw_record TEXT NOT NULL,
    errors TEXT NOT NULL,
    contract_name TEXT NOT NULL,
    contract_version TEXT NOT NULL,
    rejected_at TIMESTAMP NOT NULL
)"""


# One row per completed ERP sync (``greenlang.erp.sync``): the sync state. The next sync of (tenant_id,
# source) starts from the watermark of its latest row; the reconciliation check reads server_full_total.
ERP_SYNC_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.erp_sync (
    sync_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    source TEXT NOT NULL,
    window_since TIMESTAMP,
    window_until TIMESTAMP,
    previous_watermark TIMESTAMP,
    watermark TIMESTAMP,
    consistent BOOLEAN NOT NULL,
    server_total BIGINT,
    server_full_total BIGINT,
    passes BIGINT NOT NULL,
    pages BIGINT NOT NULL,
    records BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    batch_ids TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL
)"""


# Personal data (greenlang.core.personal_data): each tenant's data key, wrapped by its key-encryption key
# (kept outside the warehouse), and the encrypted originals behind the pseudonyms of the raw tables.
TENANT_DATA_KEY_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.tenant_data_key (
    tenant_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
)"""

PERSONAL_DATA_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.personal_data (
    tenant_id TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    key_id TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    _batch_id TEXT NOT NULL
)"""

# One row per stream consumer (``greenlang.core.stream_writer``): the broker position of the last message
# the warehouse committed, written in the same transaction as that message's rows. The consumer restarts
# after it, so a message redelivered after a crash is never applied twice.
STREAM_POSITION_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.stream_position (
    consumer TEXT PRIMARY KEY,
    stream TEXT NOT NULL,
    last_sequence BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    last_published_at TIMESTAMP,
    committed_at TIMESTAMP NOT NULL
)"""


# Archival (``greenlang.lifecycle.archive``): one row per archived partition — a raw table's batches of one
# tenant and load month, moved to Parquet on the object store — with where its objects and manifest are and
# the count and content hash they were verified against before the hot rows were removed; and the batches
# each archive holds, so that a batch's rows are looked for in the archive once they left the hot table.
ARCHIVE_LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.archive_ledger (
    archive_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    period TEXT NOT NULL,
    location TEXT NOT NULL,
    manifest_key TEXT NOT NULL,
    batches BIGINT NOT NULL,
    rows_archived BIGINT NOT NULL,
    rows_sha256 TEXT NOT NULL,
    dead_letters BIGINT NOT NULL,
    dead_letters_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    archived_at TIMESTAMP NOT NULL,
    restored_at TIMESTAMP
)"""

ARCHIVED_BATCH_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.archived_batch (
    batch_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    archive_id TEXT NOT NULL
)"""


SCHEMA_MIGRATIONS_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.schema_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""

# Every change the code makes to the warehouse's schema, as it makes it: a ledger migration applied, a raw
# table created, a column added, a contract version registered, a raw table migrated to a new major
# version (``greenlang.lifecycle.contracts``). Created with raw.schema_migrations, before any migration.
SCHEMA_EVOLUTION_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.schema_evolution (
    changed_at TIMESTAMP NOT NULL,
    change TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT
)"""

# Every contract version the code has known, with the JSON Schema it had (``Contract.schema_text``): a
# registered version never changes (a changed schema needs a new version), and every batch of
# raw.load_batch names one of them.
CONTRACT_REGISTRY_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.contract_registry (
    contract_name TEXT NOT NULL,
    contract_version TEXT NOT NULL,
    json_schema TEXT NOT NULL,
    schema_sha256 TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contract_name, contract_version)
)"""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


# The ledger's schema changes, in order; a warehouse runs each once and records it in raw.schema_migrations.
# The *_DDL constants above are the tables' current shape (a new warehouse gets it whole, codegen reads it):
# a change adds a column there AND appends a migration that adds it ``IF NOT EXISTS``, which brings up a
# warehouse created before and does nothing on a new one.
RAW_MIGRATIONS = (
    Migration(
        1,
        "the ledger: raw.load_batch, raw.dead_letter, raw.erp_sync",
        (
            LOAD_BATCH_DDL,
            DEAD_LETTER_DDL,
            ERP_SYNC_DDL,
        ),
    ),
    Migration(
        2,
        "raw.load_batch.attributes: what a delivery says about itself",
        (f"ALTER TABLE {RAW_SCHEMA}.load_batch ADD COLUMN IF NOT EXISTS attributes TEXT",),
    ),
    Migration(
        3,
        "raw.load_batch.columns_received and schema_drift: a delivery's header and how it drifted",
        (
            f"ALTER TABLE {RAW_SCHEMA}.load_batch ADD COLUMN IF NOT EXISTS columns_received TEXT",
            f"ALTER TABLE {RAW_SCHEMA}.load_batch ADD COLUMN IF NOT EXISTS schema_drift TEXT",
        ),
    ),
    Migration(4, "the contract registry: raw.contract_registry", (CONTRACT_REGISTRY_DDL,)),
    Migration(
        5,
        "personal data: raw.tenant_data_key and raw.personal_data (pseudonyms' encrypted originals)",
        (TENANT_DATA_KEY_DDL, PERSONAL_DATA_DDL),
    ),
    Migration(
        6,
        "raw.stream_position: the committed broker position of each stream consumer",
        (STREAM_POSITION_DDL,),
    ),
    Migration(
        7,
        "archival: raw.archive_ledger and raw.archived_batch (raw partitions moved to the object store)",
        (ARCHIVE_LEDGER_DDL, ARCHIVED_BATCH_DDL),
    ),
)
_MIGRATION_LOCK_KEY = "greenlang raw-layer migrations"


def utcnow() -> dt.datetime:
    """Now as the warehouse stores moments: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def raw_table_columns(columns: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every column of a raw table whose contract has ``columns``: the tenant, those, the provenance."""
    return [("tenant_id", "TEXT NOT NULL"), *columns, *PROVENANCE_COLUMNS]


def archived_batch_location(session: Session, batch_id: str) -> dict[str, Any] | None:
    """The archive that holds a batch's rows (``greenlang.lifecycle.archive``): its id, source, tenant, period,
    store and manifest; None while the rows are in their raw table (or the batch is unknown)."""
    found = session.fetch_dicts(
        "SELECT a.archive_id, a.source, a.tenant_id, a.period, a.location, a.manifest_key "
        f"FROM {RAW_SCHEMA}.archived_batch AS b JOIN {RAW_SCHEMA}.archive_ledger AS a ON a.archive_id = b.archive_id "
        "WHERE b.batch_id = %(id)s",
        {"id": batch_id},
    )
    return found[0] if found else None


class ContractVersionConflict(RuntimeError):
    """A contract version is registered with another JSON Schema than the code's: the contract changed
    without a new version (docs/contracts.md)."""


ContractKey = tuple[str, str]  # (contract name, version)


@dataclass(frozen=True)
class RawLayerLag:
    """What the raw layer lacks of what the code expects: the ledger migrations not applied yet, the raw
    tables missing, per raw table the columns it lacks (all of them for a missing table), and the contract
    versions not registered yet."""

    migrations: tuple[Migration, ...] = ()
    missing_tables: frozenset[str] = frozenset()
    missing_columns: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    unregistered: tuple[type[Contract], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.migrations or self.missing_columns or self.unregistered)


def raw_layer_lag(
    applied_version: int,
    existing: Mapping[str, set[str]],
    tables: Mapping[str, Sequence[tuple[str, str]]],
    contracts: Sequence[type[Contract]] = (),
    registered: Mapping[ContractKey, str] | None = None,
) -> RawLayerLag:
    """The lag of a raw layer at migration ``applied_version`` whose tables have the ``existing`` column
    names and whose registry holds ``registered`` (contract key → schema sha256), behind the code's
    ``tables`` (raw table name → contract columns) and ``contracts``. Raises ``ContractVersionConflict``
    for a contract registered under its version with another schema."""
    registered = registered or {}
    unregistered = {}
    for contract in contracts:
        key = (contract.contract_name, contract.contract_version)
        if key not in registered:
            unregistered[key] = contract
        elif registered[key] != contract.schema_sha256():
            raise ContractVersionConflict(
                f"{contract.contract_name} {contract.contract_version} is registered with another JSON Schema "
                f"(sha256 {registered[key][:12]}…, the code's {contract.schema_sha256()[:12]}…): a changed "
                "contract needs a new version (docs/contracts.md)"
            )
    missing_columns = {}
    for name, columns in tables.items():
        missing = tuple(
            (column, sql_type)
            for column, sql_type in raw_table_columns(columns)
            if column not in existing.get(name, set())
        )
        if missing:
            missing_columns[name] = missing
    return RawLayerLag(
        migrations=tuple(migration for migration in RAW_MIGRATIONS if migration.version > applied_version),
        missing_tables=frozenset(name for name in missing_columns if name not in existing),
        missing_columns=missing_columns,
        unregistered=tuple(unregistered.values()),
    )


class _ProcessLocks:
    """Locks by key shared by the threads of this process: what DuckDB's one-writing-process-per-file rule
    leaves open. A key's lock lives while someone holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


_PROCESS_LOCKS = _ProcessLocks()


class Session(ABC):
    """One open connection. Outside ``transaction()`` every statement commits on its own."""

    @abstractmethod
    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None: ...

    @abstractmethod
    def fetchall(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]: ...

    @abstractmethod
    def fetch_df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame: ...

    @abstractmethod
    def insert_arrow(self, table: str, data: pa.Table) -> None:
        """Append ``data`` to ``table`` (columns matched by name) in bulk."""

    @abstractmethod
    def transaction(self) -> Any: ...

    @abstractmethod
    def relations(self, schemas: Sequence[str]) -> list[tuple[str, str, str]]:
        """(schema, name, kind) of the tables, views and materialized views in ``schemas``."""

    @abstractmethod
    def bulk_load(self) -> Any:
        """A context for loading many rows atomically: yields a ``BulkLoad``; rows it inserts become
        visible only inside ``BulkLoad.publish(key)``, in the one transaction that also writes the ledger."""

    @abstractmethod
    def migration_lock(self) -> Any:
        """Context: held by one session at a time (across processes on PostgreSQL, across threads on DuckDB,
        whose file admits one writing process) while it changes the raw layer's schema."""

    @abstractmethod
    def fetch_dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of exact Python values (Decimal, date), unlike a DataFrame's floats."""

    @abstractmethod
    def ensure_key_index(self, table: str, columns: Sequence[str]) -> None:
        """An index on ``columns`` of ``table`` where the engine looks rows up by one (idempotent): what a
        writer that replaces rows by key needs so that a batch costs its own rows, not the table's."""

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        rows = self.fetchall(sql, params)
        return rows[0][0] if rows else None

    def migrate_raw_layer(
        self, tables: Mapping[str, Sequence[tuple[str, str]]], contracts: Sequence[type[Contract]] = ()
    ) -> RawLayerLag:
        """Bring the raw layer up to the code: the ledger migrations not applied yet, ``tables`` (raw table
        name → contract columns) created or given the columns a newer contract version added, and
        ``contracts`` registered. Once the warehouse is set up this is three SELECTs and no DDL, so it takes
        no lock that a reader could hold up. The first session that finds the layer behind migrates it under
        ``migration_lock``; the others waited and find nothing left to do. Each change is logged in
        raw.schema_evolution in its own transaction. Returns what was missing (falsy: nothing)."""
        if not self._raw_layer_lag(tables, contracts):
            return RawLayerLag()
        with self.migration_lock():
            lag = self._raw_layer_lag(tables, contracts)
            if lag.migrations:
                self.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
                self.execute(SCHEMA_MIGRATIONS_DDL)
                self.execute(SCHEMA_EVOLUTION_DDL)
            for migration in lag.migrations:
                with self.transaction():
                    for statement in migration.statements:
                        self.execute(statement)
                    self.execute(
                        f"INSERT INTO {RAW_SCHEMA}.schema_migrations (version, description, applied_at) "
                        "VALUES (%(version)s, %(description)s, %(applied_at)s)",
                        {
                            "version": migration.version,
                            "description": migration.description,
                            "applied_at": utcnow(),
                        },
                    )
                    self.log_schema_change(
                        "migration_applied", f"migration {migration.version}", migration.description
                    )
            for table, columns in lag.missing_columns.items():
                self._add_raw_columns(table, columns, create=table in lag.missing_tables)
            for contract in lag.unregistered:
                with self.transaction():
                    self.register_contract(contract)
        return lag

    def register_contract(self, contract: type[Contract]) -> None:
        """Record ``contract``'s version and JSON Schema in raw.contract_registry, and log it (inside the
        caller's transaction)."""
        self.execute(
            f"INSERT INTO {RAW_SCHEMA}.contract_registry "
            "(contract_name, contract_version, json_schema, schema_sha256, registered_at) "
            "VALUES (%(name)s, %(version)s, %(schema)s, %(sha256)s, %(at)s)",
            {
                "name": contract.contract_name,
                "version": contract.contract_version,
                "schema": contract.schema_text(),
                "sha256": contract.schema_sha256(),
                "at": utcnow(),
            },
        )
        self.log_schema_change(
            "contract_registered",
            f"{contract.contract_name} {contract.contract_version}",
            f"schema sha256 {contract.schema_sha256()}",
        )

    def log_schema_change(self, change: str, subject: str, detail: str | None = None) -> None:
        """One row of raw.schema_evolution (inside the caller's transaction, with the change it records)."""
        self.execute(
            f"INSERT INTO {RAW_SCHEMA}.schema_evolution (changed_at, change, subject, detail) "
            "VALUES (%(at)s, %(change)s, %(subject)s, %(detail)s)",
            {"at": utcnow(), "change": change, "subject": subject, "detail": detail},
        )

    def _raw_layer_lag(
        self, tables: Mapping[str, Sequence[tuple[str, str]]], contracts: Sequence[type[Contract]]
    ) -> RawLayerLag:
        existing: dict[str, set[str]] = {}
        for table, column in self.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %(schema)s",
            {"schema": RAW_SCHEMA},
        ):
            existing.setdefault(table, set()).add(column)
        applied_version = (
            self.scalar(f"SELECT coalesce(max(version), 0) FROM {RAW_SCHEMA}.schema_migrations")
            if "schema_migrations" in existing
            else 0
        )
        registered = (
            {
                (name, version): sha256
                for name, version, sha256 in self.fetchall(
                    f"SELECT contract_name, contract_version, schema_sha256 FROM {RAW_SCHEMA}.contract_registry"
                )
            }
            if "contract_registry" in existing
            else {}
        )
        return raw_layer_lag(applied_version, existing, tables, contracts, registered)

    def _add_raw_columns(self, table: str, columns: Sequence[tuple[str, str]], *, create: bool) -> None:
        """Create ``raw.<table>`` with ``columns``, or add them to it: columns a newer minor version of the
        contract introduced, nullable (the rows loaded before have none)."""
        with self.transaction():
            if create:
                definition = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns)
                self.execute(f"CREATE TABLE {RAW_SCHEMA}.{table} (\n    {definition}\n)")
                self.log_schema_change("table_created", f"{RAW_SCHEMA}.{table}", f"{len(columns)} columns")
                return
            for name, sql_type in columns:
                self.execute(
                    f"ALTER TABLE {RAW_SCHEMA}.{table} ADD COLUMN {name} {sql_type.replace(' NOT NULL', '')}"
                )
                self.log_schema_change("column_added", f"{RAW_SCHEMA}.{table}", f"{name} {sql_type}")


class BulkLoad(ABC):
    @abstractmethod
    def insert(self, table: str, data: pa.Table) -> None: ...

    @abstractmethod
    def publish(self, key: str) -> Any:
        """Context: the transaction in which the inserted rows appear; leaving it commits them. It holds the
        lock ``key`` (one publisher of a key at a time, in any process or thread), and what it reads it reads
        after every earlier holder's commit: a check it makes of the ledger cannot be raced."""


class _PostgresBulkLoad(BulkLoad):
    """PostgreSQL holds a long transaction cheaply: COPY straight into the tables inside it."""

    def __init__(self, session: PostgresSession):
        self.session = session

    def insert(self, table: str, data: pa.Table) -> None:
        self.session.insert_arrow(table, data)

    @contextmanager
    def publish(self, key: str) -> Iterator[None]:
        # READ COMMITTED: each statement after the lock sees what the previous holder committed
        self.session.execute("SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0))", {"key": key})
        yield


class _DuckDBBulkLoad(BulkLoad):
    """DuckDB keeps a transaction's appended rows in memory, so rows are first committed to stage tables
    (memory stays flat whatever the file's size) and moved into place in one short transaction."""

    def __init__(self, session: DuckDBSession):
        self.session = session
        self.stages: dict[str, str] = {}

    def insert(self, table: str, data: pa.Table) -> None:
        if table not in self.stages:
            name = f"{STAGE_PREFIX}{uuid.uuid4().hex}"
            _LIVE_DUCKDB_STAGES.add(name)
            self.stages[table] = f"{RAW_SCHEMA}.{name}"
            self.session.execute(f"CREATE TABLE {self.stages[table]} AS SELECT * FROM {table} LIMIT 0")
        self.session.insert_arrow(self.stages[table], data)

    @contextmanager
    def publish(self, key: str) -> Iterator[None]:
        # The lock before the transaction: a DuckDB transaction reads the snapshot of its start, so one begun
        # before the previous holder committed would not see its ledger row.
        with self.session.process_lock(key), self.session.transaction():
            for table, stage in self.stages.items():
                self.session.execute(f"INSERT INTO {table} SELECT * FROM {stage}")
            yield

    def drop_stages(self) -> None:
        for stage in self.stages.values():
            self.session.execute(f"DROP TABLE IF EXISTS {stage}")
            _LIVE_DUCKDB_STAGES.discard(stage.removeprefix(f"{RAW_SCHEMA}."))


# The stage tables of the loads running in this process: another thread's load must not drop them as left
# behind (a DuckDB file admits one writing process, so a stage no thread here owns was left by a killed one).
_LIVE_DUCKDB_STAGES: set[str] = set()


class DuckDBSession(Session):
    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path):
        self.connection = connection
        self.path = path

    @contextmanager
    def process_lock(self, key: str) -> Iterator[None]:
        """Held by one thread of this process at a time for ``key`` of this file; other processes are kept
        out by the file's lock."""
        with _PROCESS_LOCKS.hold(f"{self.path.resolve()}#{key}"):
            yield

    def migration_lock(self) -> Any:
        return self.process_lock(_MIGRATION_LOCK_KEY)

    def ensure_key_index(self, table: str, columns: Sequence[str]) -> None:
        # DuckDB plans a join of a batch against a table as a hash join over a scan, never as lookups in an
        # ART index, which would only slow every insert; the scan skips row groups by their min/max (zone
        # maps) when the statement bounds a column the table is ordered by (the stream's event time).
        return None

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.connection.execute(*self._bind(sql, params))

    def fetchall(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self.connection.execute(*self._bind(sql, params)).fetchall()

    def fetch_df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return self.connection.execute(*self._bind(sql, params)).fetchdf()

    def fetch_dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.connection.execute(*self._bind(sql, params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]

    def record_batches(self, sql: str, params: dict[str, Any] | None, rows: int) -> Iterator[pa.RecordBatch]:
        """The result of ``sql`` as Arrow record batches of ``rows`` rows: no Python object per value."""
        yield from self.connection.sql(_NAMED_PARAMETER.sub(r"$\1", sql), params=params).to_arrow_reader(rows)

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        self.connection.register("_arrow_insert", data)
        try:
            self.connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _arrow_insert")
        finally:
            self.connection.unregister("_arrow_insert")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    @contextmanager
    def bulk_load(self) -> Iterator[BulkLoad]:
        for (stage,) in self.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %(schema)s "
            "AND starts_with(table_name, %(prefix)s)",
            {"schema": RAW_SCHEMA, "prefix": STAGE_PREFIX},
        ):
            if stage not in _LIVE_DUCKDB_STAGES:
                self.execute(f"DROP TABLE IF EXISTS {RAW_SCHEMA}.{stage}")
        load = _DuckDBBulkLoad(self)
        try:
            yield load
        finally:
            load.drop_stages()

    def relations(self, schemas: Sequence[str]) -> list[tuple[str, str, str]]:
        return self.fetchall(
            "SELECT table_schema, table_name, CASE table_type WHEN 'BASE TABLE' THEN 'table' ELSE 'view' END "
            "FROM information_schema.tables WHERE list_contains(%(schemas)s, table_schema) ORDER BY 1, 2",
            {"schemas": list(schemas)},
        )

    @staticmethod
    def _bind(sql: str, params: dict[str, Any] | None) -> tuple:
        if not params:
            return (sql,)
        return (_NAMED_PARAMETER.sub(r"$\1", sql), params)


class PostgresSession(Session):
    def __init__(self, connection: psycopg.Connection):
        self.connection = connection

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.connection.execute(sql, params)

    def fetchall(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self.connection.execute(sql, params).fetchall()

    def fetch_df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        cursor = self.connection.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])

    def fetch_dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        buffer = io.BytesIO()
        # pyarrow quotes every string and leaves nulls unquoted: PostgreSQL's CSV COPY reads an
        # unquoted empty field as NULL and a quoted one as the empty string, so both survive.
        pa_csv.write_csv(data, buffer, pa_csv.WriteOptions(include_header=False))
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            view = buffer.getbuffer()
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])

    def transaction(self) -> Any:
        return self.connection.transaction()

    def relations(self, schemas: Sequence[str]) -> list[tuple[str, str, str]]:
        # information_schema does not list materialized views; pg_class does.
        return self.fetchall(
            "SELECT n.nspname, c.relname, CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' "
            "WHEN 'm' THEN 'materialized view' ELSE 'partitioned table' END "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname = ANY(%(schemas)s) ORDER BY 1, 2",
            {"schemas": list(schemas)},
        )

    @contextmanager
    def bulk_load(self) -> Iterator[BulkLoad]:
        with self.transaction():
            yield _PostgresBulkLoad(self)

    def migration_lock(self) -> Any:
        return self.advisory_lock(_MIGRATION_LOCK_KEY)

    def ensure_key_index(self, table: str, columns: Sequence[str]) -> None:
        schema, _, relation = table.rpartition(".")
        name = f"{relation}__key"
        # CREATE INDEX takes a lock that holds up writers of the table before it finds the index exists:
        # a writer starting each run looks first
        if self.scalar("SELECT to_regclass(%(index)s)", {"index": f"{schema}.{name}"}) is None:
            self.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")

    @contextmanager
    def advisory_lock(self, key: str) -> Iterator[None]:
        """A session-level advisory lock of this database, waited for: the server frees it if the process
        dies."""
        self.execute("SELECT pg_advisory_lock(hashtextextended(%(key)s, 0))", {"key": key})
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(hashtextextended(%(key)s, 0))", {"key": key})


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be opened now (server unreachable, DuckDB file held by a writer): one line
    that says where and what to check."""


class WarehouseBusy(WarehouseUnavailable):
    """The DuckDB file is held by another process (one writing process per file, and no reader beside it)."""


# A reader (the ERP change sensor) holds the DuckDB file for milliseconds, and while it does a writer cannot
# open it: writers wait this long for such a lock to go before giving up.
DUCKDB_LOCK_PATIENCE_SECONDS = 10.0
_DUCKDB_LOCK_RETRY_SECONDS = 0.05


class Warehouse:
    """Opens sessions on the warehouse the settings select."""

    def __init__(self, settings: Settings):
        if settings.target not in ("duckdb", "postgres"):
            raise ValueError(
                f"the Python loaders write to duckdb or postgres; target {settings.target!r} is "
                "built by dbt only (stage raw files with the Snowflake loader of your platform)"
            )
        self.settings = settings
        self.dialect = settings.target

    @contextmanager
    def session(self, read_only: bool = False) -> Iterator[Session]:
        """A connection; ``read_only`` for a reader beside the runs (a sensor): it never waits, and raises
        ``WarehouseBusy`` when a writer holds the DuckDB file, ``WarehouseUnavailable`` when the server
        cannot be reached. A DuckDB file not created yet reads as an empty warehouse."""
        if self.dialect == "duckdb":
            connection = self._connect_duckdb(read_only)
            try:
                yield DuckDBSession(connection, self.settings.duckdb_path)
            finally:
                connection.close()
        elif read_only:
            try:
                connection = psycopg.connect(
                    self.settings.postgres.conninfo(), autocommit=True, connect_timeout=5
                )
            except psycopg.OperationalError as error:
                raise self._unreachable(error) from None
            with connection:
                connection.execute("SET default_transaction_read_only = on")
                yield PostgresSession(connection)
        else:
            with psycopg.connect(self.settings.postgres.conninfo(), autocommit=True) as connection:
                yield PostgresSession(connection)

    def _connect_duckdb(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        path = self.settings.duckdb_path
        config = {"memory_limit": self.settings.duckdb_memory_limit}
        if read_only and not path.exists():
            return duckdb.connect(":memory:", config=config)
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + (0 if read_only else DUCKDB_LOCK_PATIENCE_SECONDS)
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only, config=config)
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(f"the warehouse {path} is held by another process: {error}") from None
                time.sleep(_DUCKDB_LOCK_RETRY_SECONDS)

    def ensure_database(self) -> bool:
        """Create the PostgreSQL database if it is missing (True when it did); a DuckDB file is created on
        first use. Raises ``WarehouseUnavailable`` when the server cannot be reached."""
        if self.dialect == "duckdb":
            return False
        postgres = self.settings.postgres
        try:
            with psycopg.connect(postgres.conninfo("postgres"), autocommit=True, connect_timeout=5) as admin:
                exists = admin.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (postgres.database,)
                ).fetchone()
                if not exists:
                    admin.execute(
                        pg_sql.SQL("CREATE DATABASE {}").format(pg_sql.Identifier(postgres.database))
                    )
                return not exists
        except psycopg.OperationalError as error:
            raise self._unreachable(error) from None

    def _unreachable(self, error: psycopg.OperationalError) -> WarehouseUnavailable:
        postgres = self.settings.postgres
        reason = (str(error).strip().splitlines() or ["no answer"])[-1]
        return WarehouseUnavailable(
            f"PostgreSQL is not reachable at {postgres.host}:{postgres.port} as {postgres.user} ({reason}); "
            "start the server or set GREENLANG_PG_HOST / GREENLANG_PG_PORT / GREENLANG_PG_USER"
        )

    def describe(self) -> str:
        if self.dialect == "duckdb":
            return f"duckdb:{self.settings.duckdb_path}"
        postgres = self.settings.postgres
        return f"postgresql://{postgres.user}@{postgres.host}:{postgres.port}/{postgres.database}"


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse as a Dagster resource; its values come from ``greenlang.settings``."""

    target: str
    duckdb_path: str
    duckdb_memory_limit: str
    key_store: str
    pg_host: str
    pg_port: int
    pg_user: str
    pg_password: str
    pg_database: str

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        postgres = settings.postgres
        return cls(
            target=settings.target,
            duckdb_path=str(settings.duckdb_path),
            duckdb_memory_limit=settings.duckdb_memory_limit,
            key_store=str(settings.key_store),
            pg_host=postgres.host,
            pg_port=postgres.port,
            pg_user=postgres.user,
            # A password travels as an EnvVar so Dagster never shows or logs its value.
            pg_password=dg.EnvVar("GREENLANG_PG_PASSWORD") if postgres.password else "",
            pg_database=postgres.database,
        )

    def get_warehouse(self) -> Warehouse:
        return Warehouse(
            Settings(
                target=self.target,
                duckdb_path=Path(self.duckdb_path),
                postgres=PostgresSettings(
                    self.pg_host, self.pg_port, self.pg_user, self.pg_password, self.pg_database
                ),
                landing_dir=Path("."),
                duckdb_memory_limit=self.duckdb_memory_limit,
                key_store=Path(self.key_store),
            )
        )
