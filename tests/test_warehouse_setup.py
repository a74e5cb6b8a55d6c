"""A newcomer's PostgreSQL: the demo creates its database when missing, and an unreachable server is one
clear line, not a traceback."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from greenlang.core.warehouse import Warehouse, WarehouseUnavailable
from greenlang.settings import PROJECT_ROOT
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
