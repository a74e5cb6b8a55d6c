"""A newcomer's PostgreSQL: the demo creates its database when missing, and an unreachable server is one
clear line, not a traceback. A reader beside the runs (the ERP change sensor): read-only, never waiting
for a writer, and a writer waits for it to let go."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import psycopg
import pytest

from greenlang.core.warehouse import Warehouse, WarehouseBusy, WarehouseUnavailable
from greenlang.settings import PROJECT_ROOT, PostgresSettings
from tests.helpers.warehouses import POSTGRES, make_settings, require_postgres


@pytest.mark.postgres
def test_a_missing_database_is_created_once(tmp_path: Path) -> None:
    require_postgres()
    name = f"greenlang_new_{uuid.uuid4().hex[:10]}"
    settings = make_settings("postgres", tmp_path, dataclasses.replace(POSTGRES, database=name))
    try:
        assert Warehouse(settings).ensure_database() is True
        assert Warehouse(settings).ensure_database() is False
        with Warehouse(settings).session() as session:
            assert session.scalar("SELECT current_database()") == name
    finally:
        with psycopg.connect(POSTGRES.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_duckdb_needs_no_database(tmp_path: Path) -> None:
    assert Warehouse(make_settings("duckdb", tmp_path)).ensure_database() is False


def test_an_unreachable_server_is_one_line_that_says_where(tmp_path: Path) -> None:
    nowhere = dataclasses.replace(POSTGRES, port=1)  # nothing listens on port 1 of the loopback
    with pytest.raises(WarehouseUnavailable) as raised:
        Warehouse(make_settings("postgres", tmp_path, nowhere)).ensure_database()
    message = str(raised.value)
    assert "\n" not in message and f"{POSTGRES.host}:1" in message and "GREENLANG_PG_PORT" in message


@pytest.mark.slow
def test_the_demo_says_so_in_one_line_and_stops(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "demo.run"],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "GREENLANG_TARGET": "postgres",
            "GREENLANG_PG_PORT": "1",
            "GREENLANG_LANDING_DIR": str(tmp_path / "landing"),
            "DAGSTER_HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "is not reachable" in completed.stderr


# --- a reader beside the runs (the ERP change sensor) -------------------------------------------------------

HOLD_THE_FILE = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("open", flush=True)
time.sleep(float(sys.argv[3]))
"""


def hold_the_file(path: Path, mode: str, seconds: float) -> subprocess.Popen:
    """Another process holding the DuckDB file, as a run (``write``) or a sensor (``read``) does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FILE, str(path), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


def test_a_read_only_session_of_a_duckdb_file_not_created_yet_reads_empty_and_creates_nothing(
    tmp_path: Path,
) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    with warehouse.session(read_only=True) as session:
        assert session.relations(["raw"]) == []
    assert not warehouse.settings.duckdb_path.exists()


def test_a_reader_does_not_wait_for_a_writer_and_says_so(tmp_path: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    with warehouse.session() as session:
        session.migrate_raw_layer({})
    writer = hold_the_file(warehouse.settings.duckdb_path, "write", 60)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusy, match="is held by another process"),
            warehouse.session(read_only=True),
        ):
            pass
        assert time.monotonic() - started < 2
    finally:
        writer.kill()
        writer.wait()
    with warehouse.session(read_only=True) as session:
        assert ("raw", "erp_sync", "table") in session.relations(["raw"])
        with pytest.raises(duckdb.Error, match="read-only"):
            session.execute("DELETE FROM raw.erp_sync")


def test_a_writer_waits_for_a_reader_to_let_go(tmp_path: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    with warehouse.session() as session:
        session.migrate_raw_layer({})
    reader = hold_the_file(warehouse.settings.duckdb_path, "read", 1)
    try:
        with warehouse.session() as session:
            assert session.scalar("SELECT count(*) FROM raw.erp_sync") == 0
        assert reader.wait(timeout=5) == 0  # the writer opened the file after the reader had closed it
    finally:
        reader.kill()
        reader.wait()


def test_a_read_only_postgres_session_reads_and_an_unreachable_server_says_where(
    tmp_path: Path, postgres_database: PostgresSettings
) -> None:
    with Warehouse(make_settings("postgres", tmp_path, postgres_database)).session(read_only=True) as session:
        assert session.scalar("SHOW default_transaction_read_only") == "on"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            session.execute("CREATE TABLE read_only_probe (x int)")
    nowhere = dataclasses.replace(POSTGRES, port=1)
    with (
        pytest.raises(WarehouseUnavailable, match=f"{POSTGRES.host}:1"),
        Warehouse(make_settings("postgres", tmp_path, nowhere)).session(read_only=True),
    ):
        pass
