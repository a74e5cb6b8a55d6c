"""Regular builds."""

from __future__ import annotations

import dagster as dg

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    # every asset but the daily-partitioned grid intensity, which has its own job and schedule
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(["raw", "grid__carbon_intensity"]),
    description="Load every waiting file, then build and test every model",
)

daily_build = dg.ScheduleDefinition(
    name="daily_warehouse_build",
    job=build_warehouse_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
