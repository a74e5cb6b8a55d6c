"""The ERP entities the warehouse syncs, each declared once: raw table, contract, business key, change
field (``ErpSourceSpec``) and how its client reads it (``ErpEntity``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from greenlang.core.http import build_url
from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource, oracle, sap
from greenlang.erp.contracts import (
    OracleInvoice,
    OraclePurchaseOrderLine,
    SAPMaterialStock,
    SAPPurchaseOrderItem,
    WorkdayExpenseItem,
    WorkdayHeadcount,
)
from greenlang.erp.sync import ErpSourceSpec, Page, Window

# Read through the APIs by greenlang.erp.sync, not from landing files. Keys are what dbt staging dedupes on; the change field is
# what the sync's window filters on (None: a snapshot or a report, read whole on every sync).
SAP_PURCHASE_ORDER_ITEMS = ErpSourceSpec(
    name="sap__purchase_order_items",
    contract=SAPPurchaseOrderItem,
    system="sap",
    keys=("purchase_order", "purchase_order_item"),
    change_field="last_change_datetime",
    count_keys=("purchase_order",),  # __count counts orders; the client yields one record per item
)
SAP_MATERIAL_STOCK = ErpSourceSpec(
    name="sap__material_stock",
    contract=SAPMaterialStock,
    system="sap",
    keys=("material", "plant", "storage_location", "inventory_stock_type"),
)
ORACLE_PURCHASE_ORDER_LINES = ErpSourceSpec(
    name="oracle__purchase_order_lines",
    contract=OraclePurchaseOrderLine,
    system="oracle",
    keys=("po_header_id", "po_line_id"),
    change_field="last_update_date",
    count_keys=("po_header_id",),  # totalResults counts orders; the client yields one record per line
)
ORACLE_INVOICES = ErpSourceSpec(
    name="oracle__invoices",
    contract=OracleInvoice,
    system="oracle",
    keys=("invoice_id",),
    change_field="last_update_date",
)
WORKDAY_WORKER_HEADCOUNT = ErpSourceSpec(
    name="workday__worker_headcount",
    contract=WorkdayHeadcount,
    system="workday",
    keys=("report_date", "location", "cost_center", "worker_type"),
)
WORKDAY_EXPENSE_ITEMS = ErpSourceSpec(
    name="workday__expense_items",
    contract=WorkdayExpenseItem,
    system="workday",
    keys=("expense_item_id",),
    change_field="last_updated",
)

ERP_SOURCES: tuple[ErpSourceSpec, ...] = (
    SAP_PURCHASE_ORDER_ITEMS,
    SAP_MATERIAL_STOCK,
    ORACLE_PURCHASE_ORDER_LINES,
    ORACLE_INVOICES,
    WORKDAY_WORKER_HEADCOUNT,
    WORKDAY_EXPENSE_ITEMS,
)


@dataclass(frozen=True)
class ErpEntity:
    """How an entity is read: the client resource that serves it and the calls that page through it."""

    spec: ErpSourceSpec
    resource_key: str  # "sap" | "oracle" | "workday"
    # (client, window or None for a snapshot/report) → pages
    read: Callable[[Any, Window | None], Iterable[Page]]
    # (client, since) → how many records (what the server counts: ``spec.counted_keys``) changed after
    # ``since``, or exist at all when ``since`` is None: one cheap request. None: the API cannot count.
    count: Callable[[Any, dt.datetime | None], int] | None = None


def _since(window: Window | None) -> dt.datetime | None:
    return window.since if window else None


def _until(window: Window | None) -> dt.datetime | None:
    return window.until if window else None


# --- cheap counts (the sensor's changes, the sync's full count): one request each, no record transferred --


def sap_purchase_orders_count(client: SapS4HanaResource, since: dt.datetime | None) -> int:
    """Purchase orders changed after ``since`` (all when None): ``$top=0`` with ``$inlinecount=allpages``."""
    window = (
        [("$filter", f"LastChangeDateTime gt {sap.odata_datetimeoffset(_aware(since))}")] if since else []
    )
    url = build_url(
        client.url(sap.PURCHASE_ORDER_PATH),
        [*window, ("$top", "0"), ("$inlinecount", "allpages"), ("$format", "json")],
    )
    body = client.http.get_json(url).body
    return int(str(body["d"]["__count"]))


def oracle_count(resource: str) -> Callable[[OracleFusionResource, dt.datetime | None], int]:
    """Orders or invoices updated after ``since`` (all when None): ``limit=1`` with ``totalResults=true``."""

    def count(client: OracleFusionResource, since: dt.datetime | None) -> int:
        window = [("q", f"LastUpdateDate>'{oracle.oracle_timestamp(_aware(since))}'")] if since else []
        url = build_url(
            client.url(f"/fscmRestApi/resources/{client.api_version}/{resource}"),
            [("onlyData", "true"), *window, ("limit", "1"), ("totalResults", "true")],
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
            sap_purchase_orders_count,
        ),
        ErpEntity(SAP_MATERIAL_STOCK, "sap", lambda client, w: client.material_stock()),
        ErpEntity(
            ORACLE_PURCHASE_ORDER_LINES,
            "oracle",
            lambda client, w: client.purchase_order_lines(_since(w), _until(w)),
            oracle_count("purchaseOrders"),
        ),
        ErpEntity(
            ORACLE_INVOICES,
            "oracle",
            lambda client, w: client.invoices(_since(w), _until(w)),
            oracle_count("invoices"),
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
