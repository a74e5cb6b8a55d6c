"""The base of every record contract and the field types contracts share.

A contract is the single source of truth for one record shape: loaders validate with it, the committed
JSON Schema is generated from it (``greenlang/schemas``) and the fast, vectorised validation of
``greenlang.core.validation`` is derived from its field constraints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Regulatory quantities are exact decimals; 38 digits with 12 after the point is the widest type that
# DuckDB, PostgreSQL and Snowflake all hold exactly (DECIMAL(38,12) / NUMERIC(38,12) / NUMBER(38,12)).
DECIMAL_PRECISION = 38
DECIMAL_SCALE = 12
# Staging casts a count, line number or year to SQL ``integer`` (32 bits on DuckDB and PostgreSQL) and an id
# to ``bigint``: each integer field is bounded by what its cast holds, so what the contract accepts, staging
# casts (tests/contracts/test_contract_casts_in_staging.py).
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

_EU_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
# OData V2 JSON dates: /Date(1735689600000)/ or, for DateTimeOffset, /Date(1735689600000+0060)/ (minutes)
_ODATA_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
# A bare number (86400, 45123.5, 1e9): Pydantic would read it as seconds since 1970 (or an Excel serial
# day). No source of ours writes dates so, and what the contract accepts, staging must cast: rejected.
_BARE_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def reject_numbers(value: Any, kind: str, forms: str) -> None:
    """A date or timestamp given as a number is rejected with the forms the contract reads."""
    is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if is_number or (isinstance(value, str) and _BARE_NUMBER.match(value.strip())):
        raise ValueError(f"a number is not a {kind}: write it as {forms}")


def _parse_date(value: Any) -> Any:
    """Accept ISO 8601 dates and the day-first forms EU customs brokers send (31.01.2026, 31/01/2026)."""
    reject_numbers(value, "date", "YYYY-MM-DD or DD.MM.YYYY")
    if isinstance(value, str):
        text = value.strip()
        match = _EU_DATE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return text
    return value


def _parse_datetime(value: Any) -> Any:
    """ISO 8601 or OData V2 ``/Date(ms[+-mmmm])/``; the milliseconds are UTC whatever the offset."""
    reject_numbers(value, "timestamp", "ISO 8601 (YYYY-MM-DDTHH:MM:SS) or /Date(ms)/")
    if isinstance(value, str):
        match = _ODATA_DATE.match(value.strip())
        if match:
            return odata_moment(match.group(1)).replace(tzinfo=dt.UTC)
    return value


def odata_moment(milliseconds: str) -> dt.datetime:
    """The naive UTC moment of an OData ``/Date(ms)/``; one outside years 1–9999 is rejected with its reason."""
    try:
        return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(milliseconds))
    except OverflowError:
        raise ValueError(f"/Date({milliseconds})/ is outside the years 1 to 9999") from None


def _to_naive_utc(value: dt.datetime) -> dt.datetime:
    """Timestamps are stored as naive UTC; a value without an offset is read as UTC."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def upper_code(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
IsoDate = Annotated[dt.date, BeforeValidator(_parse_date)]
UtcDateTime = Annotated[dt.datetime, BeforeValidator(_parse_datetime), AfterValidator(_to_naive_utc)]
ExactDecimal = Annotated[Decimal, Field(max_digits=DECIMAL_PRECISION, decimal_places=DECIMAL_SCALE)]
NonNegativeDecimal = Annotated[
    Decimal, Field(ge=0, max_digits=DECIMAL_PRECISION, decimal_places=DECIMAL_SCALE)
]
PositiveDecimal = Annotated[Decimal, Field(gt=0, max_digits=DECIMAL_PRECISION, decimal_places=DECIMAL_SCALE)]
CountryAlpha2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), BeforeValidator(upper_code)]
OptionalText = Annotated[Text | None, BeforeValidator(blank_to_none)]
OptionalNonNegativeDecimal = Annotated[NonNegativeDecimal | None, BeforeValidator(blank_to_none)]
OptionalDecimal = Annotated[ExactDecimal | None, BeforeValidator(blank_to_none)]


class Contract(BaseModel):
    """A versioned record contract (semantic versioning: a breaking change bumps the major version)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    contract_name: ClassVar[str]
    contract_version: ClassVar[str]
    # Cross-field rules, each as (SQL condition that marks a row INVALID, message). The same rule is
    # enforced in Python by a model validator of the contract; tests prove the two agree.
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = cls.model_json_schema(mode="validation")
        schema["$id"] = f"https://greenlang.dev/contracts/{cls.contract_name}/{cls.contract_version}.json"
        schema["x-contract-name"] = cls.contract_name
        schema["x-contract-version"] = cls.contract_version
        return schema

    @classmethod
    def schema_text(cls) -> str:
        """The JSON Schema as committed (``greenlang/schemas``) and registered in the warehouse: sorted keys
        and a fixed indent make the text a function of the contract alone, so a diff is a change."""
        return json.dumps(cls.json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def schema_sha256(cls) -> str:
        return hashlib.sha256(cls.schema_text().encode("utf-8")).hexdigest()
