"""Validate batches of received text against a contract.

The contract (a Pydantic model) is the authority on what is valid. Validating millions of rows one
Pydantic call at a time is too slow for bulk loads, so each batch first goes through a *fast path*:
one DuckDB query, derived from the contract's field constraints, that accepts only values already in
canonical form (an ISO date, a plain decimal, a code matching its pattern with no stray whitespace).
Every row the fast path does not accept goes to the contract itself, which either accepts it (with
its coercions: day-first dates, lower-case codes, padded text) or rejects it with field-level errors.
The fast path must therefore be *sound*: whatever it accepts, the contract accepts with the same
value. ``tests/ingestion/test_validation_properties.py`` checks that with generated rows.

Numbers are read by the file's decimal separator, decided once per file (``NumberFormat``): a value
written the other way is rejected, never re-interpreted, and when nothing decided the separator (it
is only assumed), a value that reads differently under the two conventions (``1.234``) is rejected
as ambiguous.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import annotated_types
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import AliasChoices, ValidationError
from pydantic.fields import FieldInfo

from greenlang.core.contract import DECIMAL_PRECISION, DECIMAL_SCALE, Contract
from greenlang.core.readers import AMBIGUOUS_NUMBER, EXTRA_FIELDS, ROW_ERROR, SOURCE_ROW

ROW_NUMBER = SOURCE_ROW
ROW_HASH = "_row_sha256"
_HASH_SEPARATOR = "\x1f"

# Python's str.strip() removes every character for which str.isspace() is true; RE2 spelling of that set.
_WHITESPACE = r"[\t\n\x0b\f\r\x1c-\x1f\x{85}\p{Z}]"
_DECIMAL_PATTERN = rf"^-?[0-9]{{1,{DECIMAL_PRECISION - DECIMAL_SCALE}}}(\.[0-9]{{1,{DECIMAL_SCALE}}})?$"
_INTEGER_PATTERN = r"^-?[0-9]{1,18}$"
_DATE_PATTERN = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
# Naive ISO timestamps only (read as UTC); offsets, "Z" and OData /Date()/ go through the contract.
_TIMESTAMP_PATTERN = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
# A number written with a decimal comma and optional thousands dots ("1.234,5", "25,5", "7"); only
# values of exactly that shape are rewritten, and every other value with a '.' or ',' is rejected.
_DECIMAL_COMMA_PATTERN = r"^[+-]?([0-9]+|[1-9][0-9]{0,2}(\.[0-9]{3})+)(,[0-9]+)?$"
_NUMERIC_KINDS = ("decimal", "integer")

SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass(frozen=True)
class FieldRule:
    """The constraints of one contract field, as far as the fast path can check them."""

    name: str
    kind: str  # text | integer | decimal | date | timestamp
    required: bool
    accepted_names: tuple[str, ...]
    # A column whose name changes with each edition of a publication (e.g. DESNZ's
    # "GHG Conversion Factor 2024"): declared as Field(json_schema_extra={"column_pattern": ...}).
    column_pattern: str | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None


def field_rules(contract: type[Contract]) -> list[FieldRule]:
    return [_field_rule(name, info) for name, info in contract.model_fields.items()]


def _field_rule(name: str, info: FieldInfo) -> FieldRule:
    base_type, metadata = _unwrap(info.annotation)
    metadata = [*info.metadata, *metadata]
    kinds = {str: "text", int: "integer", Decimal: "decimal", dt.date: "date", dt.datetime: "timestamp"}
    if base_type not in kinds:
        raise TypeError(f"contract field {name}: unsupported type {base_type!r}")
    constraints: dict[str, Any] = {}
    for item in metadata:
        for attribute in ("pattern", "min_length", "max_length", "gt", "ge", "lt", "le"):
            value = getattr(item, attribute, None)
            if value is not None:
                constraints[attribute] = (
                    Decimal(str(value)) if attribute in ("gt", "ge", "lt", "le") else value
                )
        if isinstance(item, annotated_types.Len):
            constraints.setdefault("min_length", item.min_length)
            if item.max_length is not None:
                constraints.setdefault("max_length", item.max_length)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return FieldRule(
        name=name,
        kind=kinds[base_type],
        required=info.is_required(),
        accepted_names=_accepted_names(name, info),
        column_pattern=extra.get("column_pattern"),
        **constraints,
    )


def _unwrap(annotation: Any) -> tuple[type, list[Any]]:
    """Strip Optional and Annotated layers, collecting their metadata."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                raise TypeError(f"unsupported union {annotation!r}")
            annotation = members[0]
        else:
            return annotation, metadata


def _accepted_names(name: str, info: FieldInfo) -> tuple[str, ...]:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        names = [choice for choice in alias.choices if isinstance(choice, str)]
    elif isinstance(alias, str):
        names = [alias]
    else:
        names = []
    return tuple(dict.fromkeys([name, *names]))


@dataclass(frozen=True)
class NumberFormat:
    """How a file writes its numbers: the decimal separator, and whether it is only assumed (not declared
    by the source, not fixed by the file format, not shown by the file's numbers)."""

    decimal_separator: str = "."
    assumed: bool = False

    def canonical(self, text: str) -> str:
        """``text`` as a number with a decimal point, for the contract; raises ``ValueError`` with the
        reason when the file's convention cannot read it (the contract judges everything else)."""
        value = text.strip()
        if self.assumed and re.fullmatch(AMBIGUOUS_NUMBER, value):
            with_point, with_comma = value.replace(",", ""), value.replace(".", "").replace(",", ".")
            raise ValueError(
                f"ambiguous number {value!r}: {with_point} with a decimal point, {with_comma} with a decimal "
                "comma, and no other number of the file tells which (declare the source's decimal_separator)"
            )
        if self.decimal_separator == ",":
            if re.fullmatch(_DECIMAL_COMMA_PATTERN, value):
                return value.replace(".", "").replace(",", ".")
            if "." in value or "," in value:
                raise ValueError(
                    f"{value!r} is not a number written with a decimal comma, as this file writes them"
                )
        elif "," in value:
            raise ValueError(
                f"{value!r} is not a number written with a decimal point, as this file writes them"
            )
        return text

    def fast_check(self, value: str) -> str | None:
        """SQL true when ``canonical`` accepts ``value`` (a column expression) as it is or rewritten."""
        checks = []
        if self.decimal_separator == ",":
            checks.append(f"regexp_full_match({value}, '{_DECIMAL_COMMA_PATTERN}')")
        if self.assumed:
            checks.append(f"NOT regexp_full_match({value}, '{AMBIGUOUS_NUMBER}')")
        return f"({value} IS NULL OR ({' AND '.join(checks)}))" if checks else None

    def rewrite(self, value: str) -> str:
        """SQL of ``value`` with a decimal point (decimal-comma files: only in the exact shape)."""
        if self.decimal_separator != ",":
            return value
        return (
            f"CASE WHEN regexp_full_match({value}, '{_DECIMAL_COMMA_PATTERN}') "
            f"THEN replace(replace({value}, '.', ''), ',', '.') ELSE {value} END"
        )


class ContractMismatchError(Exception):
    """The file's columns cannot feed the contract (a required field has no column)."""


def map_columns(rules: list[FieldRule], columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map contract fields to the file's columns; return the mapping and the columns left unused."""
    mapping: dict[str, str] = {}
    missing = []
    for rule in rules:
        found = next((column for column in rule.accepted_names if column in columns), None)
        if found is None and rule.column_pattern:
            found = next((column for column in columns if re.fullmatch(rule.column_pattern, column)), None)
        if found is not None:
            mapping[rule.name] = found
        elif rule.required:
            missing.append(rule.name)
    if missing:
        raise ContractMismatchError(
            # the count, not the names: a header is the file's first line, and the ledger's error column
            # and the logs never quote what a file holds
            f"required column(s) missing: {', '.join(missing)} (the file has {len(columns)} column(s))"
        )
    used = set(mapping.values())
    ignored = [column for column in columns if column not in used and not column.startswith("_")]
    return mapping, ignored


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """A contract's rejection as the dead letter records it: ``{field, message}`` per problem (``field``: the
    dotted location, or None for a rule of the whole record)."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or None, "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


@dataclass
class ValidatedBatch:
    valid: pa.Table  # typed contract fields + _source_row + _row_sha256
    rejected: list[dict[str, Any]]  # {source_row, raw_record (json text), errors (json text)}


class BatchValidator:
    """Validates batches of one file against one contract (one DuckDB query per batch)."""

    def __init__(
        self, contract: type[Contract], columns: list[str], number_format: NumberFormat | None = None
    ):
        self.contract = contract
        self.number_format = number_format or NumberFormat()
        self.rules = field_rules(contract)
        self.mapping, self.ignored_columns = map_columns(self.rules, columns)
        # What a dead-letter row shows: every received value, surplus fields included.
        self.source_columns = [
            column for column in columns if not column.startswith("_") or column == EXTRA_FIELDS
        ]
        # A record the reader found structurally broken (ragged line, unparseable JSON) is rejected as such.
        self.problem_columns = [ROW_ERROR] if ROW_ERROR in columns else []
        self.schema = pa.schema(
            [(rule.name, ARROW_TYPES[rule.kind]) for rule in self.rules]
            + [(ROW_NUMBER, pa.int64()), (ROW_HASH, pa.string())]
        )
        self._fast_sql, self._slow_sql = self._build_sql()
        self._engine = duckdb.connect()

    def validate(self, batch: pa.RecordBatch | pa.Table) -> ValidatedBatch:
        self._engine.register("incoming", batch)
        try:
            checked = self._engine.sql(self._fast_sql).to_arrow_table()
            fast_ok = checked.column("_fast_ok")
            if pc.all(fast_ok).as_py():
                return ValidatedBatch(valid=checked.drop_columns(["_fast_ok"]).cast(self.schema), rejected=[])
            valid = checked.filter(fast_ok).drop_columns(["_fast_ok"]).cast(self.schema)
            slow = checked.filter(pc.invert(fast_ok)).select([ROW_NUMBER, ROW_HASH])
            self._engine.register("slow", slow)
            try:
                received = self._engine.sql(self._slow_sql).to_arrow_table()
            finally:
                self._engine.unregister("slow")
        finally:
            self._engine.unregister("incoming")
        accepted, rejected = self._validate_slow(received)
        if accepted:
            valid = pa.concat_tables([valid, pa.Table.from_pylist(accepted, schema=self.schema)])
        return ValidatedBatch(valid=valid, rejected=rejected)

    def _validate_slow(self, rows: pa.Table) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        accepted, rejected = [], []
        for row in rows.to_pylist():
            problems = [row[column] for column in self.problem_columns if row[column] is not None]
            errors = [{"field": None, "message": problem} for problem in problems]
            if not errors:
                record, errors = self._validate_record(row)
                if record is not None:
                    accepted.append(
                        {**record.model_dump(), ROW_NUMBER: row[ROW_NUMBER], ROW_HASH: row[ROW_HASH]}
                    )
                    continue
            received = {column: row[f"_raw_{index}"] for index, column in enumerate(self.source_columns)}
            rejected.append(
                {
                    "source_row": row[ROW_NUMBER],
                    "raw_record": json.dumps(received, ensure_ascii=False),
                    "errors": json.dumps(errors, ensure_ascii=False),
                }
            )
        return accepted, rejected

    def _validate_record(self, row: dict[str, Any]) -> tuple[Contract | None, list[dict[str, Any]]]:
        """The contract's verdict on one row: the record, or the field-level errors."""
        # A blank cell is an absent value: the contract then says "Field required", not "not a string".
        candidate = {
            rule.name: row[f"_in_{rule.name}"]
            for rule in self.rules
            if rule.name in self.mapping and row[f"_in_{rule.name}"] is not None
        }
        errors = []
        for rule in self.rules:
            if rule.name in candidate and rule.kind in _NUMERIC_KINDS:
                try:
                    candidate[rule.name] = self.number_format.canonical(row[f"_num_{rule.name}"])
                except ValueError as problem:
                    del candidate[rule.name]
                    errors.append({"field": rule.name, "message": str(problem)})
        unreadable = {error["field"] for error in errors}
        try:
            record = self.contract.model_validate(candidate)
        except ValidationError as error:
            return None, errors + [
                item
                for item in field_errors(error)
                if item["field"] is None or item["field"].split(".")[0] not in unreadable
            ]
        return (None, errors) if errors else (record, [])

    def _build_sql(self) -> tuple[str, str]:
        """Two queries: typed values and verdicts for every row; what the contract needs for the rest."""
        inputs, numbers, typed, checks = [], [], [], []
        for rule in self.rules:
            source = self.mapping.get(rule.name)
            value = _quote(source) if source else "NULL::VARCHAR"
            if rule.kind in _NUMERIC_KINDS:
                numbers.append(f"{value} AS {_quote('_num_' + rule.name)}")
                format_check = self.number_format.fast_check(value)
                if format_check:
                    inputs.append(f"{format_check} AS {_quote('_format_ok_' + rule.name)}")
                    checks.append(_quote("_format_ok_" + rule.name))
                value = self.number_format.rewrite(value)
            inputs.append(f"{value} AS {_quote('_in_' + rule.name)}")
            typed.append(f"{_typed(rule)} AS {_quote(rule.name)}")
            checks.append(_fast_check(rule))
        for condition, _message in self.contract.row_rules_sql:
            checks.append(f"NOT coalesce({condition}, false)")
        checks.extend(f"{_quote(column)} IS NULL" for column in self.problem_columns)
        raw = [
            f"{_quote(column)} AS {_quote(f'_raw_{index}')}"
            for index, column in enumerate(self.source_columns)
        ]
        # The canonical record: received text of the contract's fields in contract order (absent: empty),
        # so the same record hashes the same whatever the file's column order or extra columns.
        hashed = ", ".join(
            f"coalesce({_quote(self.mapping[rule.name])}, '')" if rule.name in self.mapping else "''"
            for rule in self.rules
        )
        problems = "".join(f", {_quote(column)}" for column in self.problem_columns)
        fields = ", ".join(_quote(rule.name) for rule in self.rules)
        fast = f"""
            WITH received AS (
                SELECT {ROW_NUMBER}, {", ".join(inputs)}{problems},
                       sha256(concat_ws('{_HASH_SEPARATOR}', {hashed})) AS {ROW_HASH}
                FROM incoming
            ), typed AS (
                SELECT *, {", ".join(typed)} FROM received
            )
            SELECT {fields}, {ROW_NUMBER}, {ROW_HASH},
                   coalesce({" AND ".join(f"({check})" for check in checks)}, false) AS _fast_ok
            FROM typed
        """
        slow = f"""
            SELECT slow.{ROW_HASH}, incoming.{ROW_NUMBER}, {", ".join([*inputs, *numbers, *raw])}{problems}
            FROM incoming JOIN slow ON slow.{ROW_NUMBER} = incoming.{ROW_NUMBER}
        """
        return fast, slow


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _typed(rule: FieldRule) -> str:
    value = _quote("_in_" + rule.name)
    if rule.kind == "text":
        return value
    pattern = {
        "integer": _INTEGER_PATTERN,
        "decimal": _DECIMAL_PATTERN,
        "date": _DATE_PATTERN,
        "timestamp": _TIMESTAMP_PATTERN,
    }[rule.kind]
    return f"CASE WHEN regexp_full_match({value}, '{pattern}') THEN TRY_CAST({value} AS {SQL_TYPES[rule.kind]}) END"


def _fast_check(rule: FieldRule) -> str:
    """SQL that is true only when the contract would accept the value unchanged."""
    value, typed = _quote("_in_" + rule.name), _quote(rule.name)
    if not rule.required:
        # Pydantic turns blanks into None for optional fields; an absent value is trivially fine.
        return f"{value} IS NULL OR ({_present_check(rule, value, typed)})"
    return _present_check(rule, value, typed)


def _present_check(rule: FieldRule, value: str, typed: str) -> str:
    checks = [f"{typed} IS NOT NULL"]
    if rule.kind == "text":
        checks.append(f"NOT regexp_matches({value}, '^{_WHITESPACE}|{_WHITESPACE}$')")
        if rule.pattern:
            checks.append(f"regexp_matches({value}, '{rule.pattern}')")
        if rule.min_length is not None:
            checks.append(f"length({value}) >= {rule.min_length}")
        if rule.max_length is not None:
            checks.append(f"length({value}) <= {rule.max_length}")
    for bound, operator in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
        limit = getattr(rule, bound)
        if limit is not None:
            checks.append(f"{typed} {operator} {limit}")
    return " AND ".join(checks)
