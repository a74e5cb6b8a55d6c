"""ERP ingestion assets: one per entity (``raw/sap__purchase_order_items``, …), synced through the clients
of ``resources.erp`` by ``ingestion.erp_sync``.

The sync's state is the asset's own materialization metadata: each materialization records the
``watermark`` (the largest change value committed) with what the sync read (``records``, ``pages``,
``rows_loaded``, ``rows_rejected``, ``server_total``, ``batch_ids``, the window); the next sync starts from
the watermark of the latest materialization (of the run's tenant). A failed sync materializes nothing, so
the watermark stays where it was and the next run re-reads the window (see ``ingestion.erp_sync``); a
sync whose reading never agreed with the server's count materializes with ``consistent: false`` and the
previous watermark, and its reconciliation check fails.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dagster as dg
from pydantic import Field

from assets.ingestion import raw_asset_key
from ingestion.erp_sync import ErpSourceSpec, Page, SyncResult, Window, sync_window, window
from ingestion.sources import (
    ERP_SOURCES,
    ORACLE_INVOICES,
    ORACLE_PURCHASE_ORDER_LINES,
    SAP_MATERIAL_STOCK,
    SAP_PURCHASE_ORDER_ITEMS,
    WORKDAY_EXPENSE_ITEMS,
    WORKDAY_WORKER_HEADCOUNT,
)
from resources.erp import OracleFusionResource, SapS4HanaResource, oracle, sap
from resources.erp.http import build_url
from resources.warehouse import WarehouseResource

ERP_GROUP = "erp"
RAW_PREFIX = "raw"
# Synced hourly (schedule) and on change (sensor): late after 3 hours, failing the SLA after 26.
ERP_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(hours=26), warn_window=dt.timedelta(hours=3)
)
DEFAULT_TENANT = "default"


@dataclass(frozen=True)
class ErpEntity:
    """How an entity is read: the client resource that serves it and the calls that page through it."""

    spec: ErpSourceSpec
    resource_key: str  # "sap" | "oracle" | "workday"
    # (client, window or None for a snapshot/report) → pages
    read: Callable[[Any, Window | None], Iterable[Page]]
    # (client, since) → how many records changed after ``since`` (a cheap count), or None: not supported
    count_changes: Callable[[Any, dt.datetime], int | None] | None = None


def _since(window: Window | None) -> dt.datetime | None:
    return window.since if window else None


def _until(window: Window | None) -> dt.datetime | None:
    return window.until if window else None


# --- cheap change counts for the sensor: one request each, no record transferred ----------------------


def sap_purchase_orders_changed(client: SapS4HanaResource, since: dt.datetime) -> int:
    """Purchase orders changed after ``since``: ``$top=0`` with ``$inlinecount=allpages``."""
    url = build_url(
        client.url(sap.PURCHASE_ORDER_PATH),
        [
            ("$filter", f"LastChangeDateTime gt {sap.odata_datetimeoffset(_aware(since))}"),
            ("$top", "0"),
            ("$inlinecount", "allpages"),
            ("$format", "json"),
        ],
    )
    body = client.http.get_json(url).body
    return int(str(body["d"]["__count"]))


def oracle_changed(resource: str) -> Callable[[OracleFusionResource, dt.datetime], int]:
    """Orders or invoices updated after ``since``: ``limit=1`` with ``totalResults=true``."""

    def count(client: OracleFusionResource, since: dt.datetime) -> int:
        url = build_url(
            client.url(f"/fscmRestApi/resources/{client.api_version}/{resource}"),
            [
                ("onlyData", "true"),
                ("q", f"LastUpdateDate>'{oracle.oracle_timestamp(_aware(since))}'"),
                ("limit", "1"),
                ("totalResults", "true"),
            ],
        )
        return int(str(client.http.get_json(url).body["totalResults"]))

    return count


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


ENTITIES: dict[str, ErpEntity] = {
    entity.spec.name: entity
    for entity in (
        ErpEntity(
            SAP_PURCHASE_ORDER_ITEMS,
            "sap",
            lambda client, w: client.purchase_order_items(_since(w), _until(w)),
            sap_purchase_orders_changed,
        ),
        ErpEntity(SAP_MATERIAL_STOCK, "sap", lambda client, w: client.material_stock()),
        ErpEntity(
            ORACLE_PURCHASE_ORDER_LINES,
            "oracle",
            lambda client, w: client.purchase_order_lines(_since(w), _until(w)),
            oracle_changed("purchaseOrders"),
        ),
        ErpEntity(
            ORACLE_INVOICES,
            "oracle",
            lambda client, w: client.invoices(_since(w), _until(w)),
            oracle_changed("invoices"),
        ),
        # Workday RaaS has no count: the hourly schedule syncs these (the sensor cannot ask cheaply).
        ErpEntity(WORKDAY_WORKER_HEADCOUNT, "workday", lambda client, w: client.worker_headcount()),
        ErpEntity(
            WORKDAY_EXPENSE_ITEMS,
            "workday",
            lambda client, w: client.expense_items(_since(w), _until(w)),
        ),
    )
}


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
        group_name=ERP_GROUP,
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
        freshness_policy=ERP_FRESHNESS,
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
