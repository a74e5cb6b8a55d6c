"""The GHG inventory's inbound sources (docs/design.md, "GHG inventory and ESRS E1"): raw table, contract,
how a delivery describes itself; and the loads that are not plain files (the grid intensity API).

Landing files (``<landing>/<tenant>/<source>/<file>``, loaded with ``greenlang.core.loader.load_file``):

- per tenant: ``TENANT_SOURCES`` (meter readings, fuels, refrigerants, travel, freight, headcount, net
  revenue, contractual instruments);
- reference publications, tenant ``global``: the DESNZ flat file (CSV, or the workbook's sheet "Factors by
  Category"; the same spec reads the CSV edition), Ember's intensities and the AIB "European Residual
  Mixes" results table (CSV or Excel, first sheet; the data year in the file name, ``describe_aib``).

Not plain files: the EPA hub workbook (``greenlang.ghg.epa_hub.load_epa_hub``) and the GB Carbon
Intensity API (``load_grid_intensity`` below); both write through ``load_records``.

What staging must do with these raw tables (several rows per business key are expected in raw):

- ``meters__interval_readings``: one row per ``(tenant_id, meter_id, channel, interval_start)`` — quality
  ACTUAL before SUBSTITUTED before ESTIMATED before MISSING, then the latest ``_ingested_at``, then the later
  ``_source_row``. Times are already UTC (``greenlang.ghg.contracts``); ``timezone`` only says what the file showed.
- ``grid__carbon_intensity``: one row per ``(region, from_utc)`` — a row with ``actual`` before one without,
  then the latest ``_ingested_at``, then the later ``_source_row``.
- ``desnz__conversion_factors`` / ``epa__emission_factors`` / ``aib__residual_mix``: the edition and version
  are in the batch's ``raw.load_batch.attributes`` (JSON); a later version of an edition restates factors
  by ``factor_id`` (AIB: by country).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from greenlang.core.loader import SourceSpec
from greenlang.core.validation import ContractMismatchError
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

DESNZ_SHEET = "Factors by Category"
DESNZ_FRONT_PAGE = "Front page"
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DESNZ_EDITION = re.compile(r"^ghg_conversion_factor_([0-9]{4})$")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_FILE_VERSION = re.compile(r"(?:^|[_\-\s])v(\d+)(?:[_.](\d+))?(?=[_\-.\s]|$)", re.IGNORECASE)


def _path_of(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return None


def _version_from_name(name: str) -> str | None:
    """``…FlatFormat_v1_1.xlsx`` → ``1.1``; ``…-v2.csv`` → ``2``."""
    match = _FILE_VERSION.search(Path(name).stem)
    if not match:
        return None
    return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")


def _version_from_front_page(path: Path) -> str | None:
    """The "Version:" cell of the workbook's "Front page" sheet (the publisher's own statement)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - an unreadable workbook fails the load itself, not its description
        return None
    try:
        if DESNZ_FRONT_PAGE not in workbook.sheetnames:
            return None
        for row in workbook[DESNZ_FRONT_PAGE].iter_rows(max_row=40, values_only=True):
            cells = list(row)
            for index, value in enumerate(cells[:-1]):
                if isinstance(value, str) and value.strip().rstrip(":").casefold() == "version":
                    found = cells[index + 1]
                    if found is not None:
                        return str(found).strip()
        return None
    finally:
        workbook.close()


def describe_desnz(uri: str, columns: list[str]) -> dict[str, str]:
    """Publisher, edition (the year in the renamed factor column) and version of a DESNZ flat file.

    The version comes from the workbook's "Front page" when the delivery is the workbook, else from the
    file name (``_v1_1`` → ``1.1``); it is absent if neither says.
    """
    attributes = {"publisher": "UK DESNZ"}
    edition = next((match.group(1) for column in columns if (match := _DESNZ_EDITION.match(column))), None)
    if edition:
        attributes["edition"] = edition
    path = _path_of(uri)
    version = None
    if path is not None and path.suffix.lower() in _EXCEL_SUFFIXES and path.is_file():
        version = _version_from_front_page(path)
    if version is None:
        version = _version_from_name(path.name if path is not None else urlparse(uri).path)
    if version:
        attributes["version"] = version
    return attributes


def describe_aib(uri: str, columns: list[str]) -> dict[str, str]:
    """Publisher, edition (the data year) and version of an AIB residual mix file, from its name.

    AIB's results table names neither its year nor its version in its rows: the file name must hold the
    data year, as the one four-digit year in it (``european_residual_mixes_2024_v1_1.xlsx`` → edition
    2024, version 1.1). No year, or several, fails the load: a residual mix of an unknown year cannot be
    matched to a reporting year.
    """
    path = _path_of(uri)
    name = path.name if path is not None else Path(urlparse(uri).path).name
    stem = Path(name).stem
    version = _version_from_name(name)
    years = sorted(set(_YEAR.findall(_FILE_VERSION.sub("", stem))))
    if len(years) != 1:
        found = f"years {', '.join(years)}" if years else "no year"
        raise ContractMismatchError(
            f"the file name must hold the data year of the residual mixes, as its one four-digit year "
            f"(e.g. european_residual_mixes_2024_v1_0.csv); {name!r} has {found}"
        )
    attributes = {"publisher": "AIB", "edition": years[0]}
    if version:
        attributes["version"] = version
    return attributes


def describe_ember(uri: str, columns: list[str]) -> dict[str, str]:
    return {"publisher": "Ember", "licence": "CC BY 4.0"}


def describe_grid(uri: str, columns: list[str]) -> dict[str, str]:
    return {"publisher": "GB Carbon Intensity API"}


# --- the specs ----------------------------------------------------------------------------------------------

METER_READINGS = SourceSpec(
    name="meters__interval_readings", contract=MeterReading, cadence="daily", daily_partitions=True
)
# The same readings streamed from SCADA through NATS JetStream (greenlang.ghg.meter_stream): one row per
# (tenant_id, meter_id, channel, interval_start), upserted by the micro-batch writer; the hourly cadence is
# the freshness of a source that should never stop.
METER_STREAM_READINGS = SourceSpec(name="meters__stream_readings", contract=MeterReading, cadence="hourly")
FUEL_RECORDS = SourceSpec(name="fuels__fuel_records", contract=FuelRecord)
REFRIGERANT_RECORDS = SourceSpec(name="fuels__refrigerant_records", contract=RefrigerantRecord)
BUSINESS_TRAVEL = SourceSpec(name="travel__business_travel", contract=BusinessTrip)
FREIGHT_LEGS = SourceSpec(name="logistics__freight_legs", contract=FreightLeg)
HEADCOUNT = SourceSpec(name="hr__headcount", contract=Headcount)
NET_REVENUE = SourceSpec(name="finance__net_revenue", contract=NetRevenue)
CONTRACTUAL_INSTRUMENTS = SourceSpec(name="energy__contractual_instruments", contract=ContractualInstrument)
GRID_CARBON_INTENSITY = SourceSpec(
    name="grid__carbon_intensity", contract=GridIntensityReading, cadence="daily", describe=describe_grid
)
DESNZ_CONVERSION_FACTORS = SourceSpec(
    name="desnz__conversion_factors",
    contract=DESNZConversionFactor,
    cadence="yearly",
    sheet=DESNZ_SHEET,  # the workbook's other sheets ("Front page", third-party "Sheet1"/"Sheet2") are not read
    end_marker="END",  # both editions close the table with an END row
    describe=describe_desnz,
)
# Loaded by greenlang.ghg.epa_hub (the parser sets the batch's attributes), not by load_file.
EPA_EMISSION_FACTORS = SourceSpec(name="epa__emission_factors", contract=EPAEmissionFactor, cadence="yearly")
EMBER_GRID_INTENSITY = SourceSpec(
    name="ember__grid_intensity", contract=EmberGridIntensity, cadence="yearly", describe=describe_ember
)
AIB_RESIDUAL_MIX = SourceSpec(
    name="aib__residual_mix", contract=AIBResidualMix, cadence="yearly", describe=describe_aib
)

TENANT_SOURCES: tuple[SourceSpec, ...] = (
    METER_READINGS,
    FUEL_RECORDS,
    REFRIGERANT_RECORDS,
    BUSINESS_TRAVEL,
    FREIGHT_LEGS,
    HEADCOUNT,
    NET_REVENUE,
    CONTRACTUAL_INSTRUMENTS,
)
# Publications, tenant "global".
GHG_REFERENCE_SOURCES: tuple[SourceSpec, ...] = (
    DESNZ_CONVERSION_FACTORS,
    EPA_EMISSION_FACTORS,
    EMBER_GRID_INTENSITY,
    AIB_RESIDUAL_MIX,
)
# What the landing sensor and the generic ingestion asset load with load_file.
GHG_LANDING_SOURCES: tuple[SourceSpec, ...] = (
    *TENANT_SOURCES,
    DESNZ_CONVERSION_FACTORS,
    EMBER_GRID_INTENSITY,
    AIB_RESIDUAL_MIX,
)
GHG_SOURCES: tuple[SourceSpec, ...] = (
    *GHG_LANDING_SOURCES,
    EPA_EMISSION_FACTORS,
    GRID_CARBON_INTENSITY,
    METER_STREAM_READINGS,
)
