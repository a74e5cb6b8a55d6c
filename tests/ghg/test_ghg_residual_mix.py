"""AIB "European Residual Mixes": the results table loads as a publication (CSV and Excel, bad rows to the
dead letter, data year and version in the ledger), and drives the market-based Scope 2 and the ESRS E1-5
mix of electricity without instruments, on DuckDB and PostgreSQL.

Every residual-mix figure in this file is ILLUSTRATIVE, made up for the tests: none is AIB's (no AIB
publication could be verified here, so none is copied or invented as if it were). The location-based
factors are Ember's published intensities of the demo extract (demo/reference/ghg: DEU 2024 342.06,
NLD 2024 252.7 g CO2e/kWh).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from demo.ghg import EMBER_DEMO_FILE
from greenlang.catalog import RAW_SOURCES
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import LoadError, load_file, prepare_raw_tables
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import (
    AIB_RESIDUAL_MIX,
    CONTRACTUAL_INSTRUMENTS,
    EMBER_GRID_INTENSITY,
    METER_READINGS,
    describe_aib,
)
from greenlang.observe.impact import batch_impact, factor_version_impact
from greenlang.settings import PROJECT_ROOT
from tests.helpers import dbt

TENANT = "acme-steel"

# ILLUSTRATIVE figures, not AIB's. Headers as a results table prints them; Spain's negative factor and
# Italy's shares adding up to 90 % are the bad rows.
RESIDUAL_MIX_2024_V1_0 = """Country,Direct CO2 emissions (g/kWh),Renewables (%),Nuclear (%),Fossil (%)
Germany,500,20,10,70
Austria,150.5,60,0,40
Spain,-12,30,20,50
Italy,300,20,10,60
"""
# ILLUSTRATIVE: the corrected version 1.1 of edition 2024 restates Germany (450 g/kWh, 25/10/65 %).
RESIDUAL_MIX_2024_V1_1 = """Country,Direct CO2 emissions (g/kWh),Renewables (%),Nuclear (%),Fossil (%)
Germany,450,25,10,65
Austria,150.5,60,0,40
"""


def write_residual_mix_2026(path: Path) -> Path:
    """ILLUSTRATIVE 2026 table as a workbook: a title above the header, the shares in cells formatted
    as percentages (the reader gets their fractions: 0.3 for 30 %)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["European Residual Mixes 2026 - ILLUSTRATIVE figures, not AIB's"])
    sheet.append([])
    sheet.append(["Country", "Residual mix CO2 (g/kWh)", "Renewables", "Nuclear", "Fossil"])
    sheet.append(["Germany", 400, 0.3, 0.1, 0.6])
    sheet.append(["FR", 60, 0.15, 0.8, 0.05])
    for row in sheet.iter_rows(min_row=4, min_col=3, max_col=5):
        for cell in row:
            cell.number_format = "0.00%"
    workbook.save(path)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_results_table_loads_with_its_bad_rows_in_the_dead_letter(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    csv_file = write(tmp_path / "european_residual_mixes_2024_v1_0.csv", RESIDUAL_MIX_2024_V1_0)
    result = load_file(warehouse, AIB_RESIDUAL_MIX, csv_file, GLOBAL_TENANT)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2)
    assert load_file(warehouse, AIB_RESIDUAL_MIX, csv_file, GLOBAL_TENANT).status == "skipped"
    workbook = write_residual_mix_2026(tmp_path / "european_residual_mixes_2026.xlsx")
    excel = load_file(warehouse, AIB_RESIDUAL_MIX, workbook, GLOBAL_TENANT)
    assert (excel.rows_read, excel.rows_loaded, excel.rows_rejected) == (2, 2, 0)
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            "SELECT country, country_code, residual_mix_co2_g_per_kwh, renewable_share_percent, "
            "nuclear_share_percent, fossil_share_percent, tenant_id, _batch_id, _source_row "
            "FROM raw.aib__residual_mix ORDER BY _source_row, country"
        )
        dead = session.fetch_dicts(
            "SELECT batch_id, source, source_row, raw_record, errors FROM raw.dead_letter ORDER BY source_row"
        )
        ledger = {
            row["batch_id"]: row
            for row in session.fetch_dicts(
                "SELECT batch_id, rows_read, rows_loaded, rows_rejected, attributes FROM raw.load_batch"
            )
        }
    by_country = {(row["_batch_id"], row["country"]): row for row in rows}
    germany = by_country[result.batch_id, "Germany"]
    assert germany["residual_mix_co2_g_per_kwh"] == Decimal("500")
    assert (germany["_batch_id"], germany["_source_row"], germany["tenant_id"]) == (
        result.batch_id,
        1,
        GLOBAL_TENANT,
    )
    assert [germany[f"{source}_share_percent"] for source in ("renewable", "nuclear", "fossil")] == [
        Decimal(20),
        Decimal(10),
        Decimal(70),
    ]
    assert by_country[result.batch_id, "Austria"]["residual_mix_co2_g_per_kwh"] == Decimal("150.5")
    assert {country for batch, country in by_country if batch == result.batch_id} == {"Germany", "Austria"}
    # the workbook: header found below its title, percentage cells (fractions) stored as per cent
    france = by_country[excel.batch_id, "FR"]
    assert (france["_source_row"], france["residual_mix_co2_g_per_kwh"]) == (5, Decimal(60))
    shares = [france[f"{source}_share_percent"] for source in ("renewable", "nuclear", "fossil")]
    assert shares == [Decimal(15), Decimal(80), Decimal(5)]
    # rows in = loaded + rejected, every rejected row with its values and reason
    assert [(row["source"], row["source_row"]) for row in dead] == [
        ("aib__residual_mix", 3),
        ("aib__residual_mix", 4),
    ]
    assert json.loads(dead[0]["raw_record"])["country"] == "Spain"
    assert json.loads(dead[0]["errors"])[0]["field"] == "residual_mix_co2_g_per_kwh"
    assert "greater than or equal to 0" in json.loads(dead[0]["errors"])[0]["message"]
    assert "add up to 90" in json.loads(dead[1]["errors"])[0]["message"]
    assert {row["batch_id"] for row in dead} == {result.batch_id}
    assert json.loads(ledger[result.batch_id]["attributes"]) == {
        "publisher": "AIB",
        "edition": "2024",
        "version": "1.0",
    }
    assert json.loads(ledger[excel.batch_id]["attributes"]) == {"publisher": "AIB", "edition": "2026"}
    assert all(b["rows_read"] == b["rows_loaded"] + b["rows_rejected"] for b in ledger.values())


def test_a_file_whose_name_does_not_give_the_data_year_fails_as_a_load(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    nameless = write(tmp_path / "european_residual_mixes.csv", RESIDUAL_MIX_2024_V1_1)
    with pytest.raises(LoadError, match="data year"):
        load_file(warehouse, AIB_RESIDUAL_MIX, nameless, GLOBAL_TENANT)
    with warehouse.session() as session:
        assert session.fetch_dicts("SELECT status FROM raw.load_batch") == [{"status": "failed"}]
        assert session.scalar("SELECT count(*) FROM raw.aib__residual_mix") == 0
    with pytest.raises(Exception, match="years 2023, 2024"):
        describe_aib("file:///landing/2024-05-31_residual_mixes_2023.csv", [])


# --- market-based Scope 2 and the ESRS E1-5 mix, through dbt ------------------------------------------------

READINGS_HEADER = "meter_id,channel,interval_start,interval_end,timezone,value,unit,quality_flag\n"


def meter_day(meter_id: str, day: str) -> str:
    """1000 kWh on a UTC day: two half-hours of 500 kWh."""
    return (
        f"{meter_id},import,{day}T00:00:00,{day}T00:30:00,,500,kWh,ACTUAL\n"
        f"{meter_id},import,{day}T00:30:00,{day}T01:00:00,,500,kWh,ACTUAL\n"
    )


@pytest.fixture(scope="module")
def inventory(module_warehouse: Warehouse, dbt_parse_root: Path) -> Warehouse:
    """Built once per engine for the module's report tests, which only read it."""
    warehouse = module_warehouse
    tmp_path = warehouse.settings.duckdb_path.parent
    readings = READINGS_HEADER + "".join(
        meter_day("DE-DUI-EM-01", day) for day in ("2023-03-01", "2025-03-01", "2026-03-01")
    )
    readings += meter_day("NL-RTM-EM-01", "2025-03-01")
    load_file(warehouse, METER_READINGS, write(tmp_path / "readings.csv", readings), TENANT)
    instruments = (
        "instrument_id,site_id,period_start,period_end,instrument_type,mwh,emission_factor_kg_per_kwh\n"
        "GO-DE-2025,DE-DUI,2025-03-01,2025-03-01,GO,0.4,0\n"
    )
    load_file(warehouse, CONTRACTUAL_INSTRUMENTS, write(tmp_path / "instruments.csv", instruments), TENANT)
    load_file(warehouse, EMBER_GRID_INTENSITY, EMBER_DEMO_FILE, GLOBAL_TENANT)
    for name, text in (
        ("european_residual_mixes_2024_v1_0.csv", RESIDUAL_MIX_2024_V1_0),
        ("european_residual_mixes_2024_v1_1.csv", RESIDUAL_MIX_2024_V1_1),  # loaded later: restates
    ):
        load_file(warehouse, AIB_RESIDUAL_MIX, write(tmp_path / name, text), GLOBAL_TENANT)
    workbook = write_residual_mix_2026(tmp_path / "european_residual_mixes_2026.xlsx")
    load_file(warehouse, AIB_RESIDUAL_MIX, workbook, GLOBAL_TENANT)
    prepare_raw_tables(warehouse, list(RAW_SOURCES))
    # what the two reports need, with the tests whose every parent is built
    dbt.build(
        warehouse.settings,
        "+fct_ghg_emissions +rpt_esrs_e1_5_energy +dim_emission_factor",
        indirect_selection="cautious",
    )
    return warehouse


def test_market_based_scope_2_takes_the_residual_mix_else_the_location_factor(inventory: Warehouse) -> None:
    with inventory.session() as session:
        rows = session.fetch_dicts(
            """
            SELECT e.activity_reference, e.reporting_year, e.market_basis, e.request_part, e.quantity,
                   e.emission_factor_value, e.emissions_kg, e.factor_year_match, f.publisher, f.edition,
                   f.version, f.published_unit
            FROM marts.fct_ghg_emissions AS e
            JOIN marts.dim_emission_factor AS f ON f.emission_factor_id = e.emission_factor_id
            WHERE e.method = 'market_based'
            ORDER BY e.activity_reference, e.request_part
            """
        )
        restated = session.fetch_dicts(
            "SELECT version, published_value, value, is_current FROM marts.dim_emission_factor "
            "WHERE publisher = 'AIB' AND region = 'DE' AND edition = '2024' ORDER BY version"
        )
    got = {
        (row["activity_reference"], row["request_part"]): (
            row["market_basis"],
            row["quantity"],
            row["emission_factor_value"],
            row["emissions_kg"],
            row["publisher"],
            row["edition"],
            row["version"],
        )
        for row in rows
    }
    # DE, 2025-03-01, 1000 kWh: the GO covers 400 kWh at 0 kg/kWh; the other 600 kWh take DE's residual
    # mix of 2024 (the most recent earlier: 2026's is later), version 1.1 (450 g/kWh restates v1.0's 500):
    # 400 x 0 + 600 x 0.45 = 0 + 270 = 270 kg
    assert got[("acme-steel/DE-DUI-EM-01/2025-03-01", "instrument:GO-DE-2025")][:4] == (
        "contractual_instrument",
        Decimal(400),
        Decimal(0),
        Decimal(0),
    )
    assert got[("acme-steel/DE-DUI-EM-01/2025-03-01", "uncovered")] == (
        "residual_mix",
        Decimal(600),
        Decimal("0.45"),
        Decimal(270),
        "AIB",
        "2024",
        "1.1",
    )
    # DE, 2026: the same year's residual mix (the workbook, 400 g/kWh): 1000 x 0.4 = 400 kg
    assert got[("acme-steel/DE-DUI-EM-01/2026-03-01", "uncovered")] == (
        "residual_mix",
        Decimal(1000),
        Decimal("0.4"),
        Decimal(400),
        "AIB",
        "2026",
        "1",
    )
    # DE, 2023: residual mixes of later years only -> the location-based factor, disclosed as such:
    # Ember DEU 2024, 342.06 g/kWh: 1000 x 0.34206 = 342.06 kg
    assert got[("acme-steel/DE-DUI-EM-01/2023-03-01", "uncovered")][:5] == (
        "location_fallback",
        Decimal(1000),
        Decimal("0.34206"),
        Decimal("342.06"),
        "Ember",
    )
    # NL: no residual mix at all -> Ember NLD 2024, 252.7 g/kWh: 1000 x 0.2527 = 252.7 kg
    assert got[("acme-steel/NL-RTM-EM-01/2025-03-01", "uncovered")][:5] == (
        "location_fallback",
        Decimal(1000),
        Decimal("0.2527"),
        Decimal("252.7"),
        "Ember",
    )
    assert len(got) == 5
    assert {row["published_unit"] for row in rows if row["publisher"] == "AIB"} == {"g CO2 / kWh"}
    # the restatement: v1.0 closed, v1.1 current; g/kWh as published, kg/kWh in the store
    assert [(r["version"], r["published_value"], r["value"], r["is_current"]) for r in restated] == [
        ("1.0", Decimal(500), Decimal("0.5"), False),
        ("1.1", Decimal(450), Decimal("0.45"), True),
    ]


def test_esrs_e1_5_splits_uncovered_electricity_by_the_residual_mix_shares(inventory: Warehouse) -> None:
    with inventory.session() as session:
        report = {
            row["reporting_year"]: row
            for row in session.fetch_dicts(
                "SELECT reporting_year, total_energy_mwh, fossil_mwh, nuclear_mwh, renewable_mwh, "
                "purchased_energy_assumed_fossil_mwh FROM reporting.rpt_esrs_e1_5_energy "
                "WHERE tenant_id = 'acme-steel'"
            )
        }

    def figures(year: int) -> tuple[Decimal, ...]:
        row = report[year]
        return tuple(
            row[column]
            for column in (
                "total_energy_mwh",
                "fossil_mwh",
                "nuclear_mwh",
                "renewable_mwh",
                "purchased_energy_assumed_fossil_mwh",
            )
        )

    # 2025: DE 1 MWh, 0.4 under the GO (renewable); the other 0.6 MWh by the shares of the residual mix
    # used above (2024 v1.1: 25 / 10 / 65 %): renewable 0.15, nuclear 0.06, fossil 0.39. NL 1 MWh without
    # residual mix: fossil, assumed. Fossil 0.39 + 1 = 1.39; renewable 0.4 + 0.15 = 0.55.
    assert figures(2025) == (Decimal(2), Decimal("1.39"), Decimal("0.06"), Decimal("0.55"), Decimal(1))
    # 2026: DE 1 MWh by the workbook's shares (30 / 10 / 60 %)
    assert figures(2026) == (Decimal(1), Decimal("0.6"), Decimal("0.1"), Decimal("0.3"), Decimal(0))
    # 2023: no residual mix of 2023 or earlier: fossil, assumed
    assert figures(2023) == (Decimal(1), Decimal(1), Decimal(0), Decimal(0), Decimal(1))


# The impact query (greenlang.observe.impact) on this module's warehouse: one batch of meter readings is
# the activity behind every fact; the factors come from the Ember and AIB batches. The expected counts
# join each fact to the factor row it used.
FACTS_AND_THEIR_FACTORS = (
    "FROM marts.fct_ghg_emissions AS f JOIN marts.dim_emission_factor AS d "
    "ON d.emission_factor_id = f.emission_factor_id"
)


def test_the_impact_of_a_batch_reaches_its_facts_the_facts_of_its_factors_and_the_reports(
    inventory: Warehouse,
) -> None:
    manifest = dbt.parsed_manifest(inventory.settings.target)
    with inventory.session() as session:
        batches = dict(
            session.fetchall(
                "SELECT source, batch_id FROM raw.load_batch WHERE source IN "
                "('meters__interval_readings', 'ember__grid_intensity')"
            )
        )
        facts = session.scalar("SELECT count(*) FROM marts.fct_ghg_emissions")
        on_ember = session.scalar(
            f"SELECT count(*) {FACTS_AND_THEIR_FACTORS} WHERE d._batch_id = %(batch)s",
            {"batch": batches["ember__grid_intensity"]},
        )
        readings = batch_impact(session, manifest, batches["meters__interval_readings"])
        ember = batch_impact(session, manifest, batches["ember__grid_intensity"])
        unknown = batch_impact(session, manifest, "no-such-batch")
    assert facts > 0
    assert readings.rows[("fct_ghg_emissions", TENANT)] == facts
    assert {"reporting.rpt_esrs_e1_6_ghg", "exposure:esrs_e1_climate"} <= set(readings.reports)
    assert 0 < on_ember < facts  # location-based rows only
    assert ember.rows[("fct_ghg_emissions", TENANT)] == on_ember
    assert ember.rows[("dim_emission_factor", GLOBAL_TENANT)] > 0
    assert unknown.rows == {} and unknown.reports == []


def test_the_impact_of_a_restated_factor_version_and_its_cli(inventory: Warehouse) -> None:
    manifest = dbt.parsed_manifest(inventory.settings.target)
    with inventory.session() as session:
        aib_2024 = "WHERE d.publisher = 'AIB' AND d.edition = '2024' GROUP BY d.version"
        used = dict(session.fetchall(f"SELECT d.version, count(*) {FACTS_AND_THEIR_FACTORS} {aib_2024}"))
        impacts = {
            version: factor_version_impact(session, manifest, "AIB", "2024", version)
            for version in ("1.0", "1.1")
        }
    assert sum(used.values()) > 0
    for version, impact in impacts.items():
        assert impact.rows.get(("fct_ghg_emissions", TENANT), 0) == used.get(version, 0)
    settings = inventory.settings
    environment = {
        **os.environ,
        "GREENLANG_TARGET": settings.target,
        "GREENLANG_DUCKDB_PATH": str(settings.duckdb_path),
        "GREENLANG_PG_DATABASE": settings.postgres.database,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "greenlang.observe.impact", "--factor-version", "AIB/2024/1.1"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    assert json.loads(completed.stdout) == impacts["1.1"].as_dict()
