"""Readers of a PostgreSQL warehouse (docs/design.md, "Readers and tenants"): throw-away login roles mapped
to tenants as an operator maps them, what a role sees when it logs in, and what the build gave readers.

Roles are cluster-wide: every role made here has a unique name and is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import yaml
from psycopg import sql

from greenlang.core.tenants import GLOBAL_TENANT
from greenlang.settings import DBT_PROJECT_DIR, PostgresSettings

READER_ROLE = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["reader_role"]
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
# Which tenants each login role reads: readers select their own rows of it.
MEMBERSHIP = ("security", "tenant_readers")


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # pg_class.relkind
    has_tenant_id: bool

    @property
    def identifier(self) -> sql.Composed:
        return sql.Identifier(self.schema, self.name)

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


# Every relation outside the system catalogs: what it is, and whether a role may select it (USAGE on
# its schema and SELECT on it), whether it has row-level security, a SELECT policy for the role (and
# its predicate), and is a security barrier.
_CATALOG = """
SELECT n.nspname, c.relname, c.relkind,
       EXISTS (SELECT FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
       has_schema_privilege(%(role)s, n.oid, 'USAGE') AND has_table_privilege(%(role)s, c.oid, 'SELECT'),
       c.relrowsecurity,
       (SELECT string_agg(pg_get_expr(p.polqual, p.polrelid), ' OR ') FROM pg_policy p
        WHERE p.polrelid = c.oid AND p.polcmd IN ('r', '*') AND p.polpermissive
          AND (%(role)s::regrole::oid = ANY(p.polroles) OR 0 = ANY(p.polroles))),
       coalesce('security_barrier=true' = ANY(c.reloptions), false)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname <> ALL(%(system)s) AND n.nspname NOT LIKE 'pg\\_%%'
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Guard:
    relation: Relation
    selectable: bool
    row_level_security: bool
    policy: str | None  # the predicate of the role's SELECT policies
    security_barrier: bool


def guards(connection: psycopg.Connection, role: str) -> list[Guard]:
    rows = connection.execute(_CATALOG, {"role": role, "system": list(SYSTEM_SCHEMAS)}).fetchall()
    return [Guard(Relation(*row[:4]), *row[4:]) for row in rows]


def selectable_relations(connection: psycopg.Connection, role: str) -> list[Relation]:
    """What ``role`` may select, from the catalog."""
    return [guard.relation for guard in guards(connection, role) if guard.selectable]


def unguarded(connection: psycopg.Connection, role: str, mart_schema: str) -> list[str]:
    """What breaks the readers' guard rails (docs/design.md, "Readers and tenants"), one line each: a
    table of ``mart_schema`` with tenant_id, or any table ``role`` may select, without row-level
    security or without a SELECT policy for ``role``; a view it may select that is no security
    barrier; a materialized view it may select. (What the policies let through, the role test reads.)"""
    problems = []
    for guard in guards(connection, role):
        relation = guard.relation
        table = relation.kind in ("r", "p")
        if table and (guard.selectable or (relation.schema == mart_schema and relation.has_tenant_id)):
            if not guard.row_level_security:
                problems.append(f"{relation}: no row-level security")
            if guard.policy is None:
                problems.append(f"{relation}: no SELECT policy for {role}")
        if guard.selectable and relation.kind == "v" and not guard.security_barrier:
            problems.append(f"{relation}: a view readers select that is no security barrier")
        if guard.selectable and relation.kind == "m":
            problems.append(f"{relation}: a materialized view readers select (it cannot carry policies)")
    return problems


def visible_tenants(tenants: frozenset[str]) -> frozenset[str]:
    """The tenants a reader of ``tenants`` may see: its own and, once it has one, the reference data's."""
    return tenants | {GLOBAL_TENANT} if tenants else frozenset()


@dataclass(frozen=True)
class Reader:
    role: str
    tenants: frozenset[str]


@contextmanager
def reader_roles(
    database: PostgresSettings, tenants_by_reader: Mapping[str, frozenset[str]]
) -> Iterator[list[Reader]]:
    """One login role per entry, member of the reader group and mapped to its tenants in
    ``security.tenant_readers`` (as docs/design.md tells an operator to do); dropped afterwards."""
    prefix = f"rls_{uuid.uuid4().hex[:10]}"
    readers = [Reader(f"{prefix}_{label}", tenants) for label, tenants in tenants_by_reader.items()]
    with psycopg.connect(database.conninfo(), autocommit=True) as admin:
        try:
            for reader in readers:
                admin.execute(
                    sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(reader.role), sql.Identifier(READER_ROLE)
                    )
                )
                for tenant in sorted(reader.tenants):
                    admin.execute(
                        "INSERT INTO security.tenant_readers (role_name, tenant_id) VALUES (%s, %s)",
                        (reader.role, tenant),
                    )
            yield readers
        finally:
            for reader in readers:
                admin.execute("DELETE FROM security.tenant_readers WHERE role_name = %s", (reader.role,))
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(reader.role)))


def connect_as(database: PostgresSettings, role: str) -> psycopg.Connection:
    """A real login as ``role`` (the server trusts 127.0.0.1; a deployment gives readers passwords)."""
    return psycopg.connect(host=database.host, port=database.port, user=role, dbname=database.database)


@dataclass(frozen=True)
class Reading:
    relation: Relation
    rows: int
    foreign_rows: int  # rows of a tenant the reader may not see


def read_everything(connection: psycopg.Connection, tenants: frozenset[str]) -> list[Reading]:
    """Every relation the connected role may select, read whole: its rows and those of other tenants."""
    allowed = sorted(visible_tenants(tenants))
    readings = []
    role = connection.execute("SELECT current_user").fetchone()[0]
    for relation in selectable_relations(connection, role):
        if relation.has_tenant_id:
            query = sql.SQL(
                "SELECT count(*), count(*) FILTER (WHERE NOT coalesce(tenant_id = ANY(%s::text[]), false)) FROM {}"
            ).format(relation.identifier)
            rows, foreign = connection.execute(query, (allowed,)).fetchone()
        else:
            rows, foreign = connection.execute(
                sql.SQL("SELECT count(*), 0 FROM {}").format(relation.identifier)
            ).fetchone()
        readings.append(Reading(relation, rows, foreign))
    return readings


# The relations a view reads (its rewrite rule's dependencies).
_VIEW_SOURCES = """
SELECT DISTINCT n.nspname, c.relname, c.relkind,
       EXISTS (SELECT FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
FROM pg_rewrite r
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_class = %(view)s::regclass
"""


def rows_a_reader_should_read(admin: psycopg.Connection, relation: Relation, tenants: frozenset[str]) -> int:
    """Counted by the build role, which reads every tenant: the rows of ``relation`` a reader of ``tenants``
    may see (all of a relation without tenant_id once it has a tenant); a view counts those of the one
    relation it reads; of the membership table, a reader reads its own rows."""
    if (relation.schema, relation.name) == MEMBERSHIP:
        return len(tenants)
    if relation.kind == "v":
        name = sql.Identifier(relation.schema, relation.name).as_string(admin)
        (source,) = [Relation(*row) for row in admin.execute(_VIEW_SOURCES, {"view": name}).fetchall()]
        return rows_a_reader_should_read(admin, source, tenants)
    if not tenants:
        return 0
    if not relation.has_tenant_id:
        return admin.execute(sql.SQL("SELECT count(*) FROM {}").format(relation.identifier)).fetchone()[0]
    query = sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = ANY(%s::text[])").format(relation.identifier)
    return admin.execute(query, (sorted(visible_tenants(tenants)),)).fetchone()[0]


def tenants_readers_may_select(admin: psycopg.Connection) -> list[str]:
    """Every tenant with rows in what the reader group may select, the reference data's aside."""
    tenants: set[str] = set()
    for relation in selectable_relations(admin, READER_ROLE):
        if relation.has_tenant_id:
            query = sql.SQL("SELECT DISTINCT tenant_id FROM {}").format(relation.identifier)
            tenants.update(row[0] for row in admin.execute(query).fetchall())
    return sorted(tenants - {GLOBAL_TENANT})
