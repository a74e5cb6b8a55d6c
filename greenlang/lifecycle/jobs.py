"""Archival in Dagster: the job that archives the raw partitions past their retention
(``greenlang.lifecycle.archive.run_archive``, as ``python -m greenlang.lifecycle.archive run`` does), its
monthly schedule, and the object store as a resource."""

import datetime as dt

import dagster as dg
from pydantic import Field

from greenlang.core.warehouse import WAREHOUSE_POOL, WarehouseResource
from greenlang.lifecycle.archive import DEAD_LETTER, NO_RETENTION, ArchiveRun, ArchiveStore, run_archive
from greenlang.settings import ArchiveSettings

ARCHIVE_JOB = "archive_past_retention"


class ArchiveResource(dg.ConfigurableResource):
    """The archive's object store and the retention per raw table; values from ``greenlang.settings``."""

    uri: str
    endpoint: str = ""
    region: str
    access_key_id: str = ""
    secret_access_key: str = ""
    retention_days: dict[str, int]

    @classmethod
    def from_settings(cls, settings: ArchiveSettings) -> "ArchiveResource":
        return cls(
            uri=settings.uri,
            endpoint=settings.endpoint or "",
            region=settings.region,
            # The key pair travels as EnvVars so Dagster never shows or logs its values.
            access_key_id=dg.EnvVar("GREENLANG_ARCHIVE_ACCESS_KEY_ID") if settings.access_key_id else "",
            secret_access_key=(
                dg.EnvVar("GREENLANG_ARCHIVE_SECRET_ACCESS_KEY") if settings.secret_access_key else ""
            ),
            retention_days=dict(settings.retention_days),
        )

    def get_settings(self) -> ArchiveSettings:
        return ArchiveSettings(
            uri=self.uri,
            endpoint=self.endpoint or None,
            region=self.region,
            access_key_id=self.access_key_id or None,
            secret_access_key=self.secret_access_key or None,
            retention_days=dict(self.retention_days),
        )


class ArchiveConfig(dg.Config):
    as_of: str | None = Field(
        default=None, description="The day retention counts back from, YYYY-MM-DD (default: today, UTC)"
    )


def archived_objects(run: ArchiveRun, store: ArchiveStore) -> list[dict[str, str | int]]:
    """One record per object a run wrote: raw table, tenant, month, rows, bytes and the object's URI."""
    return [
        {
            "archive_id": archive_id,
            "table": obj.key.split("/")[1],
            "tenant_id": run.partitions[archive_id].tenant_id,
            "month": run.partitions[archive_id].period,
            "rows": obj.fingerprint.rows,
            "bytes": obj.size,
            "uri": store.uri(obj.key),
        }
        for archive_id, objects in run.archived.items()
        for obj in objects
    ]


_ARCHIVED_OBJECT_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("archive_id", "string"),
        dg.TableColumn(
            "table", "string", description=f"the raw table, or {DEAD_LETTER} for its rejected records"
        ),
        dg.TableColumn("tenant_id", "string"),
        dg.TableColumn("month", "string", description="YYYY-MM of the batches' finished_at (UTC)"),
        dg.TableColumn("rows", "int"),
        dg.TableColumn("bytes", "int"),
        dg.TableColumn("uri", "string"),
    ]
)


# In the warehouse pool, like every step that opens the warehouse: it deletes raw rows, so it never runs
# beside a load or a dbt build reading the same tables (the instance gives the pool one slot, dagster.yaml).
@dg.op(
    pool=WAREHOUSE_POOL,
    description="Archives every raw partition past its retention to the object store, verified before the "
    "rows leave the hot tables",
)
def archive_partitions(
    context: dg.OpExecutionContext,
    config: ArchiveConfig,
    warehouse: WarehouseResource,
    archive: ArchiveResource,
) -> dg.Output[None]:
    settings = archive.get_settings()
    if not settings.retention_days:
        context.log.info(NO_RETENTION)
        return dg.Output(None, metadata={"partitions": 0, "rows": 0, "dead_letters": 0})
    as_of = dt.date.fromisoformat(config.as_of) if config.as_of else None
    run = run_archive(warehouse.get_warehouse(), settings, as_of)
    store = ArchiveStore.of(settings)
    context.log.info(run.summary(store.location))
    return dg.Output(
        None,
        metadata={
            "partitions": len(run.archived),
            "rows": run.rows(),
            "dead_letters": run.rows(DEAD_LETTER),
            "location": store.location,
            "archived_objects": dg.MetadataValue.table(
                [dg.TableRecord(record) for record in archived_objects(run, store)], _ARCHIVED_OBJECT_SCHEMA
            ),
        },
    )


@dg.job(
    name=ARCHIVE_JOB, description="Archive the raw partitions past their retention (GREENLANG_RETENTION_DAYS)"
)
def archive_past_retention() -> None:
    archive_partitions()


def build_archive_schedule(retention_configured: bool) -> dg.ScheduleDefinition:
    """Monthly, as a month is archived whole; running by default only where a retention is configured."""
    return dg.ScheduleDefinition(
        name=f"{ARCHIVE_JOB}_monthly",
        job=archive_past_retention,
        cron_schedule="0 3 1 * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING
        if retention_configured
        else dg.DefaultScheduleStatus.STOPPED,
        description="Archives the raw partitions past their retention on the 1st of each month at 03:00 UTC",
    )
