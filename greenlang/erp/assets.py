"""ERP ingestion assets: one per entity (``raw/sap__purchase_order_items``, …), synced through the clients
of ``greenlang.erp.clients`` by ``greenlang.erp.sync``.

The sync's state is the asset's own materialization metadata: each materialization records the
``watermark`` (the largest change value committed) with what the sync read (``records``, ``pages``,
``rows_loaded``, ``rows_rejected``, ``server_total``, ``batch_ids``, the window); the next sync starts from
the watermark of the latest materialization (of the run's tenant). A failed sync materializes nothing, so
the watermark stays where it was and the next run re-reads the window (see ``greenlang.erp.sync``); a
sync whose reading never agreed with the server's count materializes with ``consistent: false`` and the
previous watermark, and its reconciliation check fails.
"""

import datetime as dt
from typing import Any

import dagster as dg
from pydantic import Field

from greenlang.core.domains import source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.warehouse import WarehouseResource
from greenlang.erp.sources import ENTITIES, ERP_SOURCES, ErpEntity
from greenlang.erp.sync import ErpSourceSpec, SyncResult, Window, sync_window, window
from greenlang.ingest.assets import RAW_TAGS, raw_asset_key

DEFAULT_TENANT = "default"


class ErpSyncConfig(dg.Config):
    """How much of the ERP to read. By default: what changed since the last sync, with an overlap."""

    full_resync: bool = Field(default=False, description="Ignore the watermark: read everything again")
    overlap_minutes: int | None = Field(
        default=None, ge=0, description="Re-read this far before the watermark (default: the entity's, 60)"
    )
    tenant_id: str | None = Field(
        default=None, description="Tenant the ERP's records belong to (default: the code location's)"
    )


def latest_watermark(
    instance: dg.DagsterInstance, spec: ErpSourceSpec, tenant_id: str | None = None
) -> dt.datetime | None:
    """The watermark the latest materialization of the entity's asset recorded for ``tenant_id`` (any
    tenant when None); None when it was never synced."""
    records = instance.fetch_materializations(raw_asset_key(spec), limit=100).records
    for record in records:
        materialization = record.asset_materialization
        if materialization is None:
            continue
        metadata = materialization.metadata
        recorded_tenant = getattr(metadata.get("tenant_id"), "value", None)
        if tenant_id is not None and recorded_tenant not in (None, tenant_id):
            continue
        text = getattr(metadata.get("watermark"), "value", None)
        return dt.datetime.fromisoformat(text) if isinstance(text, str) and text else None
    return None


def build_erp_asset(entity: ErpEntity, default_tenant: str = DEFAULT_TENANT) -> dg.AssetsDefinition:
    spec = entity.spec

    @dg.asset(
        key=raw_asset_key(spec),
        group_name=source_domain(spec.name),
        tags=RAW_TAGS,
        kinds={"python", spec.system},
        description=(
            f"{spec.system.upper()} `{spec.name.split('__', 1)[1]}` synced "
            + (f"incrementally on `{spec.change_field}`" if spec.incremental else "whole (snapshot)")
            + f", validated against contract {spec.contract.contract_name} v{spec.contract.contract_version} "
            f"into `raw.{spec.name}`, one batch per page; duplicates across pages are removed in staging."
        ),
        metadata={
            "contract": f"{spec.contract.contract_name} v{spec.contract.contract_version}",
            "business_key": ", ".join(spec.keys),
            "change_field": spec.change_field or "(snapshot)",
        },
        freshness_policy=FRESHNESS[spec.cadence],
        required_resource_keys={"warehouse", entity.resource_key},
        pool="warehouse_writes",
    )
    def _sync(context: dg.AssetExecutionContext, config: ErpSyncConfig) -> dg.MaterializeResult:
        warehouse: WarehouseResource = context.resources.warehouse
        client = getattr(context.resources, entity.resource_key)
        tenant_id = config.tenant_id or default_tenant
        previous = latest_watermark(context.instance, spec, tenant_id) if spec.incremental else None
        result = run_sync(entity, client, warehouse, config, previous, tenant_id=tenant_id, log=context.log)
        return dg.MaterializeResult(metadata=result_metadata(result))

    return _sync


def run_sync(
    entity: ErpEntity,
    client: Any,
    warehouse: WarehouseResource,
    config: ErpSyncConfig,
    previous: dt.datetime | None,
    *,
    tenant_id: str = DEFAULT_TENANT,
    now: dt.datetime | None = None,
    log: Any = None,
) -> SyncResult:
    """One sync of ``entity`` from ``previous`` (what the asset runs; tests call it directly too)."""
    spec = entity.spec
    chosen: Window | None = None
    if spec.incremental:
        overlap = (
            dt.timedelta(minutes=config.overlap_minutes)
            if config.overlap_minutes is not None
            else spec.overlap
        )
        chosen = window(previous, overlap, now, config.full_resync)
    if log:
        log.info(
            f"{tenant_id}/{spec.name}: "
            + (f"window {chosen.describe()}" if chosen else "snapshot")
            + f", watermark {previous.isoformat() if previous else 'none'}"
        )
    return sync_window(
        warehouse.get_warehouse(),
        spec,
        lambda: entity.read(client, chosen),
        tenant_id,
        window=chosen,
        previous_watermark=previous,
    )


def result_metadata(result: SyncResult) -> dict[str, Any]:
    """The sync's metadata as Dagster metadata values (lists of batch ids as JSON)."""
    return {
        name: dg.MetadataValue.json(value) if isinstance(value, list) else value
        for name, value in result.metadata().items()
    }


def build_erp_assets(
    specs: tuple[ErpSourceSpec, ...] = ERP_SOURCES, default_tenant: str = DEFAULT_TENANT
) -> list[dg.AssetsDefinition]:
    """One asset per entity. ``default_tenant``: the tenant whose ERP the code location's clients reach
    (a run may name another in its config, with clients configured for it)."""
    return [build_erp_asset(ENTITIES[spec.name], default_tenant) for spec in specs]
