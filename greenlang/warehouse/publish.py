"""Write–audit–publish for dbt builds: readers never see a half-built or untested relation.

A build writes every relation it makes into a build schema beside the published one (``marts__build``
beside ``marts``: the dbt var ``build_schema_suffix``); what it does not select, it reads from the
published schemas (``--defer --favor-state`` against the manifest of the published names). When dbt is
done, one transaction moves into the published schemas every relation that was built and passed its
tests, and nothing that depends on a relation that failed (``publishable``). A failed, killed or
interrupted build leaves the published relations exactly as they were; what it built stays in the build
schemas for inspection until the next build drops them.

PostgreSQL moves each relation (``ALTER ... SET SCHEMA``: its data, indexes, comments, policies go with
it) and keeps the published relation's grants; views and materialized views that depend on a replaced
relation but were not rebuilt are saved and recreated in the same transaction (PostgreSQL binds a view to
the relation, not to its name). DuckDB cannot move a relation between schemas: it copies tables and
recreates views under the published names, also in one transaction (DuckDB binds a view by name).

A selected incremental model starts from a copy of its published table, so that it stays incremental.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from greenlang.core.warehouse import DuckDBSession, PostgresSession, Session, Warehouse

BUILD_SCHEMA_SUFFIX = "__build"
PUBLISHED_NODE_TYPES = ("model", "seed")
# dbt statuses of a node that built and passed (tests: passed or only warned).
_SUCCEEDED = {"success", "pass", "warn"}
BUILD_LOCK_KEY = "greenlang dbt build"
_PG_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}


@dataclass(frozen=True)
class Relation:
    """A relation dbt builds, by its published name; ``build_schema`` is where a build writes it."""

    unique_id: str
    schema: str
    name: str
    incremental: bool = False

    @property
    def build_schema(self) -> str:
        return self.schema + BUILD_SCHEMA_SUFFIX


def build_args(command: str, published_state: Path) -> list[str]:
    """The dbt arguments of a write–audit–publish ``command``: relations into the build schemas, refs to
    what the run does not select resolved to the published relations (the manifest in ``published_state``)."""
    return [
        command,
        "--vars",
        json.dumps({"build_schema_suffix": BUILD_SCHEMA_SUFFIX}),
        "--defer",
        "--favor-state",
        "--state",
        str(published_state),
    ]


def write_published_state(manifest: Mapping[str, Any], database: str, folder: Path) -> Path:
    """The manifest ``--defer`` reads, in ``folder``: the published names, in the database this build
    connects to (the manifest was parsed with whatever database the environment named then: a test's or
    another deployment's would be a cross-database reference)."""
    state = {
        **manifest,
        "nodes": {uid: _in_database(node, database) for uid, node in manifest["nodes"].items()},
    }
    (folder / "manifest.json").write_text(json.dumps(state), encoding="utf-8")
    return folder


def _in_database(node: Mapping[str, Any], database: str) -> Mapping[str, Any]:
    if node.get("database") in (None, database):
        return node
    relation_name = node.get("relation_name") or ""
    old_prefix = f'"{node["database"]}".'
    if relation_name.startswith(old_prefix):
        relation_name = f'"{database}".' + relation_name.removeprefix(old_prefix)
    return {**node, "database": database, "relation_name": relation_name or node.get("relation_name")}


def relations(manifest: Mapping[str, Any]) -> dict[str, Relation]:
    """Every model and seed that makes a relation, by unique id, under its published name."""
    found = {}
    for unique_id, node in manifest["nodes"].items():
        materialized = node.get("config", {}).get("materialized")
        if node["resource_type"] in PUBLISHED_NODE_TYPES and materialized != "ephemeral":
            found[unique_id] = Relation(
                unique_id,
                node["schema"],
                node.get("alias") or node["name"],
                incremental=materialized == "incremental",
            )
    return found


def publishable(manifest: Mapping[str, Any], run_results: Mapping[str, Any]) -> list[str]:
    """The models and seeds of this run to publish, in dependency order: each built successfully, every
    test of it passed, and nothing it depends on in this run was held back. A failed test holds back the
    nodes it tests (a singular test: every node it reads that this run built) and all their descendants."""
    status = {result["unique_id"]: result["status"] for result in run_results["results"]}
    built = {uid for uid, state in status.items() if uid.split(".")[0] in PUBLISHED_NODE_TYPES}
    failed = set()
    for unique_id, state in status.items():
        if state in _SUCCEEDED:
            continue
        node = manifest["nodes"].get(unique_id) or manifest.get("unit_tests", {}).get(unique_id) or {}
        if unique_id in built:
            failed.add(unique_id)
        elif node.get("attached_node"):
            failed.add(node["attached_node"])
        else:
            failed.update(uid for uid in node.get("depends_on", {}).get("nodes", []) if uid in built)
    held_back = _descendants(manifest["child_map"], failed)
    return [uid for uid in _dependency_order(manifest["parent_map"], built) if uid not in held_back]


def _descendants(child_map: Mapping[str, Sequence[str]], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        unique_id = pending.pop()
        if unique_id not in seen:
            seen.add(unique_id)
            pending.extend(child_map.get(unique_id, []))
    return seen


def _dependency_order(parent_map: Mapping[str, Sequence[str]], nodes: set[str]) -> list[str]:
    ordered: list[str] = []
    placed: set[str] = set()

    def place(unique_id: str) -> None:
        if unique_id in placed:
            return
        placed.add(unique_id)
        for parent in parent_map.get(unique_id, []):
            if parent in nodes:
                place(parent)
        ordered.append(unique_id)

    for unique_id in sorted(nodes):
        place(unique_id)
    return ordered


class Publisher(ABC):
    """One engine's build schemas and publishing transaction."""

    def __init__(self, session: Session):
        self.session = session

    def prepare(self, schemas: Iterable[str], carried: Iterable[Relation]) -> None:
        """The published schemas, empty build schemas beside them (a killed build's leftovers go), and
        the carried incremental tables copied in from their published version."""
        for schema in sorted(set(schemas)):
            self.session.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            self.session.execute(f'DROP SCHEMA IF EXISTS "{schema}{BUILD_SCHEMA_SUFFIX}" CASCADE')
            self.session.execute(f'CREATE SCHEMA "{schema}{BUILD_SCHEMA_SUFFIX}"')
        for relation in carried:
            if self._kind(relation.schema, relation.name) == "table":
                self._copy_table(relation.schema, relation.build_schema, relation.name)

    def publish(self, ordered: Sequence[Relation], schemas: Iterable[str]) -> None:
        """Replace each published relation by its build, all in one transaction; a build schema left empty
        goes (one holding what was held back stays, for inspection)."""
        with self.session.transaction():
            self._publish(ordered)
            build_schemas = [schema + BUILD_SCHEMA_SUFFIX for schema in sorted(set(schemas))]
            holding = {schema for schema, _, _ in self.session.relations(build_schemas)}
            for schema in build_schemas:
                if schema not in holding:
                    self.session.execute(f'DROP SCHEMA IF EXISTS "{schema}"')

    @abstractmethod
    def _kind(self, schema: str, name: str) -> str | None: ...

    @abstractmethod
    def _copy_table(self, source_schema: str, target_schema: str, name: str) -> None: ...

    @abstractmethod
    def _publish(self, ordered: Sequence[Relation]) -> None: ...


class PostgresPublisher(Publisher):
    session: PostgresSession

    def _kind(self, schema: str, name: str) -> str | None:
        return _PG_KINDS.get(self._relkind(schema, name) or "")

    def _relkind(self, schema: str, name: str) -> str | None:
        return self.session.scalar(
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %(schema)s AND c.relname = %(name)s",
            {"schema": schema, "name": name},
        )

    def _copy_table(self, source_schema: str, target_schema: str, name: str) -> None:
        self.session.execute(
            f'CREATE TABLE "{target_schema}"."{name}" (LIKE "{source_schema}"."{name}" INCLUDING ALL)'
        )
        self.session.execute(
            f'INSERT INTO "{target_schema}"."{name}" SELECT * FROM "{source_schema}"."{name}"'
        )

    def _publish(self, ordered: Sequence[Relation]) -> None:
        # Qualified names in every saved view definition, whatever the role's search path.
        self.session.execute("SET LOCAL search_path = pg_catalog")
        replaced = [relation for relation in ordered if self._relkind(relation.schema, relation.name)]
        dependents = self._dependents_to_recreate(replaced)
        for relation in ordered:
            relkind = self._relkind(relation.build_schema, relation.name) or _missing(relation)
            # read again here, not taken from `replaced`: an earlier DROP … CASCADE may have taken it
            published = self._relkind(relation.schema, relation.name)
            grants = self._grants(relation.schema, relation.name) if published else []
            if published:
                self.session.execute(
                    f'DROP {_PG_KINDS[published].upper()} "{relation.schema}"."{relation.name}" CASCADE'
                )
            self.session.execute(
                f'ALTER {_PG_KINDS[relkind].upper()} "{relation.build_schema}"."{relation.name}" '
                f'SET SCHEMA "{relation.schema}"'
            )
            self._apply(grants)
        for dependent in dependents:
            self._apply(dependent)

    def _dependents_to_recreate(self, replaced: Sequence[Relation]) -> list[list[str]]:
        """Views and materialized views that read a replaced relation (at any depth), are not replaced
        themselves, and would go with it: each as the statements that make it again, deepest last."""
        if not replaced:
            return []
        names = [f'"{relation.schema}"."{relation.name}"' for relation in replaced]
        rows = self.session.fetch_dicts(
            """
            WITH RECURSIVE dependent(oid, depth) AS (
                SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid
                  AND d.refobjid = ANY(SELECT to_regclass(name)::oid FROM unnest(%(names)s::text[]) name)
                UNION
                SELECT r.ev_class, dependent.depth + 1 FROM dependent
                JOIN pg_depend d ON d.refobjid = dependent.oid AND d.classid = 'pg_rewrite'::regclass
                JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> d.refobjid
            )
            SELECT n.nspname AS schema, c.relname AS name, c.relkind, max(depth) AS depth,
                   pg_get_viewdef(c.oid) AS definition, c.reloptions
            FROM dependent JOIN pg_class c ON c.oid = dependent.oid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            GROUP BY n.nspname, c.relname, c.relkind, c.oid, c.reloptions ORDER BY depth, schema, name
            """,
            {"names": names},
        )
        kept = {(relation.schema, relation.name) for relation in replaced}
        return [self._recreate(row) for row in rows if (row["schema"], row["name"]) not in kept]

    def _recreate(self, row: Mapping[str, Any]) -> list[str]:
        schema, name = row["schema"], row["name"]
        options = f" WITH ({', '.join(row['reloptions'])})" if row["reloptions"] else ""
        kind = _PG_KINDS[row["relkind"]].upper()
        statements = [f'CREATE {kind} "{schema}"."{name}"{options} AS {row["definition"].rstrip(";")}']
        statements += [
            index
            for (index,) in self.session.fetchall(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = %(schema)s AND tablename = %(name)s",
                {"schema": schema, "name": name},
            )
        ]
        for column, comment in self.session.fetchall(
            "SELECT coalesce(a.attname, ''), d.description FROM pg_description d "
            "LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0 "
            "WHERE d.objoid = to_regclass(%(relation)s)::oid AND d.classoid = 'pg_class'::regclass",
            {"relation": f'"{schema}"."{name}"'},
        ):
            target = f'COLUMN "{schema}"."{name}"."{column}"' if column else f'{kind} "{schema}"."{name}"'
            statements.append(f"COMMENT ON {target} IS {_literal(comment)}")
        return statements + self._grants(schema, name)

    def _grants(self, schema: str, name: str) -> list[str]:
        """The GRANT statements that give the relation's privileges again (to a new relation of its name)."""
        return [
            f'GRANT {privilege} ON "{schema}"."{name}" TO {grantee}'
            for privilege, grantee in self.session.fetchall(
                "SELECT acl.privilege_type, CASE acl.grantee WHEN 0 THEN 'PUBLIC' "
                "ELSE quote_ident(pg_get_userbyid(acl.grantee)) END "
                "FROM pg_class c, aclexplode(c.relacl) acl WHERE c.oid = to_regclass(%(relation)s)::oid",
                {"relation": f'"{schema}"."{name}"'},
            )
        ]

    def _apply(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.session.execute(statement)


class DuckDBPublisher(Publisher):
    session: DuckDBSession

    def _kind(self, schema: str, name: str) -> str | None:
        return self.session.scalar(
            "SELECT CASE table_type WHEN 'BASE TABLE' THEN 'table' ELSE 'view' END "
            "FROM information_schema.tables WHERE table_schema = %(schema)s AND table_name = %(name)s",
            {"schema": schema, "name": name},
        )

    def _copy_table(self, source_schema: str, target_schema: str, name: str) -> None:
        (ddl,) = self.session.fetchall(
            "SELECT sql FROM duckdb_tables() WHERE schema_name = %(schema)s AND table_name = %(name)s",
            {"schema": source_schema, "name": name},
        )[0]
        self.session.execute(_rename_schema(ddl, source_schema, target_schema))
        self.session.execute(
            f'INSERT INTO "{target_schema}"."{name}" SELECT * FROM "{source_schema}"."{name}"'
        )
        for (index,) in self.session.fetchall(
            "SELECT sql FROM duckdb_indexes() WHERE schema_name = %(schema)s AND table_name = %(name)s",
            {"schema": source_schema, "name": name},
        ):
            self.session.execute(_rename_schema(index, source_schema, target_schema))
        self._copy_comments(source_schema, target_schema, name)

    def _publish(self, ordered: Sequence[Relation]) -> None:
        for relation in ordered:
            kind = self._kind(relation.build_schema, relation.name) or _missing(relation)
            published = self._kind(relation.schema, relation.name)
            if published:
                self.session.execute(f'DROP {published.upper()} "{relation.schema}"."{relation.name}"')
            if kind == "table":
                self._copy_table(relation.build_schema, relation.schema, relation.name)
            else:
                (definition,) = self.session.fetchall(
                    "SELECT sql FROM duckdb_views() WHERE schema_name = %(schema)s AND view_name = %(name)s",
                    {"schema": relation.build_schema, "name": relation.name},
                )[0]
                self.session.execute(_published_names(definition, {r.schema for r in ordered}))
                self._copy_comments(relation.build_schema, relation.schema, relation.name)
            self.session.execute(f'DROP {kind.upper()} "{relation.build_schema}"."{relation.name}"')

    def _copy_comments(self, source_schema: str, target_schema: str, name: str) -> None:
        kind = self._kind(target_schema, name)
        for column, comment in self.session.fetchall(
            "SELECT NULL, comment FROM duckdb_tables() WHERE schema_name = %(schema)s AND table_name = %(name)s "
            "AND comment IS NOT NULL UNION ALL "
            "SELECT NULL, comment FROM duckdb_views() WHERE schema_name = %(schema)s AND view_name = %(name)s "
            "AND comment IS NOT NULL UNION ALL "
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = %(schema)s "
            "AND table_name = %(name)s AND comment IS NOT NULL",
            {"schema": source_schema, "name": name},
        ):
            target = (
                f'COLUMN "{target_schema}"."{name}"."{column}"'
                if column
                else f'{kind.upper()} "{target_schema}"."{name}"'
            )
            self.session.execute(f"COMMENT ON {target} IS {_literal(comment)}")


class PublishError(RuntimeError):
    """The build does not hold what it reported built: nothing is published."""


def _missing(relation: Relation) -> NoReturn:
    raise PublishError(
        f'"{relation.build_schema}"."{relation.name}" is not in the build: nothing was published'
    )


def _rename_schema(sql: str, source_schema: str, target_schema: str) -> str:
    """The statement with the schema name ``source_schema`` (quoted or not) read as ``target_schema``."""
    return re.sub(rf'(?<![\w$])("?){re.escape(source_schema)}\1(?=\.)', rf"\g<1>{target_schema}\1", sql)


def _published_names(sql: str, schemas: Iterable[str]) -> str:
    """A view's statement from a build schema, every build schema it names read as the published one."""
    for schema in schemas:
        sql = _rename_schema(sql, schema + BUILD_SCHEMA_SUFFIX, schema)
    return sql


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def one_build_at_a_time(store: Warehouse) -> Iterator[None]:
    """Held for a whole build: two builds of one database would write the same build schemas. A DuckDB
    file admits one writing process, dbt's, so only PostgreSQL needs a lock of its own."""
    if store.dialect != "postgres":
        yield
        return
    with store.session() as session, session.advisory_lock(BUILD_LOCK_KEY):
        yield


def publisher(session: Session) -> Publisher:
    if isinstance(session, PostgresSession):
        return PostgresPublisher(session)
    return DuckDBPublisher(session)
