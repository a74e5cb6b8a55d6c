"""The ingestion assets as a Dagster user runs them: landing files, configured files, and files that fail
only themselves (recorded, quarantined, reported by a WARN check) while the rest of the build goes on."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from greenlang.cbam.sources import CBAM_DEFAULT_VALUES, CBAM_SHIPMENTS
from greenlang.core import loader
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ghg.sources import NET_REVENUE
from greenlang.ingest.assets import NO_FAILED_DELIVERIES, build_ingestion_asset, raw_asset_key
from tests.helpers.warehouses import make_settings

DEFAULT_VALUES = "cbam/cbam_default_values_definitive_IR2025-2621_v20260204.csv"
HEADER = "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,customs_procedure"


def _materialize(settings, spec, run_config=None) -> dg.ExecuteInProcessResult:
    asset = build_ingestion_asset(spec, settings.landing_dir, settings.tenants)
    return dg.materialize(
        [asset],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        run_config=run_config,
        raise_on_error=False,
    )


def _metadata(result: dg.ExecuteInProcessResult, spec) -> dict:
    (event,) = result.asset_materializations_for_node(raw_asset_key(spec).to_python_identifier())
    return {key: value.value for key, value in event.metadata.items()}


def test_the_published_default_values_load_from_a_configured_path(tmp_path: Path, shared_data: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    config = {"files": [str(shared_data / DEFAULT_VALUES)], "tenant_id": "global"}
    result = _materialize(
        settings, CBAM_DEFAULT_VALUES, {"ops": {"raw__cbam__default_values": {"config": config}}}
    )

    assert result.success
    metadata = _metadata(result, CBAM_DEFAULT_VALUES)
    assert (metadata["files_loaded"], metadata["rows_loaded"], metadata["rows_rejected"]) == (1, 12_532, 0)


def test_landing_files_load_per_tenant_and_a_second_run_skips_them(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    for tenant in ("acme", "nordic"):
        folder = settings.landing_dir / tenant / CBAM_SHIPMENTS.name
        folder.mkdir(parents=True)
        (folder / "a.csv").write_text(f"{HEADER}\nDE1,X{tenant},1,2026-03-02,72081000,CN,1.5,40\n")

    first = _metadata(_materialize(settings, CBAM_SHIPMENTS), CBAM_SHIPMENTS)
    second = _metadata(_materialize(settings, CBAM_SHIPMENTS), CBAM_SHIPMENTS)

    assert (first["files_loaded"], first["rows_loaded"]) == (2, 2)
    assert (second["files_loaded"], second["files_skipped_already_loaded"], second["rows_loaded"]) == (
        0,
        2,
        0,
    )
    with Warehouse(settings).session() as session:
        tenants = session.fetchall("SELECT tenant_id FROM raw.customs__cbam_shipments ORDER BY 1")
    assert tenants == [("acme",), ("nordic",)]


def _downstream_of(*specs) -> dg.AssetsDefinition:
    """A model downstream of raw assets, as dbt's staging is in the daily build."""

    @dg.asset(key="downstream_model", deps=[raw_asset_key(spec) for spec in specs])
    def _model() -> None:
        return None

    return _model


def _build_with_one_bad_file(
    tmp_path: Path, broken: bytes | None
) -> tuple[dg.ExecuteInProcessResult, object]:
    """A daily-build-like run (two raw assets and a model downstream) in which tenant nordic's shipments
    file is ``broken`` (``None``: a valid file whose reader fails unexpectedly)."""
    settings = make_settings("duckdb", tmp_path)
    shipments = settings.landing_dir / "acme" / CBAM_SHIPMENTS.name
    nordic = settings.landing_dir / "nordic" / CBAM_SHIPMENTS.name
    revenue = settings.landing_dir / "acme" / NET_REVENUE.name
    for folder in (shipments, nordic, revenue):
        folder.mkdir(parents=True)
    (shipments / "good.csv").write_text(f"{HEADER}\nDE1,X1,1,2026-03-02,72081000,CN,1.5,40\n")
    (revenue / "revenue.csv").write_text("fiscal_year,net_revenue,currency\n2025,1000000,EUR\n")
    (nordic / "bad.csv").write_bytes(broken if broken is not None else f"{HEADER}\n".encode())
    result = dg.materialize(
        [
            build_ingestion_asset(CBAM_SHIPMENTS, settings.landing_dir, settings.tenants),
            build_ingestion_asset(NET_REVENUE, settings.landing_dir, settings.tenants),
            _downstream_of(CBAM_SHIPMENTS, NET_REVENUE),
        ],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )
    return result, settings


def _failed_deliveries_check(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.asset_key == raw_asset_key(CBAM_SHIPMENTS)
        and evaluation.check_name == NO_FAILED_DELIVERIES
    ]
    return evaluation


def _assert_only_the_bad_file_failed(result: dg.ExecuteInProcessResult, settings) -> list[dict]:
    assert result.success
    assert result.asset_materializations_for_node("downstream_model")
    metadata = _metadata(result, CBAM_SHIPMENTS)
    assert (metadata["files_loaded"], metadata["files_failed"], metadata["rows_loaded"]) == (1, 1, 1)
    assert _metadata(result, NET_REVENUE)["rows_loaded"] == 1
    check = _failed_deliveries_check(result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    (failed,) = check.metadata["failed_files"].value
    assert failed["file"] == "nordic/bad.csv"
    (revenue_check,) = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.asset_key == raw_asset_key(NET_REVENUE)
    ]
    assert revenue_check.passed
    with Warehouse(settings).session() as session:
        batches = session.fetch_dicts(
            "SELECT tenant_id, status, error FROM raw.load_batch WHERE source = 'customs__cbam_shipments' "
            "ORDER BY tenant_id"
        )
        tenants = session.fetchall("SELECT tenant_id FROM raw.customs__cbam_shipments")
    assert [(batch["tenant_id"], batch["status"]) for batch in batches] == [
        ("acme", "succeeded"),
        ("nordic", "failed"),
    ]
    assert tenants == [("acme",)]
    return [failed, batches[1]]


def test_an_empty_file_fails_only_itself_and_the_build_goes_on(tmp_path: Path) -> None:
    result, settings = _build_with_one_bad_file(tmp_path, b"")

    failed, batch = _assert_only_the_bad_file_failed(result, settings)
    assert failed["quarantined"] and "bad.csv" in batch["error"]


def test_an_unexpected_exception_fails_only_its_file_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = loader.open_source

    def fail_for_nordic(path, **options):
        if "nordic" in str(path):
            raise RuntimeError("SECRET-CELL-VALUE")
        return read(path, **options)

    monkeypatch.setattr(loader, "open_source", fail_for_nordic)
    result, settings = _build_with_one_bad_file(tmp_path, None)

    failed, batch = _assert_only_the_bad_file_failed(result, settings)
    assert batch["error"] == "unexpected RuntimeError while loading bad.csv (traceback in the run log)"
    # not quarantined: a fault of the machine or the code, the next run reads the file again
    assert not failed["quarantined"] and "SECRET" not in failed["reason"]


def test_a_quarantined_file_is_not_read_again_until_it_changes(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    folder = settings.landing_dir / "acme" / CBAM_SHIPMENTS.name
    folder.mkdir(parents=True)
    broken = folder / "broken.json"
    broken.write_text('[{"declarant_eori": "DE1", ')

    first, second = (_materialize(settings, CBAM_SHIPMENTS) for _ in range(2))
    retried = _materialize(
        settings,
        CBAM_SHIPMENTS,
        {"ops": {"raw__customs__cbam_shipments": {"config": {"retry_quarantined": True}}}},
    )
    valid = ["DE1", "X1", "1", "2026-03-02", "72081000", "CN", "1.5", "40"]
    broken.write_text(json.dumps([dict(zip(HEADER.split(","), valid, strict=True))]))
    changed = _materialize(settings, CBAM_SHIPMENTS)

    assert all(result.success for result in (first, second, retried, changed))
    assert [_failed_deliveries_check(result).passed for result in (first, second, retried, changed)] == [
        False,
        False,
        False,
        True,
    ]
    (quarantined,) = _failed_deliveries_check(second).metadata["failed_files"].value
    assert quarantined["quarantined"] and "broken.json" in quarantined["reason"]
    with Warehouse(settings).session() as session:
        statuses = session.fetchall("SELECT status FROM raw.load_batch ORDER BY finished_at")
    # the second run added no batch; the retry and the changed file did
    assert statuses == [("failed",), ("failed",), ("succeeded",)]
