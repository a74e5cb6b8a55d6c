"""The ERP contracts on payloads shaped like the APIs' (SAP OData V2, Oracle Fusion REST, Workday RaaS).

Each sample goes through what the loader does with an API page — ``loads_exact`` (numbers keep their
text), ``open_records`` (keys snake_cased, "" → null) and the contract-driven ``BatchValidator`` (fast
path, then the contract) — and through the contract directly, and both must agree on the typed values.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from greenlang.catalog import CONTRACTS
from greenlang.core.readers import loads_exact, open_records, snake_case
from greenlang.core.validation import BatchValidator, field_rules, map_columns
from greenlang.erp.contracts import (
    OracleInvoice,
    OraclePurchaseOrderLine,
    SAPMaterialStock,
    SAPPurchaseOrderItem,
    UnifiedPurchaseLine,
    WorkdayExpenseItem,
    WorkdayHeadcount,
)
from greenlang.erp.sources import ERP_SOURCES

# 2026-01-05T00:00:00Z and 2026-01-07T09:30:15.250Z in OData V2 JSON form
JAN_5 = 1767571200000
CHANGED = 1767778215250

SAP_ITEM = f"""{{
  "PurchaseOrder": "4500000017", "PurchaseOrderType": "NB", "CompanyCode": "1010",
  "PurchasingOrganization": "1010", "Supplier": "17300001", "PurchaseOrderDate": "/Date({JAN_5})/",
  "DocumentCurrency": "EUR", "LastChangeDateTime": "/Date({CHANGED}+0000)/",
  "PurchaseOrderItem": "10", "PurchaseOrderItemText": "Hot-rolled coil S235", "Material": "TG11",
  "MaterialGroup": "L001", "Plant": "1010", "OrderQuantity": "25.000", "PurchaseOrderQuantityUnit": "TO",
  "NetPriceAmount": "640.00", "NetPriceQuantity": "1", "PurchasingDocumentDeletionCode": ""
}}"""

SAP_STOCK = """{
  "Material": "TG11", "Plant": "1010", "StorageLocation": "101A", "Batch": "", "Supplier": "",
  "InventoryStockType": "01", "InventorySpecialStockType": "", "MaterialBaseUnit": "KG",
  "MatlWrhsStkQtyInMatlBaseUnit": "-12.500"
}"""

ORACLE_LINE = """{
  "POHeaderId": 300000047120156, "OrderNumber": "US164013", "SupplierId": 300000047507499,
  "Supplier": "Lee Supplies", "ProcurementBU": "US1 Business Unit", "CurrencyCode": "USD",
  "POLineId": 300000047120161, "LineNumber": 1, "Item": null, "Description": "Aluminium ingots",
  "CategoryName": "Raw Materials", "Quantity": 12.5, "UOMCode": "TNE", "UOM": "Metric Ton", "Price": 2310.40,
  "LineStatus": "OPEN", "LastUpdateDate": "2026-01-07T10:30:15.250+01:00",
  "links": [{"rel": "self", "href": "https://fa.example/lines/300000047120161"}]
}"""

ORACLE_INVOICE = """{
  "InvoiceId": 300100045281201, "InvoiceNumber": "INV-2026-0042", "Supplier": "Lee Supplies",
  "SupplierNumber": "1252", "InvoiceAmount": -1200.00, "InvoiceCurrency": "EUR",
  "InvoiceDate": "2026-01-06", "BusinessUnit": "EU1 Business Unit", "CanceledFlag": false,
  "LastUpdateDate": "2026-01-07T09:30:15.25Z"
}"""

WORKDAY_HEADCOUNT = """{"Report_Entry": [
  {"Report_Date": "2026-01-31-08:00", "Location": "Berlin", "Cost_Center": "CC1000 Operations",
   "Worker_Type": "Employee", "Headcount": "42", "FTE": "39.5"},
  {"Report_Date": "2026-01-31+01:00", "Location": "Lyon", "Cost_Center": "CC2000 Sales",
   "Worker_Type": "Contingent Worker", "Headcount": 3, "FTE": 2.75}
]}"""

WORKDAY_EXPENSES = """{"Report_Entry": [
  {"Expense_Item_ID": "EXP-000123", "Worker_ID": "21001", "Expense_Date": "2026-01-12",
   "Expense_Item": "Airfare", "Amount": "612.40", "Currency": "EUR", "Origin": "FRA", "Destination": "LIS",
   "Cost_Center": "CC1000 Operations", "Location": "Berlin Office", "Reversed": "0",
   "Last_Updated": "2026-01-07T01:30:15.250-08:00"},
  {"Expense_Item_ID": "EXP-000124", "Worker_ID": "21001", "Expense_Date": "2026-01-13",
   "Expense_Item": "Mileage", "Amount": "-38.50", "Currency": "EUR", "Quantity": "110",
   "Cost_Center": "CC1000 Operations", "Location": "Berlin Office", "Reversed": "1",
   "Last_Updated": "2026-01-07T09:30:15.25"}
]}"""

JAN_7_0930 = dt.datetime(2026, 1, 7, 9, 30, 15, 250000)


def received(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the reader hands it on: keys snake_cased, values as text, "" → null."""
    batch = next(open_records([record], "test://page").iter_batches())
    row = batch.to_pylist()[0]
    return {name: value for name, value in row.items() if not name.startswith("_")}


def accepted(contract: type, record: dict[str, Any]) -> dict[str, Any]:
    """Validate like the loader: columns mapped to fields (the others are the batch's ignored columns)."""
    values = received(record)
    mapping, _ignored = map_columns(field_rules(contract), list(values))
    candidate = {name: values[column] for name, column in mapping.items() if values[column] is not None}
    return contract.model_validate(candidate).model_dump()


def through_validator(contract: type, records: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    source = open_records(records, "test://page")
    validator = BatchValidator(contract, source.schema.names)
    result = validator.validate(next(source.iter_batches()))
    rows = sorted(result.valid.to_pylist(), key=lambda row: row["_source_row"])
    fields = list(contract.model_fields)
    return [{name: row[name] for name in fields} for row in rows], result.rejected


def entries(text: str) -> list[dict[str, Any]]:
    return loads_exact(text)["Report_Entry"]


# --- registry and schemas ---------------------------------------------------------------------------------


def test_erp_contracts_are_registered_at_major_version_1() -> None:
    for contract in (*(spec.contract for spec in ERP_SOURCES), UnifiedPurchaseLine):
        assert CONTRACTS[contract.contract_name] is contract
        assert contract.contract_version.startswith("1.")


def test_field_names_are_those_of_the_design() -> None:
    assert list(SAPPurchaseOrderItem.model_fields) == [
        "purchase_order", "purchase_order_item", "purchase_order_type", "company_code",
        "purchasing_organization", "supplier", "purchase_order_date", "document_currency", "material",
        "material_group", "gl_account", "plant", "order_quantity", "purchase_order_quantity_unit", "net_price_amount",
        "net_price_quantity", "purchasing_document_deletion_code", "last_change_datetime",
    ]  # fmt: skip
    assert list(SAPMaterialStock.model_fields) == [
        "material", "plant", "storage_location", "inventory_stock_type", "material_base_unit",
        "matl_wrhs_stk_qty_in_matl_base_unit",
    ]  # fmt: skip
    assert list(OraclePurchaseOrderLine.model_fields) == [
        "po_header_id", "po_line_id", "order_number", "supplier_id", "supplier", "procurement_bu",
        "currency_code", "line_number", "item", "description", "category_name", "quantity", "uom_code",
        "unit_price", "line_status", "last_update_date",
    ]  # fmt: skip
    assert list(OracleInvoice.model_fields) == [
        "invoice_id", "invoice_number", "supplier", "supplier_number", "invoice_amount", "invoice_currency",
        "invoice_date", "business_unit", "canceled_flag", "last_update_date",
    ]  # fmt: skip
    assert list(WorkdayHeadcount.model_fields) == [
        "report_date", "location", "cost_center", "worker_type", "headcount", "fte",
    ]  # fmt: skip
    assert list(WorkdayExpenseItem.model_fields) == [
        "expense_item_id", "worker_id", "expense_date", "expense_item", "amount", "currency", "quantity",
        "origin", "destination", "cost_center", "last_updated",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("api_name", "contract", "field"),
    [
        ("LastChangeDateTime", SAPPurchaseOrderItem, "last_change_datetime"),
        ("PurchaseOrderQuantityUnit", SAPPurchaseOrderItem, "purchase_order_quantity_unit"),
        ("MatlWrhsStkQtyInMatlBaseUnit", SAPMaterialStock, "matl_wrhs_stk_qty_in_matl_base_unit"),
        ("POHeaderId", OraclePurchaseOrderLine, "po_header_id"),
        ("POLineId", OraclePurchaseOrderLine, "po_line_id"),
        ("UOMCode", OraclePurchaseOrderLine, "uom_code"),
        ("Price", OraclePurchaseOrderLine, "unit_price"),
        ("ProcurementBU", OraclePurchaseOrderLine, "procurement_bu"),
        ("Cost_Center", WorkdayExpenseItem, "cost_center"),
        ("Expense_Item_ID", WorkdayExpenseItem, "expense_item_id"),
        ("FTE", WorkdayHeadcount, "fte"),
    ],
)
def test_every_api_name_reaches_its_field(api_name: str, contract: type, field: str) -> None:
    rules = {rule.name: rule for rule in field_rules(contract)}
    assert snake_case(api_name) in rules[field].accepted_names


def test_unified_purchase_line_schema_is_exported() -> None:
    schema = UnifiedPurchaseLine.json_schema()
    assert schema["x-contract-name"] == "UnifiedPurchaseLine"
    assert set(schema["required"]) >= {
        "tenant_id", "source_system", "source_document_id", "source_line_id", "quantity", "unit",
        "net_amount", "currency", "is_deleted", "changed_at",
    }  # fmt: skip
    assert schema["properties"]["is_deleted"]["type"] == "boolean"


# --- SAP --------------------------------------------------------------------------------------------------


def test_sap_item_with_odata_dates_and_decimal_strings() -> None:
    record = accepted(SAPPurchaseOrderItem, loads_exact(SAP_ITEM))
    assert record["purchase_order_date"] == dt.date(2026, 1, 5)
    assert record["last_change_datetime"] == JAN_7_0930
    assert record["order_quantity"] == Decimal("25.000")
    assert record["net_price_amount"] == Decimal("640.00")
    assert record["purchasing_document_deletion_code"] is None  # SAP's "" for an empty field
    rows, rejected = through_validator(SAPPurchaseOrderItem, [loads_exact(SAP_ITEM)])
    assert not rejected and rows == [record]


def test_sap_date_time_offset_and_deleted_item() -> None:
    item = loads_exact(SAP_ITEM) | {
        "LastChangeDateTime": f"/Date({CHANGED}+0120)/",  # the milliseconds are UTC whatever the offset
        "PurchasingDocumentDeletionCode": "L",
        "Material": "",
    }
    record = accepted(SAPPurchaseOrderItem, item)
    assert record["last_change_datetime"] == JAN_7_0930
    assert record["purchasing_document_deletion_code"] == "L" and record["material"] is None


def test_sap_stock_allows_negative_stock() -> None:
    record = accepted(SAPMaterialStock, loads_exact(SAP_STOCK))
    assert record["matl_wrhs_stk_qty_in_matl_base_unit"] == Decimal("-12.500")
    rows, rejected = through_validator(SAPMaterialStock, [loads_exact(SAP_STOCK)])
    assert not rejected and rows == [record]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"PurchaseOrderDate": "/Date(1767571200001)/"}, "purchase_order_date"),  # not midnight
        ({"PurchaseOrderDate": "/Date(x)/"}, "purchase_order_date"),
        ({"LastChangeDateTime": "/Date(17677782152500+0000"}, "last_change_datetime"),
        ({"LastChangeDateTime": ""}, "last_change_datetime"),
        ({"OrderQuantity": "25,000"}, "order_quantity"),
        ({"OrderQuantity": "-1"}, "order_quantity"),
        ({"NetPriceQuantity": "0"}, "net_price_quantity"),
        ({"NetPriceAmount": "640.00.0"}, "net_price_amount"),
        ({"DocumentCurrency": "EURO"}, "document_currency"),
        ({"PurchaseOrderQuantityUnit": "TONS"}, "purchase_order_quantity_unit"),
        ({"PurchasingDocumentDeletionCode": "LL"}, "purchasing_document_deletion_code"),
        ({"PurchaseOrder": ""}, "purchase_order"),
        ({"Supplier": None}, "supplier"),
    ],
)
def test_sap_item_bad_values_are_rejected(changes: dict[str, Any], field: str) -> None:
    item = loads_exact(SAP_ITEM) | changes
    with pytest.raises(ValidationError) as info:
        accepted(SAPPurchaseOrderItem, item)
    assert {error["loc"][0] for error in info.value.errors()} == {field}
    rows, rejected = through_validator(SAPPurchaseOrderItem, [item, loads_exact(SAP_ITEM)])
    assert len(rows) == 1 and len(rejected) == 1
    assert [error["field"] for error in json.loads(rejected[0]["errors"])] == [field]


# --- Oracle -----------------------------------------------------------------------------------------------


def test_oracle_line_with_json_numbers_and_offsets() -> None:
    record = accepted(OraclePurchaseOrderLine, loads_exact(ORACLE_LINE))
    assert record["po_header_id"] == 300000047120156 and record["po_line_id"] == 300000047120161
    assert record["uom_code"] == "TNE" and record["procurement_bu"] == "US1 Business Unit"
    assert record["unit_price"] == Decimal("2310.40")  # the JSON number's text, not a float
    assert record["quantity"] == Decimal("12.5") and record["item"] is None
    assert record["last_update_date"] == JAN_7_0930
    rows, rejected = through_validator(OraclePurchaseOrderLine, [loads_exact(ORACLE_LINE)])
    assert not rejected and rows == [record]


def test_oracle_invoice_credit_memo_and_boolean_flag() -> None:
    record = accepted(OracleInvoice, loads_exact(ORACLE_INVOICE))
    assert record["invoice_amount"] == Decimal("-1200.00")
    assert record["canceled_flag"] == "false"
    assert record["invoice_date"] == dt.date(2026, 1, 6)
    assert record["last_update_date"] == JAN_7_0930


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"POHeaderId": "30000004712015x"}, "po_header_id"),
        ({"POLineId": 0}, "po_line_id"),
        ({"LineNumber": 1.5}, "line_number"),
        ({"Quantity": "twelve"}, "quantity"),
        ({"UOMCode": ""}, "uom_code"),
        ({"CurrencyCode": "US"}, "currency_code"),
        ({"LastUpdateDate": "2026-13-07T10:30:15+01:00"}, "last_update_date"),
    ],
)
def test_oracle_line_bad_values_are_rejected(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        accepted(OraclePurchaseOrderLine, loads_exact(ORACLE_LINE) | changes)
    assert {error["loc"][0] for error in info.value.errors()} == {field}


def test_oracle_invoice_flag_must_be_a_boolean() -> None:
    with pytest.raises(ValidationError):
        accepted(OracleInvoice, loads_exact(ORACLE_INVOICE) | {"CanceledFlag": "Y"})


# --- Workday ----------------------------------------------------------------------------------------------


def test_workday_headcount_entries() -> None:
    first, second = (accepted(WorkdayHeadcount, entry) for entry in entries(WORKDAY_HEADCOUNT))
    assert first["report_date"] == dt.date(2026, 1, 31)  # "2026-01-31-08:00": the date as written
    assert (first["headcount"], first["fte"]) == (42, Decimal("39.5"))
    assert (second["headcount"], second["fte"]) == (3, Decimal("2.75"))
    rows, rejected = through_validator(WorkdayHeadcount, entries(WORKDAY_HEADCOUNT))
    assert not rejected and rows == [first, second]


def test_workday_expense_entries() -> None:
    air, mileage = (accepted(WorkdayExpenseItem, entry) for entry in entries(WORKDAY_EXPENSES))
    assert (air["origin"], air["destination"], air["quantity"]) == ("FRA", "LIS", None)
    assert air["last_updated"] == JAN_7_0930  # -08:00 → UTC
    assert mileage["amount"] == Decimal("-38.50") and mileage["quantity"] == Decimal("110")
    assert mileage["last_updated"] == JAN_7_0930  # no offset: read as UTC
    rows, rejected = through_validator(WorkdayExpenseItem, entries(WORKDAY_EXPENSES))
    assert not rejected and rows == [air, mileage]


@pytest.mark.parametrize(
    ("contract", "changes", "field"),
    [
        (WorkdayHeadcount, {"Headcount": "-1"}, "headcount"),
        (WorkdayHeadcount, {"Headcount": "4.5"}, "headcount"),
        (WorkdayHeadcount, {"FTE": "-0.5"}, "fte"),
        (WorkdayHeadcount, {"Report_Date": "2026-02-30"}, "report_date"),
        (WorkdayHeadcount, {"Cost_Center": " "}, "cost_center"),
        (WorkdayExpenseItem, {"Amount": "12.3.4"}, "amount"),
        (WorkdayExpenseItem, {"Currency": "€"}, "currency"),
        (WorkdayExpenseItem, {"Expense_Date": "12/31/2026"}, "expense_date"),
        (WorkdayExpenseItem, {"Last_Updated": "yesterday"}, "last_updated"),
    ],
)
def test_workday_bad_values_are_rejected(contract: type, changes: dict[str, Any], field: str) -> None:
    sample = WORKDAY_HEADCOUNT if contract is WorkdayHeadcount else WORKDAY_EXPENSES
    with pytest.raises(ValidationError) as info:
        accepted(contract, entries(sample)[0] | changes)
    assert {error["loc"][0] for error in info.value.errors()} == {field}
