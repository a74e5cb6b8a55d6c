"""How the warehouse rebuilds: the automation sensor that builds what depends on new data, and the
whole-warehouse build job (``make demo``, tests, or a full rebuild on demand)."""

from __future__ import annotations

import dagster as dg

from greenlang.ingest.assets import DAILY_PARTITIONED_TAG, QUARTERLY_PARTITIONED_TAG

# A job cannot mix partitioned and unpartitioned assets: the daily-partitioned ones load through their
# own jobs (grid_intensity, load_meters__interval_readings), which their sensors and schedules launch; the
# quarterly CBAM report is written by its own job (cbam_quarterly_report).
build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.tag(*DAILY_PARTITIONED_TAG)
    - dg.AssetSelection.tag(*QUARTERLY_PARTITIONED_TAG),
    description="Load every waiting file of the unpartitioned sources, then build and test every model",
)

# No daily whole-warehouse schedule: a model rebuilds when something it depends on changed (a load, a
# sync, a seed's CSV, its own SQL), by the condition of ``greenlang.core.automation``; rebuilding every
# model each day would redo that work for data that did not change.
# Dagster's implicit default automation sensor starts stopped: this one is declared running.
automation_sensor = dg.AutomationConditionSensorDefinition(
    "rebuild_after_upstream_changes",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 30 s, requests the dbt models, seeds and exports whose upstream was updated (or whose code "
        "changed) since they were last built, and only those"
    ),
)

# The streamed meter readings against the settlement files, once the night's files are loaded (the meter
# files' daily schedule runs at 04:30 UTC): the model's data test is the reconciliation check (WARN).
METER_STREAM_RECONCILIATION = dg.AssetKey(["intermediate", "int_ghg__meter_stream_reconciliation"])
reconcile_meter_stream_job = dg.define_asset_job(
    "reconcile_meter_stream",
    selection=dg.AssetSelection.assets(METER_STREAM_RECONCILIATION),
    description="Compare each meter-day streamed from SCADA with the same day of the settlement files",
)
reconcile_meter_stream_nightly = dg.ScheduleDefinition(
    name="reconcile_meter_stream_nightly",
    job=reconcile_meter_stream_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Reconciles yesterday's streamed meter readings with the filed ones at 05:00 UTC",
)
