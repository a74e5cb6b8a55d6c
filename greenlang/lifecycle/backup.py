"""Back up the warehouse and restore it into a new one, proven identical.

    python -m greenlang.lifecycle.backup create [--to DIR]
    python -m greenlang.lifecycle.backup restore BACKUP --into NEW_DATABASE_OR_FOLDER

A backup is one folder: the warehouse as the engine writes it (PostgreSQL: ``pg_dump`` custom format of
the warehouse database; DuckDB: ``EXPORT DATABASE`` as Parquet) and ``manifest.json``: each table's row
count and content hash (``greenlang.lifecycle.fingerprint``), the ledger's totals and the SHA-256 of every
file. Both are taken from one snapshot: PostgreSQL exports the snapshot the manifest reads to ``pg_dump``;
a DuckDB file admits no other writer while the backup holds it.

A restore refuses a backup whose files do not match the manifest (tampered or damaged), writes only into a
database or folder that does not exist yet, and then compares every table of the restored warehouse with
the manifest: any difference fails the restore, naming the tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from greenlang.core.loader import file_sha256
from greenlang.core.warehouse import RAW_SCHEMA, STAGE_PREFIX, PostgresSession, Session, Warehouse
from greenlang.lifecycle.fingerprint import fingerprint_table
from greenlang.settings import Settings, load_settings

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
POSTGRES_DUMP = "warehouse.dump"
DUCKDB_EXPORT = "export"
_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "pg_toast")


class BackupTampered(RuntimeError):
    """A file of the backup is missing, added or changed since the manifest was written: nothing restored."""


class RestoreMismatch(RuntimeError):
    """The restored warehouse differs from the manifest (the restored copy is left for inspection)."""


def data_relations(session: Session) -> list[str]:
    """``schema.name`` of every table (and PostgreSQL materialized view) that holds data, but the stage
    tables of loads in flight."""
    schemas = [
        name
        for (name,) in session.fetchall(
            "SELECT DISTINCT schema_name FROM information_schema.schemata WHERE schema_name NOT LIKE 'pg\\_%'"
        )
        if name not in _SYSTEM_SCHEMAS
    ]
    return [
        f"{schema}.{name}"
        for schema, name, kind in session.relations(schemas)
        if kind != "view" and not (schema == RAW_SCHEMA and name.startswith(STAGE_PREFIX))
    ]


def warehouse_contents(session: Session) -> dict[str, dict[str, Any]]:
    """Row count and content hash of every data relation."""
    return {
        relation: fingerprint_table(session, *relation.split(".", 1)).as_dict()
        for relation in data_relations(session)
    }


def ledger_summary(contents: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {
        table: contents[f"{RAW_SCHEMA}.{table}"]["rows"]
        for table in ("load_batch", "dead_letter", "erp_sync", "contract_registry", "schema_evolution")
        if f"{RAW_SCHEMA}.{table}" in contents
    }


def folder_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (but the manifest), by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): file_sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def tampered_files(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """The files that are missing, added or changed."""
    return sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))


def differing_tables(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))


def create_backup(warehouse: Warehouse, backups: Path) -> Path:
    """Back up ``warehouse`` into a new folder under ``backups``; returns the folder."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = backups / f"{warehouse.dialect}-{stamp}"
    folder.mkdir(parents=True)
    with warehouse.session() as session:
        if warehouse.dialect == "postgres":
            contents = _dump_postgres(warehouse.settings, session, folder / POSTGRES_DUMP)
        else:
            contents = warehouse_contents(session)
            session.execute(f"EXPORT DATABASE '{folder / DUCKDB_EXPORT}' (FORMAT parquet)")
    manifest = {
        "format": MANIFEST_FORMAT,
        "engine": warehouse.dialect,
        "source": warehouse.describe(),
        "duckdb_file": warehouse.settings.duckdb_path.name if warehouse.dialect == "duckdb" else None,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "ledger": ledger_summary(contents),
        "tables": contents,
        "files": folder_hashes(folder),
    }
    write_manifest(folder, manifest)
    return folder


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """``manifest.json`` of a backup or export: written last, its ``files`` hashing everything else."""
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@contextmanager
def snapshot(session: Session) -> Iterator[None]:
    """One consistent view of every table while it lasts: a REPEATABLE READ transaction on PostgreSQL; a
    DuckDB file admits no other writer while the session holds it."""
    if not isinstance(session, PostgresSession):
        yield
        return
    with session.transaction():
        session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump_postgres(settings: Settings, session: Session, dump: Path) -> dict[str, dict[str, Any]]:
    """``pg_dump`` of the snapshot whose contents this returns."""
    with snapshot(session):
        exported = session.scalar("SELECT pg_export_snapshot()")
        contents = warehouse_contents(session)
        _run(["pg_dump", "--format=custom", f"--snapshot={exported}", f"--file={dump}"], settings)
    return contents


def restore_backup(backup: Path, into: Warehouse) -> dict[str, Any]:
    """Restore ``backup`` into ``into``, a PostgreSQL database or DuckDB file that must not exist yet, and
    prove it identical to the manifest; returns the manifest."""
    manifest = load_backup(backup, into)
    verify_restore(manifest, into)
    return manifest


def load_backup(backup: Path, into: Warehouse) -> dict[str, Any]:
    """Steps 1 and 2 of a restore: the files checked against the manifest, then loaded into the new ``into``."""
    manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    if manifest["engine"] != into.dialect:
        raise ValueError(
            f"a {manifest['engine']} backup restores into {manifest['engine']}, not {into.dialect}"
        )
    tampered = tampered_files(manifest["files"], folder_hashes(backup))
    if tampered:
        raise BackupTampered(
            f"{backup}: files differ from the manifest, nothing restored: {', '.join(tampered)}"
        )
    if into.dialect == "postgres":
        _restore_postgres(backup / POSTGRES_DUMP, into)
    else:
        _restore_duckdb(backup / DUCKDB_EXPORT, into)
    return manifest


def verify_restore(manifest: dict[str, Any], into: Warehouse) -> None:
    """Step 3 of a restore: every table of ``into`` as the manifest says, else ``RestoreMismatch``."""
    with into.session() as session:
        restored = warehouse_contents(session)
    differing = differing_tables(manifest["tables"], restored)
    if differing:
        raise RestoreMismatch(
            f"{into.describe()} differs from the backup's manifest in {', '.join(differing)} "
            "(the restored copy is left for inspection)"
        )


def _restore_postgres(dump: Path, into: Warehouse) -> None:
    if not into.ensure_database():
        raise FileExistsError(f"{into.describe()} exists: a restore goes into a new database")
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={into.settings.postgres.database}",
            str(dump),
        ],
        into.settings,
    )


def _restore_duckdb(export: Path, into: Warehouse) -> None:
    if into.settings.duckdb_path.exists():
        raise FileExistsError(f"{into.settings.duckdb_path} exists: a restore goes into a new file")
    with into.session() as session:
        session.execute(f"IMPORT DATABASE '{export}'")


def _run(command: list[str], settings: Settings) -> None:
    """A PostgreSQL client tool against the warehouse server; the password goes by environment, never on
    the command line (which other users of the machine can read)."""
    postgres = settings.postgres
    env = {**os.environ, "PGHOST": postgres.host, "PGPORT": str(postgres.port), "PGUSER": postgres.user}
    env["PGDATABASE"] = postgres.database
    if postgres.password:
        env["PGPASSWORD"] = postgres.password
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{command[0]} failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}"
        )


def restore_target(settings: Settings, into: str) -> Warehouse:
    """The warehouse a restore writes: on PostgreSQL the database ``into``; on DuckDB a file of the backed-up
    file's name in the folder ``into`` (dbt's views name the file's catalogue, so the name must stay)."""
    if settings.target == "postgres":
        return Warehouse(replace(settings, postgres=replace(settings.postgres, database=into)))
    return Warehouse(replace(settings, duckdb_path=Path(into).resolve() / settings.duckdb_path.name))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m greenlang.lifecycle.backup", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="back up the warehouse of GREENLANG_TARGET")
    create.add_argument("--to", type=Path, help="the folder of backups (default: GREENLANG_BACKUP_DIR)")
    restore = commands.add_parser("restore", help="restore a backup into a new database (folder for DuckDB)")
    restore.add_argument("backup", type=Path)
    restore.add_argument("--into", required=True, help="PostgreSQL: a new database; DuckDB: a new folder")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "create":
        folder = create_backup(Warehouse(settings), args.to or settings.backup_dir)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        print(f"backed up {len(manifest['tables'])} tables ({manifest['ledger']}) to {folder}")
        return 0
    target = restore_target(settings, args.into)
    manifest = restore_backup(args.backup, target)
    print(f"restored {len(manifest['tables'])} tables into {target.describe()}: identical to the manifest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
