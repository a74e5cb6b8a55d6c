"""The ERP assets in Dagster against the simulator: the watermark lives in the materialization metadata,
a failed sync leaves it where it was, a run with no change loads nothing, full resync, the asset checks,
the change sensor and the schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.definitions.metadata import normalize_metadata

from greenlang.core.domains import LAYER_TAG
from greenlang.core.freshness import FRESHNESS
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.erp.assets import (
    build_erp_asset,
    build_erp_assets,
    latest_watermark,
    result_metadata,
)
from greenlang.erp.checks import build_erp_checks, reconciliation
from greenlang.erp.sensors import build_erp_change_sensor, build_erp_sync_jobs, erp_hourly_sync, erp_sync_job
from greenlang.erp.sources import (
    ENTITIES,
    ERP_SOURCES,
    ORACLE_INVOICES,
    ORACLE_PURCHASE_ORDER_LINES,
    SAP_MATERIAL_STOCK,
    SAP_PURCHASE_ORDER_ITEMS,
)
from greenlang.erp.sync import ErpSourceSpec, SyncResult, Window
from greenlang.ingest.assets import raw_asset_key
from simulators.erp import ErpSimulator
from simulators.erp.dataset import to_ms
from tests.helpers.erp import SMALL_DATASET, latest_raw_per_key, oracle_for, sap_for, typed, workday_for

# Dagster runs against the ERP simulator with faults and retries: seconds each
pytestmark = pytest.mark.slow

# A simulated year in the past: every record's change is before "now", as in production.
YEAR = 2025


@pytest.fixture
def sim() -> Iterator[ErpSimulator]:
    with ErpSimulator(seed=5, year=YEAR, **SMALL_DATASET) as simulator:
        yield simulator


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def resources(sim: ErpSimulator, warehouse: Warehouse) -> dict[str, Any]:
    return {
        "warehouse": WarehouseResource.from_settings(warehouse.settings),
        "sap": sap_for(sim),
        "oracle": oracle_for(sim),
        "workday": workday_for(sim, expense_history_start=f"{YEAR - 1}-12-01", expense_chunk_days=90),
    }


def sync(
    spec: ErpSourceSpec,
    sim: ErpSimulator,
    warehouse: Warehouse,
    instance: dg.DagsterInstance,
    *,
    config: dict[str, Any] | None = None,
    with_checks: bool = True,
) -> dg.ExecuteInProcessResult:
    asset = build_erp_asset(ENTITIES[spec.name])
    checks = [check for check in build_erp_checks((spec,))] if with_checks else []
    return dg.materialize(
        [asset, *checks],
        resources=resources(sim, warehouse),
        instance=instance,
        run_config={"ops": {asset.op.name: {"config": config or {}}}},
        raise_on_error=False,
    )


def metadata(instance: dg.DagsterInstance, spec: ErpSourceSpec) -> dict[str, Any]:
    event = instance.get_latest_materialization_event(raw_asset_key(spec))
    assert event is not None and event.asset_materialization is not None
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


# --- definitions ------------------------------------------------------------------------------------------


def test_one_asset_per_entity_with_group_kinds_freshness_and_checks() -> None:
    assets = build_erp_assets()
    keys = [key.to_user_string() for asset in assets for key in asset.keys]
    assert keys == [f"raw/{spec.name}" for spec in ERP_SOURCES]
    for asset, spec in zip(assets, ERP_SOURCES, strict=True):
        asset_spec = next(iter(asset.specs))
        assert (
            asset_spec.group_name
            == {"sap": "procurement", "oracle": "procurement", "workday": "hr"}[spec.system]
        )
        assert asset_spec.tags[LAYER_TAG] == "raw"
        assert {"python", spec.system} <= set(asset_spec.kinds)
        assert asset_spec.freshness_policy == FRESHNESS["hourly"]
        assert asset.required_resource_keys >= {"warehouse", ENTITIES[spec.name].resource_key}
    checks = {
        (key.asset_key.to_user_string(), key.name) for check in build_erp_checks() for key in check.check_keys
    }
    for spec in ERP_SOURCES:
        assert (f"raw/{spec.name}", "row_conservation") in checks
        assert (f"raw/{spec.name}", "reconciles_with_server_count") in checks


def test_definitions_load_with_every_resource(tmp_path: Path) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    defs = dg.Definitions(
        assets=build_erp_assets(),
        asset_checks=build_erp_checks(),
        jobs=[erp_sync_job, *jobs],
        schedules=[erp_hourly_sync],
        sensors=[build_erp_change_sensor(ERP_SOURCES, jobs)],
        resources={
            "warehouse": WarehouseResource(
                target="duckdb", duckdb_path=str(tmp_path / "w.duckdb"), duckdb_memory_limit="1GB",
                pg_host="", pg_port=5432, pg_user="", pg_password="", pg_database="",
            ),
            "sap": sap_for_url("http://127.0.0.1:9"),
            "oracle": oracle_for_url("http://127.0.0.1:9"),
            "workday": workday_for_url("http://127.0.0.1:9"),
        },
    )  # fmt: skip
    defs.validate_loadable(defs)
    assert erp_hourly_sync.cron_schedule == "15 * * * *"
    assert {job.name for job in jobs} == {f"sync_{spec.name}" for spec in ERP_SOURCES}


def sap_for_url(url: str) -> Any:
    from greenlang.erp.clients import SapS4HanaResource

    return SapS4HanaResource(base_url=url, client_id="id", client_secret="secret")


def oracle_for_url(url: str) -> Any:
    from greenlang.erp.clients import OracleFusionResource

    return OracleFusionResource(base_url=url, username="u", password="p")


def workday_for_url(url: str) -> Any:
    from greenlang.erp.clients import WorkdayResource

    return WorkdayResource(base_url=url, tenant="t", report_owner="o", username="u", password="p")


# --- the watermark in the materialization ----------------------------------------------------------------


def test_the_watermark_is_recorded_and_a_second_run_without_change_loads_nothing(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = SAP_PURCHASE_ORDER_ITEMS
    first = sync(spec, sim, warehouse, instance)
    assert first.success
    recorded = metadata(instance, spec)
    truth = typed(spec, sim.dataset.sap_purchase_order_items().values())
    assert recorded["watermark"] == max(row["last_change_datetime"] for row in truth.values()).isoformat()
    assert recorded["previous_watermark"] is None and recorded["window_since"] is None
    assert recorded["records"] == recorded["rows_loaded"] == len(truth)
    assert recorded["server_total"] == len(sim.dataset.sap_purchase_orders)
    assert recorded["rows_rejected"] == 0 and recorded["pages"] == len(recorded["batch_ids"])
    assert {name: check.passed for name, check in check_results(first).items()} == {
        "row_conservation": True,
        "reconciles_with_server_count": True,
    }
    assert latest_watermark(instance, spec) == dt.datetime.fromisoformat(recorded["watermark"])

    second = sync(spec, sim, warehouse, instance)
    assert second.success
    again = metadata(instance, spec)
    assert again["previous_watermark"] == recorded["watermark"] == again["watermark"]
    assert (
        again["window_since"]
        == (dt.datetime.fromisoformat(recorded["watermark"]) - dt.timedelta(hours=1)).isoformat()
    )
    assert again["rows_loaded"] == 0 and again["pages_loaded"] == 0 and again["records"] > 0
    assert again["pages_held"] == again["pages"]
    assert all(check.passed for check in check_results(second).values())
    assert latest_raw_per_key(warehouse, spec, "default") == truth


def test_a_change_in_the_erp_is_synced_from_the_watermark(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = ORACLE_PURCHASE_ORDER_LINES
    assert sync(spec, sim, warehouse, instance).success
    order = sim.dataset.oracle_purchase_orders[3]
    order.lines[0]["Status"] = "CANCELED"
    changed = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(minutes=5)
    order.set_change(to_ms(changed))

    second = sync(spec, sim, warehouse, instance)
    assert second.success
    recorded = metadata(instance, spec)
    assert recorded["watermark"] == changed.isoformat()
    # the window holds the changed order and the overlap's last order: one page, loaded whole
    assert (recorded["server_total"], recorded["pages_loaded"]) == (2, 1)
    assert recorded["rows_loaded"] >= len(order.lines)
    assert all(check.passed for check in check_results(second).values())
    rows = latest_raw_per_key(warehouse, spec, "default")
    line = rows[(order.key, int(order.lines[0]["POLineId"]))]
    assert line["line_status"] == "CANCELED" and line["last_update_date"] == changed
    assert rows == typed(spec, sim.dataset.oracle_purchase_order_lines().values())


def test_a_failed_sync_keeps_the_watermark_and_the_next_run_loses_nothing(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = ORACLE_INVOICES
    # a first sync up to the middle of the year
    middle = dt.datetime(YEAR, 7, 1)
    for invoice in sim.dataset.oracle_invoice_records:
        if invoice.change_ms >= to_ms(middle):
            invoice.set_change(invoice.change_ms + to_ms(dt.datetime(2100, 1, 1)))  # not yet changed
    assert sync(spec, sim, warehouse, instance).success
    before = metadata(instance, spec)
    # the later invoices arrive; the sync of them fails after three pages (retries exhausted)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for index, invoice in enumerate(sim.dataset.oracle_invoice_records):
        if invoice.change_ms >= to_ms(dt.datetime(2100, 1, 1)):
            invoice.set_change(to_ms(now - dt.timedelta(minutes=30, seconds=index)))
    exhausting = sim.inject("server_error", count=5, path_contains="invoices", after=3)
    failed = sync(spec, sim, warehouse, instance, with_checks=False)
    assert not failed.success and exhausting.applied == 5
    assert metadata(instance, spec) == before  # no materialization: the watermark did not move
    assert latest_watermark(instance, spec) == dt.datetime.fromisoformat(before["watermark"])

    resumed = sync(spec, sim, warehouse, instance)
    assert resumed.success
    after = metadata(instance, spec)
    assert after["previous_watermark"] == before["watermark"]
    assert after["pages_held"] == 3 and after["rows_loaded"] > 0
    assert (
        after["watermark"]
        == max(
            dt.datetime.fromisoformat(invoice.record["LastUpdateDate"]).replace(tzinfo=None)
            for invoice in sim.dataset.oracle_invoice_records
        ).isoformat()
    )
    assert latest_raw_per_key(warehouse, spec, "default") == typed(
        spec, sim.dataset.oracle_invoices().values()
    )
    assert all(check.passed for check in check_results(resumed).values())


def test_full_resync_reads_everything_without_duplicating_batches(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = SAP_PURCHASE_ORDER_ITEMS
    assert sync(spec, sim, warehouse, instance).success
    first = metadata(instance, spec)
    assert sync(spec, sim, warehouse, instance, config={"full_resync": True}).success
    resync = metadata(instance, spec)
    assert resync["window_since"] is None and resync["records"] == first["records"]
    assert resync["rows_loaded"] == 0 and resync["pages_loaded"] == 0
    assert sorted(resync["batch_ids"]) == sorted(first["batch_ids"])
    with warehouse.session() as session:
        assert session.scalar("SELECT count(*) FROM raw.load_batch") == len(first["batch_ids"])


def test_a_snapshot_is_read_whole_and_loads_only_changed_pages(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = SAP_MATERIAL_STOCK
    assert sync(spec, sim, warehouse, instance).success
    first = metadata(instance, spec)
    assert first["watermark"] is None and first["rows_loaded"] == len(sim.dataset.sap_stock)
    sim.dataset.sap_stock[0]["MatlWrhsStkQtyInMatlBaseUnit"] = "1.000"
    assert sync(spec, sim, warehouse, instance).success
    second = metadata(instance, spec)
    assert second["pages_loaded"] == 1 and second["pages_skipped"] == second["pages"] - 1
    assert latest_raw_per_key(warehouse, spec, "default") == typed(
        spec, sim.dataset.sap_material_stock().values()
    )
    assert all(check.passed for check in check_results(sync(spec, sim, warehouse, instance)).values())


def test_the_workday_assets_sync(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    for spec in ERP_SOURCES:
        if spec.system != "workday":
            continue
        result = sync(spec, sim, warehouse, instance)
        assert result.success and all(check.passed for check in check_results(result).values())
        assert metadata(instance, spec)["server_total"] is None
    expenses = latest_raw_per_key(warehouse, ERP_SOURCES[-1], "default")
    assert expenses == typed(ERP_SOURCES[-1], sim.dataset.workday_expense_items().values())


def test_the_watermark_is_per_tenant(instance: dg.DagsterInstance) -> None:
    key = raw_asset_key(ORACLE_INVOICES)
    for tenant, watermark in (("acme", "2025-03-01T00:00:00"), ("globex", "2025-02-01T00:00:00")):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(key, metadata={"tenant_id": tenant, "watermark": watermark})
        )
    assert latest_watermark(instance, ORACLE_INVOICES, "acme") == dt.datetime(2025, 3, 1)
    assert latest_watermark(instance, ORACLE_INVOICES, "globex") == dt.datetime(2025, 2, 1)
    assert latest_watermark(instance, ORACLE_INVOICES, "initech") is None
    assert latest_watermark(instance, ORACLE_INVOICES) == dt.datetime(2025, 2, 1)  # any tenant: the latest


# --- reconciliation ---------------------------------------------------------------------------------------


def test_reconciliation_names_both_numbers() -> None:
    assert reconciliation(12, 12, 0, "[-∞, x]") == (
        True,
        "12 distinct keys loaded = 12 reported by the server for window [-∞, x]",
    )
    passed, message = reconciliation(10, 12, 2, "[a, b]")
    assert not passed
    assert message == (
        "10 distinct keys loaded ≠ 12 reported by the server for window [a, b] (missing: 2); "
        "2 rejected record(s) are in raw.dead_letter"
    )
    assert "extra: 1" in reconciliation(13, 12, 0, "w")[1]
    assert reconciliation(5, None, 0, "w")[0]


def test_the_reconciliation_check_fails_when_rows_are_missing(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    spec = ORACLE_INVOICES
    assert sync(spec, sim, warehouse, instance).success
    with warehouse.session() as session:
        session.execute(
            "DELETE FROM raw.oracle__invoices WHERE invoice_id = (SELECT min(invoice_id) FROM raw.oracle__invoices)"
        )
    checks = build_erp_checks((spec,))
    result = dg.materialize(
        [build_erp_asset(ENTITIES[spec.name]).to_source_asset(), *checks],
        resources=resources(sim, warehouse),
        instance=instance,
        selection=dg.AssetSelection.checks_for_assets(raw_asset_key(spec)),
        raise_on_error=False,
    )
    evaluations = check_results(result)
    reconciles = evaluations["reconciles_with_server_count"]
    total = len(sim.dataset.oracle_invoice_records)
    assert not reconciles.passed
    assert reconciles.description.startswith(
        f"{total - 1} distinct keys (invoice_id) loaded ≠ {total} reported by the server for window [-∞, "
    )
    assert reconciles.description.endswith("(missing: 1)")
    assert not evaluations["row_conservation"].passed  # the ledger says one row more than the table holds


# --- sensor -----------------------------------------------------------------------------------------------


def skip_message(result: dg.SensorResult) -> str:
    reason = result.skip_reason
    return reason.skip_message or "" if isinstance(reason, dg.SkipReason) else str(reason or "")


def record_watermarks(instance: dg.DagsterInstance, sim: ErpSimulator) -> dict[str, str]:
    """What a sync of each incremental SAP/Oracle entity would record: the latest change in the ERP."""
    latest = {
        SAP_PURCHASE_ORDER_ITEMS: max(po.change_ms for po in sim.dataset.sap_purchase_orders),
        ORACLE_PURCHASE_ORDER_LINES: max(po.change_ms for po in sim.dataset.oracle_purchase_orders),
        ORACLE_INVOICES: max(invoice.change_ms for invoice in sim.dataset.oracle_invoice_records),
    }
    watermarks = {}
    for spec, ms in latest.items():
        watermark = (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)).isoformat()
        instance.report_runless_asset_event(
            dg.AssetMaterialization(raw_asset_key(spec), metadata={"watermark": watermark})
        )
        watermarks[spec.name] = watermark
    return watermarks


def test_the_sensor_requests_a_sync_when_the_erp_reports_changes(
    sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs)
    sensor_resources = {"sap": sap_for(sim), "oracle": oracle_for(sim)}

    def evaluate() -> dg.SensorResult:
        with dg.build_sensor_context(instance=instance, resources=sensor_resources) as context:
            return sensor(context)

    never = evaluate()
    assert sorted(request.run_key for request in never.run_requests) == [
        "oracle__invoices@initial", "oracle__purchase_order_lines@initial", "sap__purchase_order_items@initial",
    ]  # fmt: skip
    watermarks = record_watermarks(instance, sim)
    quiet = evaluate()
    assert not quiet.run_requests and "no change after" in skip_message(quiet)

    order = sim.dataset.sap_purchase_orders[7]
    order.set_change(to_ms(dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)))
    (request,) = evaluate().run_requests
    assert request.job_name == "sync_sap__purchase_order_items"
    assert request.run_key == f"sap__purchase_order_items@{watermarks['sap__purchase_order_items']}#1"
    assert request.tags["greenlang/changes_reported"] == "1"


def test_the_sensor_skips_an_unreachable_erp(sim: ErpSimulator, instance: dg.DagsterInstance) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs)
    record_watermarks(instance, sim)
    sim.inject("server_error", count=50)
    clients = {"sap": sap_for(sim, max_retries=0), "oracle": oracle_for(sim, max_retries=0)}
    with dg.build_sensor_context(instance=instance, resources=clients) as context:
        result = sensor(context)
    assert not result.run_requests and "change count failed (ErpHttpError)" in skip_message(result)


def test_the_metadata_of_a_sync_of_several_passes_is_valid_dagster_metadata() -> None:
    result = SyncResult(
        source="oracle__invoices", tenant_id="acme", window=Window(None, dt.datetime(2025, 1, 1)),
        previous_watermark=None, passes=2, batch_ids=["a", "b"], last_pass_batch_ids=["b"],
    )  # fmt: skip
    metadata = normalize_metadata(result_metadata(result))
    assert metadata["last_pass_batch_ids"].value == ["b"] and metadata["batch_ids"].value == ["a", "b"]
    assert metadata["watermark"].value is None and metadata["consistent"].value is False
