"""What a table holds, as a row count and an order-independent content hash that both engines agree on.

The rows travel as Arrow, typed from the catalogue (DuckDB's native Arrow export; PostgreSQL's
``COPY ... TO STDOUT`` in CSV, read by Arrow with the column types), so neither engine's Python drivers
build an object per value. Each row is written canonically — columns by name, a decimal as its unscaled
integer (both engines hold a contract's decimals as DECIMAL/NUMERIC(38,12)), every other value as Arrow's
text of it, NULL apart from every value — hashed with SHA-256, and the row hashes are added modulo 2^256: the same multiset of rows
gives the same hash in any order, on DuckDB or PostgreSQL, and a changed, added, lost or duplicated row
changes it. Backups, restores and tenant moves are verified with it; tenant exports are written from the
same Arrow batches.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from greenlang.core.warehouse import DuckDBSession, PostgresSession, Session

_MODULUS = 1 << 256
_NULL = b"\x00"
_SEPARATOR = b"\x1f"
_BATCH_ROWS = 100_000


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


def arrow_type(data_type: str, precision: int | None, scale: int | None) -> pa.DataType:
    """The Arrow type of a column as the catalogue describes it on DuckDB or PostgreSQL; an unbounded
    PostgreSQL numeric travels as its exact text."""
    name = data_type.lower().split("(", 1)[0].strip()
    if name in ("decimal", "numeric"):
        return pa.decimal128(precision, scale) if precision else pa.string()
    types = {
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "smallint": pa.int16(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "double precision": pa.float64(),
        "real": pa.float32(),
        "float": pa.float32(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "timestamp without time zone": pa.timestamp("us"),
    }
    return types.get(name, pa.string())


def relation_schema(session: Session, schema: str, table: str) -> pa.Schema:
    """The Arrow schema of a table or (PostgreSQL) materialized view, its columns in their order."""
    if isinstance(session, PostgresSession):
        # information_schema leaves out materialized views: the catalogue has every relation
        columns = session.fetchall(
            "SELECT a.attname, format_type(a.atttypid, NULL), "
            "CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 0 THEN ((a.atttypmod - 4) >> 16) END, "
            "CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 0 THEN ((a.atttypmod - 4) & 65535) END "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %(schema)s AND c.relname = %(table)s AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum",
            {"schema": schema, "table": table},
        )
    else:
        columns = session.fetchall(
            "SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns "
            "WHERE table_schema = %(schema)s AND table_name = %(table)s ORDER BY ordinal_position",
            {"schema": schema, "table": table},
        )
    return pa.schema([pa.field(name, arrow_type(*kind)) for name, *kind in columns])


def arrow_batches(
    session: Session, schema: str, table: str, where: str = "", params: dict[str, Any] | None = None
) -> Iterator[pa.RecordBatch]:
    """The rows of ``schema.table`` (those ``where`` selects) as record batches of its Arrow schema."""
    arrow_schema = relation_schema(session, schema, table)
    columns = ", ".join(f'"{name}"' for name in arrow_schema.names)
    query = f'SELECT {columns} FROM "{schema}"."{table}"' + (f" WHERE {where}" if where else "")
    if isinstance(session, DuckDBSession):
        for batch in session.record_batches(query, params, _BATCH_ROWS):
            yield batch.cast(arrow_schema) if batch.schema != arrow_schema else batch
        return
    if not isinstance(session, PostgresSession):
        raise TypeError(f"no Arrow export for {type(session).__name__}")
    with tempfile.TemporaryFile() as spool:
        with (
            session.connection.cursor() as cursor,
            cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy,
        ):
            for data in copy:
                spool.write(data)
        if not spool.tell():
            return
        spool.seek(0)
        reader = pa_csv.open_csv(
            spool,
            read_options=pa_csv.ReadOptions(column_names=arrow_schema.names, block_size=16 << 20),
            convert_options=pa_csv.ConvertOptions(
                column_types=arrow_schema,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,  # COPY writes NULL unquoted, the empty text as ""
                true_values=["t"],
                false_values=["f"],
            ),
        )
        for batch in reader:
            yield batch


def canonical_bytes(column: pa.Array) -> pa.Array:
    """Each value as bytes in one form whatever the engine: a decimal as its 16-byte unscaled integer (the
    same column type holds the same digits on both engines), anything else as Arrow's text of it; NULL as
    one byte no value is (a decimal is 16 bytes, and no text of ours holds a NUL)."""
    if pa.types.is_decimal128(column.type):
        raw = pa.Array.from_buffers(pa.binary(16), len(column), column.buffers(), offset=column.offset)
        values = pc.cast(raw, pa.binary())
    else:
        values = pc.cast(pc.cast(column, pa.string()), pa.binary())
    return pc.fill_null(values, pa.scalar(_NULL, pa.binary()))


def fingerprint_batches(batches: Iterable[pa.RecordBatch]) -> Fingerprint:
    count, total = 0, 0
    for batch in batches:
        if not batch.num_rows:
            continue
        values = [canonical_bytes(batch.column(name)) for name in sorted(batch.schema.names)]
        rows = pc.binary_join_element_wise(*values, pa.scalar(_SEPARATOR, pa.binary()))
        for row in rows.to_pylist():
            total += int.from_bytes(hashlib.sha256(row).digest(), "big")
        count += batch.num_rows
    return Fingerprint(count, f"{total % _MODULUS:064x}")


def fingerprint_table(
    session: Session, schema: str, table: str, where: str = "", params: dict[str, Any] | None = None
) -> Fingerprint:
    """The fingerprint of ``schema.table`` (the rows ``where`` selects, if given)."""
    return fingerprint_batches(arrow_batches(session, schema, table, where, params))
