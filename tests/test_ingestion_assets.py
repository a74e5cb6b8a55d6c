"""The ingestion assets as a Dagster user runs them: landing files, configured files, unreadable files."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from greenlang.cbam.sources import CBAM_DEFAULT_VALUES, CBAM_SHIPMENTS
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
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


def test_an_unreadable_file_fails_the_run_after_the_others_are_loaded(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    folder = settings.landing_dir / "acme" / CBAM_SHIPMENTS.name
    folder.mkdir(parents=True)
    (folder / "good.csv").write_text(f"{HEADER}\nDE1,X1,1,2026-03-02,72081000,CN,1.5,40\n")
    (folder / "broken.json").write_text('[{"declarant_eori": "DE1", ')

    result = _materialize(settings, CBAM_SHIPMENTS)

    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "1 file(s) could not be loaded" in failure.step_failure_data.error.message
    with Warehouse(settings).session() as session:
        statuses = dict(session.fetchall("SELECT source_uri, status FROM raw.load_batch"))
        loaded = session.scalar("SELECT count(*) FROM raw.customs__cbam_shipments")
    assert sorted(statuses.values()) == ["failed", "succeeded"] and loaded == 1
