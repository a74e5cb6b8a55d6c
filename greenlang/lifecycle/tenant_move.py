"""Move one tenant's data between warehouses: export its rows to a folder, import them elsewhere, verify.

    python -m greenlang.lifecycle.tenant_move export TENANT --to FOLDER
    python -m greenlang.lifecycle.tenant_move import FOLDER
    python -m greenlang.lifecycle.tenant_move verify FOLDER

The export holds, as Parquet, the tenant's rows of every table and materialized view that has a
``tenant_id`` column — raw tables, the ledger (load batches, dead letters, ERP syncs), marts and reports —
taken from one snapshot, and ``manifest.json``: per table its row count and content hash
(``greenlang.lifecycle.fingerprint``) and the SHA-256 of every file.

The import writes the raw layer only — the contract tables and the ledger, the data every mart and report
is built from — in one transaction, batch by batch: a batch already in the target is left as it is, so the
same export imports once however often it is run; a delivery the target holds under another batch is
refused (its rows would count twice). The target's dbt build then derives the tenant's marts and reports,
and ``verify`` compares every table of the export, raw and derived, with the target: identical counts and
hashes. No other tenant's row is read or written. The reference data a tenant's figures use (tenant
``global``: factors, default values) is the target's own: the same publications must be loaded there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from greenlang.catalog import CONTRACTS, EXTERNAL_SCHEMAS, RAW_SOURCES, RAW_TABLES_WITHOUT_CONTRACT
from greenlang.core.loader import prepare_raw_tables
from greenlang.core.warehouse import RAW_SCHEMA, Session, Warehouse
from greenlang.lifecycle.backup import (
    MANIFEST,
    data_relations,
    differing_tables,
    folder_hashes,
    snapshot,
    tampered_files,
    write_manifest,
)
from greenlang.lifecycle.fingerprint import arrow_batches, fingerprint_table, relation_schema
from greenlang.settings import load_settings

TENANT_CONDITION = "tenant_id = %(tenant)s"


class ImportRefused(RuntimeError):
    """The export cannot be imported as it is; nothing was written."""


def tenant_relations(session: Session) -> dict[str, pa.Schema]:
    """Every data relation with a ``tenant_id`` column, and its Arrow schema."""
    schemas: dict[str, pa.Schema] = {}
    for relation in data_relations(session):
        schema, table = relation.split(".", 1)
        arrow_schema = relation_schema(session, schema, table)
        if "tenant_id" in arrow_schema.names:
            schemas[relation] = arrow_schema
    return schemas


def export_tenant(warehouse: Warehouse, tenant: str, folder: Path) -> dict[str, Any]:
    """Write ``tenant``'s rows of every table to ``folder`` (new) with the manifest; returns the manifest."""
    folder.mkdir(parents=True)
    tables: dict[str, dict[str, Any]] = {}
    with warehouse.session() as session, snapshot(session):
        for relation, schema in tenant_relations(session).items():
            _write_parquet(session, relation, schema, tenant, folder / f"{relation}.parquet")
            tables[relation] = fingerprint_table(
                session, *relation.split(".", 1), TENANT_CONDITION, {"tenant": tenant}
            ).as_dict()
    manifest = {
        "tenant": tenant,
        "engine": warehouse.dialect,
        "source": warehouse.describe(),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": tables,
        "files": folder_hashes(folder),
    }
    write_manifest(folder, manifest)
    return manifest


def _write_parquet(session: Session, relation: str, schema: pa.Schema, tenant: str, path: Path) -> None:
    with pq.ParquetWriter(path, schema) as writer:
        for batch in arrow_batches(session, *relation.split(".", 1), TENANT_CONDITION, {"tenant": tenant}):
            writer.write_batch(batch)


def read_export(folder: Path) -> dict[str, Any]:
    """The export's manifest, once every file matches it (else ``ImportRefused``)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    tampered = tampered_files(manifest["files"], folder_hashes(folder))
    if tampered:
        raise ImportRefused(f"{folder}: files differ from the manifest: {', '.join(tampered)}")
    return manifest


def import_tenant(warehouse: Warehouse, folder: Path) -> dict[str, int]:
    """Import the raw layer of an export into ``warehouse`` in one transaction; returns the rows written per
    table (none on a second run)."""
    manifest = read_export(folder)
    tenant = manifest["tenant"]
    raw_tables = sorted(name for name in manifest["tables"] if name.startswith(f"{RAW_SCHEMA}."))
    prepare_raw_tables(warehouse, list(RAW_SOURCES), CONTRACTS.values())
    batches = pq.read_table(folder / f"{RAW_SCHEMA}.load_batch.parquet")
    written: dict[str, int] = {}
    with warehouse.session() as session:
        session.migrate_raw_layer(RAW_TABLES_WITHOUT_CONTRACT)
        _refuse_what_cannot_import(session, tenant, raw_tables, batches)
        with session.transaction():
            # what the target held before the import's first insert decides, for every table alike
            held_before = {relation: _held_keys(session, relation, tenant) for relation in raw_tables}
            for relation, (key, held) in held_before.items():
                rows = pq.read_table(folder / f"{relation}.parquet")
                rows = rows.filter(pc.invert(pc.is_in(rows[key], pa.array(sorted(held), pa.string()))))
                if rows.num_rows:
                    session.insert_arrow(relation, rows)
                written[relation] = rows.num_rows
    return written


def _held_keys(session: Session, relation: str, tenant: str) -> tuple[str, set[str]]:
    """The column that says which batch (ERP sync) a row of ``relation`` belongs to, and the batches (syncs)
    of ``tenant`` the target holds already: their rows are not imported again."""
    table = relation.split(".", 1)[1]
    if table == "erp_sync":
        key, sql = "sync_id", f"SELECT sync_id FROM {RAW_SCHEMA}.erp_sync WHERE {TENANT_CONDITION}"
    elif table == "tenant_data_key":  # the wrapped data key: its key-encryption key moves with the key store
        key, sql = "key_id", f"SELECT key_id FROM {RAW_SCHEMA}.tenant_data_key WHERE {TENANT_CONDITION}"
    elif table == "archive_ledger":  # the tenant's archives: their objects stay in the object store
        key, sql = (
            "archive_id",
            f"SELECT archive_id FROM {RAW_SCHEMA}.archive_ledger WHERE {TENANT_CONDITION}",
        )
    else:
        key = "batch_id" if table in ("load_batch", "dead_letter", "archived_batch") else "_batch_id"
        sql = f"SELECT batch_id FROM {RAW_SCHEMA}.load_batch WHERE {TENANT_CONDITION}"
    return key, {value for (value,) in session.fetchall(sql, {"tenant": tenant})}


def _refuse_what_cannot_import(
    session: Session, tenant: str, raw_tables: list[str], batches: pa.Table
) -> None:
    existing = {f"{schema}.{name}" for schema, name, _kind in session.relations([RAW_SCHEMA])}
    unknown = [relation for relation in raw_tables if relation not in existing]
    if unknown:
        raise ImportRefused(
            f"the target has no table {', '.join(unknown)}: deploy the code that declares it first"
        )
    registered = set(
        session.fetchall(f"SELECT contract_name, contract_version FROM {RAW_SCHEMA}.contract_registry")
    )
    versions = {
        (row["contract_name"], row["contract_version"])
        for row in batches.select(["contract_name", "contract_version"]).to_pylist()
    } - EXTERNAL_SCHEMAS
    if versions - registered:
        raise ImportRefused(f"contract versions the target does not know: {sorted(versions - registered)}")
    held = session.fetchall(
        f"SELECT batch_id, source, file_sha256, contract_version FROM {RAW_SCHEMA}.load_batch "
        f"WHERE {TENANT_CONDITION} AND status = 'succeeded'",
        {"tenant": tenant},
    )
    held_elsewhere = {(source, sha256, version): batch_id for batch_id, source, sha256, version in held}
    for row in batches.to_pylist():
        key = (row["source"], row["file_sha256"], row["contract_version"])
        if row["status"] == "succeeded" and held_elsewhere.get(key, row["batch_id"]) != row["batch_id"]:
            raise ImportRefused(
                f"{tenant}: the delivery of batch {row['batch_id']} ({row['source']}) is already loaded in the "
                f"target as batch {held_elsewhere[key]}"
            )


def verify_tenant(warehouse: Warehouse, folder: Path, relations: Sequence[str] | None = None) -> list[str]:
    """The tables (of ``relations``, default all) whose tenant rows in ``warehouse`` differ from the export."""
    manifest = read_export(folder)
    names = relations if relations is not None else list(manifest["tables"])
    with warehouse.session() as session:
        existing = set(data_relations(session))
        actual = {
            name: fingerprint_table(
                session, *name.split(".", 1), TENANT_CONDITION, {"tenant": manifest["tenant"]}
            ).as_dict()
            for name in names
            if name in existing
        }
    return differing_tables({name: manifest["tables"][name] for name in names}, actual)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m greenlang.lifecycle.tenant_move", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="export a tenant's rows to a new folder")
    export.add_argument("tenant")
    export.add_argument("--to", type=Path, required=True)
    imported = commands.add_parser(
        "import", help="import an export's raw layer into GREENLANG_TARGET's warehouse"
    )
    imported.add_argument("folder", type=Path)
    verify = commands.add_parser("verify", help="compare the warehouse's rows of the tenant with an export")
    verify.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    warehouse = Warehouse(load_settings())
    if args.command == "export":
        manifest = export_tenant(warehouse, args.tenant, args.to)
        print(
            f"exported {sum(t['rows'] for t in manifest['tables'].values())} rows of {args.tenant} to {args.to}"
        )
    elif args.command == "import":
        written = import_tenant(warehouse, args.folder)
        print(f"imported {sum(written.values())} rows into {warehouse.describe()} (0: already there)")
    else:
        differing = verify_tenant(warehouse, args.folder)
        if differing:
            print(f"differs from the export: {', '.join(differing)}")
            return 1
        print(f"{warehouse.describe()} holds the export's rows exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
