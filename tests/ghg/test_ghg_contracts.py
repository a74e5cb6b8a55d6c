"""GHG contracts: the design's fields, codes and rules, committed schemas, and the loader agreeing with them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenlang.catalog import CONTRACTS
from greenlang.codegen import SCHEMA_DIR, schema_filename
from greenlang.core.validation import ContractMismatchError, field_rules, map_columns
from greenlang.ghg.contracts import (
    AIBResidualMix,
    BusinessTrip,
    ContractualInstrument,
    DESNZConversionFactor,
    EmberGridIntensity,
    EPAEmissionFactor,
    FreightLeg,
    FuelRecord,
    GridIntensityReading,
    Headcount,
    MeterReading,
    NetRevenue,
    RefrigerantRecord,
)
from greenlang.ghg.sources import GHG_SOURCES
from tests.helpers.ghg import assert_loader_agrees_with_contract, contract_verdict

GHG_CONTRACTS = tuple(dict.fromkeys(spec.contract for spec in GHG_SOURCES))  # the streamed readings share one

# docs/design.md, "GHG inventory and ESRS E1": raw table → contract and its fields, in order.
DESIGN = {
    "meters__interval_readings": (
        "MeterReading",
        "meter_id channel interval_start interval_end timezone value unit quality_flag",
    ),
    # the same readings streamed through NATS (greenlang/ghg/meter_stream.py): one contract, two tables
    "meters__stream_readings": (
        "MeterReading",
        "meter_id channel interval_start interval_end timezone value unit quality_flag",
    ),
    "fuels__fuel_records": (
        "FuelRecord",
        "record_id site_id vehicle_id period_start period_end fuel quantity unit calorific_basis",
    ),
    "fuels__refrigerant_records": (
        "RefrigerantRecord",
        "record_id site_id record_date refrigerant topped_up_kg recovered_kg",
    ),
    "grid__carbon_intensity": (
        "GridIntensityReading",
        "region from_utc to_utc forecast actual intensity_index",
    ),
    "desnz__conversion_factors": (
        "DESNZConversionFactor",
        "factor_id scope level_1 level_2 level_3 level_4 column_text uom ghg_unit conversion_factor",
    ),
    "epa__emission_factors": (
        "EPAEmissionFactor",
        "table_number table_name row_label column_name unit value",
    ),
    "ember__grid_intensity": (
        "EmberGridIntensity",
        "key country_code_iso3 country_or_region year emissions_intensity_gco2_per_kwh",
    ),
    "aib__residual_mix": (
        "AIBResidualMix",
        "country country_code residual_mix_co2_g_per_kwh renewable_share_percent nuclear_share_percent "
        "fossil_share_percent",
    ),
    "travel__business_travel": (
        "BusinessTrip",
        "trip_id employee_id trip_date mode origin destination distance_km passengers cabin_class nights",
    ),
    "logistics__freight_legs": ("FreightLeg", "leg_id shipment_date mode mass_tonnes distance_km"),
    "hr__headcount": ("Headcount", "period site_id headcount commuting_mode_share commuting_km_per_employee"),
    "finance__net_revenue": ("NetRevenue", "fiscal_year net_revenue currency"),
    "energy__contractual_instruments": (
        "ContractualInstrument",
        "instrument_id site_id period_start period_end instrument_type mwh emission_factor_kg_per_kwh",
    ),
}


def test_every_raw_table_of_the_design_has_its_contract_and_fields() -> None:
    specs = {spec.name: spec for spec in GHG_SOURCES}
    assert set(specs) == set(DESIGN)
    for table, (contract_name, fields) in DESIGN.items():
        contract = specs[table].contract
        assert contract.contract_name == contract_name
        assert contract.contract_version.startswith("1.")  # every change so far is additive (minor)
        assert list(contract.model_fields) == fields.split()
    assert len({contract.contract_name for contract in GHG_CONTRACTS}) == len(GHG_CONTRACTS) == 13
    assert all(CONTRACTS[contract.contract_name] is contract for contract in GHG_CONTRACTS)
    assert all(re.fullmatch(r"[a-z]+__[a-z_]+", spec.name) for spec in GHG_SOURCES)


def test_every_ghg_contract_has_its_committed_schema() -> None:
    """Drift of the files themselves is checked for all contracts in tests/contracts/test_schemas.py."""
    for contract in GHG_CONTRACTS:
        assert schema_filename(contract) == f"{contract.contract_name}.v1.json"
        assert (SCHEMA_DIR / schema_filename(contract)).is_file()


def test_desnz_factor_column_is_found_whatever_the_edition() -> None:
    rules = field_rules(DESNZConversionFactor)
    header = ["id", "scope", "level_1", "level_2", "level_3", "level_4", "column_text", "uom", "ghg_unit"]
    for year in ("2024", "2025", "2031"):
        mapping, ignored = map_columns(rules, [*header, f"ghg_conversion_factor_{year}"])
        assert mapping["conversion_factor"] == f"ghg_conversion_factor_{year}"
        assert mapping["factor_id"] == "id" and ignored == []
    # Without a factor column the file still loads (the factor is optional), a stray column is ignored.
    mapping, ignored = map_columns(rules, [*header, "ghg_conversion_factor"])
    assert "conversion_factor" not in mapping and ignored == ["ghg_conversion_factor"]
    with pytest.raises(ContractMismatchError, match="factor_id"):
        map_columns(rules, header[1:])


# Text rows as a file or an API delivers them, valid and not, for every contract.
SAMPLES: dict[type, list[dict[str, str | None]]] = {
    MeterReading: [
        {"meter_id": "M1", "channel": "import", "interval_start": "2026-03-02T10:00:00",
         "interval_end": "2026-03-02T10:30:00", "timezone": None, "value": "12.5", "unit": "kWh",
         "quality_flag": "ACTUAL"},
        {"meter_id": "M1", "channel": "import", "interval_start": "2026-03-02T10:30:00Z",
         "interval_end": "2026-03-02T11:00:00Z", "timezone": None, "value": "3", "unit": "kWh",
         "quality_flag": "estimated"},
        {"meter_id": "M1", "channel": "import", "interval_start": "2026-03-02T11:00:00",
         "interval_end": "2026-03-02T10:30:00", "timezone": None, "value": "1", "unit": "kWh",
         "quality_flag": "ACTUAL"},
        {"meter_id": "M1", "channel": "import", "interval_start": "2026-03-02T11:00:00",
         "interval_end": "2026-03-02T11:30:00", "timezone": None, "value": "1", "unit": "kWh",
         "quality_flag": "GUESSED"},
    ],
    FuelRecord: [
        {"record_id": "F1", "site_id": "S1", "vehicle_id": None, "period_start": "2026-01-01",
         "period_end": "2026-01-31", "fuel": "diesel", "quantity": "1200.5", "unit": "litres",
         "calorific_basis": None},
        {"record_id": "F2", "site_id": "S1", "vehicle_id": None, "period_start": "2026-01-01",
         "period_end": "2026-01-31", "fuel": "natural gas", "quantity": "52000", "unit": "kWh",
         "calorific_basis": "Gross"},
        {"record_id": "F3", "site_id": "S1", "vehicle_id": "V7", "period_start": "2026-02-01",
         "period_end": "2026-01-31", "fuel": "diesel", "quantity": "10", "unit": "litres",
         "calorific_basis": None},
    ],
    RefrigerantRecord: [
        {"record_id": "R1", "site_id": "S1", "record_date": "2026-04-14", "refrigerant": "R-410A",
         "topped_up_kg": "2.5", "recovered_kg": None},
        {"record_id": "R2", "site_id": "S1", "record_date": "2026-04-14", "refrigerant": "R-32",
         "topped_up_kg": "-1", "recovered_kg": None},
    ],
    BusinessTrip: [
        {"trip_id": "T1", "employee_id": "E1", "trip_date": "2026-05-04", "mode": "rail", "origin": "London",
         "destination": "Manchester", "distance_km": "262", "passengers": "1", "cabin_class": None,
         "nights": None},
        {"trip_id": "T2", "employee_id": "E1", "trip_date": "2026-05-05", "mode": "AIR", "origin": "LHR",
         "destination": "JFK", "distance_km": None, "passengers": "2", "cabin_class": "Premium Economy",
         "nights": None},
        {"trip_id": "T3", "employee_id": "E2", "trip_date": "2026-05-05", "mode": "hotel", "origin": "Berlin",
         "destination": "DE", "distance_km": None, "passengers": "1", "cabin_class": None, "nights": None},
        {"trip_id": "T4", "employee_id": "E2", "trip_date": "2026-05-06", "mode": "ferry", "origin": "Dover",
         "destination": "Calais", "distance_km": "42", "passengers": "1", "cabin_class": None, "nights": None},
    ],
    FreightLeg: [
        {"leg_id": "L1", "shipment_date": "2026-06-01", "mode": "road", "mass_tonnes": "12.5",
         "distance_km": "340"},
        {"leg_id": "L2", "shipment_date": "2026-06-01", "mode": "pipeline", "mass_tonnes": "1",
         "distance_km": "1"},
    ],
    Headcount: [
        {"period": "2026-01-01", "site_id": "S1", "headcount": "120", "commuting_mode_share": "car=0.55;rail=0.45"},
        {"period": "2026-02", "site_id": "S1", "headcount": "121", "commuting_mode_share": None},
        {"period": "2026-02-15", "site_id": "S1", "headcount": "121", "commuting_mode_share": None},
    ],
    NetRevenue: [
        {"fiscal_year": "2026", "net_revenue": "125000000.00", "currency": "eur"},
        {"fiscal_year": "26", "net_revenue": "1", "currency": "EUR"},
    ],
    ContractualInstrument: [
        {"instrument_id": "GO-1", "site_id": "S1", "period_start": "2026-01-01", "period_end": "2026-12-31",
         "instrument_type": "GO", "mwh": "800", "emission_factor_kg_per_kwh": "0"},
        {"instrument_id": "MIX-1", "site_id": "S2", "period_start": "2026-01-01", "period_end": "2026-12-31",
         "instrument_type": "supplier mix", "mwh": "150", "emission_factor_kg_per_kwh": "0.21"},
    ],
    GridIntensityReading: [
        {"region": "GB", "from": "2026-03-29T00:30Z", "to": "2026-03-29T01:00Z", "forecast": "186",
         "actual": "190", "index": "moderate"},
        {"region": "GB", "from": "2026-03-29T01:00Z", "to": "2026-03-29T01:30Z", "forecast": "180",
         "actual": None, "index": "moderate"},
        {"region": "GB", "from": "2026-03-29T01:30Z", "to": "2026-03-29T01:00Z", "forecast": "180",
         "actual": None, "index": "moderate"},
    ],
    DESNZConversionFactor: [
        {"id": "1_100_1", "scope": "Scope 1", "level_1": "Fuels", "level_2": "Liquid fuels", "level_3": "Diesel",
         "level_4": None, "column_text": None, "uom": "kWh (Net CV)", "ghg_unit": "kg CO2e",
         "ghg_conversion_factor_2024": "0.1829"},
        {"id": "1_100_2", "scope": "Scope 1", "level_1": "Fuels", "level_2": "Liquid fuels", "level_3": "Diesel",
         "level_4": None, "column_text": None, "uom": "kWh (Net CV)", "ghg_unit": "kg CO2e of N2O per unit",
         "ghg_conversion_factor_2024": "9e-05"},
        {"id": "1_100_3", "scope": "Scope 1", "level_1": "Fuels", "level_2": "Liquid fuels", "level_3": "Diesel",
         "level_4": None, "column_text": None, "uom": "kWh (Net CV)", "ghg_unit": "kg CO2e of CO2 per unit",
         "ghg_conversion_factor_2024": "0.13388999999999998"},
        {"id": "1_100_4", "scope": "Scope 1", "level_1": "Fuels", "level_2": "Liquid fuels", "level_3": "Diesel",
         "level_4": None, "column_text": None, "uom": "tonnes", "ghg_unit": "kg CO2e",
         "ghg_conversion_factor_2024": None},
    ],
    EPAEmissionFactor: [
        {"table_number": "1", "table_name": "Stationary Combustion", "row_label": "Coal and Coke | Anthracite",
         "column_name": "CO2 Factor", "unit": "kg CO2 per mmBtu", "value": "103.69"},
        {"table_number": "1", "table_name": "Stationary Combustion", "row_label": "Biomass | Wood",
         "column_name": "CH4 Factor", "unit": "g CH4 per mmBtu", "value": None},
        {"table_number": "2", "table_name": "Mobile Combustion CO2", "row_label": "Diesel Fuel",
         "column_name": "kg CO2 per unit", "unit": "kg / gallon", "value": "0.0035205384952"},
    ],
    EmberGridIntensity: [
        {"key": "ALB", "country_code_iso3": "ALB", "country_or_region": "Albania", "year": "2023",
         "emissions_intensity_gco2_per_kwh": "24.42"},
        {"key": "Africa", "country_code_iso3": None, "country_or_region": "Africa", "year": "2024",
         "emissions_intensity_gco2_per_kwh": "545.09"},
        {"key": "DZA", "country_code_iso3": "DZA", "country_or_region": "Algeria", "year": "last",
         "emissions_intensity_gco2_per_kwh": "633.65"},
    ],
    # ILLUSTRATIVE figures, not AIB's
    AIBResidualMix: [
        {"country": "Germany", "country_code": None, "direct_co2_emissions_g_kwh": "500.25",
         "renewables": "20", "nuclear": "10", "fossil": "70"},
        {"country": "AT", "country_code": None, "direct_co2_emissions_g_kwh": "150",
         "renewables": "60 %", "nuclear": "0%", "fossil": "40"},
        {"country": "Germany", "country_code": "de", "direct_co2_emissions_g_kwh": "500",
         "renewables": "0.2", "nuclear": "0.1", "fossil": "0.7"},
        {"country": "Spain", "country_code": None, "direct_co2_emissions_g_kwh": "300",
         "renewables": "33.33", "nuclear": "33.33", "fossil": "33.33"},
        {"country": "Italy", "country_code": None, "direct_co2_emissions_g_kwh": "300",
         "renewables": None, "nuclear": None, "fossil": None},
        {"country": None, "country_code": None, "direct_co2_emissions_g_kwh": "300",
         "renewables": None, "nuclear": None, "fossil": None},
        {"country": "France", "country_code": None, "direct_co2_emissions_g_kwh": "-1",
         "renewables": None, "nuclear": None, "fossil": None},
        {"country": "France", "country_code": None, "direct_co2_emissions_g_kwh": "60",
         "renewables": "20", "nuclear": None, "fossil": "80"},
        {"country": "France", "country_code": None, "direct_co2_emissions_g_kwh": "60",
         "renewables": "20", "nuclear": "10", "fossil": "60"},
    ],
}  # fmt: skip


@pytest.mark.parametrize("contract", list(SAMPLES), ids=[contract.__name__ for contract in SAMPLES])
def test_loader_agrees_with_the_contract(contract: type) -> None:
    assert_loader_agrees_with_contract(contract, SAMPLES[contract])


def test_codes_are_normalised_and_closed() -> None:
    trip = contract_verdict(BusinessTrip, SAMPLES[BusinessTrip][1])
    assert trip is not None and (trip["mode"], trip["cabin_class"]) == ("air", "premium_economy")
    assert contract_verdict(BusinessTrip, SAMPLES[BusinessTrip][2]) is None  # hotel without nights
    assert contract_verdict(BusinessTrip, SAMPLES[BusinessTrip][3]) is None  # ferry: not a mode
    instrument = contract_verdict(ContractualInstrument, SAMPLES[ContractualInstrument][1])
    assert instrument is not None and instrument["instrument_type"] == "SUPPLIER_MIX"
    fuel = contract_verdict(FuelRecord, SAMPLES[FuelRecord][1])
    assert fuel is not None and fuel["calorific_basis"] == "gross"
    assert contract_verdict(FuelRecord, SAMPLES[FuelRecord][2]) is None  # period ends before it starts
    headcount = contract_verdict(Headcount, SAMPLES[Headcount][1])
    assert headcount is not None and headcount["period"] == dt.date(2026, 2, 1)
    assert contract_verdict(Headcount, SAMPLES[Headcount][2]) is None  # not a month's first day
    grid = contract_verdict(GridIntensityReading, SAMPLES[GridIntensityReading][0])
    assert grid == {
        "region": "GB", "from_utc": dt.datetime(2026, 3, 29, 0, 30), "to_utc": dt.datetime(2026, 3, 29, 1),
        "forecast": 186, "actual": 190, "intensity_index": "moderate",
    }  # fmt: skip


def test_residual_mix_shares_are_per_cent_fractions_are_converted_and_rules_hold() -> None:
    rows = SAMPLES[AIBResidualMix]
    shares = ("renewable_share_percent", "nuclear_share_percent", "fossil_share_percent")
    percent = contract_verdict(AIBResidualMix, rows[1])
    assert percent is not None and [percent[name] for name in shares] == [60, 0, 40]
    fractions = contract_verdict(AIBResidualMix, rows[2])  # a percentage-formatted Excel cell: 0.2 = 20 %
    assert fractions is not None and [fractions[name] for name in shares] == [20, 10, 70]
    assert fractions["country_code"] == "DE"
    assert contract_verdict(AIBResidualMix, rows[3]) is not None  # 99.99: the publisher's rounding
    assert contract_verdict(AIBResidualMix, rows[4])["fossil_share_percent"] is None  # no shares given
    assert [contract_verdict(AIBResidualMix, row) for row in rows[5:]] == [None] * 4
    with pytest.raises(ContractMismatchError, match="residual_mix_co2_g_per_kwh"):
        map_columns(field_rules(AIBResidualMix), ["country", "co2_kg_kwh"])  # kg, not AIB's g/kWh


def test_published_float_noise_is_rounded_to_twelve_places_and_nothing_else() -> None:
    rows = SAMPLES[DESNZConversionFactor]
    assert contract_verdict(DESNZConversionFactor, rows[0])["conversion_factor"] == Decimal("0.1829")
    assert contract_verdict(DESNZConversionFactor, rows[1])["conversion_factor"] == Decimal("0.00009")
    assert contract_verdict(DESNZConversionFactor, rows[2])["conversion_factor"] == Decimal("0.13389")
    assert contract_verdict(DESNZConversionFactor, rows[3])["conversion_factor"] is None
    epa = contract_verdict(EPAEmissionFactor, SAMPLES[EPAEmissionFactor][2])
    assert epa["value"] == Decimal("0.003520538495")
    # An ordinary decimal with too many places is still refused where rounding is not the rule.
    assert (
        contract_verdict(
            RefrigerantRecord, {**SAMPLES[RefrigerantRecord][0], "topped_up_kg": "0.1" + "0" * 12 + "1"}
        )
        is None
    )
    assert contract_verdict(EmberGridIntensity, SAMPLES[EmberGridIntensity][2]) is None


# --- meter readings: local time → UTC --------------------------------------------------------------------

READING = {"meter_id": "M1", "channel": "import", "value": "10.5", "unit": "kWh", "quality_flag": "ACTUAL"}


def reading(start: str, end: str, zone: str | None = None, **extra: str | None) -> dict[str, str | None]:
    return {**READING, "interval_start": start, "interval_end": end, "timezone": zone, **extra}


def utc_of(row: dict[str, str | None]) -> tuple[dt.datetime, dt.datetime] | None:
    verdict = contract_verdict(MeterReading, row)
    return None if verdict is None else (verdict["interval_start"], verdict["interval_end"])


def test_local_times_become_utc_and_the_repeated_hour_needs_an_offset_or_its_interval() -> None:
    london, berlin = "Europe/London", "Europe/Berlin"
    t = dt.datetime
    assert utc_of(reading("2026-07-01T12:00:00", "2026-07-01T12:30:00", london)) == (
        t(2026, 7, 1, 11),
        t(2026, 7, 1, 11, 30),
    )
    assert utc_of(reading("2026-07-01 12:00", "2026-07-01 12:15", berlin)) == (
        t(2026, 7, 1, 10),
        t(2026, 7, 1, 10, 15),
    )
    # fall back, Europe/London 2026-10-25: 01:00-02:00 local happens twice
    assert utc_of(reading("2026-10-25T00:30:00", "2026-10-25T01:00:00", london)) == (
        t(2026, 10, 24, 23, 30),
        t(2026, 10, 25, 0),
    )
    assert utc_of(reading("2026-10-25T01:30:00", "2026-10-25T01:00:00", london)) == (
        t(2026, 10, 25, 0, 30),
        t(2026, 10, 25, 1),
    )
    assert utc_of(reading("2026-10-25T01:30:00", "2026-10-25T02:00:00", london)) == (
        t(2026, 10, 25, 1, 30),
        t(2026, 10, 25, 2),
    )
    assert utc_of(reading("2026-10-25T01:00:00", "2026-10-25T01:30:00", london)) is None
    assert utc_of(reading("2026-10-25T01:00:00+01:00", "2026-10-25T01:30:00+01:00", london)) == (
        t(2026, 10, 25, 0),
        t(2026, 10, 25, 0, 30),
    )
    assert utc_of(reading("2026-10-25T01:00:00+00:00", "2026-10-25T01:30:00+00:00", london)) == (
        t(2026, 10, 25, 1),
        t(2026, 10, 25, 1, 30),
    )
    assert utc_of(reading("2026-10-25T01:00:00+02:00", "2026-10-25T01:30:00+02:00", london)) is None
    # spring forward, Europe/Berlin 2026-03-29: 02:00-03:00 local does not exist
    assert utc_of(reading("2026-03-29T01:30:00", "2026-03-29T03:00:00", berlin)) == (
        t(2026, 3, 29, 0, 30),
        t(2026, 3, 29, 1),
    )
    assert utc_of(reading("2026-03-29T02:30:00", "2026-03-29T03:00:00", berlin)) is None
    # UTC files: naive is UTC, an offset is honoured; a zone the IANA database does not know is refused
    assert utc_of(reading("2026-10-25T01:00:00", "2026-10-25T01:30:00")) == (
        t(2026, 10, 25, 1),
        t(2026, 10, 25, 1, 30),
    )
    assert utc_of(reading("2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", london)) == (
        t(2026, 10, 25, 1),
        t(2026, 10, 25, 1, 30),
    )
    assert utc_of(reading("2026-10-25T01:00:00", "2026-10-25T01:30:00", "Mars/Olympus")) is None


def test_reading_rules() -> None:
    assert utc_of(reading("2026-07-01T12:30:00", "2026-07-01T12:00:00")) is None
    assert utc_of(reading("2026-07-01T12:00:00", "2026-07-01T12:30:00", value=None)) is None
    missing = contract_verdict(
        MeterReading,
        reading("2026-07-01T12:00:00", "2026-07-01T12:30:00", value=None, quality_flag="missing"),
    )
    assert missing is not None and missing["quality_flag"] == "MISSING" and missing["value"] is None
    assert utc_of(reading("2026-07-01T12:00:00", "2026-07-01T12:30:00", quality_flag="PROVISIONAL")) is None


ZONES = st.sampled_from([None, "Europe/London", "Europe/Berlin"])
AROUND_DST = st.sampled_from([dt.datetime(2026, 3, 29), dt.datetime(2026, 10, 25), dt.datetime(2026, 7, 1)])


@pytest.mark.slow  # every validation path over many rows
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=AROUND_DST,
    slot=st.integers(min_value=0, max_value=24 * 4 - 1),
    minutes=st.sampled_from([15, 30, 60]),
    zone=ZONES,
    offset=st.sampled_from([None, "+00:00", "+01:00", "+02:00", "Z"]),
    flag=st.sampled_from(["ACTUAL", "estimated", "MISSING", " SUBSTITUTED"]),
    value=st.sampled_from(["1.5", None, "-1", "2,5", "0.000"]),
)
def test_meter_rows_get_the_contracts_verdict_on_every_path(
    day: dt.datetime,
    slot: int,
    minutes: int,
    zone: str | None,
    offset: str | None,
    flag: str,
    value: str | None,
) -> None:
    start = day + dt.timedelta(minutes=15 * slot)
    end = start + dt.timedelta(minutes=minutes)
    suffix = offset or ""
    row = reading(start.isoformat() + suffix, end.isoformat() + suffix, zone, quality_flag=flag, value=value)
    assert_loader_agrees_with_contract(
        MeterReading, [row, reading("2026-07-01T12:00:00", "2026-07-01T12:30:00")]
    )
