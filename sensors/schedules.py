"""Regular builds."""

from __future__ import annotations

import dagster as dg

from assets.ghg import GRID_KEY
from assets.ingestion import DAILY_PARTITIONED, RAW_GROUP

# A job cannot mix partitioned and unpartitioned assets: the daily-partitioned ones load through their
# own jobs (grid_intensity, load_meters__interval_readings), which the sensors and schedules launch.
PARTITIONED_KEYS = [GRID_KEY, *(dg.AssetKey([RAW_GROUP, name]) for name in DAILY_PARTITIONED)]

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*PARTITIONED_KEYS),
    description="Load every waiting file of the unpartitioned sources, then build and test every model",
)

daily_build = dg.ScheduleDefinition(
    name="daily_warehouse_build",
    job=build_warehouse_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
