"""Meter interval readings: 15/30-minute files in CSV and JSON, UTC and local time over both DST days,
and an estimate replaced by the actual (the dbt staging model ``stg_meters__interval_readings``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import METER_READINGS
from tests.helpers.dbt import stage
from tests.helpers.ghg import local_day, write_csv, write_json

TENANT = "acme-steel"


def readings(warehouse: Warehouse, meter_id: str) -> list[dict]:
    with warehouse.session() as session:
        return session.fetch_dicts(
            "SELECT interval_start, interval_end, timezone, value, _source_row FROM raw.meters__interval_readings "
            "WHERE meter_id = %(meter)s ORDER BY interval_start",
            {"meter": meter_id},
        )


def dead_letters(warehouse: Warehouse) -> list[tuple[int, str]]:
    with warehouse.session() as session:
        return [
            (row["source_row"], json.loads(row["errors"])[0]["message"])
            for row in session.fetch_dicts(
                "SELECT source_row, errors FROM raw.dead_letter ORDER BY source_row"
            )
        ]


def assert_contiguous(rows: list[dict], minutes: int) -> None:
    step = dt.timedelta(minutes=minutes)
    for previous, current in pairwise(rows):
        assert current["interval_start"] == previous["interval_end"]
    assert all(row["interval_end"] - row["interval_start"] == step for row in rows)


def test_utc_files_15_minute_csv_and_30_minute_json(warehouse: Warehouse, tmp_path: Path) -> None:
    day = dt.datetime(2026, 3, 29)  # a DST day in Europe, an ordinary day in UTC
    rows15 = [
        {"meter_id": "M15", "channel": "import", "interval_start": (day + dt.timedelta(minutes=15 * i)).isoformat(),
         "interval_end": (day + dt.timedelta(minutes=15 * (i + 1))).isoformat(), "timezone": "",
         "value": "1.25", "unit": "kWh", "quality_flag": "ACTUAL"}
        for i in range(96)
    ]  # fmt: skip
    rows30 = [
        {"meter_id": "M30", "channel": "import",
         "interval_start": (day + dt.timedelta(minutes=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "interval_end": (day + dt.timedelta(minutes=30 * (i + 1))).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "timezone": "", "value": "2.5", "unit": "kWh", "quality_flag": "estimated"}
        for i in range(48)
    ]  # fmt: skip
    first = load_file(warehouse, METER_READINGS, write_csv(tmp_path / "m15.csv", rows15), TENANT)
    second = load_file(warehouse, METER_READINGS, write_json(tmp_path / "m30.json", rows30), TENANT)
    assert (first.rows_loaded, first.rows_rejected, second.rows_loaded, second.rows_rejected) == (
        96,
        0,
        48,
        0,
    )
    assert_contiguous(readings(warehouse, "M15"), 15)
    loaded30 = readings(warehouse, "M30")
    assert_contiguous(loaded30, 30)
    assert loaded30[0]["interval_start"] == day and loaded30[-1]["interval_end"] == day + dt.timedelta(days=1)
    assert loaded30[0]["value"] == Decimal("2.5") and loaded30[0]["timezone"] is None


def test_the_25_hour_fall_back_day_in_london_with_offsets(warehouse: Warehouse, tmp_path: Path) -> None:
    rows = local_day("Europe/London", dt.date(2026, 10, 25), 30, offsets=True)
    assert len(rows) == 50
    assert (
        rows[2]["interval_start"] == "2026-10-25T01:00:00+01:00"
        and rows[4]["interval_start"] == "2026-10-25T01:00:00+00:00"
    )
    result = load_file(warehouse, METER_READINGS, write_csv(tmp_path / "london.csv", rows), TENANT)
    assert (result.rows_loaded, result.rows_rejected) == (50, 0)
    loaded = readings(warehouse, "Europe/London-30")
    assert_contiguous(loaded, 30)
    assert loaded[0]["interval_start"] == dt.datetime(2026, 10, 24, 23)  # local midnight, BST
    assert loaded[-1]["interval_end"] == dt.datetime(2026, 10, 26, 0)  # local midnight, GMT
    assert {row["timezone"] for row in loaded} == {"Europe/London"}


def test_the_25_hour_day_without_offsets_rejects_only_the_ambiguous_intervals(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = local_day("Europe/London", dt.date(2026, 10, 25), 30, offsets=False)
    result = load_file(warehouse, METER_READINGS, write_csv(tmp_path / "london_naive.csv", rows), TENANT)
    # 01:00→01:30 appears twice and cannot be placed; 00:30→01:00, 01:30→01:00 and 01:30→02:00 can.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (50, 48, 2)
    rejected = dead_letters(warehouse)
    assert [row for row, _ in rejected] == [3, 5]
    assert all("ambiguous in Europe/London" in message and "UTC offset" in message for _, message in rejected)
    loaded = readings(warehouse, "Europe/London-30")
    starts = [row["interval_start"] for row in loaded]
    assert dt.datetime(2026, 10, 25, 0, 30) in starts and dt.datetime(2026, 10, 25, 1, 30) in starts
    assert dt.datetime(2026, 10, 25, 0) not in starts and dt.datetime(2026, 10, 25, 1) not in starts


def test_the_23_hour_spring_forward_day_in_berlin_json_15_minutes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = local_day("Europe/Berlin", dt.date(2026, 3, 29), 15, offsets=False)
    assert len(rows) == 92
    crossing = next(row for row in rows if row["interval_end"] == "2026-03-29T03:00:00")
    assert crossing["interval_start"] == "2026-03-29T01:45:00"
    rows.append({**rows[0], "interval_start": "2026-03-29T02:30:00", "interval_end": "2026-03-29T02:45:00"})
    result = load_file(warehouse, METER_READINGS, write_json(tmp_path / "berlin.json", rows), TENANT)
    assert (result.rows_loaded, result.rows_rejected) == (92, 1)
    assert "does not exist in Europe/Berlin" in dead_letters(warehouse)[0][1]
    loaded = readings(warehouse, "Europe/Berlin-15")
    assert_contiguous(loaded, 15)
    assert loaded[0]["interval_start"] == dt.datetime(2026, 3, 28, 23)
    assert loaded[-1]["interval_end"] == dt.datetime(2026, 3, 29, 22)


def test_an_estimate_later_replaced_by_the_actual(
    warehouse: Warehouse, tmp_path: Path, dbt_parse_root: Path
) -> None:
    base = {"meter_id": "M", "channel": "import", "timezone": "", "unit": "kWh"}
    slot = {"interval_start": "2026-10-25T10:00:00", "interval_end": "2026-10-25T10:30:00"}
    other = {"interval_start": "2026-10-25T10:30:00", "interval_end": "2026-10-25T11:00:00"}
    first = [
        {**base, **slot, "value": "100", "quality_flag": "ESTIMATED"},
        {**base, **other, "value": "90", "quality_flag": "ACTUAL"},
    ]
    actuals = [{**base, **slot, "value": "104.5", "quality_flag": "ACTUAL"}]
    late_estimate = [{**base, **other, "value": "88", "quality_flag": "ESTIMATED"}]
    for name, rows in (("first.csv", first), ("actuals.csv", actuals), ("late_estimate.csv", late_estimate)):
        load_file(warehouse, METER_READINGS, write_csv(tmp_path / name, rows), TENANT)
    stage(warehouse.settings, "stg_meters__interval_readings")
    with warehouse.session() as session:
        raw = session.scalar("SELECT count(*) FROM raw.meters__interval_readings")
        staged = session.fetch_dicts(
            "SELECT interval_start_utc, value, quality_flag FROM staging.stg_meters__interval_readings "
            "ORDER BY interval_start_utc"
        )
    assert raw == 4  # raw keeps every reading
    assert [(row["value"], row["quality_flag"]) for row in staged] == [
        (Decimal("104.5"), "ACTUAL"),  # the actual replaced the estimate
        (Decimal("90"), "ACTUAL"),  # a later estimate does not replace an actual
    ]
