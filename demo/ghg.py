"""Demo landing files of the GHG inventory sources: small, deterministic (the same bytes on every run).

``write_ghg_demo_landing(landing_dir)`` lays out ``<landing_dir>/<tenant>/<source>/<file>`` for the two
demo tenants and the reference publications (tenant ``global``):

- ``acme-steel``: a Duisburg plant (meter in local time, Europe/Berlin, JSON, over the 23-hour
  spring-forward day 2026-03-29) and a Rotterdam warehouse (meter in UTC, CSV); diesel in litres, natural
  gas in kWh (gross CV) and m³, LPG in kg; an R-410A top-up; trips, freight, headcount, net revenue and a
  guarantee of origin.
- ``nordic-cement``: a Slite plant (meter in UTC, CSV, with one ESTIMATED reading replaced by the ACTUAL
  in a later file) and a Tilbury terminal (half-hourly data in local time, Europe/London, with UTC
  offsets, over the 25-hour fall-back day 2026-10-25); diesel in litres and US gallons, natural gas in kWh
  (net CV), LPG in kg; R-404A top-up and recovery; trips, freight, headcount, net revenue and a REGO.
- ``global``: the curated DESNZ and Ember extracts of ``demo/reference/ghg/`` (see its SOURCES.md).

Meter values come from a daily load shape and a hash of (site, time): no random state. All dates are in
2026 and in the past. The GB grid intensity for the Tilbury window (``DEMO_GRID_WINDOW``) comes from the
API simulator (``simulators.grid``), not from a file.

    python -m demo.ghg --landing-dir DIR
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from demo.environment import environment
from demo.generate import _write_if_changed
from greenlang.core.landing import GLOBAL_TENANT
from greenlang.ghg.contracts import (
    BusinessTrip,
    ContractualInstrument,
    FreightLeg,
    FuelRecord,
    Headcount,
    MeterReading,
    NetRevenue,
    RefrigerantRecord,
)
from greenlang.ghg.sources import (
    BUSINESS_TRAVEL,
    CONTRACTUAL_INSTRUMENTS,
    DESNZ_CONVERSION_FACTORS,
    EMBER_GRID_INTENSITY,
    FREIGHT_LEGS,
    FUEL_RECORDS,
    HEADCOUNT,
    METER_READINGS,
    NET_REVENUE,
    REFRIGERANT_RECORDS,
)
from simulators.grid import CarbonIntensitySimulator

REFERENCE_DIR = Path(__file__).parent / "reference" / "ghg"
DESNZ_DEMO_FILE = REFERENCE_DIR / "ghg-conversion-factors-2024-flat-v1_1_demo.csv"
EMBER_DEMO_FILE = REFERENCE_DIR / "ember_average_grid_intensity_by_country_demo.csv"
GHG_TENANTS = ("acme-steel", "nordic-cement")
# The half hours of GB grid intensity the demo asks the API (simulator) for: Tilbury's meter window.
DEMO_GRID_WINDOW = (dt.datetime(2026, 10, 24), dt.datetime(2026, 10, 27))
HALF_HOUR = dt.timedelta(minutes=30)

Row = dict[str, object]


@dataclass(frozen=True)
class Meter:
    meter_id: str
    site: str
    base_kw: float  # average load
    zone: str | None  # None: the file is in UTC
    first_day: dt.date  # local days (UTC days for a UTC file)
    days: int
    with_offsets: bool = False  # local times written with their UTC offset


METERS = {
    "duisburg": Meter("DE-DUI-EM-01", "DE-DUI", 820.0, "Europe/Berlin", dt.date(2026, 3, 28), 3),
    "rotterdam": Meter("NL-RTM-EM-01", "NL-RTM", 95.0, None, dt.date(2026, 3, 28), 3),
    "slite": Meter("SE-SLT-EM-01", "SE-SLT", 1450.0, None, dt.date(2026, 10, 24), 3),
    "tilbury": Meter("GB-TIL-EM-01", "GB-TIL", 210.0, "Europe/London", dt.date(2026, 10, 24), 3, True),
}
# Slite's reading that the meter operator first estimated and later sent as read (UTC).
ESTIMATED_INTERVAL = dt.datetime(2026, 10, 25, 10, 0)


def _unit_interval(*key: object) -> float:
    """A number in [0, 1) fixed by ``key``: the demo's only source of variation."""
    digest = hashlib.sha256("/".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _kwh(meter: Meter, start_utc: dt.datetime, revision: int = 0) -> str:
    hour = start_utc.hour + start_utc.minute / 60
    shape = 0.75 + 0.25 * math.sin(2 * math.pi * (hour - 9) / 24)
    kwh = meter.base_kw * 0.5 * shape * (0.95 + 0.1 * _unit_interval(meter.meter_id, start_utc, revision))
    return str(Decimal(f"{kwh:.3f}"))


def _utc_intervals(meter: Meter) -> list[dt.datetime]:
    """Half-hour starts (aware UTC) covering the meter's days in its zone: 46 on a 23-hour day, 50 on a
    25-hour day."""
    zone = ZoneInfo(meter.zone) if meter.zone else dt.UTC
    first = dt.datetime.combine(meter.first_day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    last = dt.datetime.combine(meter.first_day + dt.timedelta(days=meter.days), dt.time(0), tzinfo=zone)
    starts, moment = [], first
    while moment < last.astimezone(dt.UTC):
        starts.append(moment)
        moment += HALF_HOUR
    return starts


def _time_text(moment: dt.datetime, meter: Meter) -> str:
    if meter.zone is None:
        return moment.replace(tzinfo=None).isoformat(timespec="seconds")
    local = moment.astimezone(ZoneInfo(meter.zone))
    return (
        local.isoformat(timespec="seconds") if meter.with_offsets else local.replace(tzinfo=None).isoformat()
    )


def meter_rows(meter: Meter) -> list[Row]:
    rows = []
    for start in _utc_intervals(meter):
        estimated = meter.site == "SE-SLT" and start.replace(tzinfo=None) == ESTIMATED_INTERVAL
        rows.append(
            {
                "meter_id": meter.meter_id,
                "channel": "import",
                "interval_start": _time_text(start, meter),
                "interval_end": _time_text(start + HALF_HOUR, meter),
                "timezone": meter.zone or "",
                "value": _kwh(meter, start, revision=1 if estimated else 0),
                "unit": "kWh",
                "quality_flag": "ESTIMATED" if estimated else "ACTUAL",
            }
        )
    return rows


def _meter_file(meter: Meter, rows: list[Row], fmt: str) -> bytes:
    if fmt == "json":
        # Numbers as JSON numbers, as a metering platform's API export writes them.
        records = [
            {**row, "value": _Raw(str(row["value"])), "timezone": row["timezone"] or None} for row in rows
        ]
        return (_dumps(records) + "\n").encode()
    return _csv_bytes(list(MeterReading.model_fields), rows)


class _Raw(str):
    """A number whose exact text goes into the JSON file."""


def _dumps(value: object) -> str:
    if isinstance(value, _Raw):
        return str.__str__(value)
    if isinstance(value, list):
        return "[\n" + ",\n".join("  " + _dumps(item) for item in value) + "\n]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {_dumps(item)}" for key, item in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _csv_bytes(fields: Sequence[str], rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row.get(name) is None else row[name] for name in fields})
    return buffer.getvalue().encode("utf-8")


# --- the tenants' other activity data ----------------------------------------------------------------------

FUELS = {
    "acme-steel": [
        ("AS-F-2601", "DE-DUI", "FL-07", "2026-01-01", "2026-01-31", "diesel", "1250.5", "litres", None),
        ("AS-F-2602", "DE-DUI", None, "2026-01-01", "2026-01-31", "natural gas", "182400", "kWh", "gross"),
        ("AS-F-2603", "NL-RTM", None, "2026-01-01", "2026-01-31", "natural gas", "8420", "m3", None),
        ("AS-F-2604", "NL-RTM", "FL-12", "2026-02-01", "2026-02-28", "LPG", "310", "kg", None),
        ("AS-F-2605", "DE-DUI", None, "2026-02-01", "2026-02-28", "natural gas", "171250.75", "kWh", "gross"),
    ],
    "nordic-cement": [
        ("NC-F-0101", "SE-SLT", None, "2026-01-01", "2026-03-31", "diesel", "5400", "litres", None),
        ("NC-F-0102", "GB-TIL", "GEN-1", "2026-01-01", "2026-03-31", "diesel", "264.2", "US gallons", None),
        ("NC-F-0103", "SE-SLT", None, "2026-01-01", "2026-03-31", "natural gas", "95000", "kWh", "net"),
        ("NC-F-0104", "GB-TIL", None, "2026-02-01", "2026-02-28", "LPG", "1200", "kg", None),
    ],
}
REFRIGERANTS = {
    "acme-steel": [("AS-R-001", "DE-DUI", "2026-02-12", "R-410A", "2.5", None)],
    "nordic-cement": [
        ("NC-R-001", "SE-SLT", "2026-01-20", "R-404A", "1.2", "0.3"),
        ("NC-R-002", "GB-TIL", "2026-03-05", "R-134a", "0.8", None),
    ],
}
TRIPS = {
    "acme-steel": [
        ("AS-T-001", "E1042", "2026-02-03", "air", "DUS", "ARN", None, 1, "economy", None),
        ("AS-T-002", "E1042", "2026-02-05", "air", "ARN", "DUS", None, 1, "economy", None),
        ("AS-T-003", "E2210", "2026-02-10", "rail", "Duisburg", "Rotterdam", "160", 2, None, None),
        ("AS-T-004", "E2210", "2026-02-10", "hotel", "Rotterdam", "Netherlands", None, 2, None, 2),
        ("AS-T-005", "E3001", "2026-03-02", "air", "FRA", "ORD", None, 1, "business", None),
        ("AS-T-006", "E3001", "2026-03-02", "taxi", "O'Hare", "Chicago Loop", "29.5", 1, None, None),
        ("AS-T-007", "E3001", "2026-03-02", "hotel", "Chicago", "United States", None, 1, None, 3),
    ],
    "nordic-cement": [
        ("NC-T-001", "S0077", "2026-01-14", "air", "VBY", "ARN", None, 1, "economy", None),
        ("NC-T-002", "S0077", "2026-01-14", "air", "ARN", "LHR", None, 1, "economy", None),
        ("NC-T-003", "S0077", "2026-01-15", "car", "Heathrow", "Tilbury", "78", 1, None, None),
        ("NC-T-004", "S0077", "2026-01-15", "hotel", "Tilbury", "UK", None, 1, None, 2),
        ("NC-T-005", "S0102", "2026-02-20", "bus", "Slite", "Visby", "33", 1, None, None),
    ],
}
FREIGHT = {
    "acme-steel": [
        ("AS-L-5001-1", "2026-01-12", "sea", "2400", "19800"),
        ("AS-L-5001-2", "2026-02-09", "rail", "2400", "215"),
        ("AS-L-5002-1", "2026-02-16", "road", "24.5", "230"),
        ("AS-L-5003-1", "2026-03-03", "air", "0.85", "7200"),
    ],
    "nordic-cement": [
        ("NC-L-0901-1", "2026-01-22", "sea", "5200", "1650"),
        ("NC-L-0902-1", "2026-02-25", "road", "38", "120"),
    ],
}
# Staff surveys give the mode shares and, outside GB (no national assumption in
# ghg_commuting_assumptions), the commuting distance per employee and year (the tenants' own survey data).
HEADCOUNTS = {
    "acme-steel": [
        ("2026-01", "DE-DUI", 412, "car=0.55;rail=0.2;bus=0.1;bike=0.15", "3740"),
        ("2026-02", "DE-DUI", 415, "car=0.55;rail=0.2;bus=0.1;bike=0.15", "3740"),
        ("2026-03", "DE-DUI", 418, "car=0.55;rail=0.2;bus=0.1;bike=0.15", "3740"),
        ("2026-01", "NL-RTM", 38, "car=0.4;bike=0.6", "2860"),
        ("2026-02", "NL-RTM", 38, "car=0.4;bike=0.6", "2860"),
        ("2026-03", "NL-RTM", 39, "car=0.4;bike=0.6", "2860"),
    ],
    "nordic-cement": [
        ("2026-01-01", "SE-SLT", 236, "car=0.8;bus=0.2", "4620"),
        ("2026-02-01", "SE-SLT", 236, "car=0.8;bus=0.2", "4620"),
        ("2026-03-01", "SE-SLT", 241, "car=0.8;bus=0.2", "4620"),
        ("2026-01-01", "GB-TIL", 24, None, None),
        ("2026-02-01", "GB-TIL", 25, None, None),
        ("2026-03-01", "GB-TIL", 25, None, None),
    ],
}
NET_REVENUES = {
    "acme-steel": [(2025, "1184500000.00", "EUR")],
    "nordic-cement": [(2025, "6210000000.00", "SEK")],
}
INSTRUMENTS = {
    "acme-steel": [("GO-DE-2026-000871", "DE-DUI", "2026-01-01", "2026-12-31", "GO", "2500", "0")],
    "nordic-cement": [
        ("REGO-R0015-2026-Q1", "GB-TIL", "2026-01-01", "2026-03-31", "REGO", "180", "0"),
        ("SE-SLT-MIX-2025", "SE-SLT", "2026-01-01", "2026-12-31", "supplier mix", "9000", "0.012"),
    ],
}


def _rows(fields: Sequence[str], values: Sequence[Sequence[object]]) -> list[Row]:
    return [dict(zip(fields, row, strict=True)) for row in values]


def _trips_json(rows: list[Row]) -> bytes:
    numeric = {"distance_km", "passengers", "nights"}
    records = [
        {
            key: (_Raw(str(value)) if key in numeric and value is not None else value)
            for key, value in row.items()
        }
        for row in rows
    ]
    return (_dumps(records) + "\n").encode()


def demo_files() -> dict[Path, Callable[[], bytes]]:
    """Every demo file, relative to the landing directory, and how to make its bytes."""
    files: dict[Path, Callable[[], bytes]] = {}

    def meter(tenant: str, name: str, file: str, fmt: str, rows: Callable[[], list[Row]]) -> None:
        meter_ = METERS[name]
        files[Path(tenant, METER_READINGS.name, file)] = lambda: _meter_file(meter_, rows(), fmt)

    meter(
        "acme-steel",
        "duisburg",
        "duisburg_em01_2026-03-28_30_local.json",
        "json",
        lambda: meter_rows(METERS["duisburg"]),
    )
    meter(
        "acme-steel",
        "rotterdam",
        "rotterdam_em01_2026-03-28_30_utc.csv",
        "csv",
        lambda: meter_rows(METERS["rotterdam"]),
    )
    meter(
        "nordic-cement",
        "slite",
        "slite_em01_2026-10-24_26_utc.csv",
        "csv",
        lambda: meter_rows(METERS["slite"]),
    )
    meter("nordic-cement", "slite", "slite_em01_2026-10-25_actuals.csv", "csv", _slite_actuals)
    meter(
        "nordic-cement",
        "tilbury",
        "tilbury_hh_2026-10-24_26_local.csv",
        "csv",
        lambda: meter_rows(METERS["tilbury"]),
    )

    for tenant in GHG_TENANTS:
        tables = (
            (FUEL_RECORDS.name, "fuel_2026.csv", FuelRecord, FUELS),
            (REFRIGERANT_RECORDS.name, "refrigerant_log_2026.csv", RefrigerantRecord, REFRIGERANTS),
            (FREIGHT_LEGS.name, "freight_legs_2026.csv", FreightLeg, FREIGHT),
            (HEADCOUNT.name, "headcount_2026.csv", Headcount, HEADCOUNTS),
            (NET_REVENUE.name, "net_revenue.csv", NetRevenue, NET_REVENUES),
            (CONTRACTUAL_INSTRUMENTS.name, "instruments_2026.csv", ContractualInstrument, INSTRUMENTS),
        )
        for source, file, contract, data in tables:
            fields = list(contract.model_fields)
            files[Path(tenant, source, file)] = lambda fields=fields, values=data[tenant]: _csv_bytes(
                fields, _rows(fields, values)
            )
        trip_fields = list(BusinessTrip.model_fields)
        if tenant == "acme-steel":  # the travel agency's JSON export
            files[Path(tenant, BUSINESS_TRAVEL.name, "travel_2026.json")] = lambda fields=trip_fields: (
                _trips_json(_rows(fields, TRIPS["acme-steel"]))
            )
        else:
            files[Path(tenant, BUSINESS_TRAVEL.name, "travel_2026.csv")] = lambda fields=trip_fields: (
                _csv_bytes(fields, _rows(fields, TRIPS["nordic-cement"]))
            )
    files[Path(GLOBAL_TENANT, DESNZ_CONVERSION_FACTORS.name, DESNZ_DEMO_FILE.name)] = (
        DESNZ_DEMO_FILE.read_bytes
    )
    files[Path(GLOBAL_TENANT, EMBER_GRID_INTENSITY.name, EMBER_DEMO_FILE.name)] = EMBER_DEMO_FILE.read_bytes
    return files


def _slite_actuals() -> list[Row]:
    """The meter operator's later file: the read value of the interval first sent as an estimate."""
    meter = METERS["slite"]
    start = ESTIMATED_INTERVAL.replace(tzinfo=dt.UTC)
    return [
        {
            "meter_id": meter.meter_id,
            "channel": "import",
            "interval_start": _time_text(start, meter),
            "interval_end": _time_text(start + HALF_HOUR, meter),
            "timezone": "",
            "value": _kwh(meter, start),
            "unit": "kWh",
            "quality_flag": "ACTUAL",
        }
    ]


def write_ghg_demo_landing(landing_dir: Path) -> list[Path]:
    """Write the demo files under ``landing_dir``; a file whose bytes would not change is left untouched."""
    written = []
    for relative, make in demo_files().items():
        target = Path(landing_dir) / relative
        written.append(_write_if_changed(target, lambda part, make=make: part.write_bytes(make())))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.ghg", description="Write the GHG demo landing files."
    )
    parser.add_argument("--landing-dir", type=Path, required=True, help="root of the landing tree")
    args = parser.parse_args(argv)
    for path in write_ghg_demo_landing(args.landing_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())


@contextmanager
def running_grid_api() -> Iterator[CarbonIntensitySimulator]:
    """The GB Carbon Intensity API simulator, measured up to now, with the client pointed at it meanwhile."""
    with (
        CarbonIntensitySimulator(now=dt.datetime.now(dt.UTC)) as api,
        environment({"GREENLANG_GRID_API_URL": api.url}),
    ):
        yield api
