"""The dbt project parses for every target, Snowflake included, without a connection."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import dbt
from tests.helpers.warehouses import make_settings


@pytest.mark.parametrize("target", ["duckdb", "postgres", "snowflake"])
def test_dbt_parses_offline_for_every_target(target: str, dbt_parse_root: Path) -> None:
    # the session's one full parse of the target (--no-partial-parse, no connection details in the
    # environment but the DuckDB file name); the DuckDB runs of the other tests start from it
    manifest = dbt.parsed_manifest(target)
    assert manifest["metadata"]["adapter_type"] == target
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert models["rpt_cbam_emissions_by_period"]["config"]["materialized"] == "materialized_view"
    assert models["fct_cbam_imports"]["config"]["materialized"] == "incremental"
    assert models["fct_cbam_imports"]["config"]["contract"]["enforced"] is True


def test_readers_get_every_mart_and_every_report_through_its_view(dbt_parse_root: Path) -> None:
    """docs/design.md, "Readers and tenants": each mart is granted to readers by its own post-hook (row-level
    security on Postgres); a report (a materialized view, which cannot carry policies) is not, and readers
    read it through a view of the same name that filters by tenant."""
    models = [
        node for node in dbt.parsed_manifest("postgres")["nodes"].values() if node["resource_type"] == "model"
    ]
    for node in models:
        assert any("grant_to_readers()" in hook["sql"] for hook in node["config"]["post-hook"]), node["name"]
    granted = {node["name"] for node in models if node["config"]["meta"].get("readers")}
    marts = {node["name"] for node in models if node["fqn"][1] == "marts"}
    reports = {node["name"] for node in models if node["config"]["materialized"] == "materialized_view"}
    views = {node["name"]: node for node in models if node["name"] in granted - marts}
    assert marts <= granted and not reports & granted
    # one view per report, under the report's name, reading the report and filtering by tenant
    assert sorted(view["alias"] for view in views.values()) == sorted(reports)
    for view in views.values():
        assert view["config"]["materialized"] == "view"
        assert view["depends_on"]["nodes"] == [f"model.greenlang.{view['alias']}"]
        assert "reader_row_filter(" in view["raw_code"]


def test_dbt_on_duckdb_runs_within_the_configured_memory_limit(tmp_path: Path, dbt_parse_root: Path) -> None:
    """The limit dbt's DuckDB spills beyond comes from the settings (GREENLANG_DBT_DUCKDB_MEMORY_LIMIT), as
    the connection dbt opens reports it."""
    settings = replace(make_settings("duckdb", tmp_path), dbt_duckdb_memory_limit="700MB")
    shown = dbt.run_dbt(
        settings,
        "show",
        "--inline",
        "select current_setting('memory_limit') as memory_limit",
        "--output",
        "json",
    )
    assert '"memory_limit": "667.5 MiB"' in shown  # 700 MB = 700 * 10^6 bytes
