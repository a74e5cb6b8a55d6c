"""The ERP assets in Dagster against the simulator: the watermark lives in the warehouse's sync ledger
(raw.erp_sync), a failed sync leaves it where it was, a run with no change loads nothing, full resync,
another warehouse with the same Dagster instance is synced whole, the asset checks (reconciliation
with the server's full count, blocking), the change sensor and the schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.definitions.metadata import normalize_metadata

from greenlang.core.domains import LAYER_TAG
from greenlang.core.freshness import FRESHNESS
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.erp.assets import build_erp_asset, build_erp_assets, result_metadata
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
from greenlang.erp.sync import (
    ErpSourceSpec,
    SyncRecord,
    SyncResult,
    Window,
    last_watermark,
    latest_syncs,
    record_sync,
)
from greenlang.ingest.assets import raw_asset_key
from simulators.erp import ErpSimulator
from simulators.erp.dataset import to_ms
from tests.helpers.erp import SMALL_DATASET, latest_raw_per_key, oracle_for, sap_for, typed, workday_for
from tests.helpers.warehouses import TEST_TENANTS, make_settings

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
    asset = build_erp_asset(ENTITIES[spec.name], TEST_TENANTS)
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


def latest_sync(warehouse: Warehouse, spec: ErpSourceSpec, tenant: str = "default") -> SyncRecord:
    with warehouse.session() as session:
        return latest_syncs(session, source=spec.name, tenant_ids=[tenant])[(tenant, spec.name)]


def syncs_recorded(warehouse: Warehouse, spec: ErpSourceSpec) -> int:
    with warehouse.session() as session:
        return int(session.scalar("SELECT count(*) FROM raw.erp_sync WHERE source = %(s)s", {"s": spec.name}))


# --- definitions ------------------------------------------------------------------------------------------


def test_one_asset_per_entity_with_group_kinds_freshness_and_checks() -> None:
    assets = build_erp_assets(TEST_TENANTS)
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
        assets=build_erp_assets(TEST_TENANTS),
        asset_checks=build_erp_checks(),
        jobs=[erp_sync_job, *jobs],
        schedules=[erp_hourly_sync],
        sensors=[build_erp_change_sensor(ERP_SOURCES, jobs, TEST_TENANTS)],
        resources={
            "warehouse": WarehouseResource(
                target="duckdb", duckdb_path=str(tmp_path / "w.duckdb"), duckdb_memory_limit="1GB",
                key_store=str(tmp_path / "keys"), pg_host="", pg_port=5432, pg_user="", pg_password="", pg_database="",
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


# --- the tenant registry -----------------------------------------------------------------------------------


def ledger(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the load and sync ledgers, and every raw row's tenant and batch."""
    with warehouse.session() as session:
        return {
            "load_batch": session.fetchall(
                "SELECT tenant_id, source, batch_id FROM raw.load_batch ORDER BY 3"
            ),
            "erp_sync": session.fetchall("SELECT tenant_id, source, sync_id FROM raw.erp_sync ORDER BY 3"),
            "raw": session.fetchall(
                f"SELECT DISTINCT tenant_id, _batch_id FROM {SAP_PURCHASE_ORDER_ITEMS.raw_table} ORDER BY 2"
            ),
        }


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    (failure,) = result.get_step_failure_events()
    return failure.step_failure_data.error.message


@pytest.mark.parametrize(
    ("tenant", "reason"),
    [
        ("evil-corp", "is not registered: add it to GREENLANG_TENANTS"),
        ("acme ", "is not a valid tenant id"),
        ("Acme", "is not a valid tenant id"),
    ],
)
def test_a_sync_for_a_tenant_the_registry_does_not_hold_fails_before_its_first_request(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance, tenant: str, reason: str
) -> None:
    spec = SAP_PURCHASE_ORDER_ITEMS
    registered = sync(spec, sim, warehouse, instance, config={"tenant_id": "acme"})
    assert registered.success and metadata(instance, spec)["rows_loaded"] > 0
    before = ledger(warehouse)
    sim.reset_stats()

    refused = sync(spec, sim, warehouse, instance, config={"tenant_id": tenant}, with_checks=False)

    assert not refused.success
    message = failure_message(refused)
    assert f"{spec.name}: tenant {tenant!r} {reason}" in message
    assert sim.stats.total_requests == 0 and sim.stats.tokens_issued == 0, "the ERP was not asked"
    assert ledger(warehouse) == before, "no batch, no sync row, no raw row"


def test_the_code_locations_erp_tenant_must_be_registered_too(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    """The tenant of GREENLANG_ERP_TENANT(S), used when the run config names none."""
    spec = ORACLE_INVOICES
    asset = build_erp_asset(ENTITIES[spec.name], TEST_TENANTS, default_tenant="globex")
    result = dg.materialize(
        [asset], resources=resources(sim, warehouse), instance=instance, raise_on_error=False
    )
    assert not result.success
    assert "tenant 'globex' is not registered" in failure_message(result)
    assert sim.stats.total_requests == 0
    with warehouse.session() as session:
        assert session.relations(["raw"]) == [], "nothing was created, let alone written"

    registered = build_erp_asset(ENTITIES[spec.name], {*TEST_TENANTS, "globex"}, default_tenant="globex")
    assert dg.materialize([registered], resources=resources(sim, warehouse), instance=instance).success
    assert latest_sync(warehouse, spec, "globex").rows_loaded > 0


# --- the watermark in the warehouse ----------------------------------------------------------------------


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
    row = latest_sync(warehouse, spec)
    assert row.sync_id == recorded["sync_id"] and list(row.batch_ids) == recorded["batch_ids"]
    assert row.server_full_total == recorded["server_full_total"] == len(sim.dataset.sap_purchase_orders)
    assert last_watermark(warehouse, spec, "default") == dt.datetime.fromisoformat(recorded["watermark"])

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
    assert syncs_recorded(warehouse, spec) == 2
    assert latest_sync(warehouse, spec).previous_watermark == row.watermark


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
    # a first sync of the invoices of the first half of the year: the later ones do not exist yet
    invoices = sim.dataset.oracle_invoice_records
    later = [invoice for invoice in invoices if invoice.change_ms >= to_ms(dt.datetime(YEAR, 7, 1))]
    invoices[:] = [invoice for invoice in invoices if invoice not in later]
    first = sync(spec, sim, warehouse, instance)
    assert first.success and all(check.passed for check in check_results(first).values())
    before = metadata(instance, spec)
    # the later invoices arrive; the sync of them fails after its count and three pages (retries exhausted)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for index, invoice in enumerate(later):
        invoice.set_change(to_ms(now - dt.timedelta(minutes=30, seconds=index)))
    invoices.extend(later)
    exhausting = sim.inject("server_error", count=5, path_contains="invoices", after=4)
    failed = sync(spec, sim, warehouse, instance, with_checks=False)
    assert not failed.success and exhausting.applied == 5
    assert metadata(instance, spec) == before  # no materialization
    assert syncs_recorded(warehouse, spec) == 1  # and no sync recorded: the watermark did not move
    assert last_watermark(warehouse, spec, "default") == dt.datetime.fromisoformat(before["watermark"])

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


# --- reconciliation ---------------------------------------------------------------------------------------


def test_reconciliation_names_both_numbers_and_the_dead_letter() -> None:
    assert reconciliation(12, 12, 0) == (
        True,
        "12 distinct keys held ≥ 12 on the server when the sync started",
    )
    passed, message = reconciliation(10, 12, 2, "orders")
    assert not passed
    assert message == (
        "10 distinct orders held < 12 on the server when the sync started (missing: 2); "
        "2 rejected record(s) in raw.dead_letter"
    )
    assert reconciliation(13, 12, 0) == (
        True,
        "13 distinct keys held ≥ 12 on the server when the sync started (+1: created since)",
    )
    assert reconciliation(5, None, 0) == (True, "the server reports no count: 5 distinct keys held")


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
        [build_erp_asset(ENTITIES[spec.name], TEST_TENANTS).to_source_asset(), *checks],
        resources=resources(sim, warehouse),
        instance=instance,
        selection=dg.AssetSelection.checks_for_assets(raw_asset_key(spec)),
        raise_on_error=False,
    )
    evaluations = check_results(result)
    reconciles = evaluations["reconciles_with_server_count"]
    total = len(sim.dataset.oracle_invoice_records)
    assert not reconciles.passed
    assert reconciles.description == (
        f"default: {total - 1} distinct keys (invoice_id) held < {total} on the server when the sync "
        "started (missing: 1); 0 rejected record(s) in raw.dead_letter"
    )
    assert not evaluations["row_conservation"].passed  # the ledger says one row more than the table holds


# --- another warehouse, the same Dagster instance ----------------------------------------------------------


def test_another_warehouse_with_the_same_dagster_instance_is_synced_whole(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    """The demo on DuckDB, then GREENLANG_TARGET=postgres in the same checkout: the second warehouse holds
    no sync, so its first sync reads everything, whatever the Dagster instance remembers."""
    spec = SAP_PURCHASE_ORDER_ITEMS
    first = Warehouse(make_settings("duckdb", tmp_path / "first"))
    assert sync(spec, sim, first, instance).success

    switched = sync(spec, sim, warehouse, instance)
    assert switched.success
    recorded = metadata(instance, spec)
    assert recorded["window_since"] is None and recorded["previous_watermark"] is None
    assert recorded["server_full_total"] == len(sim.dataset.sap_purchase_orders)
    assert check_results(switched)["reconciles_with_server_count"].passed
    truth = typed(spec, sim.dataset.sap_purchase_order_items().values())
    assert latest_raw_per_key(warehouse, spec, "default") == truth


def copy_latest_sync(source: Warehouse, target: Warehouse, spec: ErpSourceSpec, tenant: str) -> None:
    """What the old code did: take the watermark from a history the target warehouse does not hold."""
    row = latest_sync(source, spec, tenant)
    with target.session() as session:
        session.migrate_raw_layer({})
        values = {**dataclasses.asdict(row), "batch_ids": json.dumps(list(row.batch_ids))}
        session.execute(
            f"INSERT INTO raw.erp_sync ({', '.join(values)}) VALUES ({', '.join(f'%({k})s' for k in values)})",
            values,
        )


def test_a_watermark_the_warehouse_does_not_back_fails_the_check_and_blocks_downstream(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    """The incomplete build of issue #8: a sync of a fresh warehouse from another warehouse's watermark
    reads only the last window. Reconciliation with the server's full count fails, and the model
    downstream in the same run is not built."""
    spec = SAP_PURCHASE_ORDER_ITEMS
    first = Warehouse(make_settings("duckdb", tmp_path / "first"))
    assert sync(spec, sim, first, instance).success
    copy_latest_sync(first, warehouse, spec, "default")

    @dg.asset(key=["marts", "purchase_lines"], deps=[raw_asset_key(spec)])
    def purchase_lines() -> None:
        """Stands for the dbt models downstream of the raw table."""

    asset = build_erp_asset(ENTITIES[spec.name], TEST_TENANTS)
    result = dg.materialize(
        [asset, *build_erp_checks((spec,)), purchase_lines],
        resources=resources(sim, warehouse),
        instance=instance,
        raise_on_error=False,
    )
    orders = len(sim.dataset.sap_purchase_orders)
    with warehouse.session() as session:
        held = session.scalar("SELECT count(DISTINCT purchase_order) FROM raw.sap__purchase_order_items")
    assert 0 < held < orders  # the window after the copied watermark: a few orders of the year
    reconciles = check_results(result)["reconciles_with_server_count"]
    assert not reconciles.passed and reconciles.severity == dg.AssetCheckSeverity.ERROR
    assert reconciles.description == (
        f"default: {held} distinct keys (purchase_order) held < {orders} on the server when the sync "
        f"started (missing: {orders - held}); 0 rejected record(s) in raw.dead_letter"
    )
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == {raw_asset_key(spec)}  # not marts/purchase_lines
    assert not result.success

    # a full resync repairs it: the check passes and the model builds
    repaired = dg.materialize(
        [asset, *build_erp_checks((spec,)), purchase_lines],
        resources=resources(sim, warehouse),
        instance=instance,
        run_config={"ops": {asset.op.name: {"config": {"full_resync": True}}}},
        raise_on_error=False,
    )
    assert repaired.success and check_results(repaired)["reconciles_with_server_count"].passed
    assert dg.AssetKey(["marts", "purchase_lines"]) in {
        event.asset_key for event in repaired.get_asset_materialization_events()
    }


# --- sensor -----------------------------------------------------------------------------------------------

INCREMENTAL_COUNTED = (SAP_PURCHASE_ORDER_ITEMS, ORACLE_PURCHASE_ORDER_LINES, ORACLE_INVOICES)


def skip_message(result: dg.SensorResult) -> str:
    reason = result.skip_reason
    return reason.skip_message or "" if isinstance(reason, dg.SkipReason) else str(reason or "")


def record_watermarks(warehouse: Warehouse, sim: ErpSimulator, tenant: str = "default") -> dict[str, str]:
    """What a sync of each incremental SAP/Oracle entity would record: the latest change in the ERP."""
    latest = {
        SAP_PURCHASE_ORDER_ITEMS: max(po.change_ms for po in sim.dataset.sap_purchase_orders),
        ORACLE_PURCHASE_ORDER_LINES: max(po.change_ms for po in sim.dataset.oracle_purchase_orders),
        ORACLE_INVOICES: max(invoice.change_ms for invoice in sim.dataset.oracle_invoice_records),
    }
    watermarks = {}
    for spec, ms in latest.items():
        watermark = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
        record_sync(
            warehouse,
            SyncResult(
                spec.name, tenant, Window(None, watermark), None, watermark=watermark, consistent=True
            ),
        )
        watermarks[spec.name] = watermark.isoformat()
    return watermarks


def evaluate_sensor(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    warehouse: Warehouse,
    sim: ErpSimulator,
    **client: Any,
) -> dg.SensorResult:
    sensor_resources = {
        "warehouse": WarehouseResource.from_settings(warehouse.settings),
        "sap": sap_for(sim, **client),
        "oracle": oracle_for(sim, **client),
    }
    with dg.build_sensor_context(instance=instance, resources=sensor_resources) as context:
        return sensor(context)


def test_the_sensor_requests_a_sync_when_the_erp_reports_changes(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs, TEST_TENANTS)

    never = evaluate_sensor(sensor, instance, warehouse, sim)
    assert sorted(request.run_key for request in never.run_requests) == [
        f"default/{spec.name}@initial" for spec in sorted(INCREMENTAL_COUNTED, key=lambda spec: spec.name)
    ]
    watermarks = record_watermarks(warehouse, sim)
    quiet = evaluate_sensor(sensor, instance, warehouse, sim)
    assert not quiet.run_requests and "no change after" in skip_message(quiet)

    order = sim.dataset.sap_purchase_orders[7]
    order.set_change(to_ms(dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)))
    (request,) = evaluate_sensor(sensor, instance, warehouse, sim).run_requests
    assert request.job_name == "sync_sap__purchase_order_items"
    assert request.run_key == f"default/sap__purchase_order_items@{watermarks['sap__purchase_order_items']}#1"
    assert request.tags["greenlang/changes_reported"] == "1"


def test_the_sensor_reads_each_tenants_watermark_and_names_the_tenant_in_the_run(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    # Acme's SAP, Globex's Oracle Fusion; only Acme's entities were ever synced into this warehouse
    sensor = build_erp_change_sensor(
        ERP_SOURCES, jobs, {"acme", "globex"}, {"sap": "acme", "oracle": "globex"}
    )
    record_watermarks(warehouse, sim, "acme")
    result = evaluate_sensor(sensor, instance, warehouse, sim)
    assert sorted(request.run_key for request in result.run_requests) == [
        f"globex/{spec.name}@initial"
        for spec in sorted(INCREMENTAL_COUNTED, key=lambda spec: spec.name)
        if spec.system == "oracle"
    ]
    defs = dg.Definitions(
        assets=build_erp_assets(TEST_TENANTS), jobs=jobs, resources=resources(sim, warehouse)
    )
    for request in result.run_requests:
        spec = ENTITIES[request.tags["greenlang/erp_entity"]].spec
        assert request.tags["greenlang/tenant"] == "globex"
        assert request.run_config == {"ops": {f"raw__{spec.name}": {"config": {"tenant_id": "globex"}}}}
        dg.validate_run_config(defs.resolve_job_def(request.job_name), request.run_config)


def test_the_sensor_asks_nothing_for_a_tenant_the_registry_does_not_hold(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    # Acme's SAP is registered, Globex's Oracle Fusion is not
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs, {"acme"}, {"sap": "acme", "oracle": "globex"})
    result = evaluate_sensor(sensor, instance, warehouse, sim)
    assert {request.tags["greenlang/tenant"] for request in result.run_requests} == {"acme"}
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs, set(), {"sap": "acme", "oracle": "globex"})
    sim.reset_stats()
    refused = evaluate_sensor(sensor, instance, warehouse, sim)
    assert not refused.run_requests and sim.stats.total_requests == 0
    assert "oracle__invoices: tenant 'globex' is not registered" in skip_message(refused)
    assert "sap__purchase_order_items: tenant 'acme' is not registered" in skip_message(refused)


def test_the_sensor_skips_an_unreachable_erp(
    warehouse: Warehouse, sim: ErpSimulator, instance: dg.DagsterInstance
) -> None:
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs, TEST_TENANTS)
    record_watermarks(warehouse, sim)
    sim.inject("server_error", count=50)
    result = evaluate_sensor(sensor, instance, warehouse, sim, max_retries=0)
    assert not result.run_requests and "change count failed (ErpHttpError)" in skip_message(result)


def test_the_sensor_skips_while_a_run_writes_the_duckdb_file(
    sim: ErpSimulator, instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    record_watermarks(warehouse, sim)
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    sensor = build_erp_change_sensor(ERP_SOURCES, jobs, TEST_TENANTS)
    # another process opens the file to write, as a run does, and holds it
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER_HOLDING_THE_FILE, str(warehouse.settings.duckdb_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        busy = evaluate_sensor(sensor, instance, warehouse, sim)
    finally:
        writer.kill()
        writer.wait()
    assert not busy.run_requests
    assert skip_message(busy).startswith(
        f"the warehouse cannot be read now: the warehouse {warehouse.settings.duckdb_path} is held by another process"
    )
    assert "no change after" in skip_message(evaluate_sensor(sensor, instance, warehouse, sim))


WRITER_HOLDING_THE_FILE = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_the_metadata_of_a_sync_of_several_passes_is_valid_dagster_metadata() -> None:
    result = SyncResult(
        source="oracle__invoices", tenant_id="acme", window=Window(None, dt.datetime(2025, 1, 1)),
        previous_watermark=None, passes=2, batch_ids=["a", "b"], last_pass_batch_ids=["b"],
    )  # fmt: skip
    metadata = normalize_metadata(result_metadata(result))
    assert metadata["last_pass_batch_ids"].value == ["b"] and metadata["batch_ids"].value == ["a", "b"]
    assert metadata["watermark"].value is None and metadata["consistent"].value is False
