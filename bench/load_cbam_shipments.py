"""Benchmark: our load of a CBAM shipments CSV against a bare bulk load of the same file.

For each size, generates a realistic file (``demo.generate``), then in one run and on this machine:
- PostgreSQL: our ``load_file`` (read, detect, validate against the contract, COPY, ledger) vs a bare
  ``COPY ... FROM STDIN (FORMAT csv)`` of the same file into a table of the same types;
- DuckDB: our ``load_file`` vs a bare ``read_csv`` of the same file into a table.
Each measurement runs in its own process so that its peak memory (max RSS) is its own. Prints rows/s,
peak memory and the ratios; the goals are ≤ 2.5× COPY, ≤ 2× read_csv and flat memory as files grow.

    python -m bench.load_cbam_shipments --rows 1000000 --rows 10000000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
import uuid
from pathlib import Path

import duckdb
import psycopg

from demo.generate import generate_shipments
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file, prepare_raw_tables
from greenlang.core.warehouse import Warehouse
from greenlang.settings import PostgresSettings, Settings, load_settings


def _measure(target, *args) -> dict:
    """Run ``target(*args)`` in a fresh process; return its seconds and peak memory."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, target, args))
    process.start()
    outcome = queue.get()
    process.join()
    if "error" in outcome:
        raise RuntimeError(outcome["error"])
    return outcome


def _child(queue, target, args) -> None:
    try:
        started = time.perf_counter()
        rows = target(*args)
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put({"seconds": seconds, "peak_mib": peak_mib, "rows": rows})
    except Exception as error:  # noqa: BLE001 (any failure of the measured code is reported by the parent)
        queue.put({"error": f"{type(error).__name__}: {error}"})


def ours(settings: Settings, path: str) -> int:
    return load_file(Warehouse(settings), CBAM_SHIPMENTS, path, "bench").rows_loaded


def bare_copy(postgres: PostgresSettings, path: str) -> int:
    columns = ", ".join(name for name, _ in CBAM_SHIPMENTS.column_types())
    with psycopg.connect(postgres.conninfo()) as connection:
        with (
            connection.cursor() as cursor,
            open(path, "rb") as handle,
            cursor.copy(f"COPY bare_copy ({columns}) FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        return connection.execute("SELECT count(*) FROM bare_copy").fetchone()[0]


def bare_read_csv(database: str, path: str) -> int:
    with duckdb.connect(database) as connection:
        connection.execute(f"CREATE TABLE bare_read_csv AS SELECT * FROM read_csv('{path}')")
        return connection.execute("SELECT count(*) FROM bare_read_csv").fetchone()[0]


def _postgres_database(base: PostgresSettings) -> PostgresSettings:
    name = f"greenlang_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base.conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return PostgresSettings(base.host, base.port, base.user, base.password, name)


def _drop(postgres: PostgresSettings) -> None:
    with psycopg.connect(postgres.conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{postgres.database}" WITH (FORCE)')


def run(rows: int, workdir: Path, targets: list[str]) -> dict:
    path = workdir / f"shipments_{rows}.csv"
    generate_shipments(path, rows, seed=7, tenant="bench", fmt="csv", bad_share=0)
    report: dict = {"rows": rows, "file_mib": round(path.stat().st_size / 2**20, 1)}
    base = load_settings()
    if "postgres" in targets:
        postgres = _postgres_database(base.postgres)
        try:
            settings = Settings("postgres", workdir / "unused.duckdb", postgres, workdir, None)
            prepare_raw_tables(Warehouse(settings), [CBAM_SHIPMENTS])
            with psycopg.connect(postgres.conninfo(), autocommit=True) as connection:
                connection.execute("CREATE TABLE bare_copy (LIKE raw.customs__cbam_shipments)")
                connection.execute("ALTER TABLE bare_copy ALTER COLUMN tenant_id DROP NOT NULL")
                for column in ("_batch_id", "_source_uri", "_source_row", "_row_sha256", "_ingested_at"):
                    connection.execute(f"ALTER TABLE bare_copy ALTER COLUMN {column} DROP NOT NULL")
            report["postgres"] = {
                "bare_copy": _measure(bare_copy, postgres, str(path)),
                "ours": _measure(ours, settings, str(path)),
            }
        finally:
            _drop(postgres)
    if "duckdb" in targets:
        settings = Settings("duckdb", workdir / f"ours_{rows}.duckdb", base.postgres, workdir, None)
        report["duckdb"] = {
            "bare_read_csv": _measure(bare_read_csv, str(workdir / f"bare_{rows}.duckdb"), str(path)),
            "ours": _measure(ours, settings, str(path)),
        }
    path.unlink()
    return report


def render(report: dict) -> str:
    lines = [f"\n{report['rows']:,} rows ({report['file_mib']} MiB CSV)"]
    for target, baseline in (("postgres", "bare_copy"), ("duckdb", "bare_read_csv")):
        if target not in report:
            continue
        base, ours_ = report[target][baseline], report[target]["ours"]
        for label, item in ((baseline, base), ("ours", ours_)):
            lines.append(
                f"  {target:<8} {label:<14} {item['seconds']:8.2f} s  {item['rows'] / item['seconds']:>12,.0f} rows/s"
                f"  peak {item['peak_mib']:8.0f} MiB"
            )
        lines.append(f"  {target:<8} ratio ours / {baseline}: {ours_['seconds'] / base['seconds']:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", help="file size(s) in rows (default 1,000,000)")
    parser.add_argument("--target", action="append", choices=["postgres", "duckdb"], help="default: both")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    sizes = args.rows or [1_000_000]
    targets = args.target or ["postgres", "duckdb"]
    reports = []
    with tempfile.TemporaryDirectory(prefix="greenlang-bench-") as workdir:
        for rows in sizes:
            reports.append(run(rows, Path(workdir), targets))
            print(render(reports[-1]), flush=True)
    if len(reports) > 1:
        for target in targets:
            first, last = reports[0][target]["ours"], reports[-1][target]["ours"]
            print(
                f"\n{target}: peak memory {first['peak_mib']:.0f} MiB at {reports[0]['rows']:,} rows vs "
                f"{last['peak_mib']:.0f} MiB at {reports[-1]['rows']:,} rows "
                f"({last['peak_mib'] / first['peak_mib']:.2f}x for {reports[-1]['rows'] / reports[0]['rows']:.0f}x the rows)"
            )
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
