"""What a contract accepts, staging casts: every value a contract field accepts goes into its raw column
(``SQL_TYPES``, the loader's rule) and through the cast its staging model applies to it, on DuckDB and on
PostgreSQL, and comes out as the value the contract read. A value that staging could not cast would fail
``dbt build`` for every tenant; the contract rejects it instead, with its reason (``86400`` is no date).

The staging casts are read from the models' SQL (``cast(<field> as <type>)``, ``to_decimal('<field>')``), so a
model that casts a field more narrowly than its contract bounds it fails here, not in a tenant's build.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from greenlang.catalog import CONTRACTS, RAW_SOURCES
from greenlang.core.contract import DECIMAL_PRECISION, DECIMAL_SCALE, IsoDate, UtcDateTime
from greenlang.core.validation import SQL_TYPES, field_rules
from greenlang.core.warehouse import Warehouse
from tests.helpers.warehouses import ENGINE_PARAMS, make_settings, postgres_database

STAGING_MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"
_CAST = re.compile(r"cast\((?:source\.)?(\w+) as (date|integer|bigint|\{\{ dbt\.type_timestamp\(\) \}\})\)")
_TO_DECIMAL = re.compile(r"to_decimal\('(?:source\.)?(\w+)'")
# What the jinja of a cast renders to on both engines.
_RENDERED = {"{{ dbt.type_timestamp() }}": "timestamp"}
STAGED_DECIMAL = f"decimal({DECIMAL_PRECISION},{DECIMAL_SCALE})"

CHECKED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def staging_casts() -> dict[str, frozenset[str]]:
    """Each raw column name to the SQL types staging models cast it to."""
    casts: dict[str, set[str]] = {}
    for model in STAGING_MODELS.rglob("*.sql"):
        sql = model.read_text()
        for column, sql_type in _CAST.findall(sql):
            casts.setdefault(column, set()).add(_RENDERED.get(sql_type, sql_type))
        for column in _TO_DECIMAL.findall(sql):
            casts.setdefault(column, set()).add(STAGED_DECIMAL)
    return {column: frozenset(types) for column, types in casts.items()}


def typed_fields() -> list[tuple[str, str, str]]:
    """(contract, field, kind) of every field of a raw table (what the loader writes) that is not text."""
    return sorted(
        {
            (spec.contract.contract_name, rule.name, rule.kind)
            for spec in RAW_SOURCES
            for rule in field_rules(spec.contract)
            if rule.kind != "text"
        }
    )


@cache
def field_adapter(contract_name: str, field: str) -> TypeAdapter:
    info = CONTRACTS[contract_name].model_fields[field]
    return TypeAdapter(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)


def as_sql_text(value: Any) -> str:
    """The canonical text of a contract value (what the loader's Arrow column holds)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"\A[+-]?[0-9]{0,30}(\.[0-9]{0,15})?([eE][+-]?[0-9]{1,3})?\Z"),
)
_dates = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda day: day.strftime("%d.%m.%Y")),
    st.datetimes().map(dt.datetime.isoformat),
    st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
    st.integers(min_value=-(10**15), max_value=10**15).map(lambda ms: f"/Date({ms})/"),
    st.from_regex(r"\A[0-9]{1,6}[-./][0-9]{1,2}[-./][0-9]{1,6}([T ][0-9:.]{1,15})?(Z|[+-][0-9:]{2,5})?\Z"),
)
CANDIDATES = {
    "integer": _numbers,
    "decimal": _numbers,
    "date": st.one_of(_dates, _numbers),
    "timestamp": st.one_of(_dates, _numbers),
}


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A session on each engine, for casts only (no table is made)."""
    folder = tmp_path_factory.mktemp(f"casts-{request.param}")
    if request.param == "postgres":
        with (
            postgres_database() as database,
            Warehouse(make_settings("postgres", folder, database)).session() as session,
        ):
            yield session
    else:
        with Warehouse(make_settings("duckdb", folder)).session() as session:
            yield session


@pytest.mark.parametrize(("contract_name", "field", "kind"), typed_fields())
def test_what_a_contract_field_accepts_staging_casts(
    engine, contract_name: str, field: str, kind: str
) -> None:
    casts = [SQL_TYPES[kind], *sorted(staging_casts().get(field, ()))]
    adapter = field_adapter(contract_name, field)

    @CHECKED
    @given(text=CANDIDATES[kind])
    def accepted_values_cast(text: str) -> None:
        try:
            value = adapter.validate_python(text)
        except ValidationError:
            return
        if value is None:
            return
        for staged in casts:
            cast = engine.scalar(
                f"SELECT CAST(CAST(%(value)s AS {SQL_TYPES[kind]}) AS {staged})",
                {"value": as_sql_text(value)},
            )
            assert cast == value, (text, staged)

    accepted_values_cast()


@pytest.mark.parametrize("value", ["86400", "86400.0", "1e9", " 45123 ", 86400])
@pytest.mark.parametrize(("kind", "field_type"), [("date", IsoDate), ("timestamp", UtcDateTime)])
def test_a_number_is_neither_a_date_nor_a_timestamp(kind: str, field_type: object, value: object) -> None:
    with pytest.raises(ValidationError, match=f"a number is not a {kind}: write it as"):
        TypeAdapter(field_type).validate_python(value)


def test_staging_casts_are_found_for_the_fields_it_narrows() -> None:
    """The SQL reading above finds what the staging models do (a test of the test's premise)."""
    casts = staging_casts()
    assert casts["headcount"] == {"integer"} and casts["po_header_id"] == {"bigint"}
    assert casts["import_date"] == {"date"} and casts["last_update_date"] == {"timestamp"}
    assert STAGED_DECIMAL in casts["value"]
