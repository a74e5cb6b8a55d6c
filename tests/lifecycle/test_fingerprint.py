"""The content hash: order-independent, and any changed, added, lost or duplicated row changes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from greenlang.lifecycle.fingerprint import fingerprint_batches

SCHEMA = pa.schema(
    [("tenant_id", pa.string()), ("quantity", pa.decimal128(38, 12)), ("at", pa.timestamp("us"))]
)
ROWS = [
    ("acme", Decimal("2.5"), dt.datetime(2026, 1, 1)),
    ("acme", None, dt.datetime(2026, 1, 2)),
    ("nordic", Decimal("-1.000000000001"), None),
]


def fingerprint(rows: list[tuple], chunk: int = 2) -> tuple[int, str]:
    batches = [
        pa.RecordBatch.from_pylist(
            [dict(zip(SCHEMA.names, row, strict=True)) for row in rows[i : i + chunk]], SCHEMA
        )
        for i in range(0, len(rows), chunk)
    ]
    found = fingerprint_batches(batches)
    return found.rows, found.sha256


def test_the_same_rows_in_any_order_and_batching_hash_alike() -> None:
    assert fingerprint(ROWS) == fingerprint(ROWS[::-1], chunk=1) == fingerprint(ROWS[1:] + ROWS[:1], chunk=3)


def test_a_changed_added_lost_or_duplicated_row_changes_the_hash() -> None:
    original = fingerprint(ROWS)
    changed = [ROWS[0], ROWS[1], ("nordic", Decimal("-1.000000000002"), None)]
    variants = [changed, [*ROWS, ROWS[0]], ROWS[:2], [*ROWS[:2], ROWS[0]]]
    hashes = {fingerprint(rows)[1] for rows in variants}
    assert original[1] not in hashes and len(hashes) == len(variants)


def test_null_and_empty_text_differ() -> None:
    assert fingerprint([("", None, None)]) != fingerprint([(None, None, None)])
