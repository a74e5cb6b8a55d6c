"""The summary of `make demo`: where the warehouse and the exports are, and why a relation is empty."""

from __future__ import annotations

import dagster as dg

from demo.summary import (
    Delivery,
    Relation,
    explain_empty,
    exports_line,
    relation_parents,
    schema_overview,
    where_empty_starts,
    where_line,
    why_empty,
)
from greenlang.esrs.export import EXPORT_KEY
from greenlang.settings import load_settings


def node(unique_id: str, schema: str, parents: list[str], resource_type: str = "model") -> tuple[str, dict]:
    name = unique_id.rsplit(".", 1)[1]
    # as in dbt's manifest: a seed depends on no node, and its depends_on has no "nodes" at all
    depends_on = {"macros": [], **({"nodes": parents} if resource_type != "seed" else {})}
    return unique_id, {
        "resource_type": resource_type,
        "schema": schema,
        "name": name,
        "alias": name,
        "depends_on": depends_on,
    }


def test_the_lineage_of_relations_comes_from_the_dbt_manifest() -> None:
    manifest = {
        "sources": {
            "source.p.raw.sap__items": {"schema": "raw", "name": "sap__items", "identifier": "sap__items"}
        },
        "nodes": dict(
            [
                node("model.p.stg_sap__items", "staging", ["source.p.raw.sap__items"]),
                node("seed.p.fx_rates", "reference", [], "seed"),
                node("model.p.fct_lines", "marts", ["model.p.stg_sap__items", "seed.p.fx_rates"]),
                node("test.p.unique_fct_lines_key", "marts", ["model.p.fct_lines"], "test"),
            ]
        ),
    }
    assert relation_parents(manifest) == {
        "staging.stg_sap__items": {"raw.sap__items"},
        "reference.fx_rates": set(),
        "marts.fct_lines": {"staging.stg_sap__items", "reference.fx_rates"},
    }


PARENTS = {
    "staging.stg_stock": {"raw.sap__stock"},
    "intermediate.int_stock": {"staging.stg_stock"},
    "marts.fct_stock_value": {"intermediate.int_stock", "reference.fx_rates"},
    "marts.fct_deleted_orders": {"raw.sap__orders"},
}


def test_emptiness_is_traced_to_where_it_starts() -> None:
    rows = {
        "raw.sap__stock": 0,
        "raw.sap__orders": 120,
        "reference.fx_rates": 30,
        "staging.stg_stock": 0,
        "intermediate.int_stock": 0,
        "marts.fct_stock_value": 0,
        "marts.fct_deleted_orders": 0,
    }
    assert where_empty_starts(rows, PARENTS) == {
        "raw.sap__stock": ["staging.stg_stock", "intermediate.int_stock", "marts.fct_stock_value"],
        "marts.fct_deleted_orders": [],
    }
    assert where_empty_starts(
        {**rows, "raw.sap__stock": 7, "staging.stg_stock": 7, "intermediate.int_stock": 7}, PARENTS
    ) == {
        "marts.fct_stock_value": [],
        "marts.fct_deleted_orders": [],
    }


def test_an_empty_relation_says_why() -> None:
    deliveries = {
        "sap__orders": Delivery(loads=3, rows_read=0),
        "cbam__goods": Delivery(loads=1, rows_read=40),
    }
    assert (
        why_empty("raw.sap__stock", deliveries)
        == "nothing was delivered: the demo generates no data for this source"
    )
    assert why_empty("raw.sap__orders", deliveries) == "its 3 load(s) held no rows"
    assert (
        why_empty("raw.cbam__goods", deliveries)
        == "its 1 load(s) read 40 rows, all rejected (raw.dead_letter)"
    )
    assert why_empty("raw.dead_letter", deliveries) == "no record was rejected"
    assert why_empty("reference.fx_rates", deliveries) == "the seed file has no rows"
    assert why_empty("marts.fct_deleted_orders", deliveries).startswith("its inputs have rows")


def test_the_empty_relations_are_listed_under_their_cause() -> None:
    relations = [
        Relation("raw", "sap__stock", "table", 0),
        Relation("staging", "stg_stock", "view", 0),
        Relation("marts", "fct_deleted_orders", "table", 0),
        Relation("raw", "sap__orders", "table", 120),
    ]
    assert explain_empty(relations, PARENTS, {}) == (
        "\nEmpty relations, and why:\n"
        "  raw.sap__stock: nothing was delivered: the demo generates no data for this source\n"
        "    so also empty: staging.stg_stock\n"
        "  marts.fct_deleted_orders: its inputs have rows, but none meets its conditions in the demo data"
    )
    assert explain_empty(relations[3:], PARENTS, {}) == "\nNo relation is empty."


def test_each_schema_not_listed_in_full_is_one_line() -> None:
    relations = [
        Relation("raw", "a", "table", 1200),
        Relation("raw", "b", "table", 0),
        Relation("marts", "fct_x", "table", 5),
    ]
    overview = schema_overview(relations)
    assert "  raw             2 relations        1,200 rows  (1 empty)" in overview
    assert "marts" not in overview


def test_the_warehouse_is_named_without_its_password() -> None:
    duckdb = load_settings({"GREENLANG_DUCKDB_PATH": "/data/w.duckdb"})
    assert where_line(duckdb).endswith("DuckDB file /data/w.duckdb")
    postgres = load_settings({"GREENLANG_TARGET": "postgres", "GREENLANG_PG_PASSWORD": "s3cret"})
    assert where_line(postgres).endswith("PostgreSQL postgresql://root@127.0.0.1:5432/greenlang")


def test_the_exports_are_where_the_export_asset_says_it_wrote_them() -> None:
    @dg.asset(key=EXPORT_KEY)
    def export() -> dg.MaterializeResult:
        return dg.MaterializeResult(
            metadata={"export_dir": dg.MetadataValue.path("/data/exports"), "documents": 4}
        )

    @dg.asset
    def other() -> None:
        return None

    assert exports_line([dg.materialize([export])]).startswith("ESRS E1 exports: /data/exports  (4 documents")
    assert "not written" in exports_line([dg.materialize([other])])
