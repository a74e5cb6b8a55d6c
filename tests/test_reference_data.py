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
    # each figure's text as published (contract 1.1.0): its decimals are the publication's precision
    assert [row[f"default_value_{figure}_published"] for figure in ("direct", "total", "2026", "2028")] == [
        "1.85",
        "1.85",
        "2.035",
        "2.405",
    ]


def test_published_decimals_survive_where_the_exact_value_drops_them(loaded_reference: Warehouse) -> None:
    # Algeria;Iron and steel;72061000;Ingots, …;3.0;;3.0;3.3;3.6;3.9;(C)
    with loaded_reference.session() as session:
        (row,) = session.fetch_dicts(
            "SELECT default_value_direct, default_value_direct_published, default_value_2026_published"
            " FROM raw.cbam__default_values WHERE country = 'Algeria' AND product_cn_code = '72061000'"
        )
    assert row == {
        "default_value_direct": Decimal("3"),
        "default_value_direct_published": "3.0",
        "default_value_2026_published": "3.3",
    }


# Every figure of the real file v20260204 a rule disqualifies, with the rule (hand-checked against
# the published text; docs/design.md "CBAM default values: the rules" keeps the same list):
# (country as published, CN code, broken rule, figures disqualified)
_EVERY_FIGURE = "direct, indirect, total, 2026, 2027, 2028"
FLAGGED_FIGURES = {
    # figures shifted into the year columns by the third-party conversion: 1.23;0.14;1.37
    ("Albania", "25232100", "values_present", _EVERY_FIGURE),
    # 2027 and 2028 compounded (x 1.21, x 1.331) instead of total x 1.20 / 1.30: 2026 stays in use
    ("Angola", "25231000", "markup_2027", "2027, 2028"),
    ("Angola", "25231000", "markup_2028", "2027, 2028"),
    ("Angola", "25232900", "markup_2027", "2027, 2028"),
    ("Angola", "25232900", "markup_2028", "2027, 2028"),
    ("Angola", "25239000", "markup_2027", "2027, 2028"),
    ("Angola", "25239000", "markup_2028", "2027, 2028"),
    ("Argentina", "25232900", "markup_2027", "2027, 2028"),
    ("Argentina", "25232900", "markup_2028", "2027, 2028"),
    # the 2026 value is missing: 2027 and 2028 stay in use
    ("Chile", "73061100", "values_present", "2026"),
    # total 0.0
    ("Mali", "28041000", "total_positive", _EVERY_FIGURE),
    # only the direct figure is published
    ("Taiwan", "7218", "values_present", _EVERY_FIGURE),
    # 0.616583 + 0.070438 = 0.687021 vs 0.686: |0.001021| > 0.0000005 + 0.0000005 + 0.0005
    ("_Other Countries and Territorie", "26011200", "total_is_sum", _EVERY_FIGURE),
}


def test_rule_breaking_default_values_are_flagged_and_not_used(
    loaded_reference: Warehouse, dbt_parse_root: Path
) -> None:
    prepare_raw_tables(loaded_reference, list(RAW_SOURCES))  # no shipments: the reference data alone
    # the report and the checks it reads, the import lines' steps (their dbt unit tests on this
    # engine) and the fact's enforced contract, with every data test whose parents are all built
    dbt.build(
        loaded_reference.settings,
        "+rpt_cbam_default_value_issues +int_cbam__default_values_checked +fct_cbam_imports",
        indirect_selection="cautious",
    )
    with loaded_reference.session() as session:
        issues = session.fetch_dicts(
            "SELECT country_name_published, cn_code, description, broken_rule, disqualified_figures"
            " FROM reporting.rpt_cbam_default_value_issues"
            " ORDER BY country_name_published, cn_code, description, broken_rule"
        )
        usable = session.fetch_dicts(
            "SELECT country_name_published, cn_code, description, is_usable_2026, is_usable_2027,"
            " is_usable_2028, default_value_total_scale, default_value_2028_scale"
            " FROM intermediate.int_cbam__default_values_checked"
            " WHERE (country_name_published, cn_code) IN (('Angola', '25231000'), ('Argentina', '25231000'))"
            " AND description = 'Grey clinker' ORDER BY country_name_published"
        )
        counts = session.fetch_dicts(
            "SELECT count(*) AS published, sum(CASE WHEN is_usable THEN 1 ELSE 0 END) AS usable"
            " FROM intermediate.int_cbam__default_values_checked WHERE is_published"
        )
    print("\nDefault values flagged (country, CN code, description, rule, figures disqualified):")
    for issue in issues:
        print("  " + " | ".join(str(value) for value in issue.values()))
    flagged = {
        (
            issue["country_name_published"],
            issue["cn_code"],
            issue["broken_rule"],
            issue["disqualified_figures"],
        )
        for issue in issues
    }
    assert flagged == FLAGGED_FIGURES
    assert (
        len(issues),
        len({(i["country_name_published"], i["cn_code"], i["description"]) for i in issues}),
    ) == (
        13,
        9,
    )
    # 12,532 rows: 1,599 publish nothing, 10,924 are usable throughout, 9 have a flagged figure
    assert counts == [{"published": 10_933, "usable": 10_924}]
    assert usable == [
        # Angola grey clinker: the 2026 value 1.386 = 1.26 x 1.10 is used for 2026 imports
        {
            "country_name_published": "Angola",
            "cn_code": "25231000",
            "description": "Grey clinker",
            "is_usable_2026": True,
            "is_usable_2027": False,
            "is_usable_2028": False,
            "default_value_total_scale": 2,
            "default_value_2028_scale": 5,
        },
        # Argentina grey clinker: total "0.9" is published with ONE decimal (0.85 <= total < 0.95), so
        # 1.1979 (0.9 x 1.331, compounded) is within 0.00005 + 1.3 x 0.05 of 0.9 x 1.30 = 1.17: the
        # published precision cannot show it wrong
        {
            "country_name_published": "Argentina",
            "cn_code": "25231000",
            "description": "Grey clinker",
            "is_usable_2026": True,
            "is_usable_2027": True,
            "is_usable_2028": True,
            "default_value_total_scale": 1,
            "default_value_2028_scale": 4,
        },
    ]
