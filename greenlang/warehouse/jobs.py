"""The whole-warehouse build: every unpartitioned asset, daily."""

from __future__ import annotations

import dagster as dg

from greenlang.ingest.assets import DAILY_PARTITIONED_TAG

# A job cannot mix partitioned and unpartitioned assets: the daily-partitioned ones load through their
# own jobs (grid_intensity, load_meters__interval_readings), which their sensors and schedules launch.
build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.tag(*DAILY_PARTITIONED_TAG),
    description="Load every waiting file of the unpartitioned sources, then build and test every model",
)

daily_build = dg.ScheduleDefinition(
    name="daily_warehouse_build",
    job=build_warehouse_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Builds the whole warehouse every day at 05:00 UTC, after the daily partitioned loads",
)
