"""What a table holds, as a row count and an order-independent content hash that both engines agree on.

Each row is written canonically (columns by name, each value in one text form whatever the engine's type:
a decimal without its trailing zeros, a moment in ISO 8601, NULL apart from every text), hashed with
SHA-256, and the row hashes are added modulo 2^256: the same multiset of rows gives the same hash in any
order, on DuckDB or PostgreSQL, and a changed, added, lost or duplicated row changes it. Backups, restores
and tenant moves are verified with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from greenlang.core.warehouse import Session

_MODULUS = 1 << 256
_NULL = "\x00"


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


def canonical_value(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # 2.500000000000 (NUMERIC(38,12)) and 2.5 are the same quantity
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def row_digest(values: Sequence[Any]) -> int:
    text = "\x1f".join(canonical_value(value) for value in values)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def fingerprint_rows(rows: Iterable[Sequence[Any]]) -> Fingerprint:
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) % _MODULUS
    return Fingerprint(count, f"{total:064x}")


def table_columns(session: Session, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in session.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %(schema)s "
            "AND table_name = %(table)s ORDER BY column_name",
            {"schema": schema, "table": table},
        )
    ]


def fingerprint_query(session: Session, sql: str, params: dict[str, Any] | None = None) -> Fingerprint:
    """The fingerprint of what ``sql`` returns (its columns in the order it names them)."""
    return fingerprint_rows(session.stream(sql, params))


def fingerprint_table(
    session: Session, schema: str, table: str, where: str = "", params: dict[str, Any] | None = None
) -> Fingerprint:
    """The fingerprint of ``schema.table`` (the rows ``where`` selects, if given), its columns by name."""
    columns = ", ".join(f'"{name}"' for name in table_columns(session, schema, table))
    condition = f" WHERE {where}" if where else ""
    return fingerprint_query(session, f'SELECT {columns} FROM "{schema}"."{table}"{condition}', params)
