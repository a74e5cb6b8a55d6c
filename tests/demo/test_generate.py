"""The demo generator: reproducible, contract-valid, broken exactly as asked; the curated reference files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pydantic import ValidationError

from demo import generate
from demo.catalogue import (
    DEFAULT_VALUES_FILE,
    GOODS_FILE,
    INSTALLATION_INTENSITY,
    ORIGINS,
    PRODUCTS,
    declarant_eoris,
    read_default_values,
    reference_see,
)
from demo.generate import (
    DECIMAL_FIELDS,
    DEMO_FILES,
    FIELDS,
    FORMATS,
    REFERENCE_SOURCES,
    generate_shipments,
    write_demo_landing,
)
from greenlang.cbam.contracts import CBAMGood, CBAMShipment

SHARED_DEFAULT_VALUES = "cbam/cbam_default_values_definitive_IR2025-2621_v20260204.csv"
SHARED_GOODS = "cbam/cbam_cn_codes_from_default_values_2026.csv"
MRN = re.compile(r"^(\d{2})([A-Z]{2})[A-Z0-9]{14}$")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The records of a generated file as the warehouse's readers hand them on: text, or JSON values."""
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if fmt == "csv_excel":
        text = path.read_bytes().decode("cp1252")
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
        # The reader is told the file's decimal separator; undo the comma for the contract.
        return [
            {k: v.replace(",", ".") if k in DECIMAL_FIELDS else v for k, v in row.items()} for row in rows
        ]
    if fmt == "json":
        return json.loads(path.read_bytes())
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sheet = openpyxl.load_workbook(path, read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(cells) if row[0] == FIELDS[0])
    return [dict(zip(FIELDS, map(xlsx_text, row), strict=True)) for row in cells[header + 1 :]]


def xlsx_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def split_valid(rows: list[dict[str, Any]]) -> tuple[list[CBAMShipment], list[ValidationError]]:
    valid, errors = [], []
    for row in rows:
        try:
            valid.append(CBAMShipment.model_validate(row))
        except ValidationError as error:
            errors.append(error)
    return valid, errors


# --- generated shipments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, fmt: str) -> None:
    first, again, other = (tmp_path / name for name in ("first", "again", "other"))
    generate_shipments(first, 500, seed=1, tenant="acme-steel", fmt=fmt)
    generate_shipments(again, 500, seed=1, tenant="acme-steel", fmt=fmt)
    generate_shipments(other, 500, seed=2, tenant="acme-steel", fmt=fmt)
    assert sha256(first) == sha256(again) != sha256(other)


@pytest.mark.slow  # validates every generated row
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_good_row_validates_and_the_bad_share_is_as_asked(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"shipments.{fmt}"
    result = generate_shipments(path, 3_000, seed=3, tenant="nordic-cement", fmt=fmt, bad_share=0.02)
    rows = read_rows(path, fmt)
    assert len(rows) == result.rows == 3_000
    assert list(rows[0]) == list(FIELDS)
    valid, errors = split_valid(rows)
    assert result.bad_rows == len(errors) == 60
    assert len(valid) == 2_940
    # One defect per broken row, of every kind.
    located = Counter(error.errors()[0]["loc"][0] for error in errors)
    assert all(error.error_count() == 1 for error in errors)
    assert set(located) == {"cn_code", "import_date", "net_mass_tonnes", "origin_country", "declarant_eori"}


def test_default_bad_share_is_half_a_percent_over_many_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generate, "CHUNK_ROWS", 1_000)
    path = tmp_path / "shipments.csv"
    result = generate_shipments(path, 10_500, seed=4, tenant="bench", fmt="csv")
    rows = read_rows(path, "csv")
    assert len(rows) == 10_500
    assert result.bad_rows == len(split_valid(rows)[1]) == 52  # round(52.5) to even


def test_no_bad_rows_when_asked_for_none(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    generate_shipments(path, 5_000, seed=5, tenant="bench", fmt="csv", bad_share=0)
    assert split_valid(read_rows(path, "csv"))[1] == []


def test_rows_look_like_customs_declarations(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    generate_shipments(path, 20_000, seed=6, tenant="acme-steel", fmt="csv", bad_share=0)
    records, _ = split_valid(read_rows(path, "csv"))

    assert {r.declarant_eori for r in records} == set(declarant_eoris("acme-steel"))
    lines: dict[str, list[int]] = {}
    for r in records:
        year, member_state = MRN.fullmatch(r.declaration_id).groups()
        assert int(year) == r.import_date.year % 100 and member_state == r.declarant_eori[:2]
        lines.setdefault(r.declaration_id, []).append(r.declaration_line)
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in lines.values())
    assert 2.5 < len(records) / len(lines) < 4.5

    assert all(dt.date(2026, 1, 1) <= r.import_date <= dt.date(2026, 10, 31) for r in records)
    assert all(r.import_date.weekday() < 5 for r in records)
    assert {r.customs_procedure for r in records} == {"40", "4000", "51"}
    assert {r.cn_code for r in records} <= {p.cn_code for p in PRODUCTS}
    assert {r.origin_country for r in records} <= set(ORIGINS)
    assert all(r.net_mass_tonnes.as_tuple().exponent >= -3 for r in records)

    with_installation = sum(r.installation_id is not None for r in records) / len(records)
    with_actual = [r for r in records if r.actual_direct_see is not None]
    assert 0.57 < with_installation < 0.63 and 0.27 < len(with_actual) / len(records) < 0.33
    assert all(r.installation_id is not None for r in with_actual)
    assert all(r.installation_id.startswith(r.origin_country) for r in records if r.installation_id)


def test_actual_emissions_lie_near_the_default_values(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    generate_shipments(path, 20_000, seed=7, tenant="nordic-cement", fmt="csv", bad_share=0)
    direct, indirect = reference_see(read_default_values())
    product = {p.cn_code: i for i, p in enumerate(PRODUCTS)}
    origin = {code: i for i, code in enumerate(ORIGINS)}
    low, high = INSTALLATION_INTENSITY
    for r in split_valid(read_rows(path, "csv"))[0]:
        if r.actual_direct_see is None:
            continue
        default = direct[product[r.cn_code], origin[r.origin_country]]
        assert low * 0.9 <= float(r.actual_direct_see) / default <= high * 1.1
        # Indirect emissions only where the default has them (cement and fertilisers).
        has_indirect = not math.isnan(indirect[product[r.cn_code], origin[r.origin_country]])
        assert (r.actual_indirect_see is not None) == has_indirect


def test_excel_export_is_windows_1252_with_decimal_commas_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    generate_shipments(path, 2_000, seed=8, tenant="nordic-cement", fmt="csv_excel", bad_share=0)
    data = path.read_bytes()
    assert data.count(b"\r\n") == 2_001 and data.count(b"\n") == 2_001
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # accented installation names in Windows-1252
    first = data.split(b"\r\n")[1].decode("cp1252").split(";")
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", first[FIELDS.index("import_date")])
    assert re.fullmatch(r"\d+,\d{3}", first[FIELDS.index("net_mass_tonnes")])


def test_xlsx_preamble_and_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "declarations.xlsx"
    preamble = ("Nordic Cement AB - imports of CBAM goods", "Customs declaration lines, 2026")
    generate_shipments(path, 50, seed=9, tenant="nordic-cement", fmt="xlsx", bad_share=0, preamble=preamble)
    cells = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in cells[:2]] == list(preamble) and cells[2] == FIELDS
    assert isinstance(cells[3][FIELDS.index("import_date")], dt.datetime)
    assert isinstance(cells[3][FIELDS.index("net_mass_tonnes")], float)
    assert isinstance(cells[3][FIELDS.index("cn_code")], str)


def test_json_carries_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "shipments.json"
    generate_shipments(path, 20, seed=10, tenant="acme-steel", fmt="json", bad_share=0)
    first = json.loads(path.read_bytes(), parse_float=Decimal)[0]
    assert isinstance(first["declaration_line"], int) and isinstance(first["net_mass_tonnes"], Decimal)
    assert first["electricity_consumed_mwh"] is None


@pytest.mark.parametrize(
    "arguments",
    [
        {"fmt": "csv", "preamble": ("title",)},
        {"fmt": "csv", "bad_share": 1.5},
        {"fmt": "parquet"},
        {"fmt": "csv", "seed": -1},
    ],
)
def test_rejects_impossible_requests(tmp_path: Path, arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        generate_shipments(tmp_path / "x", 10, **({"seed": 1, "tenant": "t"} | arguments))


# --- the demo landing tree ---------------------------------------------------------------------------------


def test_landing_tree_layout_and_idempotence(tmp_path: Path) -> None:
    written = write_demo_landing(tmp_path)
    assert sorted(written) == sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert not list(tmp_path.rglob(".*"))  # no part files left behind
    tenants = {p.relative_to(tmp_path).parts[0] for p in written}
    assert tenants == {"acme-steel", "nordic-cement", "global"}
    for source, reference in REFERENCE_SOURCES.items():
        assert (tmp_path / "global" / source / reference.name).read_bytes() == reference.read_bytes()

    shipments = [p for p in written if p.parent.name == "customs__cbam_shipments"]
    for tenant in ("acme-steel", "nordic-cement"):
        formats = {spec.fmt for spec in DEMO_FILES if spec.tenant == tenant}
        assert {"csv_excel", "xlsx", "json"} <= formats
    assert any(spec.fmt == "xlsx" and len(spec.preamble) == 2 for spec in DEMO_FILES)
    total = sum(len(read_rows(p, spec.fmt)) for p, spec in zip(shipments, DEMO_FILES, strict=True))
    assert 2_000 <= total <= 5_000

    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in written}
    assert write_demo_landing(tmp_path) == written
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in written} == before


# --- curated reference files -------------------------------------------------------------------------------


def published_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def test_curated_default_values_are_rows_of_the_published_file(shared_data: Path) -> None:
    published = published_lines(shared_data / SHARED_DEFAULT_VALUES)
    curated = published_lines(DEFAULT_VALUES_FILE)
    assert curated[0] == published[0]  # the header, byte for byte
    assert 0 < len(curated) - 1 < 150
    assert set(curated[1:]) <= set(published[1:])
    # Row for row: every published row of a kept (country, CN code) is kept, in the published order.
    kept = {tuple(line.split(b";")[0:3:2]) for line in curated[1:]}
    assert curated[1:] == [line for line in published[1:] if tuple(line.split(b";")[0:3:2]) in kept]
    assert "Albania;Cement;25232100;White Portland cement;;;;1.23;0.14;1.37;".encode("cp1252") in curated
    assert len(read_default_values()) == len(curated) - 1  # and all of them pass the contract


def test_curated_default_values_cover_the_demo(shared_data: Path) -> None:
    rows = read_default_values()
    assert {row.sector for row in rows} == {
        "Iron and steel",
        "Aluminium",
        "Cement",
        "Fertilisers",
        "Hydrogen",
    }
    assert set(ORIGINS.values()) | {"_Other Countries and Territorie"} == {row.country for row in rows}
    assert {p.reference_code for p in PRODUCTS} <= {row.product_cn_code for row in rows}


def test_curated_goods_are_rows_of_the_published_list(shared_data: Path) -> None:
    published = published_lines(shared_data / SHARED_GOODS)
    curated = published_lines(GOODS_FILE)
    assert curated[0] == published[0]
    assert curated[1:] == [line for line in published[1:] if line in set(curated[1:])]
    goods = [
        CBAMGood.model_validate(row) for row in csv.DictReader(io.StringIO(GOODS_FILE.read_text("utf-8")))
    ]
    codes = {good.cn_code for good in goods}
    assert codes == {row.product_cn_code for row in read_default_values()}
