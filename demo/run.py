"""`make demo`: generate the demo landing files, materialize the whole warehouse (dbt's progress in one
line, demo/progress.py), print what was built and how to look at it (demo/summary.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dagster as dg

from demo.erp import running_erps
from demo.generate import write_demo_landing
from demo.ghg import DEMO_GRID_WINDOW, running_grid_api, write_ghg_demo_landing
from demo.progress import compact_dbt_output
from demo.stream import NATS_STORE, publish_demo_readings, running_meter_stream
from demo.summary import print_summary
from greenlang.catalog import LANDING_SOURCES
from greenlang.core.landing import landed_files
from greenlang.core.warehouse import Warehouse, WarehouseUnavailable
from greenlang.ingest.sensors import load_job_name
from greenlang.settings import PROJECT_ROOT, load_settings

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# Everything dbt printed during the build, where the progress line stands for it on screen.
DBT_LOG = PROJECT_ROOT / ".warehouse" / "demo-dbt.log"


def main() -> int:
    settings = load_settings()
    try:
        if Warehouse(settings).ensure_database():
            print(f"Created the database {settings.postgres.database}")
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    write_demo_landing(settings.landing_dir)
    write_ghg_demo_landing(settings.landing_dir)
    with running_erps(), running_grid_api(), running_meter_stream(NATS_STORE) as nats:
        streamed = publish_demo_readings(nats.url, dt.datetime.now(dt.UTC).replace(tzinfo=None))
        print(f"Streamed {streamed.stored} SCADA meter readings to NATS JetStream at {nats.url}", flush=True)
        from greenlang.definitions import (
            defs,  # imported after the landing files exist and the stream runs, as the UI would load it
        )

        print(f"Materializing every asset into {Warehouse(settings).describe()} …", flush=True)
        with dg.DagsterInstance.get() as instance, compact_dbt_output(DBT_LOG):
            first, last = DEMO_GRID_WINDOW[0].date(), (DEMO_GRID_WINDOW[1] - dt.timedelta(days=1)).date()
            partitioned = [
                run_partition_range(defs, instance, "grid_intensity", first, last, QUIET),
                *load_partitioned_sources(defs, instance, settings.landing_dir, QUIET),
            ]
            job = defs.resolve_job_def("build_warehouse")
            result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET)
    print_summary(settings, [*partitioned, result], settings.landing_dir, DBT_LOG)
    if not all(run.success for run in (*partitioned, result)):
        print(f"\nThe build failed: see run {result.run_id} in the Dagster UI (make ui).", file=sys.stderr)
        return 1
    return 0


def run_partition_range(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    job_name: str,
    first: dt.date,
    last: dt.date,
    run_config: dict,
) -> dg.ExecuteInProcessResult:
    """One run over the days first..last of a daily-partitioned job, as a backfill launches it."""
    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=run_config,
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        },
    )


def load_partitioned_sources(
    defs: dg.Definitions, instance: dg.DagsterInstance, landing_dir: Path, run_config: dict
) -> list[dg.ExecuteInProcessResult]:
    """Every day that has landed files of a daily-partitioned source, one run per run of consecutive days
    (refused files included: the run of their day records them)."""
    runs = []
    for spec in LANDING_SOURCES:
        if spec.daily_partitions:
            days = sorted({item.day() for item in landed_files(landing_dir, (), [spec.name])})
            for first, last in consecutive_runs(days):
                runs.append(run_partition_range(defs, instance, load_job_name(spec), first, last, run_config))
    return runs


def consecutive_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as (first, last) runs of consecutive days: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
