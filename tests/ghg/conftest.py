"""Helpers of the GHG tests: run the loader's validator on rows and compare it with the contract."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from greenlang.core.contract import Contract
from greenlang.core.readers import EXTRA_FIELDS, ROW_ERROR, SOURCE_ROW
from greenlang.core.validation import BatchValidator, field_rules, map_columns

TextRow = dict[str, str | None]


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
