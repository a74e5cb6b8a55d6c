"""The GHG assets as Dagster runs them (greenlang/ghg/assets.py): the EPA hub workbook from the landing directory,
and grid intensity per daily partition against the API simulator, re-read once the actuals are measured,
backfilled one partition at a time and as one range run; the half-hourly schedule's run requests."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ghg.assets import EPA_KEY, build_epa_emission_factors_asset
from greenlang.ghg.grid import GRID_KEY, grid_carbon_intensity, grid_intensity_schedule
from greenlang.ghg.grid_api import CarbonIntensityResource
from simulators.grid import CarbonIntensitySimulator
from tests.helpers.dbt import stage
from tests.helpers.warehouses import make_settings

HUB = "epa/ghg-emission-factors-hub-2025.xlsx"
DAY = dt.datetime(2026, 3, 29, tzinfo=dt.UTC)
PARTITION = "2026-03-29"


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> list[dict]:
    events = result.asset_materializations_for_node(key.to_python_identifier())
    return [{name: value.value for name, value in event.metadata.items()} for event in events]


@pytest.fixture
def simulator() -> Iterator[CarbonIntensitySimulator]:
    with CarbonIntensitySimulator(now=DAY + dt.timedelta(hours=12)) as sim:
        yield sim


def _grid_run(
    warehouse: Warehouse, sim: CarbonIntensitySimulator, partition_key: str | None = None, **tags: str
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [grid_carbon_intensity],
        resources={
            "warehouse": WarehouseResource.from_settings(warehouse.settings),
            "grid": CarbonIntensityResource(
                base_url=sim.url, backoff_initial_seconds=0.01, timeout_seconds=2
            ),
        },
        partition_key=partition_key,
        tags=tags or None,
    )


@pytest.mark.slow  # the 2025 EPA hub workbook
def test_the_epa_hub_loads_from_the_landing_dir_once(warehouse: Warehouse, shared_data: Path) -> None:
    folder = warehouse.settings.landing_dir / "global" / "epa__emission_factors"
    folder.mkdir(parents=True)
    shutil.copy(shared_data / HUB, folder)
    (folder / "README.txt").write_text("not a workbook")  # ignored with a warning
    asset = build_epa_emission_factors_asset(warehouse.settings.landing_dir)
    resources = {"warehouse": WarehouseResource.from_settings(warehouse.settings)}

    (first,) = _metadata(dg.materialize([asset], resources=resources), EPA_KEY)
    (second,) = _metadata(dg.materialize([asset], resources=resources), EPA_KEY)

    with warehouse.session() as session:
        rows = session.scalar("SELECT count(*) FROM raw.epa__emission_factors")
        batches = session.fetch_dicts("SELECT tenant_id, source, status FROM raw.load_batch")
    assert first["rows_loaded"] == rows > 1000 and first["rows_rejected"] == 0
    assert (first["files_loaded"], first["files_skipped_already_loaded"]) == (1, 0)
    assert (second["files_loaded"], second["files_skipped_already_loaded"]) == (0, 1)
    assert (second["rows_loaded"], second["rows_skipped_already_loaded"]) == (0, rows)
    assert batches == [{"tenant_id": "global", "source": "epa__emission_factors", "status": "succeeded"}]


@pytest.mark.slow  # the 2025 EPA hub workbook
def test_the_epa_hub_loads_from_a_configured_path(tmp_path: Path, shared_data: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    result = dg.materialize(
        [build_epa_emission_factors_asset(settings.landing_dir)],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        run_config={"ops": {"raw__epa__emission_factors": {"config": {"files": [str(shared_data / HUB)]}}}},
    )
    (metadata,) = _metadata(result, EPA_KEY)
    assert metadata["files_loaded"] == 1 and metadata["rows_loaded"] > 1000


def test_a_grid_partition_rerun_brings_the_measured_values(
    warehouse: Warehouse, simulator: CarbonIntensitySimulator, dbt_parse_root: Path
) -> None:
    (first,) = _metadata(_grid_run(warehouse, simulator, PARTITION), GRID_KEY)
    (unchanged,) = _metadata(_grid_run(warehouse, simulator, PARTITION), GRID_KEY)
    simulator.now = DAY + dt.timedelta(days=1, hours=1)  # the whole day is measured now
    (measured,) = _metadata(_grid_run(warehouse, simulator, PARTITION), GRID_KEY)

    assert (first["days"], first["pages_loaded"], first["rows_loaded"], first["rows_rejected"]) == (
        1,
        1,
        48,
        0,
    )
    assert (unchanged["pages_loaded"], unchanged["pages_unchanged"], unchanged["rows_loaded"]) == (0, 1, 0)
    assert unchanged["rows_skipped_already_loaded"] == 48
    assert (measured["pages_loaded"], measured["rows_loaded"]) == (1, 48)
    assert all(path == "/intensity/2026-03-29T00:00Z/2026-03-30T00:00Z" for path in simulator.requests)
    stage(warehouse.settings, "stg_grid__carbon_intensity")
    with warehouse.session() as session:
        raw = session.fetch_dicts(
            "SELECT _batch_id AS batch, count(*) AS n, count(actual) AS measured, min(_ingested_at) AS at "
            "FROM raw.grid__carbon_intensity GROUP BY _batch_id ORDER BY min(_ingested_at)"
        )
        staged = session.fetch_dicts(
            "SELECT from_utc, actual_g_co2_per_kwh AS actual FROM staging.stg_grid__carbon_intensity "
            "ORDER BY from_utc"
        )
    # both readings in raw: the forecasts with the first 24 actuals, then the fully measured day
    assert [(row["batch"], row["n"], row["measured"]) for row in raw] == [
        (first["batch_ids"][0], 48, 24),
        (measured["batch_ids"][0], 48, 48),
    ]
    expected = [
        simulator.period(DAY + dt.timedelta(minutes=30 * i))["intensity"]["actual"] for i in range(48)
    ]
    assert [row["actual"] for row in staged] == expected
    assert staged[0]["from_utc"] == DAY.replace(tzinfo=None)


@pytest.mark.slow  # Dagster runs against the grid simulator
def test_a_backfill_loads_each_day_once(warehouse: Warehouse, simulator: CarbonIntensitySimulator) -> None:
    simulator.now = DAY + dt.timedelta(days=10)
    for key in ("2026-03-27", "2026-03-28"):  # one run per partition
        (metadata,) = _metadata(_grid_run(warehouse, simulator, key), GRID_KEY)
        assert (metadata["pages_loaded"], metadata["rows_loaded"]) == (1, 48)
    # one run for a range (BackfillPolicy.single_run): each day read once, the days read before unchanged
    ranged = _grid_run(
        warehouse,
        simulator,
        **{
            "dagster/asset_partition_range_start": "2026-03-27",
            "dagster/asset_partition_range_end": "2026-03-29",
        },
    )
    events = _metadata(ranged, GRID_KEY)
    assert len(events) == 3  # one materialization per partition of the range
    assert (events[0]["days"], events[0]["pages_loaded"], events[0]["pages_unchanged"]) == (3, 1, 2)
    with warehouse.session() as session:
        per_day = session.fetch_dicts(
            "SELECT CAST(from_utc AS date) AS day, count(*) AS n, count(actual) AS measured "
            "FROM raw.grid__carbon_intensity GROUP BY CAST(from_utc AS date) ORDER BY 1"
        )
    assert [(str(row["day"]), row["n"], row["measured"]) for row in per_day] == [
        ("2026-03-27", 48, 48),
        ("2026-03-28", 48, 48),
        ("2026-03-29", 48, 48),
    ]
    assert len(simulator.requests) == 5  # 2 single days + 3 days of the range, one request each


def test_the_schedule_reads_yesterday_and_today() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 29, 0, 10, tzinfo=dt.UTC)
    )
    requests = grid_intensity_schedule(context)
    assert [request.partition_key for request in requests] == ["2026-03-28", "2026-03-29"]
    assert len({request.run_key for request in requests}) == 2
