"""Declarative automation over the real definitions: a load rebuilds the models that depend on it and no
others, an instance that has recorded nothing requests nothing, and a failed blocking check holds back
what depends on it. Conditions are evaluated, never executed: no dbt run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from greenlang.cbam.report_out import REPORT_KEY as CBAM_QUARTERLY_REPORT
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.automation import REBUILD_AFTER_UPSTREAM_CHANGES
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
from greenlang.ingest.checks import build_row_conservation_check
from greenlang.settings import Settings
from tests.helpers.warehouses import make_settings

pytestmark = pytest.mark.slow  # builds the whole Definitions for each test

SHIPMENTS = raw_asset_key(CBAM_SHIPMENTS)
HEADER = "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,customs_procedure"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings("duckdb", tmp_path)


@pytest.fixture
def defs(settings: Settings) -> dg.Definitions:
    from greenlang.definitions import build_definitions

    return build_definitions(settings)


def _load_shipments(
    settings: Settings, instance: dg.DagsterInstance, declaration: str, *, checked: bool = False
) -> dg.ExecuteInProcessResult:
    """A real load run of the shipments' raw asset, with its row-conservation check if ``checked``."""
    path = settings.landing_dir / "acme" / CBAM_SHIPMENTS.name / f"{declaration}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{HEADER}\nDE1,{declaration},1,2026-03-02,72081000,CN,1.5,40\n")
    return dg.materialize(
        [
            build_ingestion_asset(CBAM_SHIPMENTS, settings.landing_dir, settings.tenants),
            *([build_row_conservation_check(CBAM_SHIPMENTS)] if checked else []),
        ],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        instance=instance,
        run_config={"ops": {SHIPMENTS.to_python_identifier(): {"config": {"files": [str(path)]}}}},
        raise_on_error=False,
    )


def _requested(defs: dg.Definitions, result) -> set[dg.AssetKey]:
    return {key for key in defs.resolve_asset_graph().get_all_asset_keys() if result.get_num_requested(key)}


def test_a_load_rebuilds_what_depends_on_it_and_nothing_else(
    settings: Settings, defs: dg.Definitions
) -> None:
    graph = defs.resolve_asset_graph()
    # what Dagster builds downstream: not the Looker dashboards (external assets), nor the CBAM quarterly
    # report (a quarter's filing, written by its schedule, not on each load)
    downstream = dg.AssetSelection.assets(SHIPMENTS).downstream().materializable().resolve(graph) - {
        SHIPMENTS,
        CBAM_QUARTERLY_REPORT,
    }
    with dg.instance_for_test() as instance:
        # an instance with nothing recorded (new, or wiped after `make demo`): every model is "missing",
        # none of its dependencies ever materialized here, and nothing is requested
        first = dg.evaluate_automation_conditions(defs, instance)
        second = dg.evaluate_automation_conditions(defs, instance, cursor=first.cursor)
        assert (first.total_requested, second.total_requested) == (0, 0)

        assert _load_shipments(settings, instance, "X1").success
        after_load = dg.evaluate_automation_conditions(defs, instance, cursor=second.cursor)
        requested = _requested(defs, after_load)
        # every model downstream, although their seeds never materialized in this instance; no other
        assert requested == downstream
        assert dg.AssetKey(["marts", "fct_cbam_imports"]) in requested
        assert dg.AssetKey(["marts", "fct_energy_consumption"]) not in requested

        # requested once: the next tick, with nothing new, asks for nothing
        quiet = dg.evaluate_automation_conditions(defs, instance, cursor=after_load.cursor)
        assert quiet.total_requested == 0

        # a load that found nothing new (the same file again: skipped by the ledger) materializes the raw
        # asset with the same data version, and rebuilds nothing; a new file rebuilds again
        assert _load_shipments(settings, instance, "X1").success
        reloaded = dg.evaluate_automation_conditions(defs, instance, cursor=quiet.cursor)
        assert reloaded.total_requested == 0
        assert _load_shipments(settings, instance, "X2").success
        new_file = dg.evaluate_automation_conditions(defs, instance, cursor=reloaded.cursor)
        assert _requested(defs, new_file) == downstream


def test_a_failed_blocking_check_holds_back_what_depends_on_the_asset(
    settings: Settings, defs: dg.Definitions
) -> None:
    with dg.instance_for_test() as instance:
        start = dg.evaluate_automation_conditions(defs, instance)
        assert _load_shipments(settings, instance, "X1").success
        # a row lost after its load: the row-conservation check (blocking) fails on the next load
        with Warehouse(settings).session() as session:
            session.execute("DELETE FROM raw.customs__cbam_shipments")
        failed = _load_shipments(settings, instance, "X1", checked=True)
        (evaluation,) = [
            check for check in failed.get_asset_check_evaluations() if check.check_name == "row_conservation"
        ]
        assert not evaluation.passed
        held = dg.evaluate_automation_conditions(defs, instance, cursor=start.cursor)
        assert held.total_requested == 0

        # the next load, its check not failed, lets them through
        assert _load_shipments(settings, instance, "X2").success
        released = dg.evaluate_automation_conditions(defs, instance, cursor=held.cursor)
        assert dg.AssetKey(["staging", "stg_customs__cbam_shipments"]) in _requested(defs, released)


def test_loads_build_their_raw_asset_only_and_automation_the_rest(defs: dg.Definitions) -> None:
    load = defs.resolve_job_def(f"load_{CBAM_SHIPMENTS.name}")
    assert load.asset_layer.executable_asset_keys == {SHIPMENTS}
    assert {check.name for check in load.asset_layer.asset_graph.asset_check_keys} >= {"row_conservation"}

    graph = defs.resolve_asset_graph()
    models = [key for key in graph.get_all_asset_keys() if key.path[0] in ("staging", "marts", "reference")]
    assert models and all(
        graph.get(key).automation_condition == REBUILD_AFTER_UPSTREAM_CHANGES for key in models
    )
    assert graph.get(SHIPMENTS).automation_condition is None
    sensor = defs.resolve_sensor_def("rebuild_after_upstream_changes")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert not [
        sensor.name for sensor in defs.sensors or [] if sensor.name.startswith("rebuild_after_meters")
    ]


def test_a_seed_rebuilds_when_its_csv_changes(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    seed = dg.AssetKey(["reference", "country_codes"])
    assert graph.get(seed).code_version  # dagster-dbt's checksum of the CSV

    def seed_at(version: str) -> dg.AssetsDefinition:
        @dg.asset(key=seed, code_version=version, automation_condition=REBUILD_AFTER_UPSTREAM_CHANGES)
        def _seed() -> None: ...

        return _seed

    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions([seed_at("a")], instance)
        same = dg.evaluate_automation_conditions([seed_at("a")], instance, cursor=first.cursor)
        edited = dg.evaluate_automation_conditions([seed_at("b")], instance, cursor=same.cursor)
    assert (first.total_requested, same.total_requested, edited.total_requested) == (0, 0, 1)
