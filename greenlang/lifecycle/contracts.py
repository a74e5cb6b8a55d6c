"""Breaking contract changes: a raw table moved from one major version of its contract to the next.

A minor version only adds optional fields, and the raw layer follows by itself (``Session.migrate_raw_layer``
adds the columns). A major version renames, retypes or drops fields: it ships a ``ContractMigration`` that
says how a row of the old version becomes a row of the new one, registered in ``CONTRACT_MIGRATIONS``;
``migrate_contract`` then rewrites the raw table in one transaction (every row through the function and
the new contract's validation, the table rebuilt to the new shape), registers the new version and logs the
migration in raw.schema_evolution. The ledger keeps the version each batch was validated against when it
was loaded; the migration's log entry says which rows moved on. docs/contracts.md has the policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from greenlang.core.contract import Contract
from greenlang.core.loader import SourceSpec
from greenlang.core.validation import field_rules
from greenlang.core.warehouse import (
    PROVENANCE_COLUMNS,
    RAW_SCHEMA,
    PostgresSession,
    Session,
    raw_table_columns,
)

MIGRATED = "contract_migrated"


@dataclass(frozen=True)
class ContractMigration:
    """How a record of ``source`` (one major version) becomes a record of ``target`` (the next):
    ``migrate_record`` maps the old fields to the new ones; the result is validated by ``target``."""

    source: type[Contract]
    target: type[Contract]
    migrate_record: Callable[[Mapping[str, Any]], dict[str, Any]]

    def __post_init__(self) -> None:
        if self.source.contract_name != self.target.contract_name:
            raise ValueError("a migration moves one contract between its versions")
        if major(self.target) != major(self.source) + 1:
            raise ValueError(
                f"{self.source.contract_name}: a migration goes from one major version to the next, not "
                f"{self.source.contract_version} → {self.target.contract_version}"
            )


# Every breaking change the code has shipped, oldest first. None yet: every contract is at version 1.
CONTRACT_MIGRATIONS: tuple[ContractMigration, ...] = ()


def major(contract: type[Contract]) -> int:
    return int(contract.contract_version.split(".", 1)[0])


class ContractMigrationError(RuntimeError):
    """A row of the old version does not become a valid row of the new one: nothing was changed."""


def migration_path(
    migrations: tuple[ContractMigration, ...], name: str, current: str, wanted: str
) -> list[ContractMigration]:
    """The migrations that take contract ``name`` from version ``current`` to ``wanted``, in order."""
    path, version = [], current
    while version != wanted:
        step = next(
            (
                m
                for m in migrations
                if m.source.contract_name == name and m.source.contract_version == version
            ),
            None,
        )
        if step is None:
            raise ContractMigrationError(f"no migration of {name} from version {version} (wanted {wanted})")
        path.append(step)
        version = step.target.contract_version
    return path


def migrate_record(migration: ContractMigration, record: Mapping[str, Any]) -> dict[str, Any]:
    """One record of the old version as the new version's validated fields."""
    try:
        return migration.target.model_validate(migration.migrate_record(record)).model_dump()
    except (ValueError, KeyError) as error:
        raise ContractMigrationError(
            f"{migration.target.contract_name} {migration.source.contract_version} → "
            f"{migration.target.contract_version}: {error}"
        ) from None


def table_version(session: Session, spec: SourceSpec) -> str | None:
    """The contract version raw.<spec> was last migrated to; None: never migrated (its first version)."""
    rows = session.fetchall(
        f"SELECT detail FROM {RAW_SCHEMA}.schema_evolution WHERE change = %(change)s AND subject = %(subject)s "
        "ORDER BY changed_at DESC LIMIT 1",
        {"change": MIGRATED, "subject": spec.raw_table},
    )
    return json.loads(rows[0][0])["to"] if rows else None


def migrate_contract(session: Session, spec: SourceSpec, migration: ContractMigration) -> int:
    """Rewrite raw.<spec> from ``migration.source`` to ``migration.target`` (``spec.contract``) in one
    transaction: every row through the migration and the new contract, provenance kept, the table rebuilt
    in the new version's shape; the new version registered and the migration logged. Returns the rows
    migrated; 0 and nothing done when the table is already at the target version (safe to re-run)."""
    if spec.contract is not migration.target:
        raise ValueError(f"{spec.name} is declared with {spec.contract.__name__}, not the migration's target")
    if table_version(session, spec) == migration.target.contract_version:
        return 0
    source_fields = [rule.name for rule in field_rules(migration.source)]
    provenance = ["tenant_id", *(name for name, _type in PROVENANCE_COLUMNS)]
    rows = session.fetch_dicts(f"SELECT {', '.join([*provenance, *source_fields])} FROM {spec.raw_table}")
    migrated = [
        {
            **{name: row[name] for name in provenance},
            **migrate_record(migration, {name: row[name] for name in source_fields}),
        }
        for row in rows
    ]
    columns = raw_table_columns(spec.column_types())
    rebuilt = f"{spec.raw_table}__v{major(migration.target)}"
    with session.transaction():
        definition = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
        session.execute(f"CREATE TABLE {rebuilt} ({definition})")
        if migrated:
            session.insert_arrow(rebuilt, _arrow(migrated, [name for name, _type in columns]))
        # CASCADE (PostgreSQL): the staging views over the old shape go; the next dbt build recreates them
        session.execute(
            f"DROP TABLE {spec.raw_table}{' CASCADE' if isinstance(session, PostgresSession) else ''}"
        )
        session.execute(f"ALTER TABLE {rebuilt} RENAME TO {spec.name}")
        if not session.scalar(
            f"SELECT count(*) FROM {RAW_SCHEMA}.contract_registry "
            "WHERE contract_name = %(name)s AND contract_version = %(version)s",
            {"name": migration.target.contract_name, "version": migration.target.contract_version},
        ):
            session.register_contract(migration.target)
        session.log_schema_change(
            MIGRATED,
            spec.raw_table,
            json.dumps(
                {
                    "from": migration.source.contract_version,
                    "to": migration.target.contract_version,
                    "rows": len(migrated),
                }
            ),
        )
    return len(migrated)


def batches_without_registered_contract(session: Session) -> list[tuple[str, str, str]]:
    """(batch id, contract name, version) of each batch whose contract version is not in the registry:
    empty in a sound warehouse (the foreign key the two engines' raw layers do not declare)."""
    return session.fetchall(
        f"SELECT b.batch_id, b.contract_name, b.contract_version FROM {RAW_SCHEMA}.load_batch AS b "
        f"LEFT JOIN {RAW_SCHEMA}.contract_registry AS r "
        "ON r.contract_name = b.contract_name AND r.contract_version = b.contract_version "
        "WHERE r.contract_name IS NULL ORDER BY b.batch_id"
    )


def _arrow(rows: list[dict[str, Any]], names: list[str]) -> pa.Table:
    return pa.Table.from_pylist([{name: row[name] for name in names} for row in rows])
