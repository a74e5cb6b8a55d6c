"""The Commission's published files load as published, and the rule checks flag what breaks a rule.

Reads the real files from ../shared/data (see its SOURCES.md); nothing of them is copied here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from greenlang.catalog import RAW_SOURCES
from greenlang.cbam.sources import CBAM_DEFAULT_VALUES, CBAM_GOODS
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import load_file, prepare_raw_tables
from greenlang.core.warehouse import Warehouse
from tests.helpers import dbt

DEFAULT_VALUES = "cbam/cbam_default_values_definitive_IR2025-2621_v20260204.csv"
GOODS = "cbam/cbam_cn_codes_from_default_values_2026.csv"


@pytest.fixture
def loaded_reference(warehouse: Warehouse, shared_data: Path) -> Warehouse:
    values = load_file(warehouse, CBAM_DEFAULT_VALUES, shared_data / DEFAULT_VALUES, GLOBAL_TENANT)
    goods = load_file(warehouse, CBAM_GOODS, shared_data / GOODS, GLOBAL_TENANT)
    # the real files as published: ';', Windows-1252, CRLF; every row fits the contract
    assert (values.rows_read, values.rows_loaded, values.rows_rejected) == (12_532, 12_532, 0)
    assert (goods.rows_read, goods.rows_loaded, goods.rows_rejected) == (283, 283, 0)
    return warehouse


def test_published_default_values_keep_their_text_and_figures(loaded_reference: Warehouse) -> None:
    with loaded_reference.session() as session:
        (row,) = session.fetch_dicts(
            "SELECT * FROM raw.cbam__default_values WHERE country = 'Türkiye' AND product_cn_code = '7201'"
        )
        batch = session.fetch_dicts(
            "SELECT file_encoding, file_format FROM raw.load_batch WHERE source = 'cbam__default_values'"
        )
    # Windows-1252 as published, but no byte in 0x80-0x9F: cp1252 and Latin-1 decode it identically
    # and the reader names the narrower one
    assert batch == [{"file_encoding": "latin-1", "file_format": "csv"}]
    # Türkiye;Iron and steel;7201;Pig iron and spiegeleisen, …;1.85;;1.85;2.035;2.22;2.405;
    assert row["sector"] == "Iron and steel"
    assert row["description"].startswith("Pig iron and spiegeleisen")
    assert (row["default_value_direct"], row["default_value_indirect"], row["default_value_total"]) == (
        Decimal("1.85"),
        None,
        Decimal("1.85"),
    )
    assert [row[f"default_value_{year}"] for year in (2026, 2027, 2028)] == [
        Decimal("2.035"),
        Decimal("2.22"),
        Decimal("2.405"),
    ]
    assert row["production_route"] is None and row["_source_row"] > 0


def test_rule_breaking_default_values_are_flagged_and_not_used(
    loaded_reference: Warehouse, dbt_parse_root: Path
) -> None:
    prepare_raw_tables(loaded_reference, list(RAW_SOURCES))  # no shipments: the reference data alone
    # the report and the check it reads, with every data test whose parents are all built
    dbt.build(
        loaded_reference.settings,
        "+rpt_cbam_default_value_issues +int_cbam__default_values_checked",
        indirect_selection="cautious",
    )
    with loaded_reference.session() as session:
        issues = session.fetch_dicts(
            "SELECT country_name_published, cn_code, description, broken_rule FROM reporting.rpt_cbam_default_value_issues"
        )
        usable = session.fetch_dicts(
            "SELECT is_usable FROM intermediate.int_cbam__default_values_checked "
            "WHERE country_name_published = 'Albania' AND description = 'White Portland cement'"
        )
    broken = {(issue["country_name_published"], issue["cn_code"], issue["broken_rule"]) for issue in issues}
    # figures shifted into the mark-up columns by the third-party conversion
    assert ("Albania", "25232100", "values_present") in broken
    # mark-up compounded (x1.21, x1.331) instead of 20 % / 30 % of the total
    assert {("Angola", "25231000", "markup_2027"), ("Angola", "25231000", "markup_2028")} <= broken
    # 0.616583 + 0.070438 = 0.687021, published total 0.686
    assert any(issue[1] == "26011200" and issue[2] == "total_is_sum" for issue in broken)
    assert (
        len({(issue["country_name_published"], issue["cn_code"], issue["description"]) for issue in issues})
        == 10
    )
    assert usable == [{"is_usable": False}]
