"""The fast path must be sound: whatever it accepts, the contract accepts with the same value."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import ClassVar

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from greenlang.cbam.contracts import CBAMShipment
from greenlang.core.contract import Contract, UtcDateTime
from greenlang.core.validation import BatchValidator, ContractMismatchError, NumberFormat, field_rules

FIELDS = list(CBAMShipment.model_fields)
WHITESPACE = st.sampled_from(["", " ", "\t", "\u00a0", "\u2003", "\n"])


def _around(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Canonical values, sometimes padded with (unicode) whitespace or case-flipped."""
    return st.one_of(
        values,
        st.tuples(WHITESPACE, values, WHITESPACE).map("".join),
        values.map(str.lower),
    )


numbers = st.one_of(
    st.decimals(min_value=-1000, max_value=10**6, places=3, allow_nan=False).map(str),
    st.sampled_from(
        ["0", "-0", "1e3", "1.", ".5", "+5", "0.0000000000001", "12345678901234567890123456.5", "1,5", "x"]
    ),
)
dates = st.one_of(
    st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31)).map(str),
    st.sampled_from(
        ["2026-02-30", "0000-01-01", "2026-2-3", "03.02.2026", "31/01/2026", "20260203", "2026-02-03T00:00"]
    ),
)
VALUES = {
    "declarant_eori": _around(st.from_regex(r"[A-Z]{2}[A-Z0-9]{1,16}", fullmatch=True)),
    "declaration_id": _around(st.text(min_size=0, max_size=40)),
    "declaration_line": _around(
        st.one_of(st.integers(-5, 12000).map(str), st.sampled_from(["1.0", "01", "x"]))
    ),
    "import_date": _around(dates),
    "cn_code": _around(st.from_regex(r"[0-9]{6,9}", fullmatch=True)),
    "origin_country": _around(st.from_regex(r"[A-Za-z]{1,3}", fullmatch=True)),
    "net_mass_tonnes": _around(numbers),
    "customs_procedure": _around(st.from_regex(r"[0-9]{1,5}", fullmatch=True)),
    "installation_id": _around(st.text(max_size=10)),
    "actual_direct_see": _around(numbers),
    "actual_indirect_see": _around(numbers),
    "electricity_consumed_mwh": _around(numbers),
    "carbon_price_paid_eur": _around(numbers),
    "production_route": _around(st.from_regex(r"\(?[A-Za-z]{0,2}\)?", fullmatch=True)),
}
VALID_ROW = {
    "declarant_eori": "DE123456789",
    "declaration_id": "26DE000000000000A1",
    "declaration_line": "1",
    "import_date": "2026-02-03",
    "cn_code": "72081000",
    "origin_country": "CN",
    "net_mass_tonnes": "25.5",
    "customs_procedure": "40",
    "installation_id": None,
    "actual_direct_see": None,
    "actual_indirect_see": None,
    "electricity_consumed_mwh": None,
    "carbon_price_paid_eur": None,
    "production_route": None,
}
# A valid row with a few fields replaced, so that both verdicts are common.
rows = (
    st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)
    .flatmap(
        lambda names: st.fixed_dictionaries({name: st.one_of(st.none(), VALUES[name]) for name in names})
    )
    .map(lambda changes: VALID_ROW | changes)
)


def _expected(row: dict) -> dict | None:
    present = {key: value for key, value in row.items() if value is not None}
    try:
        return CBAMShipment.model_validate(present).model_dump()
    except ValidationError:
        return None


@pytest.mark.slow  # Hypothesis, 100+ examples
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=15))
def test_validator_agrees_with_the_contract(batch_rows: list[dict]) -> None:
    table = pa.table(
        {name: pa.array([row[name] for row in batch_rows], pa.string()) for name in FIELDS}
        | {"_source_row": pa.array(range(1, len(batch_rows) + 1), pa.int64())}
    )
    result = BatchValidator(CBAMShipment, table.column_names).validate(table)

    accepted = {row["_source_row"]: row for row in result.valid.to_pylist()}
    rejected = {row["source_row"] for row in result.rejected}
    for number, row in enumerate(batch_rows, start=1):
        expected = _expected(row)
        if expected is None:
            assert number in rejected, f"row {row} accepted but the contract rejects it"
        else:
            assert number in accepted, f"row {row} rejected but the contract accepts it"
            got = {key: accepted[number][key] for key in expected}
            assert _same(got, expected), (row, got, expected)


def _same(got: dict, expected: dict) -> bool:
    return all(got[key] == value for key, value in expected.items())


def masses_table(values: list[str]) -> pa.Table:
    count = len(values)
    return pa.table(
        {
            "declarant_eori": ["DE1"] * count,
            "declaration_id": ["X"] * count,
            "declaration_line": [str(index) for index in range(1, count + 1)],
            "import_date": ["2026-01-05"] * count,
            "cn_code": ["72081000"] * count,
            "origin_country": ["CN"] * count,
            "net_mass_tonnes": values,
            "customs_procedure": ["40"] * count,
            "_source_row": pa.array(range(1, count + 1), pa.int64()),
        }
    )


def test_decimal_commas_are_read_only_in_their_exact_shape() -> None:
    table = masses_table(["1.234,5", "25,5", "7", "1.5", "1,2,3", " 0,5 ", "0.125"])
    result = BatchValidator(CBAMShipment, table.column_names, NumberFormat(",")).validate(table)
    masses = {row["_source_row"]: row["net_mass_tonnes"] for row in result.valid.to_pylist()}
    assert masses == {1: Decimal("1234.5"), 2: Decimal("25.5"), 3: Decimal("7"), 6: Decimal("0.5")}
    rejected = {row["source_row"]: json.loads(row["errors"]) for row in result.rejected}
    assert rejected == {
        4: [
            {
                "field": "net_mass_tonnes",
                "message": "'1.5' is not a number written with a decimal comma, as this file writes them",
            }
        ],
        5: [
            {
                "field": "net_mass_tonnes",
                "message": "'1,2,3' is not a number written with a decimal comma, as this file writes them",
            }
        ],
        7: [
            {
                "field": "net_mass_tonnes",
                "message": "'0.125' is not a number written with a decimal comma, as this file writes them",
            }
        ],
    }  # "1.5" is never re-interpreted as 1.5 (or as 15)


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        (NumberFormat(".", assumed=True), {3: Decimal("0.125"), 4: Decimal("25.5")}),
        (NumberFormat("."), {1: Decimal("1.234"), 3: Decimal("0.125"), 4: Decimal("25.5")}),
        (NumberFormat(","), {1: Decimal("1234"), 2: Decimal("1.234")}),
    ],
)
def test_a_number_that_reads_two_ways_is_rejected_only_when_the_separator_is_assumed(
    number_format: NumberFormat, expected: dict[int, Decimal]
) -> None:
    table = masses_table(["1.234", "1,234", "0.125", "25.5"])
    result = BatchValidator(CBAMShipment, table.column_names, number_format).validate(table)
    assert {row["_source_row"]: row["net_mass_tonnes"] for row in result.valid.to_pylist()} == expected
    assert {row["source_row"] for row in result.rejected} == {1, 2, 3, 4} - expected.keys()
    if number_format.assumed:
        assert (
            "ambiguous number '1.234': 1.234 with a decimal point, 1234 with a decimal comma"
            in (result.rejected[0]["errors"])
        )


def test_a_missing_required_column_is_a_file_level_error() -> None:
    with pytest.raises(ContractMismatchError, match="cn_code"):
        BatchValidator(CBAMShipment, [name for name in FIELDS if name != "cn_code"])


def test_field_rules_follow_the_contract() -> None:
    rules = {rule.name: rule for rule in field_rules(CBAMShipment)}
    assert rules["cn_code"].pattern == "^[0-9]{8}$"
    assert rules["net_mass_tonnes"].kind == "decimal" and rules["net_mass_tonnes"].gt == 0
    assert rules["declaration_line"].ge == 1 and rules["declaration_line"].le == 9999
    assert rules["installation_id"].required is False and rules["installation_id"].max_length == 512
    assert rules["import_date"].kind == "date"


class _Changed(Contract):
    contract_name: ClassVar[str] = "Changed"
    contract_version: ClassVar[str] = "1.0.0"
    key: str
    changed_at: UtcDateTime


def _validate_timestamps(values: list[str]) -> tuple[dict[int, dt.datetime], list[int]]:
    table = pa.table(
        {
            "key": [str(number) for number in range(len(values))],
            "changed_at": values,
            "_source_row": pa.array(range(1, len(values) + 1), pa.int64()),
        }
    )
    result = BatchValidator(_Changed, table.column_names).validate(table)
    accepted = {row["_source_row"]: row["changed_at"] for row in result.valid.to_pylist()}
    return accepted, [row["source_row"] for row in result.rejected]


def test_timestamps_are_stored_as_naive_utc_whatever_their_form() -> None:
    accepted, rejected = _validate_timestamps(
        [
            "2026-03-02T10:00:00",
            "2026-03-02 10:00:00.5",
            "2026-03-02T10:00:00+01:00",
            "2026-03-02T10:00:00Z",
            "/Date(1772445600000)/",  # SAP OData V2 DateTime, UTC milliseconds
            "/Date(1772445600000+0060)/",  # DateTimeOffset: the milliseconds are UTC already
            "2026-02-30T10:00:00",
            "yesterday",
        ]
    )
    ten = dt.datetime(2026, 3, 2, 10, 0)
    assert accepted == {
        1: ten,
        2: ten + dt.timedelta(milliseconds=500),
        3: ten - dt.timedelta(hours=1),
        4: ten,
        5: ten,
        6: ten,
    }
    assert rejected == [7, 8]


@pytest.mark.slow  # Hypothesis, 100+ examples
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(lambda value: value.isoformat()),
            st.from_regex(
                r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?", fullmatch=True
            ),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_timestamp_fast_path_agrees_with_the_contract(values: list[str]) -> None:
    accepted, rejected = _validate_timestamps(values)
    for number, value in enumerate(values, start=1):
        try:
            expected = _Changed.model_validate({"key": "k", "changed_at": value}).changed_at
        except ValidationError:
            assert number in rejected, value
        else:
            assert accepted.get(number) == expected, value
