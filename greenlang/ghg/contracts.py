"""Records of the GHG inventory: activity data of the tenants and the factor publications.

One contract per raw table of ``docs/design.md`` ("GHG inventory and ESRS E1"), all v1.0.0:

| raw table | contract |
|---|---|
| ``raw.meters__interval_readings`` | ``MeterReading`` |
| ``raw.fuels__fuel_records`` | ``FuelRecord`` |
| ``raw.fuels__refrigerant_records`` | ``RefrigerantRecord`` |
| ``raw.grid__carbon_intensity`` | ``GridIntensityReading`` |
| ``raw.desnz__conversion_factors`` | ``DESNZConversionFactor`` |
| ``raw.epa__emission_factors`` | ``EPAEmissionFactor`` |
| ``raw.ember__grid_intensity`` | ``EmberGridIntensity`` |
| ``raw.aib__residual_mix`` | ``AIBResidualMix`` |
| ``raw.travel__business_travel`` | ``BusinessTrip`` |
| ``raw.logistics__freight_legs`` | ``FreightLeg`` |
| ``raw.hr__headcount`` | ``Headcount`` |
| ``raw.finance__net_revenue`` | ``NetRevenue`` |
| ``raw.energy__contractual_instruments`` | ``ContractualInstrument`` |

Rules shared by all of them:

- **Units are text, as received** (``kWh``, ``litres``, ``m3``, ``US gallons``…). Converting them is dbt's
  job (staging), against a unit table: a unit staging does not know must fail there loudly, never be
  guessed here.
- **Codes are closed lists** (quality flags, travel and freight modes, instrument types, calorific basis,
  the intensity index): a pattern of canonical spellings; the contract also accepts other cases and
  spaces (``estimated``, ``supplier mix``) and stores the canonical form.
- **Published figures** (DESNZ, EPA) are decimals as published. A publisher's workbook holds binary
  floats, and the files derived from it carry their noise (DESNZ's CSV has ``0.13388999999999998`` and
  ``4.860776705385985e-06``); such a value is rounded half-even to the warehouse's 12 decimal places
  (``DECIMAL(38,12)``), the only rounding any contract does. The smallest non-zero DESNZ 2024 factor,
  1.12e-06, keeps 7 significant digits. Plain decimals of 12 places or fewer are stored exactly.

**Meter readings and time zones.** Raw holds UTC: ``interval_start`` and ``interval_end`` are naive UTC
whatever the file said. A file in UTC (``timezone`` empty) gives naive ISO times (read as UTC) or times
with an offset (``Z``, ``+01:00``). A file in local time gives the IANA zone in ``timezone``
(``Europe/London``) and the contract converts:

- a time with an explicit UTC offset (``2026-10-25T01:30:00+01:00``, ``…Z``) is that instant; an offset
  other than zero must be the one the zone uses at that instant, else the record is rejected;
- a naive local time that exists once is converted with the zone's rules (so a 23-hour spring-forward
  day and a 25-hour fall-back day both come out as contiguous UTC intervals);
- a naive local time in the spring-forward gap does not exist: rejected;
- a naive local time in the repeated fall-back hour is resolved by the interval it belongs to: of the
  readings of start and end (first or second occurrence of each), the one giving the shortest positive
  interval is taken — ``00:30→01:00`` ends at the first 01:00, ``01:30→01:00`` crosses the change,
  ``01:30→02:00`` starts at the second 01:30. ``01:00→01:30`` (and any interval wholly inside the
  repeated hour) has two equally short readings and is rejected to the dead letter with a message asking
  for the offset. File order is deliberately NOT used: a record must mean the same wherever it stands (a
  correction file re-sending only the second 01:00 would otherwise be read as the first).

``timezone`` stays in raw, so the local wall time the file showed is recoverable exactly from UTC.
Rows with a ``timezone`` always go through the contract (the vectorised fast path of
``greenlang.core.validation`` cannot convert zones; see ``MeterReading.row_rules_sql``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from itertools import product
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, StringConstraints, model_validator

from greenlang.core.contract import (
    DECIMAL_PRECISION,
    DECIMAL_SCALE,
    Contract,
    CountryAlpha2,
    IsoDate,
    NonNegativeDecimal,
    OptionalNonNegativeDecimal,
    OptionalText,
    PositiveDecimal,
    Text,
    UtcDateTime,
    blank_to_none,
    upper_code,
)

# --- shared field types ------------------------------------------------------------------------------------

_SCALE = Decimal(1).scaleb(-DECIMAL_SCALE)


def _round_published(value: Any) -> Any:
    """A published number with more than 12 decimal places (float noise) → rounded half-even to 12."""
    if not isinstance(value, str):
        return value
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if number.is_finite() and number.as_tuple().exponent < -DECIMAL_SCALE:
        # as many digits as the rounded number has (the default context's 28 would raise on a wide one)
        digits = Context(prec=max(number.adjusted(), 0) + DECIMAL_SCALE + 1)
        return number.quantize(_SCALE, rounding=ROUND_HALF_EVEN, context=digits)
    return value


PublishedDecimal = Annotated[
    Decimal,
    BeforeValidator(_round_published),
    Field(max_digits=DECIMAL_PRECISION, decimal_places=DECIMAL_SCALE),
]
OptionalPublishedDecimal = Annotated[PublishedDecimal | None, BeforeValidator(blank_to_none)]
NonNegativePublishedDecimal = Annotated[PublishedDecimal, Field(ge=0)]


def _percent(value: Any) -> Any:
    """``12.4 %`` / ``12.4%`` → ``12.4`` (a percentage as printed), then as a published number."""
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1].strip()
    return _round_published(value)


# A share of an energy mix as published: per cent (0..100), a trailing "%" accepted.
Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    Field(ge=0, le=100, max_digits=DECIMAL_PRECISION, decimal_places=DECIMAL_SCALE),
]
OptionalPercent = Annotated[Percent | None, BeforeValidator(blank_to_none)]


def _code(value: Any) -> Any:
    """Upper case, inner spaces and hyphens as underscores: ``supplier mix`` → ``SUPPLIER_MIX``."""
    if isinstance(value, str):
        return re.sub(r"[\s\-]+", "_", value.strip()).upper()
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _lower_snake(value: Any) -> Any:
    return re.sub(r"[\s\-]+", "_", value.strip()).lower() if isinstance(value, str) else value


QualityFlag = Annotated[
    str, StringConstraints(pattern=r"^(ACTUAL|ESTIMATED|SUBSTITUTED|MISSING)$"), BeforeValidator(upper_code)
]
CalorificBasis = Annotated[str, StringConstraints(pattern=r"^(gross|net)$"), BeforeValidator(_lower)]
OptionalCalorificBasis = Annotated[CalorificBasis | None, BeforeValidator(blank_to_none)]
TravelMode = Annotated[
    str, StringConstraints(pattern=r"^(air|rail|car|taxi|bus|hotel)$"), BeforeValidator(_lower)
]
CabinClass = Annotated[
    str,
    StringConstraints(pattern=r"^(economy|premium_economy|business|first)$"),
    BeforeValidator(_lower_snake),
]
OptionalCabinClass = Annotated[CabinClass | None, BeforeValidator(blank_to_none)]
FreightMode = Annotated[str, StringConstraints(pattern=r"^(road|rail|sea|air)$"), BeforeValidator(_lower)]
InstrumentType = Annotated[
    str, StringConstraints(pattern=r"^(GO|REGO|PPA|SUPPLIER_MIX)$"), BeforeValidator(_code)
]
IntensityIndex = Annotated[
    str,
    StringConstraints(pattern=r"^(very low|low|moderate|high|very high)$"),
    BeforeValidator(lambda value: " ".join(value.split()).lower() if isinstance(value, str) else value),
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), BeforeValidator(upper_code)]
CountryAlpha3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), BeforeValidator(upper_code)]
OptionalCountryAlpha3 = Annotated[CountryAlpha3 | None, BeforeValidator(blank_to_none)]
OptionalCountryAlpha2 = Annotated[CountryAlpha2 | None, BeforeValidator(blank_to_none)]
# ASHRAE designation as written by the tenant (R-410A, R410A, HFC-134a): matched to factors in dbt.
Refrigerant = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
GramsPerKwh = Annotated[int, Field(ge=0, le=5000)]


def _zone(value: Any) -> Any:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"),
    AfterValidator(_zone),
]
OptionalTimeZoneName = Annotated[TimeZoneName | None, BeforeValidator(blank_to_none)]

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _month_to_date(value: Any) -> Any:
    """``2026-01`` is the month starting 2026-01-01."""
    if isinstance(value, str):
        match = _MONTH.match(value)
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), 1)
    return value


MonthStart = Annotated[IsoDate, BeforeValidator(_month_to_date)]
# Commuting mode shares from a staff survey: mode=share pairs separated by ";" (car=0.55;rail=0.25;bus=0.2).
ModeShares = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=512,
        pattern=r"^[a-z_]+=(0(\.[0-9]+)?|1(\.0+)?)(;[a-z_]+=(0(\.[0-9]+)?|1(\.0+)?))*$",
    ),
]
OptionalModeShares = Annotated[ModeShares | None, BeforeValidator(blank_to_none)]

# --- local time → UTC --------------------------------------------------------------------------------------


class _LocalTimeError(ValueError):
    pass


def _instants(text: str, zone: ZoneInfo, zone_name: str) -> list[dt.datetime]:
    """The UTC instants a local timestamp text can mean in ``zone``: one, or two in the repeated hour."""
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise _LocalTimeError(f"{text!r} is not an ISO 8601 date and time") from error
    if parsed.tzinfo is not None:
        instant = parsed.astimezone(dt.UTC)
        offset = parsed.utcoffset()
        if offset and instant.astimezone(zone).utcoffset() != offset:
            raise _LocalTimeError(
                f"{text} has the UTC offset {parsed.strftime('%z')}, which {zone_name} does not use then"
            )
        return [instant]
    readings = []
    for fold in (0, 1):
        instant = parsed.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == parsed and instant not in readings:
            readings.append(instant)
    if not readings:
        raise _LocalTimeError(
            f"{text} does not exist in {zone_name} (the clocks go forward over it); write the UTC offset"
        )
    return readings


def _local_interval_to_utc(start: str, end: str, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(zone_name)
    pairs = [
        (first, last)
        for first, last in product(_instants(start, zone, zone_name), _instants(end, zone, zone_name))
        if last > first
    ]
    if not pairs:
        raise _LocalTimeError(f"interval_end {end} is not after interval_start {start} in {zone_name}")
    shortest = min(last - first for first, last in pairs)
    chosen = [pair for pair in pairs if pair[1] - pair[0] == shortest]
    if len(chosen) > 1:
        raise _LocalTimeError(
            f"{start} → {end} is ambiguous in {zone_name}: it lies in the hour repeated when the clocks go "
            "back; write the UTC offset (e.g. 01:00:00+01:00 for the first, 01:00:00+00:00 for the second "
            "in Europe/London)"
        )
    first, last = chosen[0]
    return first.replace(tzinfo=None), last.replace(tzinfo=None)


# --- activity data of the tenants ------------------------------------------------------------------------


class MeterReading(Contract):
    """One interval reading of an energy meter (15- or 30-minute kWh, half-hourly settlement data…).

    Raw holds UTC (module docstring: how local times with ``timezone`` are converted). Several readings of
    the same interval are expected (an estimate, later the actual): raw keeps all of them; staging keeps
    one per ``(tenant_id, meter_id, channel, interval_start)``: ACTUAL before SUBSTITUTED before
    ESTIMATED before MISSING, then the latest load.
    """

    contract_name: ClassVar[str] = "MeterReading"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        # Not an error: the fast path would read a local time as UTC, so local rows go to the contract,
        # which converts them (or rejects them with the reason).
        ("timezone is not null", "local times are converted to UTC by the contract"),
        ("interval_end <= interval_start", "interval_end must be after interval_start"),
        (
            "value is null and quality_flag <> 'MISSING'",
            "value is required unless quality_flag is MISSING",
        ),
    )

    meter_id: Text = Field(description="Meter identifier (MPAN/MPRN, metering point ID or the site's own)")
    channel: Text = Field(description="Register or channel of the meter, e.g. import, export, kWh-A+")
    interval_start: UtcDateTime = Field(description="Start of the interval, UTC (converted from local time)")
    interval_end: UtcDateTime = Field(description="End of the interval, UTC (converted from local time)")
    timezone: OptionalTimeZoneName = Field(
        default=None,
        description="IANA zone the file's times were in (e.g. Europe/London); empty when they were UTC",
    )
    value: OptionalNonNegativeDecimal = Field(
        default=None, description="Energy in the interval, in `unit`; empty only for MISSING readings"
    )
    unit: Text = Field(description="Unit of the value as received (kWh, Wh, MWh): converted in staging")
    quality_flag: QualityFlag = Field(description="ACTUAL, ESTIMATED, SUBSTITUTED or MISSING")

    @model_validator(mode="before")
    @classmethod
    def _local_time_to_utc(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        zone = data.get("timezone")
        start, end = data.get("interval_start"), data.get("interval_end")
        if not (isinstance(zone, str) and zone.strip() and isinstance(start, str) and isinstance(end, str)):
            return data
        zone = zone.strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return data  # the timezone field reports it
        first, last = _local_interval_to_utc(start, end, zone)
        return {**data, "interval_start": first, "interval_end": last}

    @model_validator(mode="after")
    def _rules(self) -> MeterReading:
        if self.interval_end <= self.interval_start:
            raise ValueError("interval_end must be after interval_start")
        if self.value is None and self.quality_flag != "MISSING":
            raise ValueError("value is required unless quality_flag is MISSING")
        return self


class FuelRecord(Contract):
    """Fuel bought or burnt at a site or by a vehicle over a period (invoices, fuel cards, tank dips)."""

    contract_name: ClassVar[str] = "FuelRecord"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        ("period_end < period_start", "period_end must not be before period_start"),
    )

    record_id: Text = Field(description="The record's identifier in the tenant's system")
    site_id: Text = Field(description="Site (facility) the fuel was used at or is accounted to")
    vehicle_id: OptionalText = Field(default=None, description="Vehicle, for mobile combustion")
    period_start: IsoDate = Field(description="First day of the period")
    period_end: IsoDate = Field(description="Last day of the period (inclusive)")
    fuel: Text = Field(description="Fuel as named by the tenant (diesel, natural gas, LPG…): mapped in dbt")
    quantity: NonNegativeDecimal = Field(description="Quantity in `unit`")
    unit: Text = Field(
        description="Unit as received (litres, kWh, m3, kg, US gallons…): converted in staging"
    )
    calorific_basis: OptionalCalorificBasis = Field(
        default=None, description="For energy units: gross (GCV/HHV) or net (NCV/LHV) calorific value"
    )

    @model_validator(mode="after")
    def _period(self) -> FuelRecord:
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class RefrigerantRecord(Contract):
    """A refrigerant top-up (and recovery) of a site's equipment: the mass-balance input of fugitive
    emissions (top-up minus recovered is what leaked)."""

    contract_name: ClassVar[str] = "RefrigerantRecord"
    contract_version: ClassVar[str] = "1.0.0"

    record_id: Text = Field(description="The record's identifier (service report, F-gas log entry)")
    site_id: Text = Field(description="Site of the equipment")
    record_date: IsoDate = Field(description="Date of the service")
    refrigerant: Refrigerant = Field(description="Refrigerant as written (R-410A, R134a, HFC-32…)")
    topped_up_kg: NonNegativeDecimal = Field(description="Refrigerant charged into the equipment, kg")
    recovered_kg: OptionalNonNegativeDecimal = Field(
        default=None, description="Refrigerant recovered from the equipment, kg"
    )


class BusinessTrip(Contract):
    """One leg of a business trip, or a hotel stay (``mode = hotel``, with ``nights``)."""

    contract_name: ClassVar[str] = "BusinessTrip"
    contract_version: ClassVar[str] = "1.1.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        ("mode = 'hotel' and nights is null", "a hotel stay needs nights"),
    )

    trip_id: Text = Field(description="Identifier of the trip leg or stay")
    employee_id: Text = Field(
        description="Traveller's employee ID (personal: stored as the tenant's pseudonym)",
        json_schema_extra={"personal": True},
    )
    trip_date: IsoDate = Field(description="Date of travel, or of check-in")
    mode: TravelMode = Field(description="air, rail, car, taxi, bus or hotel")
    origin: Text = Field(description="From: IATA code for air, a place otherwise; the hotel's city for hotel")
    destination: Text = Field(description="To: IATA code for air, a place otherwise; the hotel's country")
    distance_km: OptionalNonNegativeDecimal = Field(
        default=None, description="Distance travelled, km; empty: computed in dbt (great circle for air)"
    )
    passengers: int = Field(ge=1, le=1000, description="Travellers on this record")
    cabin_class: OptionalCabinClass = Field(
        default=None, description="economy, premium_economy, business or first (air)"
    )
    nights: int | None = Field(default=None, ge=1, le=366, description="Nights, for hotel stays")

    @model_validator(mode="after")
    def _hotel(self) -> BusinessTrip:
        if self.mode == "hotel" and self.nights is None:
            raise ValueError("a hotel stay needs nights")
        return self


class FreightLeg(Contract):
    """One leg of a shipment transported by a third party (upstream/downstream transportation)."""

    contract_name: ClassVar[str] = "FreightLeg"
    contract_version: ClassVar[str] = "1.0.0"

    leg_id: Text = Field(description="Identifier of the leg (shipment and leg number)")
    shipment_date: IsoDate = Field(description="Date the leg started")
    mode: FreightMode = Field(description="road, rail, sea or air")
    mass_tonnes: PositiveDecimal = Field(description="Mass carried, tonnes")
    distance_km: PositiveDecimal = Field(description="Distance of the leg, km")


class Headcount(Contract):
    """Employees of a site in a month (intensity per employee, commuting)."""

    contract_name: ClassVar[str] = "Headcount"
    contract_version: ClassVar[str] = "1.1.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        ("extract(day from period) <> 1", "period must be the first day of a month"),
    )

    period: MonthStart = Field(description="The month, as its first day (2026-01-01; 2026-01 accepted)")
    site_id: Text = Field(description="Site")
    headcount: int = Field(ge=0, le=10_000_000, description="Employees at the end of the month")
    commuting_mode_share: OptionalModeShares = Field(
        default=None,
        description="Shares of commuting modes from the staff survey, e.g. car=0.55;rail=0.25;bus=0.1;"
        "bike=0.1 (that they add up to 1 is checked in dbt)",
    )
    commuting_km_per_employee: OptionalNonNegativeDecimal = Field(
        default=None,
        description="Commuting distance per employee and year from the staff survey, km (all modes, both "
        "ways); empty: the country's assumption (ghg_commuting_assumptions) applies",
    )

    @model_validator(mode="after")
    def _month(self) -> Headcount:
        if self.period.day != 1:
            raise ValueError("period must be the first day of a month")
        return self


class NetRevenue(Contract):
    """Net revenue of a fiscal year: the denominator of the GHG intensity (ESRS E1-6 §53)."""

    contract_name: ClassVar[str] = "NetRevenue"
    contract_version: ClassVar[str] = "1.0.0"

    fiscal_year: int = Field(ge=1900, le=2999, description="Fiscal year")
    net_revenue: NonNegativeDecimal = Field(description="Net revenue (as in the financial statements)")
    currency: CurrencyCode = Field(description="ISO 4217 currency of net_revenue")


class ContractualInstrument(Contract):
    """A contractual instrument for electricity (market-based Scope 2): guarantee of origin, REGO, PPA,
    or the supplier's fuel mix disclosure."""

    contract_name: ClassVar[str] = "ContractualInstrument"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        ("period_end < period_start", "period_end must not be before period_start"),
    )

    instrument_id: Text = Field(description="Certificate, contract or disclosure reference")
    site_id: Text = Field(description="Site whose consumption the instrument covers")
    period_start: IsoDate = Field(description="First day covered")
    period_end: IsoDate = Field(description="Last day covered (inclusive)")
    instrument_type: InstrumentType = Field(description="GO, REGO, PPA or SUPPLIER_MIX")
    mwh: NonNegativeDecimal = Field(description="Electricity covered, MWh")
    emission_factor_kg_per_kwh: NonNegativeDecimal = Field(
        description="Emission factor the instrument conveys, kg CO2e/kWh (0 for renewable GO/REGO/PPA)"
    )

    @model_validator(mode="after")
    def _period(self) -> ContractualInstrument:
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


# --- grid carbon intensity (API) -------------------------------------------------------------------------


class GridIntensityReading(Contract):
    """One half-hour of the GB Carbon Intensity API (``GET /intensity/{from}/{to}``), flattened by
    ``greenlang.ghg.grid_api``: ``{"from", "to", "intensity": {"forecast", "actual", "index"}}`` plus the region.

    ``actual`` is null until measured: re-reading a window later brings the measured value in a new
    batch. Raw keeps both; staging keeps one row per ``(region, from_utc)``: a measured row before an
    unmeasured one, then the latest load.
    """

    contract_name: ClassVar[str] = "GridIntensityReading"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (("to_utc <= from_utc", "to must be after from"),)

    region: Text = Field(description="Grid region: GB for the national series, else the API's region")
    from_utc: UtcDateTime = Field(
        validation_alias=AliasChoices("from_utc", "from"), description='Start of the half-hour ("from"), UTC'
    )
    to_utc: UtcDateTime = Field(
        validation_alias=AliasChoices("to_utc", "to"), description='End of the half-hour ("to"), UTC'
    )
    forecast: GramsPerKwh = Field(description="Forecast intensity, gCO2/kWh")
    actual: GramsPerKwh | None = Field(
        default=None, description="Measured intensity, gCO2/kWh; null until then"
    )
    intensity_index: IntensityIndex = Field(
        validation_alias=AliasChoices("intensity_index", "index"),
        description='very low, low, moderate, high or very high ("index")',
    )

    @model_validator(mode="after")
    def _order(self) -> GridIntensityReading:
        if self.to_utc <= self.from_utc:
            raise ValueError("to must be after from")
        return self


# --- factor publications ------------------------------------------------------------------------------------


class DESNZConversionFactor(Contract):
    """One row of the UK DESNZ "Greenhouse gas reporting: conversion factors" flat file (sheet "Factors by
    Category", or its CSV): ``ID,Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,GHG
    Conversion Factor 2024``. The factor column is renamed each edition ("… Factor 2025"): any
    ``ghg_conversion_factor_<year>`` column feeds ``conversion_factor``, and the year is the edition
    (``raw.load_batch.attributes``, ``greenlang.ghg.sources.describe_desnz``).

    A blank factor (1,711 rows of 2024: not applicable for that unit) stays null. Factors are kg CO2e
    per unit (``ghg_unit`` says which gas, or ``kWh (Net CV)`` for the energy conversions).
    """

    contract_name: ClassVar[str] = "DESNZConversionFactor"
    contract_version: ClassVar[str] = "1.0.0"

    factor_id: Text = Field(
        validation_alias=AliasChoices("factor_id", "id"),
        description='The publisher\'s factor ID ("ID"), stable across versions of an edition',
    )
    scope: Text = Field(description='"Scope 1", "Scope 2", "Scope 3" or "Outside of Scopes" ("Scope")')
    level_1: Text = Field(description='Category ("Level 1"), e.g. Fuels')
    level_2: OptionalText = Field(default=None, description='"Level 2", e.g. Gaseous fuels')
    level_3: OptionalText = Field(default=None, description='"Level 3", e.g. Natural gas')
    level_4: OptionalText = Field(default=None, description='"Level 4"')
    column_text: OptionalText = Field(default=None, description='"Column Text", e.g. Diesel, With RF')
    uom: Text = Field(description='Activity unit ("UOM"): litres, kWh (Gross CV), tonne.km…')
    ghg_unit: Text = Field(description='"GHG/Unit": kg CO2e, kg CO2e of CH4 per unit…')
    conversion_factor: OptionalPublishedDecimal = Field(
        default=None,
        json_schema_extra={"column_pattern": r"ghg_conversion_factor_[0-9]{4}"},
        description='The factor ("GHG Conversion Factor <edition year>"); null when blank',
    )


class EPAEmissionFactor(Contract):
    """One published cell of the US EPA GHG Emission Factors Hub (12 tables on one sheet), as parsed by
    ``greenlang.ghg.epa_hub``.

    ``row_label`` is the row's labels joined by `` | `` (the table's group row, then its label columns,
    filled down: ``Coal and Coke | Anthracite``, ``AKGD | ASCC Alaska Grid``, ``Passenger Cars | Diesel |
    1960-1982``); ``column_name`` the column header without its unit, after its parent header if any
    (``Total Output Emission Factors | CO2 Factor``); ``unit`` the unit in force for the cell as published
    (``kg CO2 per mmBtu``, ``lb CO2 / MWh``); ``value`` null for a published ``NA``.
    """

    contract_name: ClassVar[str] = "EPAEmissionFactor"
    contract_version: ClassVar[str] = "1.0.0"

    table_number: int = Field(ge=1, le=99, description="Number of the hub's table (Table 1 … Table 12)")
    table_name: Text = Field(description="Title of the table, e.g. Stationary Combustion")
    row_label: Text = Field(description="Labels of the row, joined by ' | '")
    column_name: Text = Field(description="Header of the column (its parent header first, ' | ')")
    unit: OptionalText = Field(default=None, description="Unit of the value as published; null: none given")
    value: OptionalPublishedDecimal = Field(default=None, description="The published number; null for NA")


class EmberGridIntensity(Contract):
    """Average CO2 intensity of electricity generation of a country or region and year (Ember)."""

    contract_name: ClassVar[str] = "EmberGridIntensity"
    contract_version: ClassVar[str] = "1.0.0"

    key: Text = Field(description="Row key: the ISO alpha-3 code, or the region's name (EU, World…)")
    country_code_iso3: OptionalCountryAlpha3 = Field(
        default=None, description="ISO 3166-1 alpha-3 code; empty for regions and aggregates"
    )
    country_or_region: Text = Field(description="Country or region name")
    year: int = Field(ge=1990, le=2999, description="Year of the data")
    emissions_intensity_gco2_per_kwh: NonNegativeDecimal = Field(
        description="Life-cycle CO2 intensity of generation, gCO2/kWh"
    )


def _mix_share(source: str, label: str) -> Any:
    """An optional energy-source share of a residual mix, fed by a header naming the source (``Fossil``,
    ``Renewables (%)``, ``Residual mix nuclear share``…)."""
    suffixes = r"(?:_(?:fuels?|energy|sources?|share|percent|pct))*"
    return Field(
        default=None,
        json_schema_extra={"column_pattern": rf"(?:residual_mix_)?{source}{suffixes}"},
        description=f"{label} share of the residual mix, % (the three shares together, or none)",
    )


class AIBResidualMix(Contract):
    """One country of the Association of Issuing Bodies' "European Residual Mixes" results table: the
    residual mix of a country's electricity supply (what is left once tracked attributes, guarantees of
    origin, are taken out), for the Scope 2 market-based method and the ESRS E1-5 mix of electricity
    without instruments.

    - ``country``: as AIB prints it, the name (``Austria``) or the ISO 3166-1 alpha-2 code; an optional
      ``country_code`` column (alpha-2) may be given as well. dbt (``stg_aib__residual_mixes``) maps a
      name to its code through the ``country_codes`` seed (the ISO short name).
    - ``residual_mix_co2_g_per_kwh``: the residual mix emission factor as AIB publishes it: **direct CO2
      only** (combustion at the power plant; no CH4, N2O nor upstream emissions), **grams** CO2 per kWh.
      Any header containing ``CO2`` and ``g/kWh`` feeds it (``Direct CO2 emissions (g/kWh)``, ``CO2
      (g/kWh)``, ``Residual mix emission factor (g CO2/kWh)``…).
    - ``renewable``, ``nuclear`` and ``fossil`` shares of the residual mix, in per cent (``Renewables``,
      ``Nuclear``, ``Fossil``, ``… (%)``), when given: all three or none, adding up to 100 (± 1 point of
      rounding). Three shares adding up to 1 are fractions (an Excel cell formatted as a percentage is
      read as its fraction, 0.124 for 12.4 %) and are stored as per cent.

    The data year (edition) and version are not in the rows: the loader records them in
    ``raw.load_batch.attributes`` (``greenlang.ghg.sources.describe_aib``: the one year in the file
    name, ``_v1_1`` → version 1.1), as it does for DESNZ.
    """

    contract_name: ClassVar[str] = "AIBResidualMix"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        ("country is null and country_code is null", "country (or country_code) is required"),
        (
            "(renewable_share_percent is null) <> (nuclear_share_percent is null) "
            "or (renewable_share_percent is null) <> (fossil_share_percent is null)",
            "give the renewable, nuclear and fossil shares together, or none",
        ),
        # Not an error by itself: shares adding up to 1 are fractions, which the contract converts.
        (
            "abs(renewable_share_percent + nuclear_share_percent + fossil_share_percent - 100) > 1",
            "the renewable, nuclear and fossil shares must add up to 100 %",
        ),
    )

    country: OptionalText = Field(
        default=None,
        validation_alias=AliasChoices("country", "country_name"),
        description="Country as published: its name (Austria) or ISO 3166-1 alpha-2 code (AT)",
    )
    country_code: OptionalCountryAlpha2 = Field(
        default=None,
        validation_alias=AliasChoices("country_code", "iso_code"),
        description="ISO 3166-1 alpha-2 code, when the file has such a column",
    )
    residual_mix_co2_g_per_kwh: NonNegativePublishedDecimal = Field(
        json_schema_extra={"column_pattern": r"(?=.*co2)(?=.*(?:^|_)g_(?:co2_)?(?:per_)?kwh(?:_|$)).+"},
        description="Residual mix emission factor: direct CO2 only, g CO2 per kWh (as AIB publishes it)",
    )
    renewable_share_percent: OptionalPercent = _mix_share("renewables?", "Renewable")
    nuclear_share_percent: OptionalPercent = _mix_share("nuclear", "Nuclear")
    fossil_share_percent: OptionalPercent = _mix_share("fossils?", "Fossil")

    @model_validator(mode="after")
    def _rules(self) -> AIBResidualMix:
        if self.country is None and self.country_code is None:
            raise ValueError("country (or country_code) is required")
        shares = (self.renewable_share_percent, self.nuclear_share_percent, self.fossil_share_percent)
        if all(share is None for share in shares):
            return self
        if any(share is None for share in shares):
            raise ValueError("give the renewable, nuclear and fossil shares together, or none")
        total = sum(shares, Decimal(0))
        if abs(total - 100) <= 1:
            return self
        if abs(total - 1) <= Decimal("0.01"):  # fractions (a percentage-formatted cell): as per cent
            renewable, nuclear, fossil = (share * 100 for share in shares)
            return self.model_copy(
                update={
                    "renewable_share_percent": renewable,
                    "nuclear_share_percent": nuclear,
                    "fossil_share_percent": fossil,
                }
            )
        raise ValueError(
            f"the renewable, nuclear and fossil shares add up to {total}: must be 100 % (or 1 as fractions)"
        )
