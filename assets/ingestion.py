"""Ingestion assets: one per inbound source, each loading files into ``raw.<source>``.

Meter readings are daily-partitioned (``DAILY_PARTITIONED``): meter platforms deliver a file per reading
day, named for that day (``ingestion.landing.delivery_day``). A partition's run loads the landed files of
its day (every tenant), a backfill is one run over its days, and re-running a day reloads nothing that is
already loaded (same file, same bytes) but picks up a corrected file (estimates replaced by actuals).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import dagster as dg
from pydantic import Field

from ingestion.ghg_sources import GHG_REFERENCE_SOURCES, METER_READINGS, TENANT_SOURCES
from ingestion.landing import delivery_day, landed_files
from ingestion.loader import LoadError, LoadResult, SourceSpec, load_file
from ingestion.sources import CBAM_SHIPMENTS, LANDING_SOURCES, REFERENCE_SOURCES
from resources.warehouse import WarehouseResource

RAW_GROUP = "raw"


def _window(warn: dt.timedelta, fail: dt.timedelta) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


DAILY = _window(dt.timedelta(hours=26), dt.timedelta(hours=48))
MONTHLY = _window(dt.timedelta(days=35), dt.timedelta(days=45))
YEARLY = _window(dt.timedelta(days=370), dt.timedelta(days=400))
# Brokers send customs files and meters report at least daily; activity records (fuel, travel, headcount…)
# arrive with the month's close; authorities publish reference data and factors about yearly.
FRESHNESS = {
    CBAM_SHIPMENTS.name: DAILY,
    METER_READINGS.name: DAILY,
    **{spec.name: MONTHLY for spec in TENANT_SOURCES if spec is not METER_READINGS},
    **{spec.name: YEARLY for spec in (*REFERENCE_SOURCES, *GHG_REFERENCE_SOURCES)},
}


# Reading days from the earliest history a tenant may backfill; end_offset=1: today's partition exists.
METER_DAYS = dg.DailyPartitionsDefinition(start_date="2020-01-01", timezone="UTC", end_offset=1)
DAILY_PARTITIONED = {METER_READINGS.name: METER_DAYS}


def recent_day_requests(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """A daily-partitioned schedule's runs: yesterday (late deliveries, last measurements) and today."""
    tick = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    today = tick.astimezone(dt.UTC).date()
    return [
        dg.RunRequest(run_key=f"{day.isoformat()}@{tick.isoformat()}", partition_key=day.isoformat())
        for day in (today - dt.timedelta(days=1), today)
    ]


class IngestConfig(dg.Config):
    """Which files to load. Empty: every file waiting in the landing directory for this source."""

    files: list[str] = Field(default=[], description="Files to load; empty: all waiting in the landing dir")
    tenant_id: str | None = Field(default=None, description="Tenant of files given outside the landing dir")
    landing_dir: str | None = Field(default=None, description="Overrides GREENLANG_LANDING_DIR")


def load_each(
    context: dg.AssetExecutionContext,
    deliveries: Iterable[tuple[str, Callable[[], list[LoadResult]]]],
    what: str,
    errors: tuple[type[Exception], ...],
) -> list[LoadResult]:
    """Run each delivery's load (a file, a workbook, a day of an API), logging what it did. A delivery
    failing with one of ``errors`` does not stop the others: what could be loaded is loaded and recorded
    before the run fails on the rest, naming each."""
    results: list[LoadResult] = []
    failures: list[str] = []
    for label, load in deliveries:
        try:
            loaded = load()
        except errors as error:
            context.log.error(f"{label}: {error}")
            failures.append(f"{label}: {error}")
            continue
        for result in loaded:
            context.log.info(
                f"{label}: {result.status}, read {result.rows_read}, loaded {result.rows_loaded}, "
                f"rejected {result.rows_rejected}"
                + (f", ignored columns {result.ignored_columns}" if result.ignored_columns else "")
            )
        results.extend(loaded)
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} {what} could not be loaded",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {item}" for item in failures))},
        )
    return results


def file_counts(results: list[LoadResult]) -> dict[str, int]:
    loaded = sum(result.status == "succeeded" for result in results)
    return {
        "files_seen": len(results),
        "files_loaded": loaded,
        "files_skipped_already_loaded": len(results) - loaded,
    }


def loaded_rows(results: list[LoadResult]) -> dict[str, object]:
    """The row counts and batch ids of the loads that added a batch (a skipped delivery adds none)."""
    loaded = [result for result in results if result.status == "succeeded"]
    return {
        "rows_read": sum(result.rows_read for result in loaded),
        "rows_loaded": sum(result.rows_loaded for result in loaded),
        "rows_rejected": sum(result.rows_rejected for result in loaded),
        "batch_ids": [result.batch_id for result in loaded],
    }


def raw_asset_key(spec: SourceSpec) -> dg.AssetKey:
    return dg.AssetKey([RAW_GROUP, spec.name])


def build_ingestion_asset(spec: SourceSpec, default_landing_dir: Path) -> dg.AssetsDefinition:
    partitions_def = DAILY_PARTITIONED.get(spec.name)
    partitioning = (
        " Daily partitions: a partition loads the files named for (else landed on) its day."
        if partitions_def
        else ""
    )

    @dg.asset(
        key=raw_asset_key(spec),
        group_name=RAW_GROUP,
        kinds={"python", "duckdb", "postgres"},
        description=(
            f"Files of source `{spec.name}` validated against contract {spec.contract.contract_name} "
            f"v{spec.contract.contract_version} and loaded into `raw.{spec.name}`; rejected rows go to "
            "`raw.dead_letter`, every load to `raw.load_batch`." + partitioning
        ),
        metadata={"contract": f"{spec.contract.contract_name} v{spec.contract.contract_version}"},
        freshness_policy=FRESHNESS[spec.name],
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        pool="warehouse_writes",
    )
    def _ingest(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
        days = set(context.partition_keys) if partitions_def else None
        targets = _files_to_load(spec, config, default_landing_dir, days)
        store = warehouse.get_warehouse()
        results = load_each(
            context,
            [
                (
                    f"{tenant_id}/{path.name}",
                    lambda path=path, tenant_id=tenant_id: [load_file(store, spec, path, tenant_id)],
                )
                for tenant_id, path in targets
            ],
            what="file(s)",
            errors=(LoadError,),
        )
        return dg.MaterializeResult(
            metadata={
                **({"days": len(days)} if days is not None else {}),
                **file_counts(results),
                **loaded_rows(results),
            }
        )

    return _ingest


def _files_to_load(
    spec: SourceSpec, config: IngestConfig, default_landing_dir: Path, days: set[str] | None
) -> list[tuple[str, Path]]:
    """The files of the run: those of the config, else those waiting; of the run's days if partitioned."""
    landing_dir = Path(config.landing_dir) if config.landing_dir else default_landing_dir
    if not config.files:
        return [
            (item.tenant_id, item.path)
            for item in landed_files(landing_dir, spec.name)
            if days is None or item.day().isoformat() in days
        ]
    targets = []
    for name in config.files:
        path = Path(name).resolve()
        day = delivery_day(path).isoformat() if days is not None else None
        if day is not None and day not in days:
            raise dg.Failure(f"{path.name} is for {day}, not a day of this run: {sorted(days)}")
        try:
            tenant_id = path.relative_to(landing_dir.resolve()).parts[0]
        except ValueError as outside:
            if not config.tenant_id:
                raise dg.Failure(
                    f"{path} is outside the landing directory: give tenant_id in the run config"
                ) from outside
            tenant_id = config.tenant_id
        targets.append((config.tenant_id or tenant_id, path))
    return targets


def build_ingestion_assets(landing_dir: Path) -> list[dg.AssetsDefinition]:
    return [build_ingestion_asset(spec, landing_dir) for spec in LANDING_SOURCES]
