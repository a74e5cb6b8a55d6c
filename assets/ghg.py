"""GHG ingestion assets that are not plain landing files (docs/design.md, "GHG inventory and ESRS E1").

- ``raw/epa__emission_factors``: the US EPA GHG Emission Factors Hub workbooks waiting in
  ``<landing>/global/epa__emission_factors/`` (or the files of the run config), each parsed by
  ``ingestion.publications.epa_hub.load_epa_hub``; a workbook loaded before is skipped.
- ``raw/grid__carbon_intensity``: daily-partitioned (UTC days); a run reads each of its partitions' 48
  half hours from the GB Carbon Intensity API (resource ``grid``) with ``load_grid_intensity``, one page
  per day. Re-reading a day adds a batch only when the API's answer changed (``actual`` measured since),
  so staging's ``GRID_DEDUPE_SQL`` prefers the measured reading. A backfill runs as one run
  (``BackfillPolicy.single_run``) that reads each day of the range once. ``grid_intensity_schedule``
  re-reads yesterday and today every half hour.
- ``raw/load_batch`` and ``raw/dead_letter``: the ledger tables every load writes, as asset specs so that
  the dbt sources that read them have an upstream asset stating an SLA.
"""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.ingestion import (
    DAILY,
    RAW_GROUP,
    YEARLY,
    file_counts,
    load_each,
    loaded_rows,
    raw_asset_key,
    recent_day_requests,
)
from ingestion.ghg_sources import (
    EPA_EMISSION_FACTORS,
    GLOBAL_TENANT,
    GRID_CARBON_INTENSITY,
    load_grid_intensity,
)
from ingestion.landing import landed_files
from ingestion.loader import LoadError, LoadResult
from ingestion.publications.epa_hub import load_epa_hub
from ingestion.readers import UnreadableFileError
from resources.grid import CarbonIntensityResource
from resources.warehouse import Warehouse, WarehouseResource

EPA_KEY = raw_asset_key(EPA_EMISSION_FACTORS)
GRID_KEY = raw_asset_key(GRID_CARBON_INTENSITY)
LOAD_BATCH_KEY = dg.AssetKey([RAW_GROUP, "load_batch"])
DEAD_LETTER_KEY = dg.AssetKey([RAW_GROUP, "dead_letter"])
EPA_SUFFIXES = {".xlsx", ".xlsm"}
WAREHOUSE_KINDS = {"python", "duckdb", "postgres"}

# UTC days from the first day the inventory reports on; end_offset=1: today's partition exists (forecasts).
GRID_PARTITIONS = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC", end_offset=1)


def _skipped_rows(warehouse: Warehouse, results: list[LoadResult]) -> dict[str, int]:
    """Rows the earlier batches of the skipped deliveries loaded (what they would have added again)."""
    batch_ids = [result.batch_id for result in results if result.status == "skipped"]
    if not batch_ids:
        return {"rows_skipped_already_loaded": 0}
    names = {f"batch_{index}": batch_id for index, batch_id in enumerate(batch_ids)}
    with warehouse.session() as session:
        rows = session.scalar(
            "SELECT coalesce(sum(rows_loaded), 0) FROM raw.load_batch WHERE batch_id IN ("
            + ", ".join(f"%({name})s" for name in names)
            + ")",
            names,
        )
    return {"rows_skipped_already_loaded": int(rows)}


# --- EPA GHG Emission Factors Hub ---------------------------------------------------------------------------


class EpaHubConfig(dg.Config):
    """Which workbooks to load. Empty: every workbook waiting in ``<landing>/global/epa__emission_factors/``."""

    files: list[str] = Field(
        default=[], description="Workbooks to load; empty: all waiting in the landing dir"
    )
    landing_dir: str | None = Field(default=None, description="Overrides GREENLANG_LANDING_DIR")


def epa_workbooks(landing_dir: Path) -> tuple[list[Path], list[str]]:
    """The hub workbooks waiting (oldest first), and what else lies in the source's folders (ignored)."""
    workbooks, ignored = [], []
    for item in landed_files(landing_dir, EPA_EMISSION_FACTORS.name):
        if item.tenant_id == GLOBAL_TENANT and item.path.suffix.lower() in EPA_SUFFIXES:
            workbooks.append(item.path)
        else:
            ignored.append(f"{item.tenant_id}/{item.path.name}")
    return workbooks, ignored


def build_epa_emission_factors_asset(default_landing_dir: Path) -> dg.AssetsDefinition:
    @dg.asset(
        key=EPA_KEY,
        group_name=RAW_GROUP,
        kinds={*WAREHOUSE_KINDS, "excel"},
        description=(
            "US EPA GHG Emission Factors Hub workbooks (`<landing>/global/epa__emission_factors/*.xlsx`) "
            "parsed into one row per published cell (contract "
            f"{EPA_EMISSION_FACTORS.contract.contract_name} v{EPA_EMISSION_FACTORS.contract.contract_version}) "
            "in `raw.epa__emission_factors`, tenant `global`, edition in `raw.load_batch.attributes`; "
            "a workbook loaded before is skipped."
        ),
        metadata={
            "contract": f"{EPA_EMISSION_FACTORS.contract.contract_name} "
            f"v{EPA_EMISSION_FACTORS.contract.contract_version}"
        },
        freshness_policy=YEARLY,
        pool="warehouse_writes",
    )
    def _epa(context: dg.AssetExecutionContext, config: EpaHubConfig, warehouse: WarehouseResource):
        if config.files:
            paths = [Path(name).resolve() for name in config.files]
        else:
            landing_dir = Path(config.landing_dir) if config.landing_dir else default_landing_dir
            paths, ignored = epa_workbooks(landing_dir)
            if ignored:
                context.log.warning(f"not EPA hub workbooks of tenant {GLOBAL_TENANT!r}, ignored: {ignored}")
        store = warehouse.get_warehouse()
        results = load_each(
            context,
            [(path.name, lambda path=path: [load_epa_hub(store, path)]) for path in paths],
            what="workbook(s)",
            errors=(LoadError, UnreadableFileError),
        )
        return dg.MaterializeResult(
            metadata={
                **file_counts(results),
                **loaded_rows(results),
                **_skipped_rows(store, results),
            }
        )

    return _epa


# --- GB grid carbon intensity --------------------------------------------------------------------------------


def _days(context: dg.AssetExecutionContext) -> Iterator[tuple[str, dt.datetime, dt.datetime]]:
    for key in context.partition_keys:
        window = GRID_PARTITIONS.time_window_for_partition_key(key)
        yield key, window.start, window.end


@dg.asset(
    key=GRID_KEY,
    group_name=RAW_GROUP,
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
    backfill_policy=dg.BackfillPolicy.single_run(),
    freshness_policy=DAILY,
    pool="warehouse_writes",
)
def grid_carbon_intensity(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, grid: CarbonIntensityResource
) -> dg.MaterializeResult:
    store = warehouse.get_warehouse()
    results = load_each(
        context,
        # [start, end) is one UTC day: one request and one page whatever grid.days_per_request says, so a
        # day read in a backfill and the same day read alone are the same delivery.
        [
            (key, lambda start=start, end=end: load_grid_intensity(store, grid, start, end))
            for key, start, end in _days(context)
        ],
        what="day(s)",
        errors=(Exception,),  # an unreachable API for one day must not lose the others
    )
    skipped = [result for result in results if result.status == "skipped"]
    return dg.MaterializeResult(
        metadata={
            "days": len(context.partition_keys),
            "pages_loaded": len(results) - len(skipped),
            "pages_unchanged": len(skipped),
            **loaded_rows(results),
            **_skipped_rows(store, results),
        }
    )


grid_intensity_job = dg.define_asset_job(
    "grid_intensity",
    selection=dg.AssetSelection.assets(GRID_KEY),
    partitions_def=GRID_PARTITIONS,
    description="Read one day (partition) of GB grid carbon intensity from the API",
)


@dg.schedule(
    name="grid_intensity_half_hourly",
    job=grid_intensity_job,
    cron_schedule="10,40 * * * *",  # after each half hour ends, when the API has measured it
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def grid_intensity_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """Yesterday (its last half hours are measured after midnight) and today (actuals so far, forecasts)."""
    return recent_day_requests(context)


# --- the ledger ----------------------------------------------------------------------------------------------

LEDGER_SPECS = [
    dg.AssetSpec(
        LOAD_BATCH_KEY,
        group_name=RAW_GROUP,
        description=(
            "`raw.load_batch`: one row per load (file, API page, workbook) with its counts, status and "
            "attributes (publisher, edition, version). Written by every ingestion asset as part of its load."
        ),
        kinds=WAREHOUSE_KINDS,
        freshness_policy=DAILY,
    ),
    dg.AssetSpec(
        DEAD_LETTER_KEY,
        group_name=RAW_GROUP,
        description=(
            "`raw.dead_letter`: every rejected record with its received values and field errors. Written "
            "by every ingestion asset as part of its load."
        ),
        kinds=WAREHOUSE_KINDS,
        freshness_policy=DAILY,
    ),
]


def build_ghg_assets(landing_dir: Path) -> list[dg.AssetsDefinition | dg.AssetSpec]:
    return [build_epa_emission_factors_asset(landing_dir), grid_carbon_intensity, *LEDGER_SPECS]
