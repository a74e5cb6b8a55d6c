"""Benchmark: the restore drill's time per GB, and what it means for the plan's volumes.

For each engine, builds a warehouse of about ``--megabytes`` MB (a generated CBAM declarations file
loaded through ``load_file``, then its rows copied with ``INSERT ... SELECT`` under new positions until
the size is reached), backs it up (``greenlang.lifecycle.backup``) and restores it into a new database
(file), then verifies it against the manifest. Prints the warehouse size, the backup time, the restore
and the verification times and seconds per GB of warehouse, and, from the bytes per record measured, the
restore time of the plan's volume (``--records-per-day`` x ``--days``; the plan's 10M records a day,
issue #12) against the 4-hour target, without and with the verification.

    python -m bench.backup_restore --megabytes 300
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg

from demo.generate import generate_shipments
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.lifecycle.backup import create_backup, load_backup, verify_restore
from greenlang.settings import load_settings

TARGET_HOURS = 4.0
SEED_ROWS = 100_000


def warehouse_bytes(warehouse: Warehouse) -> int:
    if warehouse.dialect == "postgres":
        with warehouse.session() as session:
            return session.scalar("SELECT pg_database_size(current_database())")
    return warehouse.settings.duckdb_path.stat().st_size


def fill(warehouse: Warehouse, folder: Path, megabytes: int) -> int:
    """Load a generated file, then copy its rows until the warehouse reaches ``megabytes``; the row count."""
    path = folder / "declarations.csv"
    generate_shipments(path, SEED_ROWS, seed=7, tenant="bench", fmt="csv", bad_share=0.001)
    load_file(warehouse, CBAM_SHIPMENTS, path, "bench")
    copies = max(0, round(megabytes * 1e6 / warehouse_bytes(warehouse)) - 1)
    with warehouse.session() as session:
        columns = [
            name
            for (name,) in session.fetchall(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
                "AND table_name = 'customs__cbam_shipments' ORDER BY ordinal_position"
            )
        ]
        moved = ", ".join(
            f"_source_row + copy * {SEED_ROWS * 2}" if name == "_source_row" else name for name in columns
        )
        session.execute(
            f"INSERT INTO raw.customs__cbam_shipments ({', '.join(columns)}) "
            f"SELECT {moved} FROM raw.customs__cbam_shipments CROSS JOIN generate_series(1, {copies}) AS copies(copy)"
        )
        if warehouse.dialect == "postgres":
            session.execute("VACUUM ANALYZE raw.customs__cbam_shipments")
        else:
            session.execute("CHECKPOINT")
        return session.scalar("SELECT count(*) FROM raw.customs__cbam_shipments")


def measure(engine: str, megabytes: int, records_per_day: int, days: int) -> None:
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="greenlang-bench-") as tmp:
        folder = Path(tmp)
        names = [f"greenlang_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
        if engine == "postgres":
            source = Warehouse(
                replace(settings, target="postgres", postgres=replace(settings.postgres, database=names[0]))
            )
            target = Warehouse(
                replace(settings, target="postgres", postgres=replace(settings.postgres, database=names[1]))
            )
            source.ensure_database()
        else:
            source = Warehouse(
                replace(settings, target="duckdb", duckdb_path=folder / "a" / "greenlang.duckdb")
            )
            target = Warehouse(
                replace(settings, target="duckdb", duckdb_path=folder / "b" / "greenlang.duckdb")
            )
        try:
            rows = fill(source, folder, megabytes)
            size = warehouse_bytes(source)
            started = time.perf_counter()
            backup = create_backup(source, folder / "backups")
            backup_seconds = time.perf_counter() - started
            backup_size = sum(path.stat().st_size for path in backup.rglob("*") if path.is_file())
            started = time.perf_counter()
            manifest = load_backup(backup, target)
            restore_seconds = time.perf_counter() - started
            started = time.perf_counter()
            verify_restore(manifest, target)
            verify_seconds = time.perf_counter() - started
        finally:
            if engine == "postgres":
                with psycopg.connect(settings.postgres.conninfo("postgres"), autocommit=True) as admin:
                    for name in names:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    gigabytes = size / 1e9
    plan_records = records_per_day * days
    plan_gigabytes = plan_records * size / rows / 1e9
    print(
        f"{engine}: {rows:,} rows, warehouse {size / 1e6:.1f} MB ({size / rows:.0f} B/record), backup "
        f"{backup_size / 1e6:.1f} MB in {backup_seconds:.1f} s; restore {restore_seconds:.1f} s "
        f"({restore_seconds / gigabytes:.0f} s/GB), verification {verify_seconds:.1f} s "
        f"({verify_seconds / gigabytes:.0f} s/GB, {verify_seconds / rows * 1e6:.1f} us/row)"
    )
    for label, seconds in (
        ("restore", restore_seconds),
        ("restore + verification", restore_seconds + verify_seconds),
    ):
        hours = plan_gigabytes * seconds / gigabytes / 3600
        print(
            f"  plan {records_per_day:,} records/day x {days} days = {plan_records:,} records ~ "
            f"{plan_gigabytes:,.0f} GB: {label} {hours:,.1f} h = {hours / TARGET_HOURS:.2f} x the "
            f"{TARGET_HOURS:.0f}-hour target"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--engine", action="append", choices=["duckdb", "postgres"])
    parser.add_argument("--records-per-day", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    for engine in args.engine or ["duckdb", "postgres"]:
        measure(engine, args.megabytes, args.records_per_day, args.days)


if __name__ == "__main__":
    main()
