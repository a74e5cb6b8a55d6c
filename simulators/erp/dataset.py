"""The simulator's seeded, deterministic dataset — and the ground truth tests compare clients against.

Everything is drawn from one ``random.Random(seed)``: the same configuration gives the same records,
byte for byte, on every machine. Records are held in the form the API presents them (SAP strings and
``/Date(ms)/``, Oracle JSON numbers as ``Num`` text, Workday report strings), without SAP's
``__metadata`` and navigation properties, which the server adds per request (they name its host).

Ground truth (``Dataset.sap_purchase_order_items()`` …) returns, keyed by business key, exactly the
records a correct client yields for a window: SAP items carrying their header's fields (an item field
wins over a header field of the same name), Oracle lines carrying their header's fields (a line field
whose name the header also has is prefixed ``Line``: ``Status`` → ``LineStatus``). Windows are
inclusive at both ends, as the clients query them. Each call returns fresh dicts, so a test can take
the truth before a walk that the ``shift`` fault changes. Keys are tuples of text (a 1-tuple for a
single-field key; Oracle's numeric ids as their text).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from simulators.erp._jsontext import Num, number

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DAY_MS = 86_400_000

# --- time formats -----------------------------------------------------------------------------------------


def to_ms(moment: dt.datetime) -> int:
    """Milliseconds since the epoch, UTC (a naive datetime is read as UTC), truncated."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def to_us(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def from_ms(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


def odata_datetime(ms: int) -> str:
    """``Edm.DateTime`` in OData V2 JSON (SAP dates are midnight UTC)."""
    return f"/Date({ms})/"


def odata_datetimeoffset(ms: int) -> str:
    """``Edm.DateTimeOffset`` in OData V2 JSON: UTC milliseconds and the offset in minutes."""
    return f"/Date({ms}+0000)/"


def oracle_timestamp(ms: int) -> str:
    moment = from_ms(ms)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}+00:00"


def _last_sunday(year: int, month: int) -> dt.date:
    day = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def tenant_offset(ms: int) -> dt.timedelta:
    """The Workday tenant's zone: Central European Time, summer time by the EU rule."""
    moment = from_ms(ms)
    year = moment.year
    start = dt.datetime.combine(_last_sunday(year, 3), dt.time(1), tzinfo=dt.UTC)
    end = dt.datetime.combine(_last_sunday(year, 10), dt.time(1), tzinfo=dt.UTC)
    return dt.timedelta(hours=2 if start <= moment < end else 1)


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def workday_timestamp(ms: int) -> str:
    offset = tenant_offset(ms)
    local = from_ms(ms) + offset
    return f"{local:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}{_offset_text(offset)}"


def workday_local_date(ms: int) -> dt.date:
    return (from_ms(ms) + tenant_offset(ms)).date()


def workday_date(day: dt.date) -> str:
    """An XML Schema date with the tenant's zone, as RaaS writes dates: ``2026-06-30+02:00``."""
    noon = to_ms(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))
    return f"{day.isoformat()}{_offset_text(tenant_offset(noon))}"


def _in_window(us: int, since_us: int | None, until_us: int | None) -> bool:
    return (since_us is None or us >= since_us) and (until_us is None or us <= until_us)


def _bounds(since: dt.datetime | None, until: dt.datetime | None) -> tuple[int | None, int | None]:
    return (None if since is None else to_us(since), None if until is None else to_us(until))


# --- reference data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    number: str  # empty for a text (service) item
    description: str
    group: str  # SAP material group
    unit: str  # SAP unit code
    price_eur: tuple[float, float]  # per price unit
    price_unit: int  # SAP NetPriceQuantity
    quantity: tuple[float, float]
    cbam: bool
    category: str  # Oracle purchasing category
    oracle_uom: tuple[str, str]  # Oracle UOMCode, UOM


MATERIALS: tuple[Material, ...] = (
    # CBAM goods (Annex I of Regulation (EU) 2023/956): iron & steel, aluminium, cement, fertilisers, hydrogen
    Material(
        "STL-HRC-S235",
        "Hot-rolled steel coil S235JR 2.0 mm",
        "STEELFLAT",
        "TO",
        (520, 720),
        1,
        (5, 400),
        True,
        "Steel Flat Products",
        ("MT", "Metric Ton"),
    ),
    Material(
        "STL-CRC-DC01",
        "Cold-rolled steel sheet DC01 1.0 mm",
        "STEELFLAT",
        "TO",
        (640, 860),
        1,
        (2, 200),
        True,
        "Steel Flat Products",
        ("MT", "Metric Ton"),
    ),
    Material(
        "STL-HDG-DX51",
        "Hot-dip galvanised steel coil DX51D Z275",
        "STEELFLAT",
        "KG",
        (75, 98),
        100,
        (1000, 80000),
        True,
        "Steel Flat Products",
        ("KG", "Kilogram"),
    ),
    Material(
        "ALU-ING-P1020",
        "Primary aluminium ingot P1020A 99.7%",
        "ALUINGOT",
        "TO",
        (2100, 2650),
        1,
        (1, 120),
        True,
        "Aluminium",
        ("MT", "Metric Ton"),
    ),
    Material(
        "ALU-ING-A356",
        "Aluminium alloy ingot A356.2",
        "ALUINGOT",
        "KG",
        (2400, 3100),
        1000,
        (500, 40000),
        True,
        "Aluminium",
        ("KG", "Kilogram"),
    ),
    Material(
        "CEM-CLK-OPC",
        "Portland cement clinker, grey",
        "CLINKER",
        "TO",
        (45, 72),
        1,
        (50, 3000),
        True,
        "Cement",
        ("MT", "Metric Ton"),
    ),
    Material(
        "FRT-UREA-46N",
        "Urea fertiliser 46% N, granular",
        "FERTUREA",
        "TO",
        (300, 460),
        1,
        (10, 900),
        True,
        "Fertilisers",
        ("MT", "Metric Ton"),
    ),
    Material(
        "H2-GAS-50",
        "Hydrogen 5.0, compressed gas",
        "HYDROGEN",
        "KG",
        (4, 9),
        1,
        (50, 5000),
        True,
        "Industrial Gases",
        ("KG", "Kilogram"),
    ),
    Material(
        "H2-GAS-BNDL",
        "Hydrogen 3.0, cylinder bundle",
        "HYDROGEN",
        "M3",
        (40, 80),
        100,
        (100, 2000),
        True,
        "Industrial Gases",
        ("M3", "Cubic Meter"),
    ),
    # other purchases
    Material(
        "OFF-PAPER-A4",
        "Copy paper A4 80 g/m2, box of 2500 sheets",
        "OFFICE",
        "ST",
        (18, 32),
        1,
        (1, 200),
        False,
        "Office Supplies",
        ("EA", "Each"),
    ),
    Material(
        "FUEL-DIESEL",
        "Diesel fuel EN 590",
        "FUEL",
        "L",
        (120, 165),
        100,
        (500, 30000),
        False,
        "Fuel",
        ("L", "Liter"),
    ),
    Material(
        "MRO-HYD-68",
        "Hydraulic oil ISO VG 68",
        "MRO",
        "L",
        (3, 6),
        1,
        (20, 2000),
        False,
        "Maintenance Supplies",
        ("L", "Liter"),
    ),
    Material(
        "PKG-PALLET-EUR",
        "EUR pallet 1200 x 800 mm",
        "PACKAGING",
        "ST",
        (9, 16),
        1,
        (20, 2000),
        False,
        "Packaging",
        ("EA", "Each"),
    ),
    Material(
        "CHM-N2-LIQ",
        "Liquid nitrogen",
        "CHEMICALS",
        "M3",
        (90, 160),
        100,
        (200, 6000),
        False,
        "Industrial Gases",
        ("M3", "Cubic Meter"),
    ),
    Material(
        "",
        "Maintenance service, rolling mill",
        "SERVICES",
        "ST",
        (800, 9000),
        1,
        (1, 4),
        False,
        "Services",
        ("EA", "Each"),
    ),
)
# An item without a material (a text item: a service) is account-assigned, so SAP carries the G/L account
# it is charged to; a stock material's account follows from its valuation at goods receipt (empty here).
GL_ACCOUNT_OF_TEXT_ITEMS = "417000"  # purchased services, in the demo company's chart of accounts
CBAM_GROUPS = ("STEELFLAT", "ALUINGOT", "CLINKER", "FERTUREA", "HYDROGEN")
GENERAL = tuple(material for material in MATERIALS if not material.cbam)

# EUR → currency, rounded; the dataset needs plausible amounts, not market rates
FX = {"EUR": 1.0, "USD": 1.08, "GBP": 0.85, "CNY": 7.8, "TRY": 36.5, "INR": 90.2}
COUNTRIES = {
    # country: (currency, legal form, name stems)
    "DE": ("EUR", "GmbH", ("Rheinstahl", "Nordblech", "Ruhrmetall", "Saarhütte")),
    "NL": ("EUR", "B.V.", ("Maasvlakte", "Delta", "Zeeland")),
    "FR": ("EUR", "SAS", ("Lorraine", "Provence", "Dunkerque")),
    "IT": ("EUR", "S.p.A.", ("Padana", "Brescia", "Taranto")),
    "US": ("USD", "Inc.", ("Gulf Coast", "Great Lakes", "Ohio Valley")),
    "GB": ("GBP", "Ltd", ("Midlands", "Humber", "Teesside")),
    "CN": ("CNY", "Co., Ltd.", ("Jiangsu Huaxin", "Hebei Jintai", "Shandong Lüyuan")),
    "TR": ("TRY", "A.Ş.", ("Anadolu", "Marmara", "Ege")),
    "IN": ("INR", "Pvt. Ltd.", ("Gujarat", "Odisha", "Vidarbha")),
}
SECTOR_WORDS = {
    "STEELFLAT": "Steel",
    "ALUINGOT": "Aluminium",
    "CLINKER": "Cement",
    "FERTUREA": "Fertilisers",
    "HYDROGEN": "Hydrogen",
    "GENERAL": "Industrial Supplies",
}
# The 2017 NAICS code of each supplier specialty: the industry code a supplier master holds (the demo's,
# dbt seed supplier_industry_codes), which spend-based Scope 3 falls back on when a line's material group
# and G/L account map to no category.
SPECIALTY_NAICS = {
    "STEELFLAT": "331110",  # Iron and Steel Mills and Ferroalloy Manufacturing
    "ALUINGOT": "331313",  # Alumina Refining and Primary Aluminum Production
    "CLINKER": "327310",  # Cement Manufacturing
    "FERTUREA": "325311",  # Nitrogenous Fertilizer Manufacturing
    "HYDROGEN": "325120",  # Industrial Gas Manufacturing
    "GENERAL": "423840",  # Industrial Supplies Merchant Wholesalers
}
PLANTS = {"1010": ("101A", "101B"), "1020": ("102A",), "1710": ("171A", "171B"), "2010": ("201A",)}
ORACLE_BUS = (
    ("US1 Business Unit", "USD"),
    ("EU1 Business Unit", "EUR"),
    ("UK1 Business Unit", "GBP"),
    ("IN1 Business Unit", "INR"),
)

LOCATIONS = {
    # location: (currency, home airport, cost centres)
    "Berlin Office": ("EUR", "BER", ("CC1000 Administration", "CC4000 Sales", "CC6000 IT")),
    "Duisburg Plant": ("EUR", "DUS", ("CC1000 Administration", "CC2000 Production", "CC3000 Logistics")),
    "Rotterdam Terminal": ("EUR", "RTM", ("CC1000 Administration", "CC3000 Logistics")),
    "Houston Plant": ("USD", "IAH", ("CC1000 Administration", "CC2000 Production", "CC3000 Logistics")),
    "Manchester Office": ("GBP", "MAN", ("CC4000 Sales", "CC6000 IT")),
    "Pune Engineering Centre": ("INR", "PNQ", ("CC5000 Research and Development", "CC6000 IT")),
    "Shanghai Sales Office": ("CNY", "PVG", ("CC1000 Administration", "CC4000 Sales")),
    "Istanbul Office": ("TRY", "IST", ("CC4000 Sales", "CC1000 Administration")),
}
AIRPORTS = (
    "FRA",
    "MUC",
    "BER",
    "DUS",
    "AMS",
    "LHR",
    "MAN",
    "CDG",
    "IAH",
    "JFK",
    "ORD",
    "PNQ",
    "BOM",
    "PVG",
    "PEK",
    "IST",
)
EXPENSE_TYPES = (("Airfare", 25), ("Rail", 15), ("Hotel", 25), ("Car Rental", 10), ("Mileage", 25))


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- records ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supplier:
    number: str  # SAP business partner
    oracle_id: int
    oracle_number: str
    name: str
    country: str
    currency: str
    specialty: str  # a CBAM material group or GENERAL

    @property
    def naics_code(self) -> str:
        return SPECIALTY_NAICS[self.specialty]


@dataclass
class SapPurchaseOrder:
    header: dict[str, Any]  # API fields in API order, without __metadata and navigation properties
    items: list[dict[str, Any]]
    change_ms: int

    @property
    def key(self) -> str:
        return self.header["PurchaseOrder"]

    def set_change(self, ms: int) -> None:
        self.change_ms = ms
        self.header["LastChangeDateTime"] = odata_datetimeoffset(ms)


@dataclass
class OraclePurchaseOrder:
    header: dict[str, Any]  # without "lines"
    lines: list[dict[str, Any]]
    change_ms: int

    @property
    def key(self) -> int:
        return int(self.header["POHeaderId"])

    def set_change(self, ms: int) -> None:
        self.change_ms = ms
        self.header["LastUpdateDate"] = oracle_timestamp(ms)


@dataclass
class OracleInvoice:
    record: dict[str, Any]
    change_ms: int

    @property
    def key(self) -> int:
        return int(self.record["InvoiceId"])

    def set_change(self, ms: int) -> None:
        self.change_ms = ms
        self.record["LastUpdateDate"] = oracle_timestamp(ms)


@dataclass
class WorkdayExpenseItem:
    record: dict[str, Any]
    change_ms: int

    @property
    def key(self) -> str:
        return self.record["Expense_Item_ID"]

    @property
    def local_date(self) -> dt.date:
        return workday_local_date(self.change_ms)


@dataclass(frozen=True)
class DatasetConfig:
    seed: int = 42
    year: int = 2026
    purchase_orders: int = 3000  # SAP
    suppliers: int = 40
    oracle_purchase_orders: int = 1000
    oracle_invoices: int = 1500
    expense_items: int = 2000
    workers: int = 300


@dataclass
class Dataset:
    config: DatasetConfig
    suppliers: list[Supplier] = field(default_factory=list)
    sap_purchase_orders: list[SapPurchaseOrder] = field(default_factory=list)  # in key order
    sap_stock: list[dict[str, Any]] = field(default_factory=list)
    oracle_purchase_orders: list[OraclePurchaseOrder] = field(default_factory=list)
    oracle_invoice_records: list[OracleInvoice] = field(default_factory=list)
    headcount: dict[dt.date, list[dict[str, Any]]] = field(default_factory=dict)  # by report date
    expense_records: list[WorkdayExpenseItem] = field(default_factory=list)

    @classmethod
    def generate(cls, config: DatasetConfig) -> Dataset:
        return _Generator(config).build()

    # --- ground truth: what a correct client yields, keyed by business key -----------------------------

    def sap_purchase_order_items(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Items of the orders whose ``LastChangeDateTime`` is in the window, with their header's fields."""
        since, until = _bounds(changed_since, changed_until)
        truth: dict[tuple[str, str], dict[str, Any]] = {}
        for order in self.sap_purchase_orders:
            if _in_window(order.change_ms * 1000, since, until):
                for item in order.items:
                    truth[(order.key, item["PurchaseOrderItem"])] = {**order.header, **item}
        return truth

    def sap_material_stock(self) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        """Stock rows keyed by (Material, Plant, StorageLocation, InventoryStockType)."""
        return {
            (row["Material"], row["Plant"], row["StorageLocation"], row["InventoryStockType"]): dict(row)
            for row in self.sap_stock
        }

    def oracle_purchase_order_lines(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Lines of the orders whose ``LastUpdateDate`` is in the window, keyed by (POHeaderId, POLineId)."""
        since, until = _bounds(changed_since, changed_until)
        truth: dict[tuple[str, str], dict[str, Any]] = {}
        for order in self.oracle_purchase_orders:
            if _in_window(order.change_ms * 1000, since, until):
                for line in order.lines:
                    record = dict(order.header)
                    for name, value in line.items():
                        record[f"Line{name}" if name in order.header else name] = value
                    truth[(str(order.header["POHeaderId"]), str(line["POLineId"]))] = record
        return truth

    def oracle_invoices(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> dict[tuple[str], dict[str, Any]]:
        """Invoices whose ``LastUpdateDate`` is in the window, keyed by (InvoiceId,)."""
        since, until = _bounds(changed_since, changed_until)
        return {
            (str(invoice.record["InvoiceId"]),): dict(invoice.record)
            for invoice in self.oracle_invoice_records
            if _in_window(invoice.change_ms * 1000, since, until)
        }

    def headcount_dates(self) -> list[dt.date]:
        return sorted(self.headcount)

    def headcount_as_of(self, as_of: dt.date | None = None) -> dt.date:
        """The report date a headcount report run as of ``as_of`` shows (the last month end on or before)."""
        dates = self.headcount_dates()
        if as_of is None:
            return dates[-1]
        eligible = [day for day in dates if day <= as_of]
        return eligible[-1] if eligible else dates[0]

    def workday_headcount(
        self, as_of: dt.date | None = None
    ) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        """Rows keyed by (Report_Date, Location, Cost_Center, Worker_Type)."""
        rows = self.headcount[self.headcount_as_of(as_of)]
        return {
            (row["Report_Date"], row["Location"], row["Cost_Center"], row["Worker_Type"]): dict(row)
            for row in rows
        }

    def workday_expense_items(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> dict[tuple[str], dict[str, Any]]:
        """Expense items whose ``Last_Updated`` is in the window, keyed by (Expense_Item_ID,)."""
        since, until = _bounds(changed_since, changed_until)
        return {
            (item.key,): dict(item.record)
            for item in self.expense_records
            if _in_window(item.change_ms * 1000, since, until)
        }

    # --- summaries --------------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        items = sum(len(order.items) for order in self.sap_purchase_orders)
        return {
            "sap_purchase_orders": len(self.sap_purchase_orders),
            "sap_purchase_order_items": items,
            "sap_material_stock": len(self.sap_stock),
            "oracle_purchase_orders": len(self.oracle_purchase_orders),
            "oracle_purchase_order_lines": sum(len(order.lines) for order in self.oracle_purchase_orders),
            "oracle_invoices": len(self.oracle_invoice_records),
            "workday_headcount_rows": sum(len(rows) for rows in self.headcount.values()),
            "workday_expense_items": len(self.expense_records),
            "suppliers": len(self.suppliers),
        }

    def latest_change_ms(self) -> int:
        changes = [order.change_ms for order in self.sap_purchase_orders]
        changes += [order.change_ms for order in self.oracle_purchase_orders]
        changes += [invoice.change_ms for invoice in self.oracle_invoice_records]
        changes += [item.change_ms for item in self.expense_records]
        return max(changes, default=0)


class _Generator:
    def __init__(self, config: DatasetConfig):
        self.config = config
        self.rng = random.Random(config.seed)
        self.year_start = to_ms(dt.datetime(config.year, 1, 1, tzinfo=dt.UTC))
        self.year_end = to_ms(dt.datetime(config.year + 1, 1, 1, tzinfo=dt.UTC))

    def build(self) -> Dataset:
        dataset = Dataset(self.config)
        dataset.suppliers = self.suppliers()
        dataset.sap_purchase_orders = self.sap_orders(dataset.suppliers)
        dataset.sap_stock = self.stock()
        dataset.oracle_purchase_orders = self.oracle_orders(dataset.suppliers)
        dataset.oracle_invoice_records = self.oracle_invoices(dataset.suppliers)
        workers = self.workers()
        dataset.headcount = self.headcount()
        dataset.expense_records = self.expenses(workers)
        return dataset

    # --- helpers ----------------------------------------------------------------------------------------

    def change_time(self) -> int:
        return self.rng.randrange(self.year_start, self.year_end)

    def midnight_before(self, ms: int, max_days: int) -> int:
        day = (ms // DAY_MS) - self.rng.randrange(0, max_days + 1)
        return day * DAY_MS

    def material_for(self, supplier: Supplier, index: int) -> Material:
        rng = self.rng
        if index < len(CBAM_GROUPS) * 2:  # every CBAM good appears even in a small dataset
            group = CBAM_GROUPS[index % len(CBAM_GROUPS)]
            return rng.choice([material for material in MATERIALS if material.group == group])
        if supplier.specialty != "GENERAL" and rng.random() < 0.75:
            return rng.choice([material for material in MATERIALS if material.group == supplier.specialty])
        return rng.choice(GENERAL)

    # --- suppliers --------------------------------------------------------------------------------------

    def suppliers(self) -> list[Supplier]:
        rng = self.rng
        countries = list(COUNTRIES)
        specialties = [*CBAM_GROUPS, "GENERAL"]
        suppliers = []
        used: set[str] = set()
        for index in range(self.config.suppliers):
            country = countries[index % len(countries)] if index < len(countries) else rng.choice(countries)
            currency, legal, stems = COUNTRIES[country]
            specialty = specialties[index % len(specialties)]
            stem = rng.choice(stems)
            name = f"{stem} {SECTOR_WORDS[specialty]} {legal}"
            suffix = 2
            while name in used:
                name = f"{stem} {SECTOR_WORDS[specialty]} {suffix} {legal}"
                suffix += 1
            used.add(name)
            if country not in ("US",) and rng.random() < 0.15:
                currency = "USD"  # commodities are often invoiced in dollars
            suppliers.append(
                Supplier(
                    number=f"{17300001 + index}",
                    oracle_id=300000047000000 + index * 13,
                    oracle_number=f"{1250 + index}",
                    name=name,
                    country=country,
                    currency=currency,
                    specialty=specialty,
                )
            )
        return suppliers

    # --- SAP --------------------------------------------------------------------------------------------

    def sap_orders(self, suppliers: list[Supplier]) -> list[SapPurchaseOrder]:
        rng = self.rng
        orders = []
        item_index = 0
        deleted_any = False
        for index in range(self.config.purchase_orders):
            supplier = rng.choice(suppliers)
            currency = supplier.currency
            change_ms = self.change_time()
            order_date = self.midnight_before(change_ms, 30)
            order_deleted = rng.random() < 0.01
            number_ = f"{4500000001 + index}"
            header = {
                "PurchaseOrder": number_,
                "CompanyCode": "1010",
                "PurchaseOrderType": "NB",
                "PurchasingDocumentDeletionCode": "L" if order_deleted else "",
                "PurchasingProcessingStatus": "05",
                "CreatedByUser": f"CB99800000{rng.randrange(10, 40)}",
                "CreationDate": odata_datetime(order_date),
                "LastChangeDateTime": odata_datetimeoffset(change_ms),
                "Supplier": supplier.number,
                "Language": "EN",
                "PaymentTerms": rng.choice(("0001", "0002", "0004")),
                "PurchasingOrganization": "1010",
                "PurchasingGroup": rng.choice(("001", "002", "003")),
                "PurchaseOrderDate": odata_datetime(order_date),
                "DocumentCurrency": currency,
                "ExchangeRate": f"{FX[currency]:.5f}",
                "IncotermsClassification": rng.choice(("FCA", "CIF", "DAP", "EXW")),
                "IncotermsLocation1": rng.choice(("Rotterdam", "Hamburg", "Antwerp", "Duisburg")),
            }
            items = []
            for position in range(rng.choices((1, 2, 3, 4, 5), (30, 30, 20, 12, 8))[0]):
                material = self.material_for(supplier, item_index)
                item_index += 1
                plant = rng.choice(sorted(PLANTS))
                low, high = material.quantity
                quantity = _decimal(rng.uniform(low, high), 0 if material.unit in ("ST", "L") else 3)
                price = _decimal(rng.uniform(*material.price_eur) * FX[currency], 2)
                deleted = order_deleted or rng.random() < 0.03
                deleted_any = deleted_any or deleted
                items.append(
                    {
                        "PurchaseOrder": number_,
                        "PurchaseOrderItem": f"{(position + 1) * 10}",
                        "PurchasingDocumentDeletionCode": "L" if deleted else "",
                        "PurchaseOrderItemText": material.description,
                        "Plant": plant,
                        "StorageLocation": rng.choice(PLANTS[plant]),
                        "MaterialGroup": material.group,
                        "GLAccount": GL_ACCOUNT_OF_TEXT_ITEMS if not material.number else "",
                        "Material": material.number,
                        "OrderQuantity": f"{quantity:.3f}",
                        "PurchaseOrderQuantityUnit": material.unit,
                        "OrderPriceUnit": material.unit,
                        "NetPriceAmount": f"{price:.2f}",
                        "NetPriceQuantity": str(material.price_unit),
                        "DocumentCurrency": currency,
                        "TaxCode": "V1" if supplier.country in ("DE", "NL", "FR", "IT") else "V0",
                        "PurchaseOrderItemCategory": "9" if not material.number else "0",
                        "IsCompletelyDelivered": rng.random() < 0.4,
                        "IsFinallyInvoiced": False,
                    }
                )
            orders.append(SapPurchaseOrder(header, items, change_ms))
        if orders and not deleted_any:  # a few deleted items, even in a tiny dataset
            orders[-1].items[0]["PurchasingDocumentDeletionCode"] = "L"
        return orders

    def stock(self) -> list[dict[str, Any]]:
        rng = self.rng
        rows = []
        for material in MATERIALS:
            if not material.number:
                continue
            for plant in sorted(PLANTS):
                if rng.random() < 0.3:
                    continue
                for location in PLANTS[plant]:
                    for stock_type in ("01", "02", "07"):
                        if stock_type != "01" and rng.random() < 0.8:
                            continue
                        quantity = _decimal(rng.uniform(0, material.quantity[1] * 3), 3)
                        if rng.random() < 0.02:
                            quantity = -quantity  # negative stock exists in SAP
                        rows.append(
                            {
                                "Material": material.number,
                                "Plant": plant,
                                "StorageLocation": location,
                                "Batch": "",
                                "Supplier": "",
                                "Customer": "",
                                "WBSElementInternalID": "00000000",
                                "SDDocument": "",
                                "SDDocumentItem": "000000",
                                "InventorySpecialStockType": "",
                                "InventoryStockType": stock_type,
                                "MaterialBaseUnit": material.unit,
                                "MatlWrhsStkQtyInMatlBaseUnit": f"{quantity:.3f}",
                            }
                        )
        rows.sort(key=stock_key)
        return rows

    # --- Oracle -----------------------------------------------------------------------------------------

    def oracle_orders(self, suppliers: list[Supplier]) -> list[OraclePurchaseOrder]:
        rng = self.rng
        orders = []
        line_id = 300000012500000
        header_id = 300000012000000
        canceled_any = False
        for index in range(self.config.oracle_purchase_orders):
            header_id += rng.randrange(3, 40)
            supplier = rng.choice(suppliers)
            business_unit, currency = rng.choice(ORACLE_BUS)
            change_ms = self.change_time()
            created_ms = change_ms - rng.randrange(0, 40 * DAY_MS)
            status = rng.choices(("OPEN", "CLOSED", "CANCELED"), (92, 5, 3))[0]
            header = {
                "POHeaderId": Num(str(header_id)),
                "OrderNumber": f"{business_unit[:2]}{100000 + index}",
                "SoldToLegalEntity": business_unit.replace("Business Unit", "Legal Entity"),
                "ProcurementBU": business_unit,
                "RequisitioningBU": business_unit,
                "BuyerDisplayName": rng.choice(("Clare Jones", "Rahul Mehta", "Ana Souza", "Felix Wagner")),
                "Supplier": supplier.name,
                "SupplierId": Num(str(supplier.oracle_id)),
                "SupplierSite": "MAIN",
                "CurrencyCode": currency,
                "Status": status,
                "CreationDate": oracle_timestamp(created_ms),
                "LastUpdateDate": oracle_timestamp(change_ms),
            }
            lines = []
            for position in range(rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0]):
                material = self.material_for(supplier, index * 4 + position)
                line_id += rng.randrange(1, 7)
                low, high = material.quantity
                quantity = _decimal(rng.uniform(low, high), 0 if material.unit in ("ST", "L") else 2)
                price = _decimal(rng.uniform(*material.price_eur) * FX[currency] / material.price_unit, 4)
                line_status = status
                if status == "OPEN" and rng.random() < 0.05:
                    line_status = "CANCELED"
                canceled_any = canceled_any or line_status == "CANCELED"
                description_only = not material.number or rng.random() < 0.1
                lines.append(
                    {
                        "POLineId": Num(str(line_id)),
                        "LineNumber": Num(str(position + 1)),
                        "LineType": "Goods" if material.number else "Services",
                        "Item": None if description_only else material.number,
                        "Description": material.description,
                        "CategoryName": material.category,
                        "Quantity": number(quantity),
                        "UOMCode": material.oracle_uom[0],
                        "UOM": material.oracle_uom[1],
                        "Price": number(price),
                        "Status": line_status,
                    }
                )
            orders.append(OraclePurchaseOrder(header, lines, change_ms))
        if orders and not canceled_any:
            orders[-1].lines[-1]["Status"] = "CANCELED"
        return orders

    def oracle_invoices(self, suppliers: list[Supplier]) -> list[OracleInvoice]:
        rng = self.rng
        invoices = []
        invoice_id = 300000050000000
        for index in range(self.config.oracle_invoices):
            invoice_id += rng.randrange(2, 30)
            supplier = rng.choice(suppliers)
            business_unit, currency = rng.choice(ORACLE_BUS)
            change_ms = self.change_time()
            invoice_day = from_ms(self.midnight_before(change_ms, 20)).date()
            credit = rng.random() < 0.03
            amount = _decimal(rng.uniform(150, 250000) * FX[currency], 2)
            invoices.append(
                OracleInvoice(
                    {
                        "InvoiceId": Num(str(invoice_id)),
                        "InvoiceNumber": f"INV-{self.config.year}-{index + 1:05d}",
                        "InvoiceCurrency": currency,
                        "PaymentCurrency": currency,
                        "InvoiceAmount": number(-amount if credit else amount),
                        "InvoiceDate": invoice_day.isoformat(),
                        "BusinessUnit": business_unit,
                        "Supplier": supplier.name,
                        "SupplierNumber": supplier.oracle_number,
                        "SupplierSite": "MAIN",
                        "InvoiceType": "Credit memo" if credit else "Standard",
                        "Description": f"{SECTOR_WORDS[supplier.specialty]} deliveries {invoice_day:%B %Y}",
                        "CanceledFlag": (index == 3) or rng.random() < 0.03,
                        "PaymentTerms": "Net 30",
                        "CreationDate": oracle_timestamp(self.midnight_before(change_ms, 10)),
                        "LastUpdateDate": oracle_timestamp(change_ms),
                    },
                    change_ms,
                )
            )
        return invoices

    # --- Workday ----------------------------------------------------------------------------------------

    def workers(self) -> list[tuple[str, str, str]]:
        rng = self.rng
        locations = sorted(LOCATIONS)
        workers = []
        for index in range(self.config.workers):
            location = locations[index % len(locations)] if index < len(locations) else rng.choice(locations)
            workers.append((f"21{index + 1:04d}", location, rng.choice(LOCATIONS[location][2])))
        return workers

    def headcount(self) -> dict[dt.date, list[dict[str, Any]]]:
        rng = self.rng
        base = {}
        for location in sorted(LOCATIONS):
            for cost_center in LOCATIONS[location][2]:
                base[(location, cost_center, "Employee")] = rng.randrange(5, 320)
                if rng.random() < 0.5:
                    base[(location, cost_center, "Contingent Worker")] = rng.randrange(1, 30)
        reports: dict[dt.date, list[dict[str, Any]]] = {}
        for month in range(1, 13):
            report_date = dt.date(self.config.year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            rows = []
            for (location, cost_center, worker_type), count in base.items():
                count = max(1, count + rng.randrange(-max(1, count // 20), max(2, count // 20) + 1))
                base[(location, cost_center, worker_type)] = count
                fte = _decimal(count * rng.uniform(0.82, 1.0), 1)
                rows.append(
                    {
                        "Report_Date": workday_date(report_date),
                        "Location": location,
                        "Cost_Center": cost_center,
                        "Worker_Type": worker_type,
                        "Headcount": str(count),
                        "FTE": f"{fte:.1f}",
                    }
                )
            reports[report_date] = rows
        return reports

    def expenses(self, workers: list[tuple[str, str, str]]) -> list[WorkdayExpenseItem]:
        rng = self.rng
        items = []
        kinds = [kind for kind, _ in EXPENSE_TYPES]
        weights = [weight for _, weight in EXPENSE_TYPES]
        for index in range(self.config.expense_items):
            worker_id, location, cost_center = rng.choice(workers)
            currency, airport, _ = LOCATIONS[location]
            fx = FX[currency]
            expense_ms = self.rng.randrange(self.year_start, self.year_end)
            expense_day = workday_local_date(expense_ms)
            change_ms = expense_ms + rng.randrange(DAY_MS, 20 * DAY_MS)
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, weights)[0]
            quantity = origin = destination = None
            if kind == "Airfare":
                origin = airport if airport in AIRPORTS else "AMS"
                destination = rng.choice([code for code in AIRPORTS if code != origin])
                amount = rng.uniform(120, 1800)
            elif kind == "Rail":
                amount = rng.uniform(20, 250)
            elif kind == "Hotel":
                nights = rng.randrange(1, 7)
                quantity = Decimal(nights)
                amount = nights * rng.uniform(80, 220)
            elif kind == "Car Rental":
                amount = rng.uniform(40, 400)
            else:
                quantity = _decimal(rng.uniform(10, 800), 1)
                amount = float(quantity) * 0.30
            reversed_ = rng.random() < 0.02
            money = _decimal(amount * fx, 2)
            record: dict[str, Any] = {
                "Expense_Item_ID": f"EXP-{index + 1:07d}",
                "Worker_ID": worker_id,
                "Expense_Date": workday_date(expense_day),
                "Expense_Item": kind,
                "Amount": f"{-money if reversed_ else money:.2f}",
                "Currency": currency,
            }
            if quantity is not None:
                record["Quantity"] = f"{quantity}"
            if origin is not None:
                record["Origin"] = origin
                record["Destination"] = destination
            record["Cost_Center"] = cost_center
            record["Location"] = location
            record["Reversed"] = "1" if reversed_ else "0"
            record["Last_Updated"] = workday_timestamp(change_ms)
            items.append(WorkdayExpenseItem(record, change_ms))
        return items


def stock_key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["Material"], row["Plant"], row["StorageLocation"], row["InventoryStockType"])
