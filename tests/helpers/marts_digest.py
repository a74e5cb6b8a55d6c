"""A digest of what the warehouse reports: per relation of marts and reporting, the row count and a sha256
over its rows sorted, leaving out what differs between two builds of the same inputs (batch ids, file
paths, load times). Equal digests: the same figures, whatever engine or code path built them."""

from __future__ import annotations

import hashlib
from typing import Any

from greenlang.core.warehouse import Warehouse

SCHEMAS = ("marts", "reporting")
# Load ids, file locations and load times: new with every load of the same file (score_date: the day of
# the loads the quality scorecard scores).
VOLATILE_COLUMNS = {"_batch_id", "batch_id", "_source_uri", "source_uri", "valid_from", "score_date"}


def _stable(column: str) -> bool:
    return column not in VOLATILE_COLUMNS and not column.endswith("_at")


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(round(value, 9))
    return str(value)


def marts_digest(warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    digest = {}
    with warehouse.session() as session:
        for schema, name, _kind in session.relations(SCHEMAS):
            rows = session.fetch_dicts(f'SELECT * FROM "{schema}"."{name}"')
            columns = sorted(column for column in (rows[0] if rows else {}) if _stable(column))
            lines = sorted("\x1f".join(_text(row[column]) for column in columns) for row in rows)
            text = "|".join(columns) + "\n" + "\n".join(lines)
            digest[f"{schema}.{name}"] = {
                "rows": len(rows),
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            }
    return digest
