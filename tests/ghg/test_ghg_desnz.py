"""The UK DESNZ 2024 flat file, as published: the CSV (ends with an END row) and the workbook's sheet."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import LoadError, load_file
from greenlang.core.readers import open_source
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import DESNZ_CONVERSION_FACTORS, describe_desnz
from tests.helpers.warehouses import make_settings

CSV = "desnz/ghg-conversion-factors-2024-flat-v1_1.csv"
XLSX = "desnz/ghg-conversion-factors-2024-FlatFormat_v1_1.xlsx"
FACTOR_ROWS = 8_740
FIELDS = "factor_id, scope, level_1, level_2, level_3, level_4, column_text, uom, ghg_unit, conversion_factor"


def load(warehouse: Warehouse, path: Path):
    return load_file(warehouse, DESNZ_CONVERSION_FACTORS, path, GLOBAL_TENANT)


@pytest.mark.slow  # two loads of 8,740 factors
def test_csv_and_workbook_load_the_same_8740_factors(warehouse: Warehouse, shared_data: Path) -> None:
    for name in (CSV, XLSX):
        result = load(warehouse, shared_data / name)
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (FACTOR_ROWS, FACTOR_ROWS, 0)
        assert result.ignored_columns == []
        assert load(warehouse, shared_data / name).status == "skipped"
    with warehouse.session() as session:
        by_file = {
            uri.rsplit("/", 1)[1]: {tuple(row.values()) for row in session.fetch_dicts(
                f"SELECT {FIELDS} FROM raw.desnz__conversion_factors WHERE _source_uri = %(uri)s", {"uri": uri}
            )}
            for (uri,) in session.fetchall("SELECT DISTINCT _source_uri FROM raw.desnz__conversion_factors")
        }  # fmt: skip
        batches = sorted(
            session.fetch_dicts("SELECT source_uri, file_format, attributes FROM raw.load_batch"),
            key=lambda batch: batch["file_format"],
        )
        rows = {
            row["factor_id"]: row
            for row in session.fetch_dicts(
                "SELECT * FROM raw.desnz__conversion_factors WHERE _source_uri LIKE '%%.csv'"
            )
        }
        blank = session.scalar(
            "SELECT count(*) FROM raw.desnz__conversion_factors WHERE conversion_factor IS NULL "
            "AND _source_uri LIKE '%%.xlsx'"
        )
    csv_rows, xlsx_rows = by_file[Path(CSV).name], by_file[Path(XLSX).name]
    assert len(csv_rows) == len(xlsx_rows) == FACTOR_ROWS
    assert csv_rows == xlsx_rows
    assert [(batch["file_format"], json.loads(batch["attributes"])) for batch in batches] == [
        ("csv", {"publisher": "UK DESNZ", "edition": "2024", "version": "1.1"}),
        ("excel", {"publisher": "UK DESNZ", "edition": "2024", "version": "1.1"}),
    ]
    assert blank == 1_711
    natural_gas = rows["1_100_1004_6_1"]
    assert (natural_gas["level_3"], natural_gas["uom"], natural_gas["ghg_unit"]) == (
        "Natural gas", "kWh (Gross CV)", "kg CO2e",
    )  # fmt: skip
    assert natural_gas["conversion_factor"] == Decimal("0.1829")
    assert rows["1_100_1004_6_4"]["conversion_factor"] == Decimal("0.00009")  # published as 9e-05
    assert rows["4_302_3078_4_1"]["conversion_factor"] == Decimal("0.10107")  # 0.10107000000000001
    assert rows["5_303_3081_4_3"]["conversion_factor"] == Decimal("0.000004860777")  # 4.860776705385985e-06
    assert rows["27_319_3198_14_1"]["level_3"] == "Products tanker"  # published with a trailing space
    assert rows["99_400_4001_5_2"]["_source_row"] == FACTOR_ROWS  # the last factor, before the END row


def test_the_third_party_sheets_are_not_read(shared_data: Path) -> None:
    source = open_source(
        shared_data / XLSX,
        sheet=DESNZ_CONVERSION_FACTORS.sheet,
        end_marker=DESNZ_CONVERSION_FACTORS.end_marker,
    )
    first = next(source.iter_batches(5)).to_pylist()
    assert first[0]["_source_row"] == 7  # header on row 6, below the sheet's title lines
    assert source.columns[-1] == "ghg_conversion_factor_2024"
    rows = sum(batch.num_rows for batch in source.iter_batches())
    assert rows == FACTOR_ROWS  # Sheet1's 67 rows are not in it, and the END row ends the table


def test_a_workbook_read_without_the_sheet_fails_as_a_load(tmp_path: Path, shared_data: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    wrong = dataclasses.replace(DESNZ_CONVERSION_FACTORS, sheet="Sheet2")
    with pytest.raises(LoadError, match="required column"):
        load_file(warehouse, wrong, shared_data / XLSX, GLOBAL_TENANT)


def test_describe_takes_edition_from_the_column_and_version_from_the_file() -> None:
    columns = ["id", "scope", "ghg_conversion_factor_2025"]
    assert describe_desnz("file:///landing/global/x/ghg-conversion-factors-2025-flat-v2_0.csv", columns) == {
        "publisher": "UK DESNZ", "edition": "2025", "version": "2.0",
    }  # fmt: skip
    assert describe_desnz("file:///landing/factors.csv", ["id"]) == {"publisher": "UK DESNZ"}
