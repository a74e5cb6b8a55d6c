"""GHG test helpers: the loader's verdict on rows compared with the contract's, and meter-export rows
(a whole local day of readings, written as CSV or JSON)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
from pydantic import ValidationError

from greenlang.core.contract import Contract
from greenlang.core.readers import EXTRA_FIELDS, ROW_ERROR, SOURCE_ROW
from greenlang.core.validation import BatchValidator, field_rules, map_columns

TextRow = dict[str, str | None]
UTC = dt.UTC


def validate_rows(contract: type[Contract], rows: list[TextRow]) -> tuple[dict[int, dict], dict[int, list]]:
    """The loader's verdict on ``rows`` (text as a reader gives it): accepted values and errors by row."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    count = len(rows)
    arrays = [pa.array([row.get(name) for row in rows], pa.string()) for name in columns]
    arrays += [
        pa.array(range(1, count + 1), pa.int64()),
        pa.nulls(count, pa.string()),
        pa.nulls(count, pa.string()),
    ]
    batch = pa.RecordBatch.from_arrays(arrays, names=[*columns, SOURCE_ROW, ROW_ERROR, EXTRA_FIELDS])
    result = BatchValidator(contract, batch.schema.names).validate(batch)
    accepted = {
        row[SOURCE_ROW]: {name: value for name, value in row.items() if not name.startswith("_")}
        for row in result.valid.to_pylist()
    }
    rejected = {row["source_row"]: json.loads(row["errors"]) for row in result.rejected}
    assert len(accepted) + len(rejected) == count
    return accepted, rejected


def contract_verdict(contract: type[Contract], row: TextRow) -> dict[str, Any] | None:
    """The contract's verdict on a row, its columns mapped to fields as the loader maps them."""
    mapping, _ = map_columns(field_rules(contract), list(row))
    candidate = {field: row[column] for field, column in mapping.items() if row[column] is not None}
    try:
        return contract.model_validate(candidate).model_dump()
    except ValidationError:
        return None


def assert_loader_agrees_with_contract(contract: type[Contract], rows: list[TextRow]) -> dict[int, dict]:
    """Whatever path a row takes (vectorised or the contract), the loader's verdict is the contract's."""
    accepted, rejected = validate_rows(contract, rows)
    for number, row in enumerate(rows, start=1):
        expected = contract_verdict(contract, row)
        if expected is None:
            assert number in rejected, f"row {number} accepted by the loader, rejected by the contract: {row}"
        else:
            assert number in accepted, f"row {number} rejected by the loader: {rejected.get(number)}: {row}"
            assert accepted[number] == expected, row
    return accepted


# --- meter readings ---------------------------------------------------------------------------------------

METER_FIELDS = [
    "meter_id",
    "channel",
    "interval_start",
    "interval_end",
    "timezone",
    "value",
    "unit",
    "quality_flag",
]


def local_day(zone: str, day: dt.date, minutes: int, *, offsets: bool) -> list[dict[str, str]]:
    """A whole local day of readings, written as a meter export would: local wall times."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(UTC)
    step = dt.timedelta(minutes=minutes)

    def text(instant: dt.datetime) -> str:
        local = instant.astimezone(tz)
        return local.isoformat() if offsets else local.replace(tzinfo=None).isoformat()

    rows, moment = [], start
    while moment < end:
        rows.append(
            {
                "meter_id": f"{zone}-{minutes}",
                "channel": "import",
                "interval_start": text(moment),
                "interval_end": text(moment + step),
                "timezone": zone,
                "value": f"{(moment.hour * 60 + moment.minute) / 100:.2f}",
                "unit": "kWh",
                "quality_flag": "ACTUAL",
            }
        )
        moment += step
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=METER_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_json(path: Path, rows: list[dict[str, str]]) -> Path:
    records = [{**row, "value": float(row["value"])} for row in rows]
    path.write_text(json.dumps(records), encoding="utf-8")
    return path
