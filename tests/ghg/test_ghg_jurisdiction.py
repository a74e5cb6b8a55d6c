"""Emission factors chosen by the site's jurisdiction (seed ghg_factor_jurisdictions: US -> US EPA, GB -> DESNZ,
elsewhere var ghg_default_factor_publisher, DESNZ by default, flagged), hand-worked on the official files:
the US EPA GHG Emission Factors Hub 2025 workbook and the UK DESNZ 2024 flat file v1.1, through the real dbt
models down to fct_ghg_emissions, on DuckDB and PostgreSQL.

GWP basis AR5 (the default): CH4 28, N2O 265 (IPCC AR5 WG1 Table 8.A.1); g -> kg x 0.001."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from greenlang.catalog import RAW_SOURCES
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import load_file, prepare_raw_tables
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.epa_hub import load_epa_hub
from greenlang.ghg.sources import DESNZ_CONVERSION_FACTORS, FUEL_RECORDS, METER_READINGS
from tests.helpers import dbt
from tests.helpers.warehouses import require_shared_data

HUB = "epa/ghg-emission-factors-hub-2025.xlsx"
DESNZ = "desnz/ghg-conversion-factors-2024-flat-v1_1.csv"
US_GALLON_L = Decimal("3.785411784")  # NIST SP 811 (2008) App. B.8, exact
FIELDS = ["record_id", "site_id", "vehicle_id", "period_start", "period_end", "fuel", "quantity", "unit",
          "calorific_basis"]  # fmt: skip
RECORDS = {
    "acme-steel": [
        ["US-BOILER", "US-PIT", "", "2024-03-01", "2024-03-31", "diesel", "1000", "US gallons", ""],
        ["US-GAS", "US-PIT", "", "2024-03-01", "2024-03-31", "natural gas", "100", "mmBtu", "gross"],
        ["US-TRUCK", "US-PIT", "TRK-1", "2024-03-01", "2024-03-31", "gasoline", "500", "US gallons", ""],
        ["US-LPG", "US-PIT", "", "2024-03-01", "2024-03-31", "LPG", "1000", "kg", ""],
        ["DE-BOILER", "DE-DUI", "", "2024-03-01", "2024-03-31", "diesel", "1000", "litres", ""],
    ],
    "nordic-cement": [
        ["GB-BOILER", "GB-TIL", "", "2024-03-01", "2024-03-31", "diesel", "1000", "litres", ""]
    ],
}


@pytest.fixture(scope="module")
def emissions(
    module_warehouse: Warehouse, dbt_parse_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """(record, method, gas) -> the fct_ghg_emissions row, after loading the two publications and the fuel
    records and building the models down to the fact."""
    warehouse, shared_data = module_warehouse, require_shared_data()
    load_epa_hub(warehouse, shared_data / HUB)
    load_file(warehouse, DESNZ_CONVERSION_FACTORS, shared_data / DESNZ, GLOBAL_TENANT)
    folder = tmp_path_factory.mktemp("fuels")
    (folder / "meter.csv").write_text(
        "meter_id,channel,interval_start,interval_end,timezone,value,unit,quality_flag\n"
        "US-PIT-EM-01,import,2024-03-15T00:00:00,2024-03-15T00:30:00,,500,kWh,ACTUAL\n"
        "US-PIT-EM-01,import,2024-03-15T00:30:00,2024-03-15T01:00:00,,500,kWh,ACTUAL\n",
        encoding="utf-8",
    )
    assert load_file(warehouse, METER_READINGS, folder / "meter.csv", "acme-steel").rows_rejected == 0
    for tenant, rows in RECORDS.items():
        path = folder / f"{tenant}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerows([FIELDS, *rows])
        assert load_file(warehouse, FUEL_RECORDS, path, tenant).rows_rejected == 0
    prepare_raw_tables(warehouse, list(RAW_SOURCES))
    # the fact and its models, with the data and unit tests whose every parent is built
    dbt.build(warehouse.settings, "+fct_ghg_emissions", indirect_selection="cautious")
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            "SELECT activity_reference, method, gas, factor_path, factor_jurisdiction_mismatch, factor_quantity,"
            " factor_unit_code, emission_factor_value, emissions_kg, factor_status, calculation_note"
            " FROM marts.fct_ghg_emissions WHERE activity_source IN ('fuels__fuel_records', 'meters__interval_readings')"
        )
    # fuel records are '<tenant>/<record>', meter-days '<tenant>/<meter>/<day>'
    return {(row["activity_reference"].split("/")[1], row["method"], row["gas"]): row for row in rows}


def request(emissions: dict, record: str, method: str) -> dict:
    """One request's rows: kg CO2e per gas, and what its rows share (factor path and flag, the quantity in the
    factor's unit)."""
    rows = [row for (ref, m, _), row in emissions.items() if (ref, m) == (record, method)]
    shared = {(r["factor_path"], r["factor_jurisdiction_mismatch"], r["factor_quantity"], r["factor_unit_code"])
              for r in rows}  # fmt: skip
    assert len(shared) == 1, shared
    path, mismatch, quantity, unit = shared.pop()
    kg = {row["gas"]: row["emissions_kg"] for row in rows}
    return {"kg": kg, "path": path, "mismatch": mismatch, "factor": (quantity, unit)}


def test_us_distillate_by_physical_unit_epa_table_1(emissions: dict) -> None:
    """Hub 2025 Table 1, Petroleum Products, Distillate Fuel Oil No. 2, per gallon: CO2 10.21 kg, CH4 0.41 g,
    N2O 0.08 g. 1,000 US gallons:
      CO2 1000 x 10.21                  = 10,210 kg
      CH4 1000 x 0.41 g x 0.001 x 28    =     11.48 kg CO2e
      N2O 1000 x 0.08 g x 0.001 x 265   =     21.2  kg CO2e      total 10,242.68 kg CO2e."""
    found = request(emissions, "US-BOILER", "stationary_combustion")
    assert found == {
        "kg": {"CO2": Decimal("10210"), "CH4": Decimal("11.48"), "N2O": Decimal("21.2")},
        "path": "epa_table1_physical",
        "mismatch": False,
        "factor": (Decimal(1000), "gal_US"),
    }
    assert sum(found["kg"].values()) == Decimal("10242.68")


def test_us_natural_gas_by_heat_content_epa_table_1(emissions: dict) -> None:
    """Table 1, Natural Gas, per mmBtu (HHV): CO2 53.06 kg, CH4 1 g, N2O 0.1 g. 100 mmBtu (gross):
    CO2 100 x 53.06 = 5,306 kg; CH4 100 x 1 g x 0.001 x 28 = 2.8; N2O 100 x 0.1 g x 0.001 x 265 = 2.65;
    total 5,311.45 kg CO2e."""
    assert request(emissions, "US-GAS", "stationary_combustion") == {
        "kg": {"CO2": Decimal("5306"), "CH4": Decimal("2.8"), "N2O": Decimal("2.65")},
        "path": "epa_table1_heat_content",
        "mismatch": False,
        "factor": (Decimal(100), "MMBtu"),
    }


def test_us_vehicle_gasoline_epa_table_2(emissions: dict) -> None:
    """Table 2 (mobile combustion CO2), Motor Gasoline: 8.78 kg CO2 per gallon. 500 gallons x 8.78 = 4,390 kg
    CO2. CH4 and N2O are per vehicle-mile (Tables 3-5), which a fuel record lacks: no row, a note says so."""
    assert request(emissions, "US-TRUCK", "mobile_combustion") == {
        "kg": {"CO2": Decimal("4390")},
        "path": "epa_mobile",
        "mismatch": False,
        "factor": (Decimal(500), "gal_US"),
    }
    assert "per vehicle-mile" in emissions[("US-TRUCK", "mobile_combustion", "CO2")]["calculation_note"]


def test_uk_diesel_desnz_and_a_german_site_at_the_default_publisher_flagged(emissions: dict) -> None:
    """DESNZ 2024 v1.1, Fuels > Liquid fuels > Diesel (average biofuel blend), litres: kg CO2e of CO2 2.4796,
    of CH4 0.00029, of N2O 0.0329 (AR5, the build's basis: unchanged); total 2.51279. 1,000 litres:
    CO2 2,479.6, CH4 0.29, N2O 32.9 = 2,512.79 kg CO2e. Germany has no publisher in the seed: the default
    (DESNZ) gives the same figures, flagged. WTT- fuels diesel, litres: 0.61101 -> 611.01 kg CO2e."""
    expected = {"CO2": Decimal("2479.6"), "CH4": Decimal("0.29"), "N2O": Decimal("32.9")}
    assert sum(expected.values()) == Decimal("2512.79")
    for record, mismatch in (("GB-BOILER", False), ("DE-BOILER", True)):
        litres = (Decimal(1000), "litre")
        assert request(emissions, record, "stationary_combustion") == {
            "kg": expected,
            "path": "desnz",
            "mismatch": mismatch,
            "factor": litres,
        }
        assert request(emissions, record, "well_to_tank") == {
            "kg": {"CO2e": Decimal("611.01")},
            "path": "desnz",
            "mismatch": mismatch,
            "factor": litres,
        }


def test_us_well_to_tank_stays_desnz_and_is_flagged(emissions: dict) -> None:
    """EPA publishes no WTT factor: the US diesel's cat 3 row is DESNZ WTT per litre, flagged. 1,000 US
    gallons = 3,785.411784 litres x 0.61101 = 2,312.94445... kg CO2e (rounded at 12 places)."""
    litres = 1000 * US_GALLON_L
    assert request(emissions, "US-BOILER", "well_to_tank") == {
        "kg": {"CO2e": litres * Decimal("0.61101")},
        "path": "desnz",
        "mismatch": True,
        "factor": (litres, "litre"),
    }
    assert all(row["factor_status"] == "matched" for row in emissions.values())


def test_us_lpg_in_kg_falls_back_to_the_default_publisher_flagged(emissions: dict) -> None:
    """EPA Table 1 publishes LPG per gallon and per mmBtu only: a quantity in kg converts into neither, so the
    default publisher's factor is used and flagged. DESNZ 2024, Fuels > Gaseous fuels > LPG, tonnes: CO2
    2935.18, CH4 2.5536, N2O 1.62735 (total 2939.36095). 1,000 kg = 1 tonne: the same figures."""
    assert request(emissions, "US-LPG", "stationary_combustion") == {
        "kg": {"CO2": Decimal("2935.18"), "CH4": Decimal("2.5536"), "N2O": Decimal("1.62735")},
        "path": "desnz",
        "mismatch": True,
        "factor": (Decimal(1), "tonne"),
    }


def test_us_electricity_at_the_egrid_subregion_of_the_site(emissions: dict) -> None:
    """Location-based Scope 2 of 1,000 kWh at US-PIT (facilities: eGRID subregion RFCW). Hub 2025 Table 6,
    RFCW total output rates: CO2 911.321, CH4 0.071, N2O 0.010 lb/MWh; lb x 0.45359237 kg:
      CO2 1 MWh x 911.321 x 0.45359237       = 413.36825222077 kg
      CH4 1 MWh x 0.071 x 0.45359237 x 28    =   0.90174163156 kg CO2e
      N2O 1 MWh x 0.010 x 0.45359237 x 265   =   1.2020197805  kg CO2e   total 415.47201363283 kg CO2e.
    Market-based has no instrument nor residual mix: the same factor (location_fallback)."""
    expected = {
        "kg": {
            "CO2": Decimal("413.36825222077"),
            "CH4": Decimal("0.90174163156"),
            "N2O": Decimal("1.2020197805"),
        },
        "path": "egrid_subregion",
        "mismatch": False,
        "factor": (Decimal(1), "MWh"),
    }
    for method in ("location_based", "market_based"):
        assert request(emissions, "US-PIT-EM-01", method) == expected
    assert sum(expected["kg"].values()) == Decimal("415.47201363283")
