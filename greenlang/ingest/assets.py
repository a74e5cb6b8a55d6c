"""Landing-file ingestion assets: one per declared source (``SourceSpec``), each loading files into
``raw.<source>``; the ledger tables every load writes.

A source declared with ``daily_partitions`` (meter readings) is partitioned by UTC day (``LANDING_DAYS``):
its platforms deliver a file per reading day, named for that day (``greenlang.core.landing.delivery_day``).
A partition's run loads the landed files of its day (every tenant), a backfill is one run over its days,
and re-running a day reloads nothing that is already loaded (same file, same bytes) but picks up a
corrected file (estimates replaced by actuals).

A landed entry the landing directory refuses (an unregistered tenant, a symbolic link, a hidden file, an
unsupported format: ``greenlang.core.landing``) is recorded as a ``refused`` batch, once, and never read.
A file that cannot be loaded fails only itself: it is a failed batch in ``raw.load_batch`` (quarantined
until its bytes change, ``greenlang.core.loader``), the asset materializes what the other files loaded, and
its ``no_failed_deliveries`` check (severity WARN, not blocking) fails naming each such file of the run, so
the rest of the run and the models downstream build for every tenant.
"""

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from pydantic import Field

from greenlang.core.domains import LEDGER, layer_tags, source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.landing import LandedFile, delivery_day, landed_file, landed_files
from greenlang.core.loader import LoadError, LoadResult, SourceSpec, ledger_version, load_file, refuse_file
from greenlang.core.tenants import tenant_refusal
from greenlang.core.warehouse import WAREHOUSE_POOL, Warehouse, WarehouseResource

# The layer of every ingestion asset, and the first part of its key: ``raw/<source>``, the table ``raw.<source>``.
RAW_LAYER = "raw"
RAW_TAGS = layer_tags(RAW_LAYER)
WAREHOUSE_KINDS = {"python", "duckdb", "postgres"}

# Reading days from the earliest history a tenant may backfill; end_offset=1: today's partition exists.
LANDING_DAYS = dg.DailyPartitionsDefinition(start_date="2020-01-01", timezone="UTC", end_offset=1)


# Tags every daily-partitioned asset, so that unpartitioned jobs can leave them out; and the quarterly ones
# (the CBAM quarterly report, greenlang.cbam.report_out).
DAILY_PARTITIONED_TAG = ("greenlang/partitions", "daily")
QUARTERLY_PARTITIONED_TAG = ("greenlang/partitions", "quarterly")


def partitions_for(spec: SourceSpec) -> dg.DailyPartitionsDefinition | None:
    return LANDING_DAYS if spec.daily_partitions else None


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
    retry_quarantined: bool = Field(
        default=False, description="Read again the files that failed before with the same bytes (after a fix)"
    )


@dataclass(frozen=True)
class FailedDelivery:
    label: str  # tenant/file, workbook or API day
    reason: str
    quarantined: bool  # not read again until its bytes change (``greenlang.core.loader``)


@dataclass(frozen=True)
class Loads:
    results: list[LoadResult]
    failures: list[FailedDelivery]


def load_each(
    context: dg.AssetExecutionContext,
    deliveries: Iterable[tuple[str, Callable[[], list[LoadResult]]]],
    errors: tuple[type[Exception], ...],
) -> Loads:
    """Run each delivery's load (a file, a workbook, a day of an API), logging what it did. A delivery
    failing with one of ``errors`` does not stop the others: what could be loaded is loaded and recorded,
    and the failures are returned for the caller to fail the run on (``fail_run_on``) or to report."""
    results: list[LoadResult] = []
    failures: list[FailedDelivery] = []
    for label, load in deliveries:
        try:
            loaded = load()
        except errors as error:
            quarantined = isinstance(error, LoadError) and error.quarantined
            # the traceback of an unexpected failure is for the run log only: the ledger names its type
            context.log.error(
                f"{label}: {error}" + (" (quarantined until the file changes)" if quarantined else ""),
                exc_info=not quarantined,
            )
            failures.append(FailedDelivery(label, str(error), quarantined))
            continue
        for result in loaded:
            context.log.info(
                f"{label}: {result.status}, read {result.rows_read}, loaded {result.rows_loaded}, "
                f"rejected {result.rows_rejected}"
                + (f", ignored columns {result.ignored_columns}" if result.ignored_columns else "")
            )
        results.extend(loaded)
    return Loads(results, failures)


def fail_run_on(loads: Loads, what: str) -> list[LoadResult]:
    """The results of ``loads``, once every delivery loaded; else the run fails naming each failure."""
    if loads.failures:
        raise dg.Failure(
            description=f"{len(loads.failures)} {what} could not be loaded",
            metadata={
                "failures": dg.MetadataValue.md(
                    "\n".join(f"- {failure.label}: {failure.reason}" for failure in loads.failures)
                )
            },
        )
    return loads.results


NO_FAILED_DELIVERIES = "no_failed_deliveries"


def failed_deliveries_check(key: dg.AssetKey, failures: list[FailedDelivery]) -> dg.AssetCheckResult:
    """The ``no_failed_deliveries`` result of a run: a WARN failure listing each file that did not load."""
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=NO_FAILED_DELIVERIES,
        passed=not failures,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "failed_files": dg.MetadataValue.json(
                [
                    {"file": failure.label, "reason": failure.reason, "quarantined": failure.quarantined}
                    for failure in failures
                ]
            )
        },
    )


def file_counts(results: list[LoadResult]) -> dict[str, int]:
    loaded = sum(result.status == "succeeded" for result in results)
    refused = sum(result.status == "refused" for result in results)
    return {
        "files_seen": len(results),
        "files_loaded": loaded,
        "files_refused": refused,
        "files_skipped_already_loaded": len(results) - loaded - refused,
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


def ledger_data_version(warehouse: Warehouse, spec: SourceSpec) -> dg.DataVersion:
    """A raw asset's data version is what the ledger holds of its source: a load that added nothing keeps
    it, so the models downstream do not rebuild for it (``greenlang.core.automation``)."""
    with warehouse.session() as session:
        return dg.DataVersion(ledger_version(session, spec.name))


def raw_asset_key(spec: SourceSpec) -> dg.AssetKey:
    return dg.AssetKey([RAW_LAYER, spec.name])


def build_ingestion_asset(
    spec: SourceSpec, default_landing_dir: Path, tenants: Collection[str]
) -> dg.AssetsDefinition:
    """``tenants``: the registered tenants (``Settings.tenants``); a file of any other is refused."""
    partitions_def = partitions_for(spec)
    partitioning = (
        " Daily partitions: a partition loads the files named for (else landed on) its day."
        if partitions_def
        else ""
    )

    @dg.asset(
        key=raw_asset_key(spec),
        group_name=source_domain(spec.name),
        kinds=WAREHOUSE_KINDS,
        description=(
            f"Files of source `{spec.name}` validated against contract {spec.contract.contract_name} "
            f"v{spec.contract.contract_version} and loaded into `raw.{spec.name}`; rejected rows go to "
            "`raw.dead_letter`, every load to `raw.load_batch`." + partitioning
        ),
        metadata={"contract": f"{spec.contract.contract_name} v{spec.contract.contract_version}"},
        freshness_policy=FRESHNESS[spec.cadence],
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        tags={**RAW_TAGS, **(dict([DAILY_PARTITIONED_TAG]) if partitions_def else {})},
        pool=WAREHOUSE_POOL,
        check_specs=[
            dg.AssetCheckSpec(
                NO_FAILED_DELIVERIES,
                asset=raw_asset_key(spec),
                description=(
                    "Every file of the run loaded; fails (WARN, blocking nothing) naming each file recorded "
                    "as a failed batch, quarantined ones included, until the file is replaced or removed"
                ),
            )
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
        days = set(context.partition_keys) if partitions_def else None
        targets = _files_to_load(spec, config, default_landing_dir, tenants, days)
        store = warehouse.get_warehouse()
        loads = load_each(
            context,
            [
                (f"{item.tenant_id}/{item.path.name}", _delivery(store, spec, item, config.retry_quarantined))
                for item in targets
            ],
            # a failure the ledger could not record (the warehouse unreachable) is not the file's: it fails the run
            errors=(LoadError,),
        )
        return dg.MaterializeResult(
            metadata={
                **({"days": len(days)} if days is not None else {}),
                **file_counts(loads.results),
                "files_failed": len(loads.failures),
                **loaded_rows(loads.results),
            },
            data_version=ledger_data_version(store, spec),
            check_results=[failed_deliveries_check(raw_asset_key(spec), loads.failures)],
        )

    return _ingest


def _delivery(
    store: Warehouse, spec: SourceSpec, item: LandedFile, retry_quarantined: bool
) -> Callable[[], list[LoadResult]]:
    if item.refusal is not None:
        return lambda: [refuse_file(store, spec, item)]
    return lambda: [load_file(store, spec, item.path, item.tenant_id, retry_quarantined=retry_quarantined)]


def _files_to_load(
    spec: SourceSpec,
    config: IngestConfig,
    default_landing_dir: Path,
    tenants: Collection[str],
    days: set[str] | None,
) -> list[LandedFile]:
    """The files of the run: those of the config, else those waiting; of the run's days if partitioned.
    A file of the landing directory is judged as the landing directory judges it (links not followed);
    a file given from elsewhere loads for the run config's tenant, which must be registered."""
    landing_dir = Path(config.landing_dir) if config.landing_dir else default_landing_dir
    if not config.files:
        return [
            item
            for item in landed_files(landing_dir, tenants, [spec.name])
            if days is None or item.day().isoformat() in days
        ]
    if config.tenant_id and (refusal := tenant_refusal(config.tenant_id, tenants)):
        raise dg.Failure(f"run config: {refusal}")
    targets = []
    for name in config.files:
        path = Path(name)
        day = delivery_day(path).isoformat() if days is not None else None
        if day is not None and day not in days:
            raise dg.Failure(f"{path.name} is for {day}, not a day of this run: {sorted(days)}")
        item = landed_file(landing_dir, path, tenants)
        if item is None:
            if not config.tenant_id:
                raise dg.Failure(f"{path} is outside the landing directory: give tenant_id in the run config")
            item = LandedFile(config.tenant_id, spec.name, path.resolve())
        elif config.tenant_id and item.refusal is None:
            item = LandedFile(config.tenant_id, spec.name, item.path)
        targets.append(item)
    return targets


LOAD_BATCH_KEY = dg.AssetKey([RAW_LAYER, "load_batch"])
DEAD_LETTER_KEY = dg.AssetKey([RAW_LAYER, "dead_letter"])
ERP_SYNC_KEY = dg.AssetKey([RAW_LAYER, "erp_sync"])
LEDGER_SPECS = [
    dg.AssetSpec(
        LOAD_BATCH_KEY,
        group_name=LEDGER,
        tags=RAW_TAGS,
        description=(
            "`raw.load_batch`: one row per load (file, API page, workbook) with its counts, status and "
            "attributes (publisher, edition, version). Written by every ingestion asset as part of its load."
        ),
        kinds=WAREHOUSE_KINDS,
        freshness_policy=FRESHNESS["daily"],
    ),
    dg.AssetSpec(
        DEAD_LETTER_KEY,
        group_name=LEDGER,
        tags=RAW_TAGS,
        description=(
            "`raw.dead_letter`: every rejected record with its received values and field errors. Written "
            "by every ingestion asset as part of its load."
        ),
        kinds=WAREHOUSE_KINDS,
        freshness_policy=FRESHNESS["daily"],
    ),
    dg.AssetSpec(
        ERP_SYNC_KEY,
        group_name=LEDGER,
        tags=RAW_TAGS,
        description=(
            "`raw.erp_sync`: one row per completed ERP sync with its window, watermarks, the server's counts "
            "and batches. Written by every ERP asset as part of its sync; the quality scores read its "
            "consistency (docs/quality.md)."
        ),
        kinds=WAREHOUSE_KINDS,
        freshness_policy=FRESHNESS["hourly"],
    ),
]


def skipped_rows(warehouse: Warehouse, results: list[LoadResult]) -> dict[str, int]:
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


def build_ingestion_assets(
    specs: Iterable[SourceSpec], landing_dir: Path, tenants: Collection[str]
) -> list[dg.AssetsDefinition | dg.AssetSpec]:
    """An asset per landing source, and the ledger every load writes."""
    return [*(build_ingestion_asset(spec, landing_dir, tenants) for spec in specs), *LEDGER_SPECS]
