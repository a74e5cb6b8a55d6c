"""Records the ERP connectors read: SAP S/4HANA (OData V2), Oracle Fusion (REST), Workday (RaaS).

One contract per entity of ``docs/design.md`` ("ERP connectors"); the fields are the API's names as the
readers snake_case them (``PurchaseOrderQuantityUnit`` → ``purchase_order_quantity_unit``). Where the
readers' rendering of an API name differs from the field name — ``LastChangeDateTime`` becomes
``last_change_date_time``, Oracle's ``POHeaderId`` ``poheader_id`` and ``UOMCode`` ``uomcode`` — or the
API's name is another (Oracle's line ``Price`` is ``unit_price``), the field accepts that rendering too
(``validation_alias``).

What the APIs send, and what the contracts accept:

- timestamps: OData V2 ``/Date(ms)/`` and ``/Date(ms+mmmm)/`` (SAP), ISO 8601 with an offset (Oracle,
  Workday) or without one (read as UTC); stored as naive UTC (``greenlang.core.contract.UtcDateTime``);
- dates: ISO ``2026-01-31``, OData ``/Date(ms)/`` at midnight UTC (SAP ``Edm.DateTime`` dates), and the
  XML Schema form with a zone that Workday reports use (``2026-01-31-08:00``: the date as written);
- decimals: as strings (SAP ``Edm.Decimal``) or JSON numbers whose text the readers keep — never floats;
- empty fields: SAP sends ``""`` for an empty field; the readers turn it into null, so an empty optional
  field is null and an empty required field is rejected to the dead letter.

Fields of the API that a contract does not name (SAP ``PurchaseOrderItemText``, Oracle ``links``…) are
recorded as the batch's ignored columns, not loaded. ``UnifiedPurchaseLine`` is not read from an API: it
is the shape of ``int_erp__purchase_lines``, SAP and Oracle purchase lines in one form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, BeforeValidator, Field, StringConstraints

from greenlang.core.contract import (
    BIGINT_MAX,
    INTEGER_MAX,
    Contract,
    ExactDecimal,
    NonNegativeDecimal,
    OptionalDecimal,
    OptionalText,
    PositiveDecimal,
    Text,
    UtcDateTime,
    blank_to_none,
    odata_moment,
    reject_numbers,
    upper_code,
)

_ODATA_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
# XML Schema date with a time zone (Workday RaaS: "2026-01-31-08:00", "2026-01-31Z"): the date as written.
_ZONED_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$")
_EU_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def _parse_api_date(value: Any) -> Any:
    """ISO dates, OData V2 ``/Date(ms)/`` (a date is midnight UTC) and zoned XML Schema dates."""
    reject_numbers(value, "date", "YYYY-MM-DD or /Date(ms)/")
    if not isinstance(value, str):
        return value
    text = value.strip()
    match = _ODATA_DATE.match(text)
    if match:
        moment = odata_moment(match.group(1))
        if moment.time() != dt.time(0):
            raise ValueError(f"{text} is not a date: {moment.isoformat()} UTC is not midnight")
        return moment.date()
    match = _ZONED_DATE.match(text)
    if match:
        return match.group(1)
    match = _EU_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    return text


ApiDate = Annotated[dt.date, BeforeValidator(_parse_api_date)]
OptionalApiDate = Annotated[ApiDate | None, BeforeValidator(blank_to_none)]
# ISO 4217 alphabetic code (SAP DocumentCurrency, Oracle CurrencyCode, Workday Currency).
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), BeforeValidator(upper_code)]
# SAP unit of measure as sent by the API (the 3-character external code: TO, KG, ST, M3, KWH…).
SapUnit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3)]
# SAP deletion indicator of a purchasing document item: "L" deleted, "S" blocked; empty when neither.
SapDeletionCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]$")]
OptionalSapDeletionCode = Annotated[SapDeletionCode | None, BeforeValidator(blank_to_none)]
OracleId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# Oracle sends booleans; the readers keep JSON true/false as the text "true"/"false".
BooleanText = Annotated[
    str,
    StringConstraints(pattern=r"^(true|false)$"),
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
]


def _aka(field: str, *api_renderings: str) -> AliasChoices:
    """The field's own name first (the JSON Schema property), then how the readers render the API name."""
    return AliasChoices(field, *api_renderings)


# --- SAP S/4HANA (OData V2) -------------------------------------------------------------------------------


class SAPPurchaseOrderItem(Contract):
    """One purchase order item of ``API_PURCHASEORDER_PROCESS_SRV`` (``A_PurchaseOrder`` with its
    ``to_PurchaseOrderItem`` expanded): the item's fields and its header's, one record per item."""

    contract_name: ClassVar[str] = "SAPPurchaseOrderItem"
    contract_version: ClassVar[str] = "1.1.0"

    purchase_order: Text = Field(description="Purchase order number (PurchaseOrder)")
    purchase_order_item: Text = Field(description="Item number within the order, as sent (PurchaseOrderItem)")
    purchase_order_type: Text = Field(description="Order type, e.g. NB standard (PurchaseOrderType)")
    company_code: Text = Field(description="Company code (CompanyCode)")
    purchasing_organization: Text = Field(description="Purchasing organisation (PurchasingOrganization)")
    supplier: Text = Field(description="Supplier's business partner number (Supplier)")
    purchase_order_date: ApiDate = Field(description="Order date (PurchaseOrderDate, Edm.DateTime)")
    document_currency: CurrencyCode = Field(description="Currency of the order, ISO 4217 (DocumentCurrency)")
    material: OptionalText = Field(
        default=None, description="Material number; null for text items (Material)"
    )
    material_group: OptionalText = Field(default=None, description="Material group (MaterialGroup)")
    gl_account: OptionalText = Field(
        default=None,
        validation_alias=_aka("gl_account", "glaccount"),
        description="G/L account the item is charged to, for an account-assigned item (services, "
        "consumables bought for a cost center); null for stock material (GLAccount; 1.1.0)",
    )
    plant: OptionalText = Field(default=None, description="Receiving plant (Plant)")
    order_quantity: NonNegativeDecimal = Field(description="Ordered quantity (OrderQuantity)")
    purchase_order_quantity_unit: SapUnit = Field(
        description="Unit of the ordered quantity, SAP code as sent: TO, KG, ST… (PurchaseOrderQuantityUnit)"
    )
    net_price_amount: NonNegativeDecimal = Field(
        description="Net price per net_price_quantity units, document currency (NetPriceAmount)"
    )
    net_price_quantity: PositiveDecimal = Field(
        description="Price unit: the quantity the net price is for (NetPriceQuantity)"
    )
    purchasing_document_deletion_code: OptionalSapDeletionCode = Field(
        default=None,
        description="'L' the item is deleted, 'S' blocked; null otherwise (PurchasingDocumentDeletionCode)",
    )
    last_change_datetime: UtcDateTime = Field(
        validation_alias=_aka("last_change_datetime", "last_change_date_time"),
        description="Last change of the order, UTC; the sync's change field (LastChangeDateTime)",
    )


class SAPMaterialStock(Contract):
    """Stock of a material per plant, storage location and stock type (``API_MATERIAL_STOCK_SRV``,
    ``A_MatlStkInAcctMod``): a snapshot, read whole on every sync."""

    contract_name: ClassVar[str] = "SAPMaterialStock"
    contract_version: ClassVar[str] = "1.0.0"

    material: Text = Field(description="Material number (Material)")
    plant: Text = Field(description="Plant (Plant)")
    storage_location: Text = Field(description="Storage location (StorageLocation)")
    inventory_stock_type: Text = Field(
        description="Stock type: 01 unrestricted, 02 quality inspection, 07 blocked… (InventoryStockType)"
    )
    material_base_unit: SapUnit = Field(description="Base unit of measure, SAP code (MaterialBaseUnit)")
    matl_wrhs_stk_qty_in_matl_base_unit: ExactDecimal = Field(
        description="Stock quantity in the base unit; negative stock is possible (MatlWrhsStkQtyInMatlBaseUnit)"
    )


# --- Oracle Fusion Cloud (REST) ---------------------------------------------------------------------------


class OraclePurchaseOrderLine(Contract):
    """One line of ``/fscmRestApi/resources/11.13.18.05/purchaseOrders`` (the order's ``lines`` child),
    carrying its header's fields; the line's ``Status`` arrives as ``LineStatus`` (the header has one)."""

    contract_name: ClassVar[str] = "OraclePurchaseOrderLine"
    contract_version: ClassVar[str] = "1.0.0"

    po_header_id: OracleId = Field(
        validation_alias=_aka("po_header_id", "poheader_id"), description="Order id (POHeaderId)"
    )
    po_line_id: OracleId = Field(
        validation_alias=_aka("po_line_id", "poline_id"), description="Line id (POLineId)"
    )
    order_number: Text = Field(description="Order number users see (OrderNumber)")
    supplier_id: OracleId = Field(description="Supplier id (SupplierId)")
    supplier: Text = Field(description="Supplier name (Supplier)")
    procurement_bu: Text = Field(description="Procurement business unit (ProcurementBU)")
    currency_code: CurrencyCode = Field(description="Currency of the order, ISO 4217 (CurrencyCode)")
    line_number: int = Field(ge=1, le=INTEGER_MAX, description="Line number within the order (LineNumber)")
    item: OptionalText = Field(default=None, description="Item number; null for description lines (Item)")
    description: Text = Field(description="Line description (Description)")
    category_name: OptionalText = Field(default=None, description="Purchasing category (CategoryName)")
    quantity: NonNegativeDecimal = Field(description="Ordered quantity (Quantity)")
    uom_code: Text = Field(
        validation_alias=_aka("uom_code", "uomcode"), description="Unit of measure code (UOMCode)"
    )
    unit_price: NonNegativeDecimal = Field(
        validation_alias=_aka("unit_price", "price"), description="Price per unit, order currency (Price)"
    )
    line_status: Text = Field(
        description="OPEN, CLOSED, CLOSED FOR RECEIVING, FINALLY CLOSED, CANCELED… (LineStatus)"
    )
    last_update_date: UtcDateTime = Field(
        description="Last update of the line, UTC; the sync's change field (LastUpdateDate)"
    )


class OracleInvoice(Contract):
    """One payables invoice of ``/fscmRestApi/resources/11.13.18.05/invoices``."""

    contract_name: ClassVar[str] = "OracleInvoice"
    contract_version: ClassVar[str] = "1.0.0"

    invoice_id: OracleId = Field(description="Invoice id (InvoiceId)")
    invoice_number: Text = Field(description="Invoice number (InvoiceNumber)")
    supplier: Text = Field(description="Supplier name (Supplier)")
    supplier_number: Text = Field(description="Supplier number (SupplierNumber)")
    invoice_amount: ExactDecimal = Field(
        description="Invoice amount, invoice currency; negative for credit memos (InvoiceAmount)"
    )
    invoice_currency: CurrencyCode = Field(description="Invoice currency, ISO 4217 (InvoiceCurrency)")
    invoice_date: ApiDate = Field(description="Invoice date (InvoiceDate)")
    business_unit: Text = Field(description="Business unit (BusinessUnit)")
    canceled_flag: BooleanText = Field(description="'true' if the invoice is canceled (CanceledFlag)")
    last_update_date: UtcDateTime = Field(
        description="Last update of the invoice, UTC; the sync's change field (LastUpdateDate)"
    )


# --- Workday (Reports-as-a-Service) -----------------------------------------------------------------------


class WorkdayHeadcount(Contract):
    """One row of a custom headcount report (RaaS, JSON): workers per location, cost center and worker
    type as of the report date."""

    contract_name: ClassVar[str] = "WorkdayHeadcount"
    contract_version: ClassVar[str] = "1.0.0"

    report_date: ApiDate = Field(description="Date the headcount is as of (Report_Date)")
    location: Text = Field(description="Work location (Location)")
    cost_center: Text = Field(description="Cost center (Cost_Center)")
    worker_type: Text = Field(description="Employee or Contingent Worker (Worker_Type)")
    headcount: int = Field(ge=0, le=INTEGER_MAX, description="Number of workers (Headcount)")
    fte: NonNegativeDecimal = Field(description="Full-time equivalents (FTE)")


class WorkdayExpenseItem(Contract):
    """One expense item of a custom expense report (RaaS, JSON): the business travel and commuting data
    of GHG Protocol Scope 3 categories 6 and 7."""

    contract_name: ClassVar[str] = "WorkdayExpenseItem"
    contract_version: ClassVar[str] = "1.1.0"

    expense_item_id: Text = Field(description="Expense item id (Expense_Item_ID)")
    worker_id: Text = Field(
        description="Worker who spent (Worker_ID; personal: stored as the tenant's pseudonym)",
        json_schema_extra={"personal": True},
    )
    expense_date: ApiDate = Field(description="Date of the expense (Expense_Date)")
    expense_item: Text = Field(description="Airfare, Rail, Hotel, Car Rental, Mileage… (Expense_Item)")
    amount: ExactDecimal = Field(description="Amount, expense currency; negative when reversed (Amount)")
    currency: CurrencyCode = Field(description="Currency, ISO 4217 (Currency)")
    quantity: OptionalDecimal = Field(
        default=None, description="km for Mileage, nights for Hotel; null otherwise (Quantity)"
    )
    origin: OptionalText = Field(default=None, description="From: IATA airport code for air travel (Origin)")
    destination: OptionalText = Field(default=None, description="To: IATA airport code for air (Destination)")
    cost_center: Text = Field(description="Cost center charged (Cost_Center)")
    last_updated: UtcDateTime = Field(
        description="Last update of the item, UTC; the sync's change field (Last_Updated)"
    )


# --- normalised shape (dbt) -------------------------------------------------------------------------------

SourceSystem = Annotated[str, StringConstraints(pattern=r"^(sap|oracle)$")]


class UnifiedPurchaseLine(Contract):
    """A purchase order line from SAP or Oracle in one shape: what ``int_erp__purchase_lines`` holds.

    One row per business key (``tenant_id``, ``source_system``, ``source_document_id``,
    ``source_line_id``): the latest change wins, deletions are kept and flagged.
    """

    contract_name: ClassVar[str] = "UnifiedPurchaseLine"
    contract_version: ClassVar[str] = "1.1.0"

    tenant_id: Text = Field(description="Tenant the line belongs to")
    source_system: SourceSystem = Field(description="'sap' or 'oracle'")
    source_document_id: Text = Field(description="SAP purchase_order; Oracle po_header_id (as text)")
    source_line_id: Text = Field(description="SAP purchase_order_item; Oracle po_line_id (as text)")
    document_number: Text = Field(
        description="Order number users see: SAP purchase_order; Oracle order_number"
    )
    supplier: Text = Field(description="Supplier id in the source system: SAP supplier; Oracle supplier_id")
    supplier_name: OptionalText = Field(
        default=None, description="Supplier name: Oracle supplier; null for SAP (not in the extract)"
    )
    material: OptionalText = Field(default=None, description="SAP material; Oracle item; null for text lines")
    category: OptionalText = Field(
        default=None, description="Purchasing category: SAP material_group; Oracle category_name"
    )
    gl_account: OptionalText = Field(
        default=None,
        description="G/L account charged: SAP gl_account; null for Oracle (not in its line extract)",
    )
    description: OptionalText = Field(
        default=None, description="Oracle description; null for SAP (not in the extract)"
    )
    order_date: OptionalApiDate = Field(
        default=None,
        description="SAP purchase_order_date; null for Oracle (the line extract carries no order date)",
    )
    quantity: NonNegativeDecimal = Field(description="SAP order_quantity; Oracle quantity")
    unit: Text = Field(
        description="Unit of quantity, normalised in staging to one code list for both systems "
        "(from SAP purchase_order_quantity_unit, Oracle uom_code)"
    )
    net_amount: NonNegativeDecimal = Field(
        description="Net value in currency: SAP order_quantity × net_price_amount / net_price_quantity; "
        "Oracle quantity × unit_price"
    )
    currency: CurrencyCode = Field(description="SAP document_currency; Oracle currency_code (ISO 4217)")
    is_deleted: bool = Field(
        description="SAP purchasing_document_deletion_code = 'L'; Oracle line_status = 'CANCELED'"
    )
    changed_at: UtcDateTime = Field(description="SAP last_change_datetime; Oracle last_update_date (UTC)")
