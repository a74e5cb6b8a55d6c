"""Unit tests of the record contracts, and the published reference files read through them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from greenlang.catalog import CONTRACTS
from greenlang.cbam.contracts import CBAMBenchmark, CBAMDefaultValue, CBAMGood, CBAMShipment

DEFAULT_VALUES_FILE = "cbam/cbam_default_values_definitive_IR2025-2621_v20260204.csv"
GOODS_FILE = "cbam/cbam_cn_codes_from_default_values_2026.csv"
BENCHMARKS_FILE = "cbam/cbam_benchmarks_IR2025-2620_colB_raw.csv"


def snake_case(header: str) -> str:
    """The readers' header rule: lower-case, runs of non-alphanumerics to "_", no "_" at either end."""
    return re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_")


def read_published_csv(path: Path, *, encoding: str, delimiter: str) -> list[dict[str, str]]:
    with io.StringIO(path.read_bytes().decode(encoding), newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        header = [snake_case(name) for name in next(reader)]
        return [dict(zip(header, row, strict=True)) for row in reader]


def rejects(contract: type, record: dict[str, Any], field: str) -> bool:
    """True if the record is rejected with an error located at ``field`` (or the whole record)."""
    with pytest.raises(ValidationError) as info:
        contract.model_validate(record)
    return any(error["loc"][:1] in ((field,), ()) for error in info.value.errors())


# --- registry --------------------------------------------------------------------------------------------


def test_registry_holds_every_contract_by_name() -> None:
    assert {"CBAMShipment", "CBAMDefaultValue", "CBAMGood", "SAPPurchaseOrderItem", "MeterReading"} <= set(
        CONTRACTS
    )
    assert len(CONTRACTS) == len({contract.contract_name for contract in CONTRACTS.values()})
    for name, contract in CONTRACTS.items():
        assert contract.contract_name == name
        assert re.fullmatch(r"\d+\.\d+\.\d+", contract.contract_version)


# --- CBAMShipment ----------------------------------------------------------------------------------------

SHIPMENT = {
    "declarant_eori": "DE123456789012345",
    "declaration_id": "26DE1A2B3C4D5E6F7G",
    "declaration_line": "3",
    "import_date": "2026-01-31",
    "cn_code": "72083900",
    "origin_country": "TR",
    "net_mass_tonnes": "24.125",
    "customs_procedure": "4000",
    "installation_id": "",
    "actual_direct_see": "",
    "actual_indirect_see": "",
    "electricity_consumed_mwh": "",
    "carbon_price_paid_eur": "",
}


def shipment(**changes: Any) -> dict[str, Any]:
    return SHIPMENT | changes


def test_shipment_valid_record() -> None:
    record = CBAMShipment.model_validate(SHIPMENT)
    assert record.declaration_line == 3
    assert record.import_date == dt.date(2026, 1, 31)
    assert record.net_mass_tonnes == Decimal("24.125")
    assert record.installation_id is None and record.actual_direct_see is None


def test_shipment_with_actual_emissions() -> None:
    record = CBAMShipment.model_validate(
        shipment(
            installation_id="TR-INST-0042",
            actual_direct_see="1.8731",
            actual_indirect_see="0.0412",
            electricity_consumed_mwh="12.5",
            carbon_price_paid_eur="0",
        )
    )
    assert record.actual_direct_see == Decimal("1.8731")
    assert record.carbon_price_paid_eur == Decimal(0)


def test_shipment_eori_lowercase_is_upper_cased() -> None:
    assert (
        CBAMShipment.model_validate(shipment(declarant_eori=" de123456789 ")).declarant_eori == "DE123456789"
    )


def test_shipment_country_lowercase_is_upper_cased() -> None:
    assert CBAMShipment.model_validate(shipment(origin_country="cn")).origin_country == "CN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("31.01.2026", dt.date(2026, 1, 31)),
        ("31/01/2026", dt.date(2026, 1, 31)),
        ("01/02/2026", dt.date(2026, 2, 1)),  # day first, as EU brokers write it
        ("1.2.2026", dt.date(2026, 2, 1)),
    ],
)
def test_shipment_date_forms(text: str, expected: dt.date) -> None:
    assert CBAMShipment.model_validate(shipment(import_date=text)).import_date == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("declarant_eori", ""),
        ("declarant_eori", "123456789"),
        ("declarant_eori", "DE"),
        ("declarant_eori", "DE1234567890123456"),  # 16 characters after the country code
        ("declarant_eori", "DE-123456"),
        ("declaration_id", ""),
        ("declaration_id", "X" * 36),
        ("declaration_line", "0"),
        ("declaration_line", "10000"),
        ("declaration_line", "-1"),
        ("declaration_line", "one"),
        ("declaration_line", "1.5"),
        ("import_date", ""),
        ("import_date", "2026-02-30"),
        ("import_date", "30.02.2026"),
        ("import_date", "31.13.2026"),
        ("import_date", "Jan 31 2026"),
        ("cn_code", ""),
        ("cn_code", "7208390"),  # 7 digits
        ("cn_code", "720839000"),  # 9 digits
        ("cn_code", "7208"),  # a heading, not a declarable code
        ("cn_code", "72O83900"),  # letter O
        ("cn_code", "7208 3900"),
        ("origin_country", ""),
        ("origin_country", "CHN"),
        ("origin_country", "C"),
        ("origin_country", "China"),
        ("origin_country", "12"),
        ("net_mass_tonnes", ""),
        ("net_mass_tonnes", "0"),
        ("net_mass_tonnes", "-1.5"),
        ("net_mass_tonnes", "abc"),
        ("net_mass_tonnes", "1,5"),
        ("net_mass_tonnes", "NaN"),
        ("net_mass_tonnes", "1.1234567890123"),  # 13 decimal places
        ("customs_procedure", ""),
        ("customs_procedure", "4"),
        ("customs_procedure", "400"),
        ("customs_procedure", "40000"),
        ("customs_procedure", "4O"),
        ("installation_id", "X" * 513),
        ("actual_direct_see", "-0.1"),
        ("actual_direct_see", "n/a"),
        ("actual_direct_see", "0.1234567890123"),
        ("electricity_consumed_mwh", "-1"),
        ("carbon_price_paid_eur", "-0.01"),
        ("carbon_price_paid_eur", "EUR 5"),
    ],
)
def test_shipment_rejects_bad_value(field: str, value: str) -> None:
    assert rejects(CBAMShipment, shipment(**{field: value}), field)


@pytest.mark.parametrize(("field", "value"), [("net_mass_tonnes", "0.001"), ("customs_procedure", "51")])
def test_shipment_accepts_edge_value(field: str, value: str) -> None:
    CBAMShipment.model_validate(shipment(**{field: value}))


def test_shipment_indirect_without_direct_is_rejected() -> None:
    with pytest.raises(ValidationError, match="actual_indirect_see given without actual_direct_see"):
        CBAMShipment.model_validate(shipment(actual_indirect_see="0.05"))


def test_shipment_direct_without_indirect_is_valid() -> None:
    assert CBAMShipment.model_validate(shipment(actual_direct_see="1.9")).actual_indirect_see is None


def test_shipment_rejects_unknown_and_missing_fields() -> None:
    assert rejects(CBAMShipment, shipment(gross_mass="25"), "gross_mass")
    incomplete = dict(SHIPMENT)
    del incomplete["cn_code"]
    assert rejects(CBAMShipment, incomplete, "cn_code")


# --- CBAMDefaultValue ------------------------------------------------------------------------------------

PUBLISHED_HEADER = (
    "Country;Sector;Product CN Code;Description;Default Value (direct emissions);"
    "Default Value (Indirect emissions);Default Value (total emissions);"
    "2026 Default Value (Including mark-up);2027 Default Value (Including mark-up);"
    "2028 Default Value (Including mark-up);Underlying production route determining CBAM BM"
)
DEFAULT_VALUE_FIELDS = [
    "country",
    "sector",
    "product_cn_code",
    "description",
    "default_value_direct",
    "default_value_indirect",
    "default_value_total",
    "default_value_2026",
    "default_value_2027",
    "default_value_2028",
    "production_route",
]
# China, grey clinker: a row of the published file.
DEFAULT_VALUE = dict(
    zip(
        DEFAULT_VALUE_FIELDS,
        [
            "China",
            "Cement",
            "25231000",
            "Grey clinker",
            "1.35",
            "0.04",
            "1.39",
            "1.529",
            "1.668",
            "1.807",
            "(A)",
        ],
        strict=True,
    )
)


def default_value(**changes: Any) -> dict[str, Any]:
    return DEFAULT_VALUE | changes


def test_default_value_fields_are_those_of_the_design() -> None:
    # 1.1.0: each figure's published text beside it, read from the same column
    published = [
        f"default_value_{figure}_published" for figure in ("direct", "indirect", "total", 2026, 2027, 2028)
    ]
    assert list(CBAMDefaultValue.model_fields) == DEFAULT_VALUE_FIELDS + published


def test_default_value_keeps_each_figure_as_published() -> None:
    record = CBAMDefaultValue.model_validate(
        default_value(default_value_direct="3.0", default_value_2026="3.30")
    )
    assert (record.default_value_direct, record.default_value_direct_published) == (Decimal("3"), "3.0")
    assert (record.default_value_2026, record.default_value_2026_published) == (Decimal("3.3"), "3.30")
    assert record.default_value_indirect_published == "0.04"


def test_default_value_valid_record() -> None:
    record = CBAMDefaultValue.model_validate(DEFAULT_VALUE)
    assert record.default_value_total == Decimal("1.39")
    assert record.production_route == "(A)"


def test_default_value_reads_the_snake_cased_published_headers() -> None:
    headers = [snake_case(name) for name in PUBLISHED_HEADER.split(";")]
    record = CBAMDefaultValue.model_validate(dict(zip(headers, DEFAULT_VALUE.values(), strict=True)))
    assert record == CBAMDefaultValue.model_validate(DEFAULT_VALUE)


def test_default_value_blank_figures_and_route_are_null() -> None:
    blank = {name: "" for name in DEFAULT_VALUE_FIELDS[4:]}
    record = CBAMDefaultValue.model_validate(default_value(**blank))
    assert all(getattr(record, name) is None for name in blank)


def test_default_value_keeps_rows_that_break_the_arithmetic() -> None:
    # Albania, white Portland cement, as published: the three figures sit in the mark-up columns.
    albania = default_value(
        country="Albania",
        product_cn_code="25232100",
        description="White Portland cement",
        default_value_direct="",
        default_value_indirect="",
        default_value_total="",
        default_value_2026="1.23",
        default_value_2027="0.14",
        default_value_2028="1.37",
        production_route="",
    )
    assert CBAMDefaultValue.model_validate(albania).default_value_2027 == Decimal("0.14")
    assert CBAMDefaultValue.model_validate(default_value(default_value_total="9.99"))
    assert CBAMDefaultValue.model_validate(
        default_value(default_value_direct="", default_value_indirect="0.1")
    )


@pytest.mark.parametrize("code", ["7208", "720839", "72083900", " 7601 "])
def test_default_value_accepts_cn_headings_subheadings_and_codes(code: str) -> None:
    assert (
        CBAMDefaultValue.model_validate(default_value(product_cn_code=code)).product_cn_code == code.strip()
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", ""),
        ("country", "   "),
        ("sector", ""),
        ("description", ""),
        ("description", "X" * 513),
        ("product_cn_code", ""),
        ("product_cn_code", "720"),
        ("product_cn_code", "72083"),  # 5 digits
        ("product_cn_code", "7208390"),  # 7 digits
        ("product_cn_code", "720839000"),  # 9 digits
        ("product_cn_code", "72O8"),  # letter O
        ("product_cn_code", "7208 39"),
        ("default_value_direct", "abc"),
        ("default_value_direct", "-0.5"),
        ("default_value_direct", "1,35"),  # the published file uses a decimal point
        ("default_value_direct", "1.1234567890123"),
        ("default_value_indirect", "n/a"),
        ("default_value_total", "-1"),
        ("default_value_2026", "1.529 (A)"),
        ("default_value_2027", "inf"),
        ("default_value_2028", "NaN"),
        ("production_route", "A"),
        ("production_route", "(a)"),
        ("production_route", "(AB)"),
    ],
)
def test_default_value_rejects_bad_value(field: str, value: str) -> None:
    assert rejects(CBAMDefaultValue, default_value(**{field: value}), field)


def test_every_row_of_the_published_default_values_validates(shared_data: Path) -> None:
    rows = read_published_csv(shared_data / DEFAULT_VALUES_FILE, encoding="cp1252", delimiter=";")
    records = [CBAMDefaultValue.model_validate(row) for row in rows]
    assert len(records) == 12_532
    assert {record.sector for record in records} == {
        "Iron and steel",
        "Aluminium",
        "Cement",
        "Fertilisers",
        "Hydrogen",
    }
    assert sum(record.country == "Türkiye" for record in records) > 0  # decoded as Windows-1252
    assert sum(record.default_value_total is None for record in records) == 1_601


# --- CBAMGood --------------------------------------------------------------------------------------------

GOOD = {
    "sector": "Iron and steel",
    "cn_code": "7208",
    "description": "Flat-rolled products",
    "route_code": "(C)",
}


def test_good_valid_record() -> None:
    assert CBAMGood.model_validate(GOOD).route_code == "(C)"
    assert CBAMGood.model_validate(GOOD | {"route_code": ""}).route_code is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sector", ""),
        ("cn_code", "72O8"),
        ("cn_code", "72083"),
        ("cn_code", "7208390"),
        ("description", " "),
        ("route_code", "C"),
    ],
)
def test_good_rejects_bad_value(field: str, value: str) -> None:
    assert rejects(CBAMGood, GOOD | {field: value}, field)


def test_every_row_of_the_published_goods_list_validates(shared_data: Path) -> None:
    rows = read_published_csv(shared_data / GOODS_FILE, encoding="utf-8", delimiter=",")
    records = [CBAMGood.model_validate(row) for row in rows]
    assert len(records) == 283
    assert "2716" not in {record.cn_code[:4] for record in records}  # electricity has no default value


# --- CBAM benchmarks (IR (EU) 2025/2620, column B) -------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cn_code", "column_b"),
    [
        ({"cn_code": "25231000", "column_b": "0,666 (A)"}, "25231000", "0,666 (A)"),
        ({"cn_code": "25233000", "column_b": "0,717 (1)"}, "25233000", "0,717 (1)"),
        ({"cn_code": "72052100", "column_b": "1,298 (F)(2)"}, "72052100", "1,298 (F)(2)"),
        ({"cn_code": "28041000", "column_b": "5,089"}, "28041000", "5,089"),
        ({"cn_code": "28041000", "column_b": "5.089"}, "28041000", "5.089"),
        # a sector heading and a separator line: kept, with no figure
        ({"cn_code": "Iron & Steel", "column_b": ""}, "Iron & Steel", None),
        ({"cn_code": "", "column_b": ""}, None, None),
    ],
)
def test_benchmark_lines_as_published(
    line: dict[str, str], cn_code: str | None, column_b: str | None
) -> None:
    record = CBAMBenchmark.model_validate(line)
    assert (record.cn_code, record.column_b) == (cn_code, column_b)


@pytest.mark.parametrize(
    "line",
    [
        {"cn_code": "", "column_b": "0,666"},  # a figure without a CN code
        {"cn_code": "Cement", "column_b": "0,666"},
        {"cn_code": "2523100", "column_b": "0,666"},  # 7 digits
        {"cn_code": "25231000", "column_b": ""},  # a CN code without a figure
        {"cn_code": "25231000", "column_b": "0,666 A"},
        {"cn_code": "25231000", "column_b": "0,666 (a)"},
        {"cn_code": "25231000", "column_b": "-0,666"},
        {"cn_code": "25231000", "column_b": "1" * 27},  # beyond what decimal(38,12) holds
    ],
)
def test_benchmark_rejects_bad_line(line: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        CBAMBenchmark.model_validate(line)


def test_every_line_of_the_published_benchmarks_validates(shared_data: Path) -> None:
    rows = read_published_csv(shared_data / BENCHMARKS_FILE, encoding="utf-8-sig", delimiter=";")
    records = [CBAMBenchmark.model_validate(row) for row in rows]
    assert (len(records), sum(record.column_b is not None for record in records)) == (1_822, 1_804)
    headings = [record.cn_code for record in records if record.column_b is None and record.cn_code]
    assert headings == ["Cement", "Hydrogen", "Fertilisers", "Iron & Steel", "Aluminium"]
