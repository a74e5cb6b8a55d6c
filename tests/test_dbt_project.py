"""The dbt project parses for every target, Snowflake included, without a connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import dbt


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
