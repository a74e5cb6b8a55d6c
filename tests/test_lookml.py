"""The generated Looker layer (greenlang/looker/lookml.py): committed under looker/ exactly as the dbt project
generates it, every file parsed by lkml, every explore joined many_to_one to views with a primary key and
filtered by tenant. That every field's SQL runs is proven on a PostgreSQL build (tests/test_end_to_end.py,
TestOnPostgres)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lkml
import pytest

from greenlang.looker.lookml import (
    LOOKER_DIR,
    TENANT_ATTRIBUTE,
    TENANT_COLUMN,
    LookmlError,
    ViewSource,
    field_type,
    group_name,
    render,
    stale_files,
    view,
)
from tests.helpers import dbt

READABLE_SCHEMAS = ("marts", "reporting_readers")


def test_the_committed_lookml_is_what_the_dbt_project_generates(dbt_parse_root: Path) -> None:
    files = render(dbt.parsed_manifest("postgres"))
    assert stale_files(files) == [], "looker/ drifted from the dbt project: run make lookml"


def parsed_lookml() -> dict[str, dict[str, Any]]:
    return {
        str(path.relative_to(LOOKER_DIR)): lkml.load(path.read_text(encoding="utf-8"))
        for path in sorted(LOOKER_DIR.rglob("*.lkml"))
    }


def test_every_file_parses_and_every_explore_is_guarded() -> None:
    parsed = parsed_lookml()
    views = {view["name"]: view for document in parsed.values() for view in document.get("views", [])}
    explores = [explore for document in parsed.values() for explore in document.get("explores", [])]
    assert len(views) == len(parsed) - 1 and explores
    for name, view_ in views.items():
        # what readers may select: the marts (row-level security) and the reports' security-barrier views
        assert view_["sql_table_name"].split(".")[0] in READABLE_SCHEMAS, name
    for explore in explores:
        base = views[explore["name"]]
        if any(dimension["name"] == TENANT_COLUMN for dimension in base["dimensions"]):
            assert explore["access_filters"] == [
                {"field": f"{explore['name']}.{TENANT_COLUMN}", "user_attribute": TENANT_ATTRIBUTE}
            ]
        for join in explore.get("joins", []):
            assert join["relationship"] == "many_to_one", join
            joined = views[join.get("from", join["name"])]
            # symmetric aggregates need the primary key of every joined view
            assert [d["name"] for d in joined["dimensions"] if d.get("primary_key") == "yes"], joined["name"]
    measures = sum(len(view_.get("measures", [])) for view_ in views.values())
    fields = sum(len(v["dimensions"]) + len(v.get("dimension_groups", [])) for v in views.values())
    joins = sum(len(explore.get("joins", [])) for explore in explores)
    print(
        f"LookML: {len(views)} views, {len(explores)} explores ({joins} joins), {fields} dimensions, {measures} measures"
    )


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [
        ("text", "string"),
        ("bigint", "number"),
        ("decimal(38,12)", "number"),
        ("boolean", "yesno"),
        ("date", "date"),
        ("timestamp", "timestamp"),
    ],
)
def test_a_column_type_is_a_looker_type(data_type: str, expected: str) -> None:
    assert field_type(data_type) == expected


def test_an_unknown_column_type_is_refused() -> None:
    with pytest.raises(LookmlError):
        field_type("geometry")


def test_a_date_group_drops_its_suffix_unless_the_name_is_taken() -> None:
    assert group_name("import_date", {"import_date"}) == "import"
    assert group_name("changed_at", {"changed_at"}) == "changed"
    assert group_name("fx_rate_month", {"fx_rate_month"}) == "fx_rate_month"
    assert group_name("order_date", {"order_date", "order"}) == "order_date"


def model(measures: list[dict], columns: dict[str, str]) -> ViewSource:
    return ViewSource(
        "fct_x",
        "marts.fct_x",
        {
            "name": "fct_x",
            "unique_id": "model.greenlang.fct_x",
            "description": "",
            "primary_key": ["x_key"],
            "config": {"meta": {"looker": {"measures": measures}}},
            "columns": {
                name: {"name": name, "data_type": kind, "description": ""} for name, kind in columns.items()
            },
        },
    )


def test_measures_come_from_meta_with_a_weighted_share() -> None:
    source = model(
        [
            {"name": "lines", "type": "count", "description": "Lines."},
            {"name": "total_mass", "type": "sum", "column": "mass", "description": "Mass."},
            {
                "name": "total_on_defaults",
                "type": "sum",
                "column": "mass_on_defaults",
                "description": "On defaults.",
            },
            {
                "name": "share",
                "type": "ratio",
                "numerator": "total_on_defaults",
                "denominator": "total_mass",
                "description": "Share.",
            },
        ],
        {"x_key": "text", "mass": "decimal(38,12)", "mass_on_defaults": "decimal(38,12)", "day": "date"},
    )
    lookml = view(source)
    assert [d["name"] for d in lookml["dimensions"] if d.get("primary_key")] == ["x_key"]
    assert lookml["dimension_groups"][0]["datatype"] == "date"
    assert {m["name"]: m["type"] for m in lookml["measures"]} == {
        "lines": "count",
        "total_mass": "sum",
        "total_on_defaults": "sum",
        "share": "number",
    }
    assert lookml["measures"][3]["sql"] == "1.0 * ${total_on_defaults} / nullif(${total_mass}, 0)"


@pytest.mark.parametrize(
    "measure",
    [
        {"name": "mass", "type": "sum", "column": "mass", "description": "named like a column"},
        {"name": "total", "type": "sum", "column": "weight", "description": "no such column"},
        {"name": "total", "type": "median", "column": "mass", "description": "no such type"},
        {"name": "total", "type": "sum", "column": "mass"},
        {
            "name": "share",
            "type": "ratio",
            "numerator": "a",
            "denominator": "b",
            "description": "no such measures",
        },
    ],
)
def test_a_bad_measure_is_refused(measure: dict) -> None:
    with pytest.raises(LookmlError):
        view(model([measure], {"x_key": "text", "mass": "decimal(38,12)"}))
