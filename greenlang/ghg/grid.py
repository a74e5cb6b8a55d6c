"""GB grid carbon intensity: the API's half hours of each UTC day (``raw/grid__carbon_intensity``), the job
that reads a day, and the schedule that re-reads yesterday and today.

The asset is daily-partitioned (UTC days); a run reads each of its partitions' 48 half hours from the GB
Carbon Intensity API (resource ``grid``, ``greenlang.ghg.grid_api``), one page per day. Re-reading a day
adds a batch only when the API's answer changed (``actual`` measured since), so staging prefers the
measured reading. A backfill runs as one run (``BackfillPolicy.single_run``) that reads each day once.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import dagster as dg

from greenlang.core.domains import source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import LoadResult, load_records
from greenlang.core.warehouse import WAREHOUSE_POOL, Warehouse, WarehouseResource
from greenlang.ghg.grid_api import CarbonIntensityResource
from greenlang.ghg.sources import GRID_CARBON_INTENSITY
from greenlang.ingest.assets import (
    DAILY_PARTITIONED_TAG,
    RAW_TAGS,
    WAREHOUSE_KINDS,
    fail_run_on,
    ledger_data_version,
    load_each,
    loaded_rows,
    raw_asset_key,
    recent_day_requests,
    skipped_rows,
)

GRID_KEY = raw_asset_key(GRID_CARBON_INTENSITY)
# UTC days from the first day the inventory reports on; end_offset=1: today's partition exists (forecasts).
GRID_PARTITIONS = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC", end_offset=1)


class GridPage(Protocol):
    records: Sequence[Mapping[str, Any]]
    url: str


class GridClient(Protocol):
    """What ``load_grid_intensity`` needs of a client (``greenlang.ghg.grid_api.CarbonIntensityResource``)."""

    def pages(self, start: dt.datetime, end: dt.datetime) -> Iterable[GridPage]: ...


def load_grid_intensity(
    warehouse: Warehouse, client: GridClient, start: dt.datetime, end: dt.datetime
) -> list[LoadResult]:
    """Read the half-hours of ``[start, end)`` from the API and load each page as one batch (tenant
    ``global``). A page whose records were loaded before is skipped by the loader, so re-reading a window
    only adds what changed (typically ``actual`` measured since the last read)."""
    results = []
    for page in client.pages(start, end):
        if not page.records:
            continue
        results.append(
            load_records(
                warehouse, GRID_CARBON_INTENSITY, list(page.records), GLOBAL_TENANT, source_uri=page.url
            )
        )
    return results


def _days(context: dg.AssetExecutionContext) -> Iterator[tuple[str, dt.datetime, dt.datetime]]:
    for key in context.partition_keys:
        window = GRID_PARTITIONS.time_window_for_partition_key(key)
        yield key, window.start, window.end


@dg.asset(
    key=GRID_KEY,
    group_name=source_domain(GRID_CARBON_INTENSITY.name),
    kinds={*WAREHOUSE_KINDS, "api"},
    description=(
        "GB national carbon intensity, the 48 half hours of the partition's UTC day from the Carbon "
        "Intensity API (resource `grid`), into `raw.grid__carbon_intensity` (tenant `global`), one batch "
        "per day read. Re-running a day adds a batch only if the API's answer changed (`actual` measured "
        "since the last read); staging keeps the measured reading. A backfill is one run reading each day once."
    ),
    metadata={
        "contract": f"{GRID_CARBON_INTENSITY.contract.contract_name} "
        f"v{GRID_CARBON_INTENSITY.contract.contract_version}"
    },
    partitions_def=GRID_PARTITIONS,
    tags={**RAW_TAGS, **dict([DAILY_PARTITIONED_TAG])},
    backfill_policy=dg.BackfillPolicy.single_run(),
    freshness_policy=FRESHNESS[GRID_CARBON_INTENSITY.cadence],
    pool=WAREHOUSE_POOL,
)
def grid_carbon_intensity(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, grid: CarbonIntensityResource
) -> dg.MaterializeResult:
    store = warehouse.get_warehouse()
    results = fail_run_on(
        load_each(
            context,
            # [start, end) is one UTC day: one request and one page whatever grid.days_per_request says, so
            # a day read in a backfill and the same day read alone are the same delivery.
            [
                (key, lambda start=start, end=end: load_grid_intensity(store, grid, start, end))
                for key, start, end in _days(context)
            ],
            errors=(Exception,),  # an unreachable API for one day must not lose the others
        ),
        what="day(s)",
    )
    skipped = [result for result in results if result.status == "skipped"]
    return dg.MaterializeResult(
        metadata={
            "days": len(context.partition_keys),
            "pages_loaded": len(results) - len(skipped),
            "pages_unchanged": len(skipped),
            **loaded_rows(results),
            **skipped_rows(store, results),
        },
        data_version=ledger_data_version(store, GRID_CARBON_INTENSITY),
    )


grid_intensity_job = dg.define_asset_job(
    "grid_intensity",
    selection=dg.AssetSelection.assets(GRID_KEY),
    description="Read one day (partition) of GB grid carbon intensity from the API",
)


@dg.schedule(
    name="grid_intensity_half_hourly",
    job=grid_intensity_job,
    cron_schedule="10,40 * * * *",  # after each half hour ends, when the API has measured it
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Re-reads yesterday's and today's GB grid intensity after each half hour (actuals replace forecasts)",
)
def grid_intensity_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """Yesterday (its last half hours are measured after midnight) and today (actuals so far, forecasts)."""
    return recent_day_requests(context)
