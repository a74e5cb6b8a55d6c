"""The committed JSON Schemas are exactly what the contracts generate (CI fails on drift)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import CONTRACTS
from contracts.export_schemas import SCHEMA_DIR, expected_files, main, schema_filename


def test_committed_schemas_equal_the_generated_ones() -> None:
    for name, text in expected_files(CONTRACTS.values()).items():
        path = SCHEMA_DIR / name
        assert path.is_file(), f"{path} missing: run python -m contracts.export_schemas"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} drifted: run python -m contracts.export_schemas"
        )


def test_check_passes_on_the_committed_schemas() -> None:
    assert main(["--check"]) == 0


def test_check_lists_drifted_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--schema-dir", str(tmp_path)]) == 0
    edited = tmp_path / "CBAMGood.v1.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("CN heading", "CN code"), encoding="utf-8")
    (tmp_path / "CBAMShipment.v1.json").unlink()

    assert main(["--check", "--schema-dir", str(tmp_path)]) == 1
    reported = capsys.readouterr().err
    assert "CBAMGood.v1.json" in reported and "CBAMShipment.v1.json" in reported
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
