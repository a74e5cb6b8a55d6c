"""Concurrent loads and the raw layer's set-up: first loads racing on a fresh warehouse, two threads loading
the same file, a load beside an open reader, and a warehouse of the previous code brought up to date."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import psycopg
import pytest

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import LoadResult, load_file
from greenlang.core.warehouse import (
    DEAD_LETTER_DDL,
    ERP_SYNC_DDL,
    LOAD_BATCH_DDL,
    RAW_MIGRATIONS,
    Session,
    Warehouse,
)
from greenlang.settings import PostgresSettings
from tests.helpers.warehouses import ENGINE_PARAMS, make_settings, postgres_database
from tests.ingestion.test_loader import HEADER, write_csv

FIRST_LOADERS = 8
FRESH_WAREHOUSE_TRIALS = 3
SAME_FILE_TRIALS = 6
# Far beyond what a 5-row load takes, far below the 25 s a reader held one under the schema change per load.
NOT_BLOCKED_SECONDS = 5.0


def shipments(path: Path, rows: int, declaration: str) -> Path:
    lines = [
        f"DE123456789012345,{declaration},{line},2026-02-03,72081000,CN,25.5,40,CN-INST-1,,,,"
        for line in range(1, rows + 1)
    ]
    return write_csv(path, lines, HEADER)


def in_threads(count: int, work: Callable[[int], LoadResult]) -> list[LoadResult]:
    """``work(0..count-1)`` in as many threads, released together so that they race."""
    start = threading.Barrier(count)

    def raced(index: int) -> LoadResult:
        start.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(raced, range(count)))


def ledger(warehouse: Warehouse, tenant_id: str) -> list[tuple[str, str]]:
    with warehouse.session() as session:
        return session.fetchall(
            "SELECT batch_id, status FROM raw.load_batch WHERE tenant_id = %(tenant)s ORDER BY batch_id",
            {"tenant": tenant_id},
        )


def raw_count(warehouse: Warehouse, tenant_id: str) -> int:
    with warehouse.session() as session:
        return session.scalar(
            "SELECT count(*) FROM raw.customs__cbam_shipments WHERE tenant_id = %(tenant)s",
            {"tenant": tenant_id},
        )


def applied_migrations(warehouse: Warehouse) -> list[tuple]:
    with warehouse.session() as session:
        return session.fetchall(
            "SELECT version, description, applied_at FROM raw.schema_migrations ORDER BY 1"
        )


def fresh_warehouse_trial(warehouse: Warehouse, folder: Path) -> None:
    folder.mkdir()
    files = [
        shipments(folder / f"shipments-{index}.csv", 3, f"26DE00000000000{index:03d}") for index in range(8)
    ]

    results = in_threads(
        FIRST_LOADERS, lambda index: load_file(warehouse, CBAM_SHIPMENTS, files[index], "acme")
    )

    assert [result.status for result in results] == ["succeeded"] * FIRST_LOADERS
    assert sorted(ledger(warehouse, "acme")) == sorted((result.batch_id, "succeeded") for result in results)
    assert raw_count(warehouse, "acme") == 3 * FIRST_LOADERS
    assert [version for version, _description, _at in applied_migrations(warehouse)] == [
        migration.version for migration in RAW_MIGRATIONS
    ]


@pytest.mark.postgres
def test_first_loads_racing_on_a_fresh_postgres_database_all_succeed_once(tmp_path: Path) -> None:
    for trial in range(FRESH_WAREHOUSE_TRIALS):
        with postgres_database() as database:
            fresh_warehouse_trial(
                Warehouse(make_settings("postgres", tmp_path, database)), tmp_path / str(trial)
            )


def test_first_loads_racing_on_a_fresh_duckdb_file_all_succeed_once(tmp_path: Path) -> None:
    for trial in range(FRESH_WAREHOUSE_TRIALS):
        fresh_warehouse_trial(
            Warehouse(make_settings("duckdb", tmp_path / str(trial))), tmp_path / f"files-{trial}"
        )


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_two_threads_loading_the_same_file_load_it_once(engine: str, tmp_path: Path) -> None:
    path = shipments(tmp_path / "shipments.csv", 5_000, "26DE000000000000A1")
    with postgres_database() if engine == "postgres" else nullcontext() as database:
        warehouse = Warehouse(make_settings(engine, tmp_path, database))
        for trial in range(SAME_FILE_TRIALS):
            tenant_id = f"acme-{trial}"

            results = in_threads(2, lambda _index: load_file(warehouse, CBAM_SHIPMENTS, path, tenant_id))  # noqa: B023

            assert sorted(result.status for result in results) == ["skipped", "succeeded"], trial
            assert len({result.batch_id for result in results}) == 1
            assert ledger(warehouse, tenant_id) == [(results[0].batch_id, "succeeded")]
            assert raw_count(warehouse, tenant_id) == 5_000


def test_a_load_is_not_blocked_by_an_open_reader_of_the_ledger(
    tmp_path: Path, postgres_database: PostgresSettings
) -> None:
    warehouse = Warehouse(make_settings("postgres", tmp_path, postgres_database))
    load_file(warehouse, CBAM_SHIPMENTS, shipments(tmp_path / "first.csv", 5, "26DE000000000000A1"), "acme")
    later = shipments(tmp_path / "later.csv", 5, "26DE000000000000A2")
    with psycopg.connect(postgres_database.conninfo()) as reader, ThreadPoolExecutor(1) as loader:
        reader.execute("SELECT count(*) FROM raw.load_batch").fetchone()  # its transaction stays open
        started = time.monotonic()
        pending = loader.submit(load_file, warehouse, CBAM_SHIPMENTS, later, "acme")
        try:
            result = pending.result(timeout=NOT_BLOCKED_SECONDS)
        finally:
            reader.rollback()  # lets a blocked load go, so that a failure does not hang the test
        assert result.status == "succeeded" and time.monotonic() - started < NOT_BLOCKED_SECONDS


def recording(execute: Callable[..., None], statements: list[str]) -> Callable[..., None]:
    def recorded(session: Session, sql: str, params: dict | None = None) -> None:
        statements.append(sql)
        execute(session, sql, params)

    return recorded


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_a_normal_load_issues_no_ddl(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with postgres_database() if engine == "postgres" else nullcontext() as database:
        warehouse = Warehouse(make_settings(engine, tmp_path, database))
        load_file(
            warehouse, CBAM_SHIPMENTS, shipments(tmp_path / "first.csv", 5, "26DE000000000000A1"), "acme"
        )
        statements: list[str] = []
        for session_class in Session.__subclasses__():
            monkeypatch.setattr(session_class, "execute", recording(session_class.execute, statements))
        later = shipments(tmp_path / "later.csv", 5, "26DE000000000000A2")

        assert load_file(warehouse, CBAM_SHIPMENTS, later, "acme").status == "succeeded"

        # DuckDB's stage tables (raw._stage_*) are its bulk path, not a schema change
        ddl = [sql for sql in statements if sql.split()[0].upper() in ("CREATE", "ALTER", "DROP")]
        assert [sql for sql in ddl if "_stage_" not in sql] == []
        assert statements, "the recorder saw the load's statements"


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_a_warehouse_of_the_previous_code_is_migrated_once(engine: str, tmp_path: Path) -> None:
    with postgres_database() if engine == "postgres" else nullcontext() as database:
        warehouse = Warehouse(make_settings(engine, tmp_path, database))
        load_batch_before_attributes = "\n".join(
            line for line in LOAD_BATCH_DDL.splitlines() if not line.strip().startswith("attributes ")
        )
        with warehouse.session() as session:
            session.execute("CREATE SCHEMA raw")
            for ddl in (load_batch_before_attributes, DEAD_LETTER_DDL, ERP_SYNC_DDL):
                session.execute(ddl)
            session.execute(
                "INSERT INTO raw.load_batch (batch_id, tenant_id, source, source_uri, file_sha256, contract_name, "
                "contract_version, rows_read, rows_loaded, rows_rejected, status, started_at, finished_at) VALUES "
                "('old', 'acme', 'customs__cbam_shipments', 'file:///old.csv', 'f00d', 'CbamShipment', '1.0.0', "
                "0, 0, 0, 'succeeded', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
            )

        for index in range(2):
            path = shipments(tmp_path / f"shipments-{index}.csv", 3, f"26DE00000000000{index:03d}")
            assert load_file(warehouse, CBAM_SHIPMENTS, path, "acme").status == "succeeded"
            migrations = applied_migrations(warehouse)
            if index == 0:
                first_migrations = migrations

        assert migrations == first_migrations  # the second load ran none again
        assert [version for version, _description, _at in migrations] == [m.version for m in RAW_MIGRATIONS]
        with warehouse.session() as session:
            attributes = dict(session.fetchall("SELECT batch_id, attributes FROM raw.load_batch"))
        assert attributes.pop("old") is None and len(attributes) == 2
        assert all(value == "{}" for value in attributes.values())
