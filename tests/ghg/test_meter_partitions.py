"""Meter readings as a daily-partitioned asset: a file belongs to the day it is named for, a partition
loads its day's files, a backfill is one run over its days, re-running a day loads nothing twice but
takes a corrected file, the sensor requests the right partitions, and automation rebuilds what depends on
them once per load run."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from demo.run import consecutive_runs
from greenlang.catalog import LANDING_SOURCES
from greenlang.core.landing import delivery_day
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ghg.sources import METER_READINGS
from greenlang.ingest.assets import LANDING_DAYS, build_ingestion_asset, raw_asset_key
from greenlang.ingest.sensors import (
    LandingCursor,
    build_landing_sensor,
    build_load_jobs,
    build_partitioned_load_schedules,
)
from tests.helpers.ghg import local_day, write_csv
from tests.helpers.warehouses import make_settings

METER_KEY = raw_asset_key(METER_READINGS)
OP = METER_KEY.to_python_identifier()
UTC_DAY_1, UTC_DAY_2, UTC_DAY_3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def _land(landing: Path, tenant: str, name: str, day: dt.date, **changes: str) -> Path:
    rows = [{**row, **changes} for row in local_day("UTC", day, 30, offsets=True)]
    path = landing / tenant / METER_READINGS.name / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(path, rows)


def _materialize(settings, *, partition_key=None, tags=None, run_config=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_ingestion_asset(METER_READINGS, settings.landing_dir, settings.tenants)],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        partition_key=partition_key,
        tags=tags,
        run_config=run_config,
        raise_on_error=False,
    )


def _loaded_files(warehouse: Warehouse) -> list[str]:
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            "SELECT source_uri FROM raw.load_batch WHERE source = %(source)s", {"source": METER_READINGS.name}
        )
    return sorted(row["source_uri"].rsplit("/", 1)[-1] for row in rows)


def _metadata(result: dg.ExecuteInProcessResult) -> list[dict]:
    return [
        {key: value.value for key, value in event.metadata.items()}
        for event in result.asset_materializations_for_node(OP)
    ]


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("duisburg_em01_2026-03-29_15_local.json", dt.date(2026, 3, 29)),
        ("MDM_EXPORT_20261025.csv", dt.date(2026, 10, 25)),
        ("site_2026_10_24.csv", dt.date(2026, 10, 24)),
        ("slite_em01_2026-10-24_26_utc.csv", dt.date(2026, 10, 24)),  # a multi-day file: its first day
        ("meter_12345678_2026-13-40_2026-02-01.csv", dt.date(2026, 2, 1)),  # not a date, then a date
    ],
)
def test_a_file_belongs_to_the_day_in_its_name(tmp_path: Path, name: str, day: dt.date) -> None:
    path = tmp_path / name
    path.write_text("x")
    assert delivery_day(path) == day


def test_a_file_without_a_day_in_its_name_belongs_to_the_utc_day_it_landed(tmp_path: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_text("x")
    landed = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 29th in Berlin: still the 28th
    os.utime(path, (landed.timestamp(), landed.timestamp()))
    assert delivery_day(path) == dt.date(2026, 3, 28)


def test_days_group_into_runs_of_consecutive_days() -> None:
    day = dt.date(2026, 3, 1)
    days = [day, day + dt.timedelta(1), day + dt.timedelta(2), day + dt.timedelta(6)]
    assert consecutive_runs(days) == [(day, day + dt.timedelta(2)), (day + dt.timedelta(6),) * 2]
    assert consecutive_runs([]) == []


@pytest.mark.slow  # Dagster runs of the partitioned assets
def test_a_partition_loads_its_days_files_and_a_backfill_the_rest_once(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    warehouse = Warehouse(settings)
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(settings.landing_dir, "nordic-cement", f"slite_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_2}.csv", UTC_DAY_2)
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_3}.csv", UTC_DAY_3)

    day_1 = _materialize(settings, partition_key=UTC_DAY_1.isoformat())
    assert day_1.success
    assert _loaded_files(warehouse) == [f"rotterdam_{UTC_DAY_1}.csv", f"slite_{UTC_DAY_1}.csv"]
    assert _metadata(day_1)[0]["rows_loaded"] == 2 * 48

    # the backfill of days 1..3: one run, one materialization per day; day 1 is not loaded again
    backfill = _materialize(
        settings,
        tags={
            "dagster/asset_partition_range_start": UTC_DAY_1.isoformat(),
            "dagster/asset_partition_range_end": UTC_DAY_3.isoformat(),
        },
    )
    assert backfill.success
    assert sorted(event.partition for event in backfill.asset_materializations_for_node(OP)) == [
        UTC_DAY_1.isoformat(),
        UTC_DAY_2.isoformat(),
        UTC_DAY_3.isoformat(),
    ]
    (summary,) = {str(item) for item in _metadata(backfill)}  # one summary of the run on each day
    assert (
        "'days': 3" in summary
        and "'files_loaded': 2" in summary
        and "'files_skipped_already_loaded': 2" in summary
    )
    assert len(_loaded_files(warehouse)) == 4

    again = _materialize(settings, partition_key=UTC_DAY_2.isoformat())
    assert _metadata(again)[0]["files_loaded"] == 0 and len(_loaded_files(warehouse)) == 4

    # the operator re-sends day 2 with every reading estimated replaced by a corrected value: a new batch
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_2}.csv", UTC_DAY_2, value="9.99")
    corrected = _materialize(settings, partition_key=UTC_DAY_2.isoformat())
    assert _metadata(corrected)[0]["files_loaded"] == 1
    with warehouse.session() as session:
        batches = session.scalar(
            "SELECT count(DISTINCT _batch_id) FROM raw.meters__interval_readings "
            "WHERE CAST(interval_start AS DATE) = %(day)s",
            {"day": UTC_DAY_2},
        )
    assert batches == 2


def test_a_configured_file_of_another_day_fails_the_partition_clearly(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    path = _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_2}.csv", UTC_DAY_2)
    result = _materialize(
        settings,
        partition_key=UTC_DAY_1.isoformat(),
        run_config={"ops": {OP: {"config": {"files": [str(path)]}}}},
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    assert f"is for {UTC_DAY_2}, not a day of this run" in str(failure.event_specific_data.error)
    assert not settings.duckdb_path.exists()  # refused before anything was written


def _landing_sensor(tmp_path: Path):
    settings = make_settings("duckdb", tmp_path)
    sensor = build_landing_sensor(
        LANDING_SOURCES, build_load_jobs(LANDING_SOURCES), settings.landing_dir, settings.tenants
    )
    resources = {"warehouse": WarehouseResource.from_settings(settings)}
    return settings.landing_dir, lambda cursor: sensor(
        dg.build_sensor_context(cursor=cursor, resources=resources)
    )


def test_the_landing_sensor_requests_one_run_per_day_of_the_files(tmp_path: Path) -> None:
    landing, tick = _landing_sensor(tmp_path)
    today = dt.datetime.now(dt.UTC).date()
    _land(landing, "acme-steel", f"rotterdam_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(landing, "nordic-cement", f"slite_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(landing, "acme-steel", f"rotterdam_{UTC_DAY_2}.csv", UTC_DAY_2)
    _land(landing, "acme-steel", "rotterdam_2019-12-31.csv", dt.date(2019, 12, 31))  # before the first day
    _land(landing, "acme-steel", f"rotterdam_{today + dt.timedelta(days=5)}.csv", today)

    result = tick(None)
    requests = {request.partition_key: request for request in result.run_requests}
    assert sorted(requests) == [UTC_DAY_1.isoformat(), UTC_DAY_2.isoformat()]
    assert {request.job_name for request in result.run_requests} == {"load_meters__interval_readings"}
    files = requests[UTC_DAY_1.isoformat()].run_config["ops"][OP]["config"]["files"]
    assert sorted(Path(name).name for name in files) == [
        f"rotterdam_{UTC_DAY_1}.csv",
        f"slite_{UTC_DAY_1}.csv",
    ]
    # the files without a partition wait (none after today's, none before the first day)
    assert not LANDING_DAYS.has_partition_key((today + dt.timedelta(days=5)).isoformat())
    assert tick(result.cursor).run_requests == []


def test_a_file_that_waited_for_its_day_is_requested_when_the_day_comes(tmp_path: Path) -> None:
    landing, tick = _landing_sensor(tmp_path)
    today = dt.datetime.now(dt.UTC).date()
    _land(landing, "acme-steel", f"rotterdam_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(landing, "acme-steel", f"rotterdam_{today}.csv", today)
    # the cursor of a tick of yesterday, after both files landed: today's file had no partition then
    yesterday = LandingCursor(
        mark_ns=time.time_ns() + 10**9, last_day=(today - dt.timedelta(days=1)).isoformat()
    )

    (request,) = tick(yesterday.dumps()).run_requests
    assert request.partition_key == today.isoformat()


@pytest.mark.slow  # Dagster runs of the partitioned assets, and the whole definitions
def test_a_backfill_of_days_rebuilds_the_models_downstream_once(tmp_path: Path) -> None:
    from greenlang.definitions import build_definitions

    settings = make_settings("duckdb", tmp_path)
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_1}.csv", UTC_DAY_1)
    _land(settings.landing_dir, "acme-steel", f"rotterdam_{UTC_DAY_2}.csv", UTC_DAY_2)
    defs = build_definitions(settings)
    with dg.instance_for_test() as instance:
        start = dg.evaluate_automation_conditions(defs, instance)
        # a backfill: one run materializes two partitions
        dg.materialize(
            [build_ingestion_asset(METER_READINGS, settings.landing_dir, settings.tenants)],
            resources={"warehouse": WarehouseResource.from_settings(settings)},
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": UTC_DAY_1.isoformat(),
                "dagster/asset_partition_range_end": UTC_DAY_2.isoformat(),
            },
        )
        after = dg.evaluate_automation_conditions(defs, instance, cursor=start.cursor)
        later = dg.evaluate_automation_conditions(defs, instance, cursor=after.cursor)
    rebuilt = {key for key in defs.resolve_asset_graph().get_all_asset_keys() if after.get_num_requested(key)}
    assert METER_KEY not in rebuilt
    assert dg.AssetKey(["marts", "fct_energy_consumption"]) in rebuilt
    assert all(after.get_requested_partitions(key) == {None} for key in rebuilt)  # each model built once
    assert later.total_requested == 0


def test_the_daily_schedule_loads_yesterdays_and_todays_files() -> None:
    (schedule,) = build_partitioned_load_schedules(LANDING_SOURCES)
    assert schedule.job_name == "load_meters__interval_readings"
    assert schedule.cron_schedule == "30 4 * * *"
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 30, 4, 30, tzinfo=dt.UTC)
    )
    requests = schedule(context)
    assert [request.partition_key for request in requests] == ["2026-03-29", "2026-03-30"]
