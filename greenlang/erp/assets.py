"""ERP ingestion assets: one per entity (``raw/sap__purchase_order_items``, …), synced through the clients
of ``greenlang.erp.clients`` by ``greenlang.erp.sync``.

The sync's state lives in the warehouse, not in Dagster: a sync starts from the watermark of the latest
row of ``raw.erp_sync`` for its tenant and entity (``greenlang.erp.sync.last_watermark``) and ends by
writing its own row. Before computing the window it asks the server for the entity's whole count
(``ErpEntity.count`` with no filter), which the row keeps as ``server_full_total`` for the reconciliation
check. A failed sync records nothing, so the watermark stays where it was and the next run re-reads the
window; a sync whose reading never agreed with the server's count records ``consistent: false`` and
the previous watermark. The materialization's metadata reports the sync's figures for the UI (the
window, ``records``, ``pages``, ``rows_loaded``, ``server_total``, ``server_full_total``, ``sync_id``…);
nothing reads it back.

A sync is for one tenant (the code location's for its ERP system, or the run config's), which must be a
valid, registered tenant (``greenlang.core.tenants``, the rule landing files follow): any other fails the
sync before its first request to the ERP, so nothing is read or written for it.
"""

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import dagster as dg
from pydantic import Field

from greenlang.core.domains import source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.tenants import tenant_refusal
from greenlang.core.warehouse import WAREHOUSE_POOL, Warehouse, WarehouseResource
from greenlang.erp.sources import ENTITIES, ERP_SOURCES, ErpEntity
from greenlang.erp.sync import ErpSourceSpec, SyncResult, Window, last_watermark, sync_window, window
from greenlang.ingest.assets import RAW_TAGS, ledger_data_version, raw_asset_key

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


def build_erp_asset(
    entity: ErpEntity, registered: Collection[str], default_tenant: str = DEFAULT_TENANT
) -> dg.AssetsDefinition:
    """``registered``: the registered tenants (``Settings.tenants``); a sync for any other fails."""
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
        pool=WAREHOUSE_POOL,
    )
    def _sync(context: dg.AssetExecutionContext, config: ErpSyncConfig) -> dg.MaterializeResult:
        warehouse: WarehouseResource = context.resources.warehouse
        client = getattr(context.resources, entity.resource_key)
        tenant_id = config.tenant_id or default_tenant
        store = warehouse.get_warehouse()
        result = run_sync(
            entity, client, store, config, tenant_id=tenant_id, registered=registered, log=context.log
        )
        return dg.MaterializeResult(
            metadata=result_metadata(result), data_version=ledger_data_version(store, spec)
        )

    return _sync


def run_sync(
    entity: ErpEntity,
    client: Any,
    warehouse: Warehouse,
    config: ErpSyncConfig,
    *,
    tenant_id: str,
    registered: Collection[str],
    now: dt.datetime | None = None,
    log: Any = None,
) -> SyncResult:
    """One sync of ``entity`` for ``tenant_id`` from the watermark the warehouse holds: what the asset runs.
    A tenant that is not a valid registered one fails it before its first request and before any write."""
    spec = entity.spec
    if refusal := tenant_refusal(tenant_id, registered):
        raise dg.Failure(f"{spec.name}: {refusal}")
    previous = last_watermark(warehouse, spec, tenant_id) if spec.incremental else None
    # Asked before the window is computed: every record counted here is in the window or was synced before.
    full_total = entity.count(client, None) if entity.count else None
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
            + (f", {full_total} on the server" if full_total is not None else "")
        )
    return sync_window(
        warehouse,
        spec,
        lambda: entity.read(client, chosen),
        tenant_id,
        window=chosen,
        previous_watermark=previous,
        server_full_total=full_total,
    )


def result_metadata(result: SyncResult) -> dict[str, Any]:
    """The sync's metadata as Dagster metadata values (lists of batch ids as JSON)."""
    return {
        name: dg.MetadataValue.json(value) if isinstance(value, list) else value
        for name, value in result.metadata().items()
    }


def build_erp_assets(
    registered: Collection[str],
    specs: tuple[ErpSourceSpec, ...] = ERP_SOURCES,
    tenants: Mapping[str, str] | None = None,
) -> list[dg.AssetsDefinition]:
    """One asset per entity. ``registered``: the registered tenants; ``tenants``: per ERP system, the tenant
    whose records the code location's client reaches (``DEFAULT_TENANT`` when not given; a run may name
    another in its config)."""
    return [
        build_erp_asset(ENTITIES[spec.name], registered, (tenants or {}).get(spec.system, DEFAULT_TENANT))
        for spec in specs
    ]
