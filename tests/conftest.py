"""Shared fixtures: a fresh warehouse per test on DuckDB and on the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from greenlang.core.warehouse import Warehouse
from greenlang.settings import TELEMETRY_OFF, PostgresSettings, Settings, load_settings

os.environ.update(TELEMETRY_OFF)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES = load_settings().postgres


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES.conninfo("postgres"), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    """In CI a missing server is a failure, never a skip; elsewhere skip with the reason."""
    if postgres_available():
        return
    message = f"PostgreSQL is not reachable at {POSTGRES.host}:{POSTGRES.port} as {POSTGRES.user}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the Postgres tests)")
    pytest.skip(message)


@pytest.fixture
def postgres_database() -> Iterator[PostgresSettings]:
    """A throw-away database on the real server, dropped afterwards."""
    require_postgres()
    name = f"greenlang_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES.conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PostgresSettings(POSTGRES.host, POSTGRES.port, POSTGRES.user, POSTGRES.password, name)
    finally:
        with psycopg.connect(POSTGRES.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(target: str, tmp_path: Path, postgres: PostgresSettings | None = None) -> Settings:
    return Settings(
        target=target,
        duckdb_path=tmp_path / "warehouse.duckdb",
        postgres=postgres or POSTGRES,
        landing_dir=tmp_path / "landing",
        alert_webhook_url=None,
    )


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    """The same test on the embedded DuckDB file and on a fresh PostgreSQL database."""
    if request.param == "postgres":
        return Warehouse(make_settings("postgres", tmp_path, request.getfixturevalue("postgres_database")))
    return Warehouse(make_settings("duckdb", tmp_path))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        message = f"the public reference files are not at {SHARED_DATA} (see ../shared/data/SOURCES.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
