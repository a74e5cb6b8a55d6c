"""When the ERP syncs run: hourly, and as soon as the ERP reports changes after an entity's watermark.

The schedule syncs every ERP entity each hour (snapshots and reports included). The sensor asks each
incremental entity's ERP, cheaply (``$top=0``/``limit=1`` with a count), how many records changed after
the watermark of the asset's latest materialization, and requests a sync of that entity (and the models
downstream of it) when the answer is not zero. The run key is the entity, its watermark and the count, so
a change already being synced is not requested twice and a failed run does not block later changes.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import dagster as dg

from greenlang.erp.assets import DEFAULT_TENANT, latest_watermark
from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource
from greenlang.erp.sources import ENTITIES, ERP_SOURCES, ErpEntity
from greenlang.erp.sync import ErpSourceSpec
from greenlang.ingest.assets import raw_asset_key

ACTIVE_RUN_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]

erp_sync_job = dg.define_asset_job(
    "erp_sync",
    selection=dg.AssetSelection.assets(*(raw_asset_key(spec) for spec in ERP_SOURCES)),
    description="Sync every ERP entity (incrementally from each one's watermark)",
)

erp_hourly_sync = dg.ScheduleDefinition(
    name="erp_hourly_sync",
    job=erp_sync_job,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Syncs every ERP entity at a quarter past each hour, incrementally from its watermark",
)


def sync_job_name(spec: ErpSourceSpec) -> str:
    return f"sync_{spec.name}"


def build_erp_sync_jobs(specs: Sequence[ErpSourceSpec]) -> list[Any]:
    """One job per entity (``dg.define_asset_job``: unresolved asset jobs)."""
    return [
        dg.define_asset_job(
            sync_job_name(spec),
            selection=dg.AssetSelection.assets(raw_asset_key(spec)).downstream(),
            description=f"Sync `{spec.name}` from the ERP, then rebuild the models that depend on it",
        )
        for spec in specs
    ]


def build_erp_change_sensor(
    specs: Sequence[ErpSourceSpec], jobs: Sequence[Any], tenant_id: str = DEFAULT_TENANT
) -> dg.SensorDefinition:
    """One sensor for every incremental entity whose client can count changes."""
    entities = [ENTITIES[spec.name] for spec in specs if spec.incremental]
    entities = [entity for entity in entities if entity.count_changes is not None]

    @dg.sensor(
        name="erp_changes",
        jobs=list(jobs),
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests a sync of an ERP entity when its ERP reports records changed after the watermark",
    )
    def _sensor(
        context: dg.SensorEvaluationContext, sap: SapS4HanaResource, oracle: OracleFusionResource
    ) -> dg.SensorResult:
        clients = {"sap": sap, "oracle": oracle}
        requests, skipped = [], []
        for entity in entities:
            outcome = _evaluate(context, entity, clients[entity.resource_key], tenant_id)
            if isinstance(outcome, dg.RunRequest):
                requests.append(outcome)
            else:
                skipped.append(outcome)
        if not requests:
            return dg.SensorResult(skip_reason="; ".join(skipped))
        return dg.SensorResult(run_requests=requests)

    return _sensor


def _evaluate(
    context: dg.SensorEvaluationContext, entity: ErpEntity, client: Any, tenant_id: str
) -> dg.RunRequest | str:
    spec = entity.spec
    job_name = sync_job_name(spec)
    if context.instance.get_runs_count(dg.RunsFilter(job_name=job_name, statuses=ACTIVE_RUN_STATUSES)):
        return f"{spec.name}: a sync is running"
    watermark = latest_watermark(context.instance, spec, tenant_id)
    if watermark is None:
        # never synced: the first sync reads everything
        return dg.RunRequest(
            run_key=f"{spec.name}@initial", job_name=job_name, tags=_tags(spec, tenant_id, None, None)
        )
    try:
        changed = entity.count_changes(client, watermark) if entity.count_changes else None
    except Exception as error:  # noqa: BLE001 - an unreachable ERP is a skip, the schedule still runs
        context.log.warning(f"{spec.name}: change count failed: {type(error).__name__}: {error}")
        return f"{spec.name}: change count failed ({type(error).__name__})"
    if not changed:
        return f"{spec.name}: no change after {watermark.isoformat()}"
    return dg.RunRequest(
        run_key=f"{spec.name}@{watermark.isoformat()}#{changed}",
        job_name=job_name,
        tags=_tags(spec, tenant_id, watermark, changed),
    )


def _tags(
    spec: ErpSourceSpec, tenant_id: str, watermark: dt.datetime | None, changed: int | None
) -> dict[str, str]:
    return {
        "greenlang/tenant": tenant_id,
        "greenlang/erp_entity": spec.name,
        "greenlang/watermark": watermark.isoformat() if watermark else "none",
        "greenlang/changes_reported": str(changed) if changed is not None else "unknown",
    }
