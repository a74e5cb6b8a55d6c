"""Write–audit–publish (greenlang/warehouse/publish.py): what a build may publish, and the publishing
transaction on both engines: the new relation replaces the published one with its grants and comments,
what read the old one still reads the new one, and a publish that fails changes nothing."""

from __future__ import annotations

import json

import psycopg
import pytest

from greenlang.core.warehouse import Warehouse
from greenlang.warehouse.publish import (
    PublishError,
    Relation,
    _published_names,
    build_args,
    publishable,
    publisher,
    relations,
    write_published_state,
)


def node(unique_id: str, depends_on: list[str] = (), **extra) -> dict:
    kind, _, name = unique_id.split(".")
    return {
        "resource_type": kind,
        "name": name,
        "schema": "marts",
        "config": {"materialized": extra.pop("materialized", "table")},
        "depends_on": {"nodes": list(depends_on)},
        **extra,
    }


def manifest(*nodes: tuple[str, dict]) -> dict:
    graph = dict(nodes)
    parents = {uid: props["depends_on"]["nodes"] for uid, props in graph.items()}
    children = {uid: [child for child, ps in parents.items() if uid in ps] for uid in graph}
    return {"nodes": graph, "parent_map": parents, "child_map": children}


# seed.g.country ← model.g.stg ← model.g.fct ← model.g.rpt ;  model.g.other (independent)
GRAPH = manifest(
    ("seed.g.country", node("seed.g.country")),
    ("model.g.stg", node("model.g.stg", ["seed.g.country"], materialized="view")),
    ("model.g.fct", node("model.g.fct", ["model.g.stg"], materialized="incremental")),
    ("model.g.rpt", node("model.g.rpt", ["model.g.fct"])),
    ("model.g.other", node("model.g.other")),
    ("model.g.eph", node("model.g.eph", materialized="ephemeral")),
    ("test.g.unique_fct_id", node("test.g.unique_fct_id", ["model.g.fct"], attached_node="model.g.fct")),
    ("test.g.assert_totals", node("test.g.assert_totals", ["model.g.stg", "model.g.other"])),
)
BUILT = ["seed.g.country", "model.g.stg", "model.g.fct", "model.g.rpt", "model.g.other"]


def results(**failed: str) -> dict:
    statuses = {uid: "success" for uid in BUILT} | {
        "test.g.unique_fct_id": "pass",
        "test.g.assert_totals": "pass",
    }
    return {
        "results": [
            {"unique_id": uid, "status": failed.get(uid.split(".")[-1], status)}
            for uid, status in statuses.items()
        ]
    }


def test_a_clean_build_publishes_everything_parents_first() -> None:
    order = publishable(GRAPH, results())
    assert sorted(order) == sorted(BUILT)
    assert (
        order.index("seed.g.country")
        < order.index("model.g.stg")
        < order.index("model.g.fct")
        < order.index("model.g.rpt")
    )


def test_a_failed_test_holds_back_the_model_it_tests_and_all_that_reads_it() -> None:
    assert set(publishable(GRAPH, results(unique_fct_id="fail"))) == {
        "seed.g.country",
        "model.g.stg",
        "model.g.other",
    }


def test_a_failed_singular_test_holds_back_every_model_it_reads() -> None:
    assert publishable(GRAPH, results(assert_totals="fail")) == ["seed.g.country"]


def test_a_warning_holds_nothing_back_and_an_error_holds_back_the_model() -> None:
    assert len(publishable(GRAPH, results(unique_fct_id="warn"))) == len(BUILT)
    assert "model.g.rpt" not in publishable(GRAPH, results(rpt="error"))
    assert "model.g.fct" in publishable(GRAPH, results(rpt="error"))


def test_a_build_that_left_no_results_publishes_nothing() -> None:
    assert publishable(GRAPH, {"results": []}) == []


def test_relations_are_the_models_and_seeds_that_make_one() -> None:
    found = relations(GRAPH)
    assert set(found) == set(BUILT)
    assert found["model.g.fct"] == Relation("model.g.fct", "marts", "fct", incremental=True)
    assert found["model.g.fct"].build_schema == "marts__build"


def test_build_args_defer_to_the_published_manifest(tmp_path) -> None:
    args = build_args("build", tmp_path)
    assert args[0] == "build" and "--defer" in args and "--favor-state" in args
    assert args[args.index("--state") + 1] == str(tmp_path)


def test_a_views_build_schemas_are_read_as_the_published_ones() -> None:
    sql = 'CREATE VIEW staging__build.stg_x AS SELECT * FROM "greenlang"."marts__build"."fct" JOIN marts.dim USING (id)'
    assert _published_names(sql, ["staging", "marts"]) == (
        'CREATE VIEW staging.stg_x AS SELECT * FROM "greenlang"."marts"."fct" JOIN marts.dim USING (id)'
    )
    # a name that only starts like a build schema is left alone
    assert (
        _published_names("SELECT x__build FROM my_marts__build.t", ["marts"])
        == "SELECT x__build FROM my_marts__build.t"
    )


FCT = Relation("model.g.fct", "marts", "fct")
REPORT = Relation("model.g.rpt", "reporting", "rpt")


def published_world(warehouse: Warehouse) -> None:
    """marts.fct (2 rows, commented), a view reporting.rpt on it, a view reporting.shares on that (not in
    any build); on PostgreSQL a reader role granted SELECT on both."""
    with warehouse.session() as session:
        writer = publisher(session)
        writer.prepare(["marts", "reporting"], [])
        session.execute("CREATE TABLE marts.fct (id INTEGER NOT NULL, tonnes DECIMAL(18, 6))")
        session.execute("INSERT INTO marts.fct VALUES (1, 1.5), (2, 2.5)")
        session.execute("COMMENT ON TABLE marts.fct IS 'old'")
        session.execute("CREATE VIEW reporting.rpt AS SELECT id, tonnes FROM marts.fct")
        session.execute("CREATE VIEW reporting.shares AS SELECT id, tonnes / 4 AS share FROM reporting.rpt")


def build_new_fct(warehouse: Warehouse, tonnes: str = "10") -> None:
    with warehouse.session() as session:
        session.execute("CREATE TABLE marts__build.fct (id INTEGER NOT NULL, tonnes DECIMAL(18, 6))")
        session.execute(f"INSERT INTO marts__build.fct VALUES (1, {tonnes}), (2, {tonnes}), (3, {tonnes})")
        session.execute("COMMENT ON TABLE marts__build.fct IS 'new'")
        session.execute("COMMENT ON COLUMN marts__build.fct.tonnes IS 'tonnes CO2e'")


def read(warehouse: Warehouse, sql: str) -> list[tuple]:
    with warehouse.session() as session:
        return session.fetchall(sql)


def test_publishing_replaces_the_relation_and_what_reads_it_reads_the_new_one(warehouse: Warehouse) -> None:
    published_world(warehouse)
    build_new_fct(warehouse)
    with warehouse.session() as session:
        publisher(session).publish([FCT], ["marts", "reporting"])
    assert read(warehouse, "SELECT count(*), sum(tonnes) FROM marts.fct") == [(3, 30)]
    # the views that were not rebuilt read the new table (PostgreSQL: recreated in the same transaction)
    assert read(warehouse, "SELECT count(*), sum(share) FROM reporting.shares") == [(3, 7.5)]
    with warehouse.session() as session:
        comments = (
            session.fetchall(
                "SELECT obj_description('marts.fct'::regclass), col_description('marts.fct'::regclass, 2)"
            )
            if warehouse.dialect == "postgres"
            else session.fetchall(
                "SELECT t.comment, c.comment FROM duckdb_tables() t JOIN duckdb_columns() c USING (schema_name, table_name) "
                "WHERE schema_name = 'marts' AND table_name = 'fct' AND column_name = 'tonnes'"
            )
        )
        assert comments == [("new", "tonnes CO2e")]
        # an empty build schema goes
        assert session.relations(["marts__build", "reporting__build"]) == []
        assert not session.scalar(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'marts__build'"
        )


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_publishing_keeps_the_grants_of_what_it_replaces_and_recreates(warehouse: Warehouse) -> None:
    role = f"greenlang_publish_reader_{warehouse.settings.postgres.database[-8:]}"
    published_world(warehouse)
    with warehouse.session() as session:
        session.execute(f'DROP ROLE IF EXISTS "{role}"')
        session.execute(f'CREATE ROLE "{role}" NOLOGIN')
        try:
            for relation in ("marts.fct", "reporting.shares"):
                session.execute(f'GRANT SELECT ON {relation} TO "{role}"')
            build_new_fct(warehouse)
            publisher(session).publish([FCT], ["marts", "reporting"])
            granted = session.fetchall(
                "SELECT has_table_privilege(%(role)s, 'marts.fct', 'SELECT'), "
                "has_table_privilege(%(role)s, 'reporting.shares', 'SELECT'), "
                "has_table_privilege(%(role)s, 'reporting.rpt', 'SELECT')",
                {"role": role},
            )
            assert granted == [(True, True, False)]
        finally:
            session.execute(f'DROP OWNED BY "{role}"')
            session.execute(f'DROP ROLE "{role}"')


def test_a_publish_that_fails_half_way_changes_nothing(warehouse: Warehouse) -> None:
    published_world(warehouse)
    build_new_fct(warehouse)
    before = read(warehouse, "SELECT id, tonnes FROM marts.fct ORDER BY id")
    # fct is published first, then rpt is not in the build
    with warehouse.session() as session, pytest.raises(PublishError, match="reporting__build"):
        publisher(session).publish([FCT, REPORT], ["marts", "reporting"])
    assert read(warehouse, "SELECT id, tonnes FROM marts.fct ORDER BY id") == before
    assert read(warehouse, "SELECT count(*) FROM marts__build.fct") == [(3,)]
    assert read(warehouse, "SELECT count(*), sum(share) FROM reporting.shares") == [(2, 1)]


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_a_kept_view_that_no_longer_binds_fails_the_whole_publish(warehouse: Warehouse) -> None:
    published_world(warehouse)
    with warehouse.session() as session:
        # the new fct lost the column reporting.rpt (not rebuilt) reads
        session.execute("CREATE TABLE marts__build.fct (id INTEGER NOT NULL)")
        session.execute("INSERT INTO marts__build.fct VALUES (7)")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            publisher(session).publish([FCT], ["marts", "reporting"])
    assert read(warehouse, "SELECT count(*), sum(share) FROM reporting.shares") == [(2, 1)]


def test_a_selected_incremental_model_starts_from_its_published_rows(warehouse: Warehouse) -> None:
    published_world(warehouse)
    with warehouse.session() as session:
        publisher(session).prepare(["marts", "reporting"], [FCT])
        assert session.fetchall("SELECT id, tonnes FROM marts__build.fct ORDER BY id") == session.fetchall(
            "SELECT id, tonnes FROM marts.fct ORDER BY id"
        )
        # a leftover of a killed build is gone, and what was not carried is not there
        assert session.relations(["reporting__build"]) == []


def test_the_deferred_state_names_the_database_the_build_connects_to(tmp_path) -> None:
    parsed = {
        "nodes": {
            "model.g.stg": {
                "database": "greenlang",
                "schema": "staging",
                "relation_name": '"greenlang"."staging"."stg"',
            },
            "test.g.t": {"database": "greenlang", "schema": "staging", "relation_name": None},
        },
        "metadata": {"dbt_version": "1.11"},
    }
    state = write_published_state(parsed, "greenlang_test_1234", tmp_path)
    written = json.loads((state / "manifest.json").read_text())
    assert written["nodes"]["model.g.stg"] == {
        "database": "greenlang_test_1234",
        "schema": "staging",
        "relation_name": '"greenlang_test_1234"."staging"."stg"',
    }
    assert written["nodes"]["test.g.t"]["database"] == "greenlang_test_1234"
    assert written["metadata"] == parsed["metadata"]
