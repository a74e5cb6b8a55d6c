"""When the ERP syncs run: hourly, and as soon as the ERP reports changes after an entity's watermark.

The schedule syncs every ERP entity each hour (snapshots and reports included). The sensor reads, for
each configured tenant, the watermark of each incremental entity from the warehouse (the latest row of
``raw.erp_sync``, through a read-only session: the Dagster instance holds no sync state), asks the
entity's ERP, cheaply (``$top=0``/``limit=1`` with a count), how many records changed after it, and
requests a sync of that entity for that tenant (and the models downstream of it) when the answer is not
zero; an entity never synced into this warehouse gets its initial sync. The run key is the tenant, the
entity, its watermark and the count, so a change already being synced is not requested twice and a
failed run does not block later changes. While a run writes the DuckDB file (one writing process, and no
reader beside it) or the server cannot be reached, the sensor skips and says so; the next tick asks again.
A tenant that is not a valid registered one (``greenlang.core.tenants``) is not asked about: the sensor
names it and why in its skip reason, and requests nothing that would fail.
"""

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import dagster as dg

from greenlang.core.tenants import tenant_refusal
from greenlang.core.warehouse import WarehouseResource, WarehouseUnavailable
from greenlang.erp.assets import DEFAULT_TENANT
from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource
from greenlang.erp.sources import ENTITIES, ERP_SOURCES, ErpEntity
from greenlang.erp.sync import ErpSourceSpec, latest_syncs
from greenlang.ingest.assets import raw_asset_key
from greenlang.settings import ERP_SYSTEMS

TENANT_TAG = "greenlang/tenant"
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
            # what Dagster builds: not the external assets downstream (the Looker dashboards)
            selection=dg.AssetSelection.assets(raw_asset_key(spec)).downstream().materializable(),
            description=f"Sync `{spec.name}` from the ERP, then rebuild the models that depend on it",
        )
        for spec in specs
    ]


def build_erp_change_sensor(
    specs: Sequence[ErpSourceSpec],
    jobs: Sequence[Any],
    registered: Collection[str],
    tenants: Mapping[str, str] | None = None,
) -> dg.SensorDefinition:
    """One sensor for every incremental entity whose client can count changes, for the tenant its
    system's client reaches (``tenants``: per system; ``DEFAULT_TENANT`` when not given) when that tenant
    is registered (``registered``)."""
    tenant_of = {system: (tenants or {}).get(system, DEFAULT_TENANT) for system in ERP_SYSTEMS}
    refusals = {tenant: tenant_refusal(tenant, registered) for tenant in set(tenant_of.values())}
    entities = [ENTITIES[spec.name] for spec in specs if spec.incremental]
    entities = [entity for entity in entities if entity.count is not None]

    @dg.sensor(
        name="erp_changes",
        jobs=list(jobs),
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests a sync of an ERP entity when its ERP reports records changed after the "
        "watermark the warehouse holds (or the entity was never synced into it)",
    )
    def _sensor(
        context: dg.SensorEvaluationContext,
        warehouse: WarehouseResource,
        sap: SapS4HanaResource,
        oracle: OracleFusionResource,
    ) -> dg.SensorResult:
        try:
            with warehouse.get_warehouse().session(read_only=True) as session:
                syncs = latest_syncs(session, tenant_ids=sorted(set(tenant_of.values())))
        except WarehouseUnavailable as error:
            return dg.SensorResult(skip_reason=f"the warehouse cannot be read now: {error}")
        clients = {"sap": sap, "oracle": oracle}
        requests, skipped = [], []
        for entity in entities:
            tenant_id = tenant_of[entity.spec.system]
            if refusal := refusals[tenant_id]:
                skipped.append(f"{tenant_id}/{entity.spec.name}: {refusal}")
                continue
            latest = syncs.get((tenant_id, entity.spec.name))
            watermark = latest.watermark if latest else None
            outcome = _evaluate(context, entity, clients[entity.resource_key], tenant_id, watermark)
            if isinstance(outcome, dg.RunRequest):
                requests.append(outcome)
            else:
                skipped.append(outcome)
        if not requests:
            return dg.SensorResult(skip_reason="; ".join(skipped))
        return dg.SensorResult(run_requests=requests)

    return _sensor


def _evaluate(
    context: dg.SensorEvaluationContext,
    entity: ErpEntity,
    client: Any,
    tenant_id: str,
    watermark: dt.datetime | None,
) -> dg.RunRequest | str:
    spec = entity.spec
    job_name = sync_job_name(spec)
    what = f"{tenant_id}/{spec.name}"
    if context.instance.get_runs_count(
        dg.RunsFilter(job_name=job_name, statuses=ACTIVE_RUN_STATUSES, tags={TENANT_TAG: tenant_id})
    ):
        return f"{what}: a sync is running"
    if watermark is None:
        # never synced into this warehouse: the first sync reads everything
        return _request(spec, tenant_id, "initial", None, None)
    try:
        changed = entity.count(client, watermark) if entity.count else None
    except Exception as error:  # noqa: BLE001 - an unreachable ERP is a skip, the schedule still runs
        context.log.warning(f"{what}: change count failed: {type(error).__name__}: {error}")
        return f"{what}: change count failed ({type(error).__name__})"
    if not changed:
        return f"{what}: no change after {watermark.isoformat()}"
    return _request(spec, tenant_id, f"{watermark.isoformat()}#{changed}", watermark, changed)


def _request(
    spec: ErpSourceSpec, tenant_id: str, state: str, watermark: dt.datetime | None, changed: int | None
) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"{tenant_id}/{spec.name}@{state}",
        job_name=sync_job_name(spec),
        run_config={
            "ops": {raw_asset_key(spec).to_python_identifier(): {"config": {"tenant_id": tenant_id}}}
        },
        tags={
            TENANT_TAG: tenant_id,
            "greenlang/erp_entity": spec.name,
            "greenlang/watermark": watermark.isoformat() if watermark else "none",
            "greenlang/changes_reported": str(changed) if changed is not None else "unknown",
        },
    )
