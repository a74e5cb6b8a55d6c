"""Archive raw partitions past their retention to Parquet on an object store; restore, query, trace them.

    python -m greenlang.lifecycle.archive run [--as-of YYYY-MM-DD] [--source RAW_TABLE ...]
    python -m greenlang.lifecycle.archive list
    python -m greenlang.lifecycle.archive restore ARCHIVE_ID
    python -m greenlang.lifecycle.archive query RAW_TABLE "SELECT ... FROM archived"
    python -m greenlang.lifecycle.archive trace BATCH_ID [--row-sha256 SHA256]

A **partition** is what one tenant loaded into one raw table in one calendar month (UTC): the succeeded
batches of ``raw.load_batch`` with that source, tenant and month of ``finished_at``. It is due once the
month ended more than the raw table's retention ago (``GREENLANG_RETENTION_DAYS``; a table not named there
is never archived). Archiving one, in one transaction under a lock of its source:

1. its raw rows and its dead letters are written as two Parquet objects (typed from the catalogue, the
   same Arrow batches ``greenlang.lifecycle.fingerprint`` hashes), while their count and content hash are
   taken; the counts must be those the ledger recorded (rows_loaded, rows_rejected), else nothing is removed;
2. each object is read back from the store and hashed again: it must hold exactly those rows;
3. a manifest object is written (the batches, each object's count, content hash, size and SHA-256);
4. only then are the rows deleted from the hot tables, and the archive recorded in ``raw.archive_ledger``
   and its batches in ``raw.archived_batch``: the ledger rows of the batches stay, so lineage from a
   reported figure still reaches its delivery, and the rows themselves are read from the archive.

A batch archived is never archived again and a partition's objects are named by its content
(``archive_id``: a hash of source, tenant, month and batch ids), so a re-run, or a run after a crash
between the object writes and the commit, changes nothing or writes the same objects again. Restoring an
archive checks its objects against the manifest, inserts the rows back, proves the hot rows identical to
the manifest and marks the archive ``restored`` (the objects stay; restoring again does nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from pyarrow import fs

from greenlang.core.stream_writer import STREAM_FORMAT
from greenlang.core.warehouse import (
    RAW_SCHEMA,
    DuckDBSession,
    Session,
    Warehouse,
    archived_batch_location,
    utcnow,
)
from greenlang.lifecycle.fingerprint import (
    Fingerprint,
    arrow_batches,
    fingerprint_batches,
    fingerprint_table,
    relation_schema,
)
from greenlang.settings import ArchiveSettings, load_settings

MANIFEST_FORMAT = 1
DEAD_LETTER = "dead_letter"
ARCHIVED, RESTORED = "archived", "restored"
NO_RETENTION = "no raw table has a retention (GREENLANG_RETENTION_DAYS): nothing to archive"


class ArchiveMismatch(RuntimeError):
    """What was written, read back or restored differs from what it should hold: nothing was removed (an
    archive run) or inserted (a restore)."""


class ArchiveTampered(RuntimeError):
    """An archived object differs from its manifest: nothing restored."""


@dataclass(frozen=True)
class ArchiveStore:
    """The object store (or local folder) archives live in; ``location`` names it without credentials."""

    filesystem: fs.FileSystem
    root: str
    location: str

    @classmethod
    def of(cls, settings: ArchiveSettings) -> ArchiveStore:
        if settings.uri.startswith("s3://"):
            s3 = fs.S3FileSystem(
                access_key=settings.access_key_id,
                secret_key=settings.secret_access_key,
                endpoint_override=settings.endpoint,
                region=settings.region,
            )
            return cls(s3, settings.uri.removeprefix("s3://").rstrip("/"), settings.uri)
        local = fs.LocalFileSystem()
        local.create_dir(settings.uri, recursive=True)
        return cls(local, settings.uri.rstrip("/"), settings.uri)

    def path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def uri(self, key: str) -> str:
        """Where ``key`` is, as a URI without credentials (``location`` names none)."""
        return f"{self.location.rstrip('/')}/{key}"

    def read_bytes(self, key: str) -> bytes:
        with self.filesystem.open_input_stream(self.path(key)) as stream:
            return stream.read()

    def make_parent(self, key: str) -> None:
        """The folder of ``key``: needed on a local disk; on an object store pyarrow keeps an empty marker."""
        self.filesystem.create_dir(self.path(key).rsplit("/", 1)[0], recursive=True)

    def write_bytes(self, key: str, data: bytes) -> None:
        self.make_parent(key)
        with self.filesystem.open_output_stream(self.path(key)) as stream:
            stream.write(data)


def object_key(table: str, tenant_id: str, period: str, archive_id: str) -> str:
    """Where an archive's rows of ``table`` are, under the store's root."""
    return f"raw/{table}/tenant={tenant_id}/period={period}/{archive_id}.parquet"


@dataclass(frozen=True)
class Partition:
    """The succeeded batches one tenant loaded into one raw table in one month."""

    source: str
    tenant_id: str
    period: str  # YYYY-MM of the batches' finished_at (UTC)
    batch_ids: tuple[str, ...]

    @property
    def archive_id(self) -> str:
        text = "\n".join((self.source, self.tenant_id, self.period, *sorted(self.batch_ids)))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def object_key(self, table: str) -> str:
        return object_key(table, self.tenant_id, self.period, self.archive_id)

    @property
    def manifest_key(self) -> str:
        return f"manifests/{self.archive_id}.json"


@dataclass(frozen=True)
class ArchivedObject:
    """An object as the store holds it: its rows' count and content hash, its size and file SHA-256."""

    key: str
    fingerprint: Fingerprint
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, **self.fingerprint.as_dict(), "bytes": self.size, "file_sha256": self.sha256}


@dataclass
class ArchiveRun:
    """What one run archived: each partition's id and its objects, and the partitions by id."""

    archived: dict[str, list[ArchivedObject]] = field(default_factory=dict)
    partitions: dict[str, Partition] = field(default_factory=dict)

    def rows(self, table: str | None = None) -> int:
        """Rows archived of the raw tables (``table``: of that one only, e.g. ``dead_letter``)."""
        return sum(
            obj.fingerprint.rows
            for objects in self.archived.values()
            for obj in objects
            if (obj.key.split("/")[1] == table if table else obj.key.split("/")[1] != DEAD_LETTER)
        )

    def summary(self, location: str) -> str:
        return (
            f"archived {len(self.archived)} partitions, {self.rows()} rows and {self.rows(DEAD_LETTER)} dead "
            f"letters, to {location}"
        )


def retention_cutoff(as_of: dt.date, retention_days: int) -> dt.datetime:
    """Batches finished before this moment are due: the first day of the month that holds
    ``as_of - retention_days`` (a month is archived whole, once all of it is past its retention)."""
    boundary = as_of - dt.timedelta(days=retention_days)
    return dt.datetime(boundary.year, boundary.month, 1)


def due_partitions(session: Session, source: str, before: dt.datetime) -> list[Partition]:
    """The partitions of ``source`` whose batches finished before ``before`` and are not archived."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for batch_id, tenant_id, finished_at in session.fetchall(
        f"SELECT batch_id, tenant_id, finished_at FROM {RAW_SCHEMA}.load_batch "
        "WHERE source = %(source)s AND status = 'succeeded' AND finished_at < %(before)s "
        f"AND batch_id NOT IN (SELECT batch_id FROM {RAW_SCHEMA}.archived_batch) ORDER BY batch_id",
        {"source": source, "before": before},
    ):
        grouped.setdefault((tenant_id, f"{finished_at:%Y-%m}"), []).append(batch_id)
    return [
        Partition(source, tenant_id, period, tuple(batch_ids))
        for (tenant_id, period), batch_ids in sorted(grouped.items())
    ]


def _batch_filter(session: Session, column: str) -> str:
    """SQL true for the rows whose ``column`` is one of the list parameter ``batch_ids``."""
    if isinstance(session, DuckDBSession):
        return f"list_contains(%(batch_ids)s, {column})"
    return f"{column} = ANY(%(batch_ids)s)"


def _source_filter(session: Session, table: str) -> str:
    return _batch_filter(session, "batch_id" if table == DEAD_LETTER else "_batch_id")


@contextmanager
def _locked_transaction(session: Session, key: str) -> Iterator[None]:
    """A transaction that one session at a time holds for ``key``; what it reads it reads after the previous
    holder's commit."""
    if isinstance(session, DuckDBSession):
        with session.process_lock(key), session.transaction():
            yield
        return
    with session.transaction():
        session.execute("SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0))", {"key": key})
        yield


def _write_parquet(
    store: ArchiveStore, key: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]
) -> Fingerprint:
    """Write ``batches`` to ``key``; their fingerprint, taken as they pass."""
    store.make_parent(key)
    with (
        store.filesystem.open_output_stream(store.path(key)) as sink,
        pq.ParquetWriter(sink, schema, compression="zstd") as writer,
    ):

        def written() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                writer.write_batch(batch)
                yield batch

        return fingerprint_batches(written())


def _read_back(store: ArchiveStore, key: str) -> tuple[pa.Table, ArchivedObject]:
    """An object as stored: its rows, fingerprint, size and file SHA-256."""
    data = store.read_bytes(key)
    table = pq.read_table(pa.BufferReader(data))
    return table, ArchivedObject(
        key, fingerprint_batches(table.to_batches()), len(data), hashlib.sha256(data).hexdigest()
    )


def archive_partition(session: Session, store: ArchiveStore, partition: Partition) -> list[ArchivedObject]:
    """Archive ``partition`` (module docstring, steps 1-4); [] when another run archived one of its batches
    first."""
    params = {"batch_ids": list(partition.batch_ids)}
    with _locked_transaction(session, f"greenlang archive {partition.source}"):
        already = session.scalar(
            f"SELECT count(*) FROM {RAW_SCHEMA}.archived_batch WHERE {_batch_filter(session, 'batch_id')}",
            params,
        )
        if already:
            return []
        loaded, rejected = session.fetchall(
            f"SELECT coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) FROM {RAW_SCHEMA}.load_batch "
            f"WHERE {_batch_filter(session, 'batch_id')}",
            params,
        )[0]
        objects = []
        for table, expected in ((partition.source, loaded), (DEAD_LETTER, rejected)):
            key = partition.object_key(table)
            where = _source_filter(session, table)
            written = _write_parquet(
                store,
                key,
                relation_schema(session, RAW_SCHEMA, table),
                arrow_batches(session, RAW_SCHEMA, table, where, params),
            )
            if written.rows != expected:
                raise ArchiveMismatch(
                    f"{RAW_SCHEMA}.{table} holds {written.rows} rows of archive {partition.archive_id}'s batches, "
                    f"the ledger {expected}: nothing removed"
                )
            _, stored = _read_back(store, key)
            if stored.fingerprint != written:
                raise ArchiveMismatch(f"{key} read back differs from the rows written: nothing removed")
            objects.append(stored)
        manifest = {
            "format": MANIFEST_FORMAT,
            "archive_id": partition.archive_id,
            "source": partition.source,
            "tenant_id": partition.tenant_id,
            "period": partition.period,
            "batch_ids": sorted(partition.batch_ids),
            "objects": {
                table: obj.as_dict()
                for table, obj in zip((partition.source, DEAD_LETTER), objects, strict=True)
            },
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        store.write_bytes(
            partition.manifest_key, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        )
        for table in (partition.source, DEAD_LETTER):
            session.execute(
                f"DELETE FROM {RAW_SCHEMA}.{table} WHERE {_source_filter(session, table)}", params
            )
        rows, dead_letters = objects
        session.execute(
            f"DELETE FROM {RAW_SCHEMA}.archive_ledger WHERE archive_id = %(id)s", {"id": partition.archive_id}
        )
        session.execute(
            f"INSERT INTO {RAW_SCHEMA}.archive_ledger (archive_id, source, tenant_id, period, location, "
            "manifest_key, batches, rows_archived, rows_sha256, dead_letters, dead_letters_sha256, status, "
            "archived_at) VALUES (%(id)s, %(source)s, %(tenant)s, %(period)s, %(location)s, %(manifest)s, "
            "%(batches)s, %(rows)s, %(rows_sha256)s, %(dead)s, %(dead_sha256)s, %(status)s, %(at)s)",
            {
                "id": partition.archive_id,
                "source": partition.source,
                "tenant": partition.tenant_id,
                "period": partition.period,
                "location": store.location,
                "manifest": partition.manifest_key,
                "batches": len(partition.batch_ids),
                "rows": rows.fingerprint.rows,
                "rows_sha256": rows.fingerprint.sha256,
                "dead": dead_letters.fingerprint.rows,
                "dead_sha256": dead_letters.fingerprint.sha256,
                "status": ARCHIVED,
                "at": utcnow(),
            },
        )
        session.insert_arrow(
            f"{RAW_SCHEMA}.archived_batch",
            pa.table(
                {
                    "batch_id": list(partition.batch_ids),
                    "tenant_id": [partition.tenant_id] * len(partition.batch_ids),
                    "archive_id": [partition.archive_id] * len(partition.batch_ids),
                }
            ),
        )
    return objects


def archivable_tables(session: Session) -> set[str]:
    """The raw tables that carry their records' provenance (the ledger's own tables and the encrypted
    originals of personal data do not: those stay, and erasure deals with the latter)."""
    return {
        table
        for (table,) in session.fetchall(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = %(schema)s "
            "AND column_name = '_row_sha256'",
            {"schema": RAW_SCHEMA},
        )
    }


def streamed_tables(session: Session) -> set[str]:
    """The raw tables a stream writes (their batches are micro-batches of greenlang.core.stream_writer)."""
    return {
        source
        for (source,) in session.fetchall(
            f"SELECT DISTINCT source FROM {RAW_SCHEMA}.load_batch WHERE file_format = %(format)s",
            {"format": STREAM_FORMAT},
        )
    }


def run_archive(
    warehouse: Warehouse,
    settings: ArchiveSettings,
    as_of: dt.date | None = None,
    sources: Sequence[str] | None = None,
) -> ArchiveRun:
    """Archive every due partition of ``sources`` (default: every raw table with a retention)."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    chosen = list(sources) if sources else sorted(settings.retention_days)
    store = ArchiveStore.of(settings)
    run = ArchiveRun()
    with warehouse.session() as session:
        unknown = sorted(set(chosen) - archivable_tables(session))
        if unknown:
            raise ValueError(
                f"no raw table with batches named {', '.join(unknown)} (GREENLANG_RETENTION_DAYS)"
            )
        streamed = sorted(set(chosen) & streamed_tables(session))
        if streamed:
            # a stream's conservation check counts every message it committed (raw.stream_position):
            # removing its rows would break it, and a redelivered message would be written again
            raise ValueError(
                f"{', '.join(streamed)}: written by a stream, never archived (docs/governance.md)"
            )
        missing = sorted(source for source in chosen if source not in settings.retention_days)
        if missing:
            raise ValueError(f"{', '.join(missing)}: no retention set (GREENLANG_RETENTION_DAYS)")
        for source in chosen:
            before = retention_cutoff(as_of, settings.retention_days[source])
            for partition in due_partitions(session, source, before):
                objects = archive_partition(session, store, partition)
                if objects:
                    run.archived[partition.archive_id] = objects
                    run.partitions[partition.archive_id] = partition
    return run


def archive_ledger(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    where = "WHERE status = %(status)s" if status else ""
    return session.fetch_dicts(
        f"SELECT * FROM {RAW_SCHEMA}.archive_ledger {where} ORDER BY source, tenant_id, period, archive_id",
        {"status": status} if status else None,
    )


def _verified_objects(store: ArchiveStore, manifest: dict[str, Any]) -> dict[str, pa.Table]:
    """The archive's tables, each checked against the manifest (file SHA-256, count and content hash)."""
    tables = {}
    for table, expected in manifest["objects"].items():
        try:
            data, stored = _read_back(store, expected["key"])
        except (OSError, pa.ArrowInvalid) as error:
            raise ArchiveTampered(f"{expected['key']}: unreadable ({error}), nothing restored") from None
        if stored.as_dict() != expected:
            raise ArchiveTampered(
                f"{expected['key']} differs from the manifest {manifest['archive_id']}: nothing restored"
            )
        tables[table] = data
    return tables


def restore_archive(warehouse: Warehouse, settings: ArchiveSettings, archive_id: str) -> dict[str, int]:
    """Put an archived partition back into the hot tables, proven identical to its manifest; rows inserted per
    table ({} when it is restored already)."""
    store = ArchiveStore.of(settings)
    with warehouse.session() as session:
        entries = session.fetch_dicts(
            f"SELECT * FROM {RAW_SCHEMA}.archive_ledger WHERE archive_id = %(id)s", {"id": archive_id}
        )
        if not entries:
            raise LookupError(f"no archive {archive_id} in {RAW_SCHEMA}.archive_ledger")
        entry = entries[0]
        with _locked_transaction(session, f"greenlang archive {entry['source']}"):
            if (
                session.scalar(
                    f"SELECT status FROM {RAW_SCHEMA}.archive_ledger WHERE archive_id = %(id)s",
                    {"id": archive_id},
                )
                == RESTORED
            ):
                return {}
            manifest = json.loads(store.read_bytes(entry["manifest_key"]))
            tables = _verified_objects(store, manifest)
            params = {"batch_ids": manifest["batch_ids"]}
            for table, data in tables.items():
                if data.num_rows:
                    session.insert_arrow(f"{RAW_SCHEMA}.{table}", data)
                hot = fingerprint_table(session, RAW_SCHEMA, table, _source_filter(session, table), params)
                expected = manifest["objects"][table]
                if hot.as_dict() != {"rows": expected["rows"], "sha256": expected["sha256"]}:
                    raise ArchiveMismatch(
                        f"{RAW_SCHEMA}.{table} after the restore of {archive_id} differs from its manifest"
                    )
            session.execute(
                f"DELETE FROM {RAW_SCHEMA}.archived_batch WHERE archive_id = %(id)s", {"id": archive_id}
            )
            session.execute(
                f"UPDATE {RAW_SCHEMA}.archive_ledger SET status = %(status)s, restored_at = %(at)s "
                "WHERE archive_id = %(id)s",
                {"status": RESTORED, "at": utcnow(), "id": archive_id},
            )
    return {table: data.num_rows for table, data in tables.items()}


def archived_dataset(
    session: Session, store: ArchiveStore, table: str, archive_id: str | None = None
) -> ds.Dataset:
    """The rows of ``table`` now in the archive (the partitions the ledger holds ``archived``; only
    ``archive_id``'s if given) as one Arrow dataset of the hot table's schema (a column added since reads as
    NULL in older partitions)."""
    keys = [
        object_key(table, entry["tenant_id"], entry["period"], entry["archive_id"])
        for entry in archive_ledger(session, ARCHIVED)
        if (table == DEAD_LETTER or entry["source"] == table)
        and (archive_id is None or entry["archive_id"] == archive_id)
    ]
    return ds.dataset(
        [store.path(key) for key in keys],
        schema=relation_schema(session, RAW_SCHEMA, table),
        filesystem=store.filesystem,
        format="parquet",
    )


def query_archive(session: Session, store: ArchiveStore, table: str, sql: str) -> pa.Table:
    """``sql`` run by DuckDB over the archived rows of ``table``, registered as ``archived`` (the Parquet
    read through the object store's Arrow filesystem: no DuckDB extension needed)."""
    with duckdb.connect(":memory:") as connection:
        connection.register("archived", archived_dataset(session, store, table))
        return connection.sql(sql).to_arrow_table()


@dataclass(frozen=True)
class SourceRows:
    """Where a batch's rows are and the ones asked for: ``archive_id`` None when they are in the hot table."""

    batch: dict[str, Any]
    archive_id: str | None
    rows: list[dict[str, Any]]


def batch_location(session: Session, batch_id: str) -> dict[str, Any] | None:
    """Where an archived batch's rows are now (``archived_batch_location`` and the object of its rows); None
    while they are in the hot table."""
    entry = archived_batch_location(session, batch_id)
    if entry is None:
        return None
    return {
        **entry,
        "object_key": object_key(entry["source"], entry["tenant_id"], entry["period"], entry["archive_id"]),
    }


def trace_batch(
    session: Session, store: ArchiveStore, batch_id: str, row_sha256: str | None = None
) -> SourceRows:
    """A batch's ledger row and its raw rows (the one of ``row_sha256`` only, if given), from the hot table
    or, once archived, from the archive: the last step of the lineage from a reported figure to its record."""
    batches = session.fetch_dicts(
        f"SELECT * FROM {RAW_SCHEMA}.load_batch WHERE batch_id = %(id)s", {"id": batch_id}
    )
    if not batches:
        raise LookupError(f"no batch {batch_id} in {RAW_SCHEMA}.load_batch")
    batch = batches[0]
    location = batch_location(session, batch_id)
    if location is None:
        where = "_batch_id = %(id)s" + (" AND _row_sha256 = %(sha)s" if row_sha256 else "")
        rows = session.fetch_dicts(
            f"SELECT * FROM {RAW_SCHEMA}.{batch['source']} WHERE {where} ORDER BY _source_row",
            {"id": batch_id, "sha": row_sha256},
        )
        return SourceRows(batch, None, rows)
    selected = ds.field("_batch_id") == batch_id
    if row_sha256:
        selected &= ds.field("_row_sha256") == row_sha256
    archive_id = location["archive_id"]
    table = archived_dataset(session, store, batch["source"], archive_id).to_table(filter=selected)
    return SourceRows(batch, archive_id, table.sort_by("_source_row").to_pylist())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m greenlang.lifecycle.archive", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="archive the partitions past their retention (GREENLANG_RETENTION_DAYS)"
    )
    run.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="the day retention counts back from (default: today, UTC)"
    )
    run.add_argument("--source", action="append", help="a raw table (default: every one with a retention)")
    commands.add_parser("list", help="the archives of raw.archive_ledger")
    restore = commands.add_parser("restore", help="put an archived partition back into the hot tables")
    restore.add_argument("archive_id")
    query = commands.add_parser(
        "query", help="SQL over a raw table's archived rows, as the relation `archived`"
    )
    query.add_argument("table")
    query.add_argument("sql")
    trace = commands.add_parser("trace", help="a batch's rows, from the hot table or the archive")
    trace.add_argument("batch_id")
    trace.add_argument("--row-sha256")
    args = parser.parse_args(argv)
    settings = load_settings()
    warehouse = Warehouse(settings)
    if args.command == "run":
        if not (args.source or settings.archive.retention_days):
            print(NO_RETENTION)
            return 0
        done = run_archive(warehouse, settings.archive, args.as_of, args.source)
        print(done.summary(settings.archive.uri))
        for archive_id, objects in done.archived.items():
            print(
                f"  {archive_id}: " + ", ".join(f"{obj.key} ({obj.fingerprint.rows} rows)" for obj in objects)
            )
        return 0
    if args.command == "restore":
        restored = restore_archive(warehouse, settings.archive, args.archive_id)
        print(f"restored {restored}" if restored else f"{args.archive_id} is restored already: nothing to do")
        return 0
    with warehouse.session(read_only=args.command != "list") as session:
        store = ArchiveStore.of(settings.archive)
        if args.command == "list":
            print(json.dumps(archive_ledger(session), indent=2, default=str))
        elif args.command == "query":
            print(query_archive(session, store, args.table, args.sql).to_pandas().to_string())
        else:
            found = trace_batch(session, store, args.batch_id, args.row_sha256)
            print(json.dumps(found.__dict__, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
