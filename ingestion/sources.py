"""Every inbound source the warehouse loads: raw table name, contract, and how often it must arrive."""

from __future__ import annotations

from contracts.cbam_default_value import CBAMDefaultValue
from contracts.cbam_good import CBAMGood
from contracts.cbam_shipment import CBAMShipment
from contracts.erp import (
    OracleInvoice,
    OraclePurchaseOrderLine,
    SAPMaterialStock,
    SAPPurchaseOrderItem,
    WorkdayExpenseItem,
    WorkdayHeadcount,
)
from ingestion.erp_sync import ErpSourceSpec
from ingestion.ghg_sources import GHG_LANDING_SOURCES, GHG_SOURCES
from ingestion.loader import SourceSpec

CBAM_SHIPMENTS = SourceSpec(name="customs__cbam_shipments", contract=CBAMShipment)
CBAM_DEFAULT_VALUES = SourceSpec(name="cbam__default_values", contract=CBAMDefaultValue)
CBAM_GOODS = SourceSpec(name="cbam__goods", contract=CBAMGood)

SOURCES = (CBAM_SHIPMENTS, CBAM_DEFAULT_VALUES, CBAM_GOODS)
REFERENCE_SOURCES = (CBAM_DEFAULT_VALUES, CBAM_GOODS)

# ERP entities (docs/design.md, "ERP connectors"): read through the APIs by ingestion.erp_sync, not from
# landing files, so they are not in SOURCES. Keys are what dbt staging dedupes on; the change field is
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

# Files that arrive in the landing directory (CBAM customs and reference data, GHG activity and factors).
LANDING_SOURCES: tuple[SourceSpec, ...] = (*SOURCES, *GHG_LANDING_SOURCES)
# Every raw table Python writes: dbt's sources must exist before any model reads them, loaded or not.
RAW_SOURCES: tuple[SourceSpec, ...] = (*SOURCES, *ERP_SOURCES, *GHG_SOURCES)
