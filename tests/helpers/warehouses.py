"""Test warehouses: settings for a DuckDB file or a throw-away PostgreSQL database, and the server check."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from greenlang.settings import PostgresSettings, Settings, load_settings

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
POSTGRES = load_settings().postgres
# Parameters of a fixture that gives one warehouse per engine: the postgres one carries its marker.
ENGINE_PARAMS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


# The tenants the tests land files for and sync ERPs for ("default": the ERP assets' tenant when the code
# location names none), registered as a deployment registers its own (GREENLANG_TENANTS).
TEST_TENANTS = frozenset(
    {"acme", "nordic", "acme-steel", "nordic-cement", "default", *(f"tenant{index}" for index in range(4))}
)


def make_settings(target: str, tmp_path: Path, postgres: PostgresSettings | None = None) -> Settings:
    return Settings(
        target=target,
        duckdb_path=tmp_path / "warehouse.duckdb",
        postgres=postgres or POSTGRES,
        landing_dir=tmp_path / "landing",
        tenants=TEST_TENANTS,
        key_store=tmp_path / "keys",
    )


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


@contextmanager
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


def require_shared_data() -> Path:
    """The public reference files (../shared/data): a failure in CI, a skip elsewhere."""
    if not SHARED_DATA.is_dir():
        message = f"the public reference files are not at {SHARED_DATA} (see ../shared/data/SOURCES.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
