"""Benchmark: an archival round trip against a bare Parquet write and read of the same rows.

For each engine, loads ``--rows`` generated CBAM declaration lines through ``load_file`` into a new warehouse,
starts an S3-compatible object store (moto's server on 127.0.0.1), then measures in the same run:

- archive: ``greenlang.lifecycle.archive.run_archive`` of the month — export as Arrow, Parquet to the store
  while hashing, read back and hash again, manifest, delete from the hot tables, ledger;
- restore: ``restore_archive`` — read and check against the manifest, insert, hash the hot rows again;
- the baseline: the same rows (exported before, held in memory) written to the store with a plain
  ``pyarrow.parquet.write_table`` and read back with ``read_table``, same compression.

Prints rows, Parquet bytes, seconds and rows/s of each, and the archive's and restore's ratio to the
baseline's write and read (what verification, the warehouse's export and insert cost on top of bare I/O).

    python -m bench.archive_round_trip --rows 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

from demo.generate import generate_shipments
from demo.object_store import running_object_store
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.lifecycle.archive import ArchiveStore, restore_archive, run_archive
from greenlang.lifecycle.fingerprint import arrow_batches, relation_schema
from greenlang.settings import load_settings

TENANT = "bench"
# Past a 30-day retention whatever the day: the load month ended more than 30 days before.
AS_OF = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=70)


def _timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def measure(engine: str, rows: int) -> None:
    settings = load_settings()
    database = f"greenlang_bench_archive_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="greenlang-bench-") as tmp, running_object_store() as store:
        folder = Path(tmp)
        if engine == "postgres":
            warehouse = Warehouse(
                replace(settings, target="postgres", postgres=replace(settings.postgres, database=database))
            )
            warehouse.ensure_database()
        else:
            warehouse = Warehouse(replace(settings, target="duckdb", duckdb_path=folder / "greenlang.duckdb"))
        archive = store.archive_settings(f"bench-{engine}", {CBAM_SHIPMENTS.name: 30})
        objects = ArchiveStore.of(archive)
        try:
            path = folder / "declarations.csv"
            generate_shipments(path, rows, seed=11, tenant=TENANT, fmt="csv", bad_share=0.001)
            load_file(warehouse, CBAM_SHIPMENTS, path, TENANT)
            with warehouse.session() as session:
                rows_table = pa.Table.from_batches(
                    list(arrow_batches(session, "raw", CBAM_SHIPMENTS.name)),
                    schema=relation_schema(session, "raw", CBAM_SHIPMENTS.name),
                )
            baseline_key = objects.path(f"baseline/{engine}.parquet")
            _, write_seconds = _timed(
                lambda: pq.write_table(
                    rows_table, baseline_key, filesystem=objects.filesystem, compression="zstd"
                )
            )
            read, read_seconds = _timed(lambda: pq.read_table(baseline_key, filesystem=objects.filesystem))
            assert read.num_rows == rows_table.num_rows
            run, archive_seconds = _timed(lambda: run_archive(warehouse, archive, AS_OF))
            ((archive_id, archived),) = run.archived.items()
            shipments = next(obj for obj in archived if f"/{CBAM_SHIPMENTS.name}/" in obj.key)
            restored, restore_seconds = _timed(lambda: restore_archive(warehouse, archive, archive_id))
        finally:
            if engine == "postgres":
                with psycopg.connect(settings.postgres.conninfo("postgres"), autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    count = shipments.fingerprint.rows
    assert count == rows_table.num_rows == restored[CBAM_SHIPMENTS.name]
    print(
        f"{engine}: {count:,} rows, Parquet {shipments.size / 1e6:.1f} MB "
        f"({shipments.size / count:.0f} B/row, zstd)\n"
        f"  archive {archive_seconds:.2f} s = {count / archive_seconds:,.0f} rows/s; bare write "
        f"{write_seconds:.2f} s = {count / write_seconds:,.0f} rows/s; ratio {archive_seconds / write_seconds:.1f} x\n"
        f"  restore {restore_seconds:.2f} s = {count / restore_seconds:,.0f} rows/s; bare read "
        f"{read_seconds:.2f} s = {count / read_seconds:,.0f} rows/s; ratio {restore_seconds / read_seconds:.1f} x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--engine", action="append", choices=["duckdb", "postgres"])
    args = parser.parse_args()
    for engine in args.engine or ["duckdb", "postgres"]:
        measure(engine, args.rows)


if __name__ == "__main__":
    main()
