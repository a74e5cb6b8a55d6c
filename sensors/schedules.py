"""Regular builds."""

from __future__ import annotations

import dagster as dg

from assets.ghg import GRID_KEY
from assets.ingestion import DAILY_PARTITIONED, RAW_GROUP, recent_day_requests
from ingestion.loader import SourceSpec
from sensors.landing import load_job_name

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


def build_partitioned_load_schedules(specs: tuple[SourceSpec, ...]) -> list[dg.ScheduleDefinition]:
    """Before the daily build, each daily-partitioned source loads yesterday's and today's files: what the
    landing sensor missed (stopped, or a file rewritten in place) is loaded; what is loaded stays once."""
    schedules = []
    for spec in specs:
        if spec.name not in DAILY_PARTITIONED:
            continue

        @dg.schedule(
            name=f"{load_job_name(spec)}_daily",
            job_name=load_job_name(spec),
            cron_schedule="30 4 * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
        )
        def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
            return recent_day_requests(context)

        schedules.append(_schedule)
    return schedules
