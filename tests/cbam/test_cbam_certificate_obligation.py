"""The annual CBAM declaration's certificate obligation on both engines: the Commission's benchmarks (IR (EU)
2025/2620, column B), default values (IR (EU) 2025/2621) and goods list as published, a few import lines of
2026, and the chain built by dbt up to rpt_cbam_certificate_obligation, checked against hand-worked figures.

Reads the real files from ../shared/data (see its SOURCES.md); nothing of them is copied here. The
configuration (CBAM factor, cross-sectoral correction factor, certificate price, small-importer threshold)
is a set of TEST values: none is configured by default, as none is in a file the project reads.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from greenlang.catalog import RAW_SOURCES
from greenlang.cbam.sources import CBAM_BENCHMARKS, CBAM_DEFAULT_VALUES, CBAM_GOODS, CBAM_SHIPMENTS
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import load_file, prepare_raw_tables
from greenlang.core.warehouse import Warehouse
from tests.helpers import dbt
from tests.helpers.readers import connect_as, reader_roles
from tests.helpers.warehouses import require_shared_data

BENCHMARKS = "cbam/cbam_benchmarks_IR2025-2620_colB_raw.csv"
DEFAULT_VALUES = "cbam/cbam_default_values_definitive_IR2025-2621_v20260204.csv"
GOODS = "cbam/cbam_cn_codes_from_default_values_2026.csv"
D = Decimal

# Test configuration, not published figures.
TEST_VARS = {
    "cbam_factors": {"2026": "0.9"},
    "cbam_cross_sectoral_correction_factors": {"2026": "0.95"},
    "cbam_certificate_prices": {"2026": "80"},
    "cbam_benchmark_column_b_methods": ["default"],
    "cbam_small_importer_threshold_tonnes": "50",
}

# 2026 import lines of tenant acme (declarant, line, CN code, origin, tonnes, route, actual direct, carbon
# price EUR), and one line of tenant nordic under the same EORI, which stays apart.
HEADER = (
    "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,"
    "customs_procedure,production_route,actual_direct_see,carbon_price_paid_eur"
)
ACME_LINES = [
    "DE100000000001,MRN1,1,2026-03-02,72081000,CN,20,40,,,400",
    "DE100000000001,MRN1,2,2026-05-04,25231000,IN,100,40,(A),,",
    "DE200000000002,MRN2,1,2026-06-01,76011000,TR,3,40,,,",
    "DE300000000003,MRN3,1,2026-07-01,72081000,CN,60,40,,2.0,",
]
NORDIC_LINES = ["DE100000000001,MRN9,1,2026-08-03,72081000,CN,5,40,,,"]


def _shipments(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def obligation(
    module_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory, dbt_parse_root: Path
) -> Warehouse:
    warehouse, tmp_path, shared_data = (
        module_warehouse,
        tmp_path_factory.mktemp("lines"),
        require_shared_data(),
    )
    benchmarks = load_file(warehouse, CBAM_BENCHMARKS, shared_data / BENCHMARKS, GLOBAL_TENANT)
    # 1,822 lines after the header: 1,804 benchmarks, 5 sector headings, 13 empty separators; all loaded
    assert (benchmarks.rows_read, benchmarks.rows_loaded, benchmarks.rows_rejected) == (1_822, 1_822, 0)
    load_file(warehouse, CBAM_DEFAULT_VALUES, shared_data / DEFAULT_VALUES, GLOBAL_TENANT)
    load_file(warehouse, CBAM_GOODS, shared_data / GOODS, GLOBAL_TENANT)
    load_file(warehouse, CBAM_SHIPMENTS, _shipments(tmp_path, "acme.csv", ACME_LINES), "acme")
    load_file(warehouse, CBAM_SHIPMENTS, _shipments(tmp_path, "nordic.csv", NORDIC_LINES), "nordic")
    prepare_raw_tables(warehouse, list(RAW_SOURCES))
    dbt.build(
        warehouse.settings,
        "+rpt_cbam_certificate_obligation_for_readers",
        "+rpt_cbam_certificate_obligation_by_good_for_readers",
        vars=json.dumps(TEST_VARS),
        indirect_selection="cautious",
    )
    return warehouse


def test_benchmarks_staged_from_the_published_text(obligation: Warehouse) -> None:
    with obligation.session() as session:
        (counts,) = session.fetch_dicts(
            "SELECT count(*) AS benchmarks, count(DISTINCT cn_code) AS cn_codes,"
            " count(route_code) AS with_route, count(benchmark_variant) AS with_variant"
            " FROM marts.dim_cbam_benchmark"
        )
        rows = session.fetch_dicts(
            "SELECT sector_published, cn_code, route_code, benchmark_variant, benchmark, benchmark_published"
            " FROM marts.dim_cbam_benchmark WHERE cn_code IN ('25070080', '25233000', '28141000', '72052100')"
            " AND (route_code IS NULL OR route_code = '(F)') ORDER BY cn_code, benchmark_variant"
        )
    # 45 CN codes with one benchmark, 166 with two, 289 with three, 70 with eight: 1,804 of 570 codes;
    # routes: (A)/(B) 2+2, (C)/(D)/(E) 3 x 289, (F)..(J) 8 x 70, (K)/(L) 2 x 58; variants (1)/(2): 2 x 106
    # without a route and 8 x 70 with one
    assert counts == {"benchmarks": 1_804, "cn_codes": 570, "with_route": 1_547, "with_variant": 772}
    assert rows == [
        {"sector_published": "Cement", "cn_code": "25070080", "route_code": None, "benchmark_variant": None,
         "benchmark": D("0.666"), "benchmark_published": "0,666"},
        {"sector_published": "Cement", "cn_code": "25233000", "route_code": None, "benchmark_variant": "(1)",
         "benchmark": D("0.717"), "benchmark_published": "0,717 (1)"},
        {"sector_published": "Cement", "cn_code": "25233000", "route_code": None, "benchmark_variant": "(2)",
         "benchmark": D("0.686"), "benchmark_published": "0,686 (2)"},
        {"sector_published": "Fertilisers", "cn_code": "28141000", "route_code": None,
         "benchmark_variant": None, "benchmark": D("1.522"), "benchmark_published": "1,522"},
        {"sector_published": "Iron & Steel", "cn_code": "72052100", "route_code": "(F)",
         "benchmark_variant": "(1)", "benchmark": D("1.46"), "benchmark_published": "1,460 (F)(1)"},
        {"sector_published": "Iron & Steel", "cn_code": "72052100", "route_code": "(F)",
         "benchmark_variant": "(2)", "benchmark": D("1.298"), "benchmark_published": "1,298 (F)(2)"},
    ]  # fmt: skip


def test_hand_worked_obligation(obligation: Warehouse) -> None:
    with obligation.session() as session:
        lines = session.fetch_dicts(
            "SELECT declarant_eori, cn_code, embedded_total, benchmark, free_allocation_adjustment,"
            " carbon_price_deduction, certificates, obligation_gap FROM marts.fct_cbam_certificate_obligation"
            " WHERE tenant_id = 'acme' ORDER BY declarant_eori, cn_code"
        )
        report = session.fetch_dicts(
            "SELECT tenant_id, declarant_eori, year, net_mass_tonnes, is_small_importer_exempt,"
            " certificates_to_surrender, obligation_gap FROM reporting.rpt_cbam_certificate_obligation"
            " ORDER BY tenant_id, declarant_eori"
        )
        by_good = session.fetch_dicts(
            "SELECT cn_code, origin_country, net_mass_tonnes, certificates_to_surrender"
            " FROM reporting.rpt_cbam_certificate_obligation_by_good"
            " WHERE tenant_id = 'acme' AND declarant_eori = 'DE100000000001' ORDER BY cn_code"
        )
    assert lines == [
        # IN grey clinker (A) 2026: 1.584 x 100 = 158.4; benchmark (A) 0.666: 0.666 x 100 x 0.9 x 0.95 = 56.943
        {"declarant_eori": "DE100000000001", "cn_code": "25231000", "embedded_total": D("158.4"),
         "benchmark": D("0.666"), "free_allocation_adjustment": D("56.943"), "carbon_price_deduction": D("0"),
         "certificates": D("101.457"), "obligation_gap": None},  # 158.4 - 56.943
        # CN default value of 7208 in 2026, 3.505582 t/t (route (C)) x 20 t = 70.11164; benchmark (C) 1.370:
        # 1.370 x 20 x 0.9 x 0.95 = 23.427; 400 EUR / 80 EUR = 5; 70.11164 - 23.427 - 5 = 41.68464
        {"declarant_eori": "DE100000000001", "cn_code": "72081000", "embedded_total": D("70.11164"),
         "benchmark": D("1.37"), "free_allocation_adjustment": D("23.427"), "carbon_price_deduction": D("5"),
         "certificates": D("41.68464"), "obligation_gap": None},
        # TR unwrought aluminium 1.87 x 3 = 5.61: the table has no benchmark for 76011000 (only 76011010/90),
        # but the declarant's year is 3 t <= 50 t: exempt (Article 2a), 0 certificates
        {"declarant_eori": "DE200000000002", "cn_code": "76011000", "embedded_total": D("5.61"),
         "benchmark": None, "free_allocation_adjustment": None, "carbon_price_deduction": D("0"),
         "certificates": D("0"), "obligation_gap": None},
        # actual values (60 x 2.0): column B is configured for default values only; and no default value
        # row gives the route, so (C), (D) and (E) all remain
        {"declarant_eori": "DE300000000003", "cn_code": "72081000", "embedded_total": D("120"),
         "benchmark": None, "free_allocation_adjustment": None, "carbon_price_deduction": D("0"),
         "certificates": None, "obligation_gap": "no benchmark column configured for the emission method"},
    ]  # fmt: skip
    assert by_good == [
        {"cn_code": "25231000", "origin_country": "IN", "net_mass_tonnes": D("100"),
         "certificates_to_surrender": D("101.457")},
        {"cn_code": "72081000", "origin_country": "CN", "net_mass_tonnes": D("20"),
         "certificates_to_surrender": D("41.68464")},
    ]  # fmt: skip
    assert report == [
        # 120 t > 50 t: 101.457 + 41.68464 = 143.14164 certificates
        {"tenant_id": "acme", "declarant_eori": "DE100000000001", "year": 2026, "net_mass_tonnes": D("120"),
         "is_small_importer_exempt": False, "certificates_to_surrender": D("143.14164"), "obligation_gap": None},
        # 3 t <= 50 t: exempt
        {"tenant_id": "acme", "declarant_eori": "DE200000000002", "year": 2026, "net_mass_tonnes": D("3"),
         "is_small_importer_exempt": True, "certificates_to_surrender": D("0"), "obligation_gap": None},
        {"tenant_id": "acme", "declarant_eori": "DE300000000003", "year": 2026, "net_mass_tonnes": D("60"),
         "is_small_importer_exempt": False, "certificates_to_surrender": None,
         "obligation_gap": "no benchmark column configured for the emission method"},
        # the same EORI under another tenant is another row: 5 t, exempt
        {"tenant_id": "nordic", "declarant_eori": "DE100000000001", "year": 2026, "net_mass_tonnes": D("5"),
         "is_small_importer_exempt": True, "certificates_to_surrender": D("0"), "obligation_gap": None},
    ]  # fmt: skip


def test_benchmark_lines_rejected_with_their_reason(warehouse: Warehouse, tmp_path: Path) -> None:
    # the load's fast SQL check and the contract agree: headings and separators load, broken lines do not
    path = tmp_path / "benchmarks.csv"
    lines = [
        "CN code;Column B",
        "Cement;",
        "25231000;0,666 (A)",
        ";",
        ";0,859",
        "25232100;",
        "25239000;0,666 A",
    ]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    result = load_file(warehouse, CBAM_BENCHMARKS, path, GLOBAL_TENANT)
    with warehouse.session() as session:
        rejected = session.fetch_dicts("SELECT source_row, errors FROM raw.dead_letter ORDER BY source_row")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 3, 3)
    assert [row["source_row"] for row in rejected] == [4, 5, 6]
    assert "a benchmark needs an 8-digit CN code" in rejected[0]["errors"]
    assert "a CN code without a benchmark" in rejected[1]["errors"]
    assert "column_b" in rejected[2]["errors"]


# PostgreSQL decides what a reader sees (docs/design.md, "Readers and tenants"): the report's readers' view
# filters by the reader's tenants, and the materialized view itself is not granted
@pytest.mark.parametrize("module_warehouse", ["postgres"], indirect=True)
def test_readers_see_their_tenants_obligation_only(obligation: Warehouse) -> None:
    database = obligation.settings.postgres
    with (
        reader_roles(database, {"acme": frozenset({"acme"})}) as (reader,),
        connect_as(database, reader.role) as connection,
    ):
        seen = connection.execute(
            "SELECT tenant_id, declarant_eori FROM reporting_readers.rpt_cbam_certificate_obligation"
            " ORDER BY declarant_eori"
        ).fetchall()
        assert seen == [("acme", "DE100000000001"), ("acme", "DE200000000002"), ("acme", "DE300000000003")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("SELECT * FROM reporting.rpt_cbam_certificate_obligation")
