"""Launch a load, and the models downstream of it, for every new file in the landing directory.

A daily-partitioned source's job loads the file into the partition of its day
(``greenlang.core.landing.delivery_day``) and no more: a job cannot mix partitioned and unpartitioned assets,
so ``rebuild_after_<source>`` (an asset sensor) runs the models downstream once each load run ends.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from greenlang.core.landing import LandedFile, landed_files
from greenlang.core.loader import SourceSpec
from greenlang.ingest.assets import partitions_for, raw_asset_key, recent_day_requests


def load_job_name(spec: SourceSpec) -> str:
    return f"load_{spec.name}"


def rebuild_job_name(spec: SourceSpec) -> str:
    return f"rebuild_after_{spec.name}"


def _downstream(spec: SourceSpec) -> dg.AssetSelection:
    return dg.AssetSelection.assets(raw_asset_key(spec)).downstream()


def build_load_jobs(specs: tuple[SourceSpec, ...]) -> list[dg.UnresolvedAssetJobDefinition]:
    jobs = []
    for spec in specs:
        if spec.daily_partitions:
            jobs.append(
                dg.define_asset_job(
                    load_job_name(spec),
                    selection=dg.AssetSelection.assets(raw_asset_key(spec)),
                    description=f"Load the `{spec.name}` files of a day (partition) or of a range (backfill)",
                )
            )
            jobs.append(
                dg.define_asset_job(
                    rebuild_job_name(spec),
                    selection=_downstream(spec) - dg.AssetSelection.assets(raw_asset_key(spec)),
                    description=f"Rebuild the models that depend on `{spec.name}` after a load",
                )
            )
        else:
            jobs.append(
                dg.define_asset_job(
                    load_job_name(spec),
                    selection=_downstream(spec),
                    description=f"Load new `{spec.name}` files, then rebuild the models that depend on them",
                )
            )
    return jobs


def build_rebuild_sensors(specs: tuple[SourceSpec, ...]) -> list[dg.SensorDefinition]:
    """For each daily-partitioned source: rebuild what depends on it once per load run (a backfill's run
    materializes many partitions, and asks for one rebuild)."""
    sensors = []
    for spec in specs:
        if not spec.daily_partitions:
            continue

        @dg.asset_sensor(
            name=rebuild_job_name(spec),
            asset_key=raw_asset_key(spec),
            job_name=rebuild_job_name(spec),
            minimum_interval_seconds=60,
            default_status=dg.DefaultSensorStatus.RUNNING,
            description=f"Rebuilds the models downstream of `{spec.name}` after each run that loaded it",
        )
        def _sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry) -> dg.RunRequest:
            return dg.RunRequest(run_key=asset_event.run_id)

        sensors.append(_sensor)
    return sensors


def build_landing_sensor(
    specs: tuple[SourceSpec, ...], jobs: list[dg.UnresolvedAssetJobDefinition], landing_dir: Path
) -> dg.SensorDefinition:
    by_source = {spec.name: spec for spec in specs}

    @dg.sensor(
        name="landing_files",
        jobs=jobs,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Watches {landing_dir}/<tenant>/<source>/ for new or rewritten files",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        new = [item for item in landed_files(landing_dir) if item.source in by_source]
        new = [item for item in new if item.fingerprint() not in seen]
        partitions = {item: _partition_key(by_source[item.source], item) for item in new}
        waiting = [item for item in new if not _has_partition(by_source[item.source], partitions[item])]
        for item in waiting:
            context.log.warning(
                f"{item.path}: its day {partitions[item]} has no partition (before the first day, or after "
                "tomorrow): it waits"
            )
        new = [item for item in new if item not in waiting]
        if not new:
            return dg.SensorResult(skip_reason=f"no new file in {landing_dir}")
        requests = [
            dg.RunRequest(
                run_key=item.fingerprint(),
                job_name=load_job_name(by_source[item.source]),
                partition_key=partitions[item],
                run_config={
                    "ops": {
                        raw_asset_key(by_source[item.source]).to_python_identifier(): {
                            "config": {"files": [str(item.path)], "landing_dir": str(landing_dir)}
                        }
                    }
                },
                tags={"greenlang/tenant": item.tenant_id, "greenlang/file": item.path.name},
            )
            for item in new
        ]
        cursor = sorted(seen | {item.fingerprint() for item in new})
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))

    return _sensor


def _partition_key(spec: SourceSpec, item: LandedFile) -> str | None:
    return item.day().isoformat() if spec.daily_partitions else None


def _has_partition(spec: SourceSpec, key: str | None) -> bool:
    """False for a file of a day before the partitions start or after tomorrow: it waits for its day."""
    return key is None or partitions_for(spec).has_partition_key(key)


def build_partitioned_load_schedules(specs: tuple[SourceSpec, ...]) -> list[dg.ScheduleDefinition]:
    """Before the daily build, each daily-partitioned source loads yesterday's and today's files: what the
    landing sensor missed (stopped, or a file rewritten in place) is loaded; what is loaded stays once."""
    schedules = []
    for spec in specs:
        if not spec.daily_partitions:
            continue

        @dg.schedule(
            name=f"{load_job_name(spec)}_daily",
            job_name=load_job_name(spec),
            cron_schedule="30 4 * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description=f"Loads yesterday's and today's `{spec.name}` files at 04:30 UTC, before the daily build",
        )
        def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
            return recent_day_requests(context)

        schedules.append(_schedule)
    return schedules
