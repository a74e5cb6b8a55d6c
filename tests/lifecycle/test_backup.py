"""Backup and restore drill, on DuckDB and PostgreSQL: a loaded warehouse backed up with its manifest,
restored into a new database (folder), proven identical; a tampered backup refused; a manifest that does
not match what the backup holds fails the restore."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from greenlang.core.warehouse import Warehouse
from greenlang.lifecycle.backup import (
    MANIFEST,
    BackupTampered,
    RestoreMismatch,
    create_backup,
    differing_tables,
    restore_backup,
    restore_target,
    tampered_files,
    warehouse_contents,
)
from tests.helpers.lifecycle import load_declarations, load_reference_data
from tests.helpers.warehouses import POSTGRES, postgres_database


@pytest.fixture(scope="module")
def loaded(module_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    load_reference_data(module_warehouse)
    load_declarations(
        module_warehouse, tmp_path_factory.mktemp("deliveries"), "acme-steel", rows=2_000, seed=1
    )
    return module_warehouse


@contextmanager
def new_target(warehouse: Warehouse, folder: Path) -> Iterator[Warehouse]:
    """Where a restore may write: a database name free on the server (dropped afterwards), a new folder."""
    if warehouse.dialect == "duckdb":
        yield restore_target(warehouse.settings, str(folder / "restored"))
        return
    with postgres_database() as database:
        with psycopg.connect(POSTGRES.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{database.database}"')  # ours: the restore creates it again
        yield restore_target(warehouse.settings, database.database)


def test_tampered_and_differing_are_named() -> None:
    assert tampered_files({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
    assert tampered_files({"a": "1"}, {}) == ["a"]
    expected = {"raw.x": {"rows": 1, "sha256": "aa"}}
    assert differing_tables(expected, {"raw.x": {"rows": 1, "sha256": "ab"}}) == ["raw.x"]
    assert differing_tables(expected, dict(expected)) == []


def test_a_restore_is_identical_to_the_backed_up_warehouse(loaded: Warehouse, tmp_path: Path) -> None:
    backup = create_backup(loaded, tmp_path / "backups")
    manifest = json.loads((backup / MANIFEST).read_text())

    with new_target(loaded, tmp_path) as target:
        restore_backup(backup, target)
        with target.session() as session:
            restored = warehouse_contents(session)
            rejected = session.scalar("SELECT count(*) FROM raw.dead_letter")
        with pytest.raises(FileExistsError):
            restore_backup(backup, target)  # never over an existing warehouse

    with loaded.session() as session:
        assert warehouse_contents(session) == restored == manifest["tables"]
    assert manifest["tables"]["raw.customs__cbam_shipments"]["rows"] == 2 * 2_000 - 2 * 40
    assert manifest["ledger"]["load_batch"] == 4 and manifest["ledger"]["dead_letter"] == rejected == 80
    assert {"raw.contract_registry", "raw.schema_evolution", "raw.cbam__default_values"} <= set(restored)


def test_a_tampered_backup_is_refused(loaded: Warehouse, tmp_path: Path) -> None:
    backup = create_backup(loaded, tmp_path / "backups")
    manifest = json.loads((backup / MANIFEST).read_text())
    name = max(manifest["files"], key=lambda name: (backup / name).stat().st_size)
    data = bytearray((backup / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (backup / name).write_bytes(bytes(data))

    with new_target(loaded, tmp_path) as target:
        with pytest.raises(BackupTampered, match=name):
            restore_backup(backup, target)
        assert not (target.settings.duckdb_path.exists() if target.dialect == "duckdb" else _exists(target))


def test_a_restore_that_differs_from_the_manifest_fails(loaded: Warehouse, tmp_path: Path) -> None:
    backup = create_backup(loaded, tmp_path / "backups")
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["tables"]["raw.load_batch"]["rows"] += 1
    (backup / MANIFEST).write_text(json.dumps(manifest))

    with new_target(loaded, tmp_path) as target, pytest.raises(RestoreMismatch, match=r"raw\.load_batch"):
        restore_backup(backup, target)


def _exists(target: Warehouse) -> bool:
    with psycopg.connect(POSTGRES.conninfo("postgres")) as admin:
        return bool(
            admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (target.settings.postgres.database,)
            ).fetchone()
        )
