"""The committed generated files (JSON Schemas, the dbt raw sources) are exactly what the contracts and
source declarations generate: CI fails on drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from greenlang.catalog import CONTRACTS, RAW_SOURCES
from greenlang.codegen import DBT_SOURCES_FILE, SCHEMA_DIR, expected_files, main, schema_filename
from greenlang.core.validation import field_rules
from greenlang.settings import PROJECT_ROOT


def test_check_passes_on_the_committed_files() -> None:
    assert main(["--check"]) == 0


def test_check_lists_drifted_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path)]) == 0
    schemas = tmp_path / "greenlang" / "schemas"
    edited = schemas / "CBAMGood.v1.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("CN heading", "CN code"), encoding="utf-8")
    (schemas / "CBAMShipment.v1.json").unlink()
    sources = tmp_path / DBT_SOURCES_FILE.relative_to(PROJECT_ROOT)
    sources.write_text(sources.read_text(encoding="utf-8").replace("- name: cn_code", "- name: cn"))

    assert main(["--check", "--root", str(tmp_path)]) == 1
    reported = capsys.readouterr().err
    assert "CBAMGood.v1.json" in reported and "CBAMShipment.v1.json" in reported
    assert "_raw__sources.yml" in reported
    assert "CBAMDefaultValue.v1.json" not in reported


def test_schema_file_per_major_version_with_id_and_version() -> None:
    for contract in CONTRACTS.values():
        schema = json.loads((SCHEMA_DIR / schema_filename(contract)).read_text(encoding="utf-8"))
        assert (
            schema_filename(contract)
            == f"{contract.contract_name}.v{contract.contract_version.split('.')[0]}.json"
        )
        assert schema["x-contract-version"] == contract.contract_version
        assert schema["$id"].endswith(f"/{contract.contract_name}/{contract.contract_version}.json")
        # Properties are named by the fields, not by the published headers the contracts also accept.
        assert list(schema["properties"]) == sorted(contract.model_fields)


def test_every_raw_table_is_a_dbt_source_with_the_contracts_columns() -> None:
    tables = {
        table["name"]: table
        for table in yaml.safe_load(DBT_SOURCES_FILE.read_text(encoding="utf-8"))["sources"][0]["tables"]
    }
    assert set(tables) == {spec.name for spec in RAW_SOURCES} | {"load_batch", "dead_letter", "erp_sync"}
    for spec in RAW_SOURCES:
        columns = [column["name"] for column in tables[spec.name]["columns"]]
        assert columns[1:-5] == [rule.name for rule in field_rules(spec.contract)], spec.name
        assert columns[0] == "tenant_id" and columns[-5:][0] == "_batch_id"
        assert tables[spec.name]["config"]["meta"]["dagster"]["asset_key"] == ["raw", spec.name]


def test_a_new_contract_field_changes_the_generated_sources() -> None:
    """Drift is a function of the contracts: a field added to one shows up in the rendered YAML."""
    before = expected_files()
    spec = RAW_SOURCES[0]
    extended = type(
        spec.contract.__name__,
        (spec.contract,),
        {"__annotations__": {"extra_note": str | None}, "extra_note": None},
    )
    after = expected_files(
        CONTRACTS.values(), [type(spec)(**{**spec.__dict__, "contract": extended}), *RAW_SOURCES[1:]]
    )
    rendered = after[DBT_SOURCES_FILE.relative_to(PROJECT_ROOT)]
    assert rendered != before[DBT_SOURCES_FILE.relative_to(PROJECT_ROOT)]
    assert "name: extra_note" in rendered
