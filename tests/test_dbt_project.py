"""The dbt project parses for every target, Snowflake included, without a connection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from greenlang.settings import DBT_PROJECT_DIR, TELEMETRY_OFF


@pytest.mark.parametrize("target", ["duckdb", "postgres", "snowflake"])
def test_dbt_parses_offline_for_every_target(target: str, tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "parse",
            "--target",
            target,
            "--target-path",
            str(tmp_path),
            "--no-partial-parse",
        ],
        cwd=DBT_PROJECT_DIR,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **TELEMETRY_OFF},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == target
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert models["rpt_cbam_emissions_by_period"]["config"]["materialized"] == "materialized_view"
    assert models["fct_cbam_imports"]["config"]["materialized"] == "incremental"
    assert models["fct_cbam_imports"]["config"]["contract"]["enforced"] is True
