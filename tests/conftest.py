"""Shared fixtures: a fresh warehouse per test on DuckDB and on the real PostgreSQL server, one warehouse
per module for the tests that share a dbt build, and the markers the fast lane deselects.

Markers set here, never by hand: ``postgres`` on every test that uses the server (the ``postgres``
parameter of the warehouse fixtures, or ``postgres_database``), ``dbt`` on every test that runs dbt
(the ``dbt_parse_root`` fixture, which every dbt-running fixture and test requests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.nats_server import NatsServer, running_nats_server
from demo.object_store import ObjectStore, running_object_store
from greenlang.core.warehouse import Warehouse
from greenlang.settings import TELEMETRY_OFF, PostgresSettings
from tests.helpers import dbt
from tests.helpers.warehouses import ENGINE_PARAMS, make_settings, require_shared_data
from tests.helpers.warehouses import postgres_database as new_postgres_database

os.environ.update(TELEMETRY_OFF)


@pytest.fixture
def postgres_database() -> Iterator[PostgresSettings]:
    """A throw-away database on the real server, dropped afterwards."""
    with new_postgres_database() as database:
        yield database


@pytest.fixture(params=ENGINE_PARAMS)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    """The same test on the embedded DuckDB file and on a fresh PostgreSQL database."""
    if request.param == "postgres":
        return Warehouse(make_settings("postgres", tmp_path, request.getfixturevalue("postgres_database")))
    return Warehouse(make_settings("duckdb", tmp_path))


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def module_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """One warehouse per engine for every test of a module (for what a module builds once with dbt)."""
    folder = tmp_path_factory.mktemp(f"module-{request.param}")
    if request.param == "postgres":
        with new_postgres_database() as database:
            yield Warehouse(make_settings("postgres", folder, database))
    else:
        yield Warehouse(make_settings("duckdb", folder))


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS server with JetStream of this test's own (never one that runs on the machine)."""
    with running_nats_server(tmp_path / "nats") as server:
        yield server


@pytest.fixture(scope="session")
def object_store() -> Iterator[ObjectStore]:
    """An S3-compatible object store of this session's own (moto's server on 127.0.0.1), with a bucket."""
    with running_object_store() as store:
        yield store


@pytest.fixture(scope="session")
def dbt_parse_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where dbt's full parses of this session live, shared by the xdist workers (tests.helpers.dbt)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "dbt-parse"
    root.mkdir(exist_ok=True)
    os.environ[dbt.PARSE_ROOT_ENV] = str(root)
    return root


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "postgres_database" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "dbt_parse_root" in fixtures:
            item.add_marker(pytest.mark.dbt)

    # the slowest modules first (whole modules, their order kept): xdist starts them before the quick ones
    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("e2e"):
            return 0
        return 1 if item.get_closest_marker("dbt") else 2

    module_rank: dict[str, int] = {}
    for item in items:
        module_rank[item.nodeid.split("::")[0]] = min(
            module_rank.get(item.nodeid.split("::")[0], 2), rank(item)
        )
    items.sort(key=lambda item: module_rank[item.nodeid.split("::")[0]])
