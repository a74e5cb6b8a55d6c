"""Types and helpers shared by every reader: the error, the source handle, the batch layout."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from greenlang.core.readers._limits import MAX_BATCH_VALUES, MAX_COLUMNS

# Columns every batch carries after the file's own (header) columns. Header names are snake_cased and
# snake_case never yields a leading underscore, so these can never collide with a file's column.
SOURCE_ROW = "_source_row"  # int64: CSV/JSON array record number, JSON Lines line, Excel worksheet row
ROW_ERROR = "_row_error"  # text: why the record is structurally broken (null = it is not)
EXTRA_FIELDS = "_extra_fields"  # text: JSON array of received values that have no column (null = none)
READER_COLUMNS = (SOURCE_ROW, ROW_ERROR, EXTRA_FIELDS)


class UnreadableFileError(Exception):
    """The file cannot be read at all (format, encoding, structure); no record of it can be trusted."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class LimitExceededError(UnreadableFileError):
    """The file exceeds one of the readers' resource limits (``_limits``); the reason names it."""


@dataclass(frozen=True)
class SourceFile:
    """An inbound file whose layout has been detected; ``iter_batches`` streams its records.

    Every batch has the file's columns (``columns``, all ``pa.string()``, values exactly as received,
    an empty value as null) followed by ``_source_row``, ``_row_error`` and ``_extra_fields`` (see
    ``schema``). Iterating again re-reads the file.
    """

    path: Path
    format: str  # "csv" | "excel" | "xls" | "json" | "jsonl" | "api"
    encoding: str | None  # detected (csv/json/jsonl): "utf-8", "utf-8-sig", "cp1252", "latin-1"
    delimiter: str | None  # csv only
    decimal_separator: str  # "." or ","; declared, else fixed by the format, else detected (delimited text)
    # True when nothing decided ``decimal_separator`` (not declared, not fixed by the format, no number of
    # the data written one way only): "." is then assumed, and a number that reads differently under the
    # other convention (1.234) is ambiguous and its record rejected (greenlang.core.validation).
    decimal_separator_assumed: bool
    columns: list[str]  # snake_cased header, in file order
    _read: Callable[[int], Iterator[pa.RecordBatch]] = field(repr=False, compare=False)
    compression: str | None = None  # "gzip" when the file was decompressed to be read
    # What must live as long as the handle (the decompressed copy of a .gz file)
    _keep: object = field(default=None, repr=False, compare=False)

    @property
    def schema(self) -> pa.Schema:
        """The schema of every batch: the columns, then the reader's row columns."""
        return batch_schema(self.columns)

    def iter_batches(self, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        """Stream the records: every batch has exactly ``batch_rows`` rows except the last (JSON and
        Excel files wider than ``MAX_BATCH_VALUES / batch_rows`` columns get smaller batches).

        A header without records yields no batch. Raises ``UnreadableFileError`` if the body turns out
        to be unreadable part-way (rare: detection reads the whole file up front where it can).
        """
        if batch_rows < 1:
            raise ValueError(f"batch_rows must be positive, got {batch_rows}")
        return self._read(batch_rows)


def batch_schema(columns: Sequence[str]) -> pa.Schema:
    return pa.schema(
        [pa.field(name, pa.string()) for name in columns]
        + [
            pa.field(SOURCE_ROW, pa.int64(), nullable=False),
            pa.field(ROW_ERROR, pa.string()),
            pa.field(EXTRA_FIELDS, pa.string()),
        ]
    )


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\W_]+")
_WORD_BREAK = re.compile(r"[\s_\-]")


def snake_case(header: str) -> str:
    """Normalise a header to snake_case: ``"Net mass (tonnes)"`` → ``net_mass_tonnes``.

    Accents are dropped (``Électricité`` → ``electricite``) and compatibility forms folded (``CO₂`` →
    ``co2``) so that names are stable identifiers. camelCase is split only in single-word headers
    (API keys such as ``netMassTonnes``): in labels with spaces capitals are units and acronyms
    (``MWh``, ``tCO2e``) that must not be cut apart.
    """
    text = unicodedata.normalize("NFKD", header.strip())
    text = "".join(char for char in text if not unicodedata.combining(char))
    if not _WORD_BREAK.search(text):
        text = _CAMEL_BOUNDARY.sub("_", text)
    return _SEPARATORS.sub("_", text.casefold()).strip("_")


def normalise_header(path: Path, raw_names: Sequence[str | None], where: Callable[[int], str]) -> list[str]:
    """Snake-case a header; empty or (after normalisation) duplicate names make the file unreadable.

    ``where(i)`` names the position of the i-th name for messages ("column 3", "column C").
    """
    if len(raw_names) > MAX_COLUMNS:
        raise LimitExceededError(path, f"{len(raw_names):,} columns, more than the limit of {MAX_COLUMNS:,}")
    names = [snake_case(name or "") for name in raw_names]
    empty = [where(index) for index, name in enumerate(names) if not name]
    if empty:
        raise UnreadableFileError(path, f"empty header name in {', '.join(empty)}")
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        positions.setdefault(name, []).append(index)
    duplicates = [
        f"{name!r} ({', '.join(f'{where(i)} {raw_names[i]!r}' for i in found)})"
        for name, found in positions.items()
        if len(found) > 1
    ]
    if duplicates:
        raise UnreadableFileError(
            path, f"duplicate header names after normalisation: {'; '.join(duplicates)}"
        )
    return names


Row = tuple[int, Sequence[str | None], str | None, str | None]
"""One record as ``(source_row, values, row_error, extra_fields)``; ``values`` may be short (→ nulls)."""


def rows_to_batch(columns: Sequence[str], rows: Sequence[Row]) -> pa.RecordBatch:
    """One batch holding all of ``rows`` (at least one)."""
    return next(_batches(columns, rows, len(rows)))


def batches_from_rows(
    columns: Sequence[str], rows: Iterable[Row], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """Batch records into batches of exactly ``batch_rows`` rows (the last may be short), fewer in a
    file so wide that a batch would hold more than ``MAX_BATCH_VALUES`` values.

    Values go straight into per-column lists, so no per-row object outlives its row: holding 100,000
    row objects makes Python's cyclic garbage collector rescan them again and again (it doubled the
    time of a JSON load).
    """
    return _batches(columns, rows, min(batch_rows, max(1, MAX_BATCH_VALUES // max(len(columns), 1))))


def _batches(columns: Sequence[str], rows: Iterable[Row], batch_rows: int) -> Iterator[pa.RecordBatch]:
    width = len(columns)
    schema = batch_schema(columns)
    iterator = iter(rows)
    while True:
        data: list[list[str | None]] = [[] for _ in range(width)]
        source_rows: list[int] = []
        errors: list[str | None] = []
        extras: list[str | None] = []
        for source_row, values, error, extra in islice(iterator, batch_rows):
            for column, value in zip(data, values, strict=False):
                column.append(value)
            for index in range(len(values), width):
                data[index].append(None)
            source_rows.append(source_row)
            errors.append(error)
            extras.append(extra)
        if not source_rows:
            return
        arrays = [_text_array(column, name, errors) for column, name in zip(data, columns, strict=True)]
        arrays += [
            pa.array(source_rows, pa.int64()),
            pa.array(errors, pa.string()),
            pa.array(extras, pa.string()),
        ]
        yield reject_nul_values(pa.RecordBatch.from_arrays(arrays, schema=schema), columns)


def _text_array(values: list[str | None], column: str, errors: list[str | None]) -> pa.Array:
    """The values as a text array; a value that is not valid Unicode (a lone surrogate, from a JSON
    ``\\ud800`` escape or a byte a mixed file's encoding cannot decode) rejects its record and is kept
    with the surrogate written as an escape, as evidence."""
    try:
        return pa.array(values, type=pa.string())
    except UnicodeEncodeError:
        pass
    for index, value in enumerate(values):
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            surrogate = f"U+{ord(value[error.start]):04X}"
            values[index] = value.encode("utf-8", "backslashreplace").decode("utf-8")
            if errors[index] is None:
                errors[index] = (
                    f"column {column!r} is not valid text: it holds the lone surrogate {surrogate} "
                    "(a \\u escape, or a byte the file's encoding cannot decode)"
                )
    return pa.array(values, type=pa.string())


def reject_nul_values(batch: pa.RecordBatch, columns: Sequence[str]) -> pa.RecordBatch:
    """Give a ``_row_error`` to the records holding a NUL character (U+0000) in a value.

    No PostgreSQL text column can store NUL; rejecting the record (on every engine alike) keeps the
    value as evidence in the dead letter, where it is JSON-escaped. Every batch built from Python
    values passes here (a JSON ``\\u0000``, an .xls string); a CSV file only if it has NUL bytes.
    """
    errors = batch.column(ROW_ERROR)
    found = False
    for name in columns:
        holds_nul = pc.fill_null(pc.match_substring(batch.column(name), "\x00"), False)
        if not pc.any(holds_nul).as_py():
            continue
        found = True
        message = f"column {name!r} holds a NUL character (U+0000), which no text column can store"
        errors = pc.if_else(pc.and_(holds_nul, pc.is_null(errors)), message, errors)
    if not found:
        return batch
    return batch.set_column(batch.schema.get_field_index(ROW_ERROR), ROW_ERROR, errors)


def is_end_marker(values: Iterable[object], marker: str) -> bool:
    """True for a record whose only non-blank value is ``marker`` (any case, spaces around it)."""
    present = [str(value).strip() for value in values if value is not None and str(value).strip()]
    return len(present) == 1 and present[0].casefold() == marker.strip().casefold()


def without_trailing_end_marker(
    pieces: Iterable[pa.RecordBatch], columns: Sequence[str], marker: str
) -> Iterator[pa.RecordBatch]:
    """Pass the records on, except the very last one if it is the end marker (``is_end_marker``,
    with no surplus fields). One piece is held back until the next shows it was not the last."""
    held: pa.RecordBatch | None = None
    for piece in pieces:
        if piece.num_rows:
            if held is not None:
                yield held
            held = piece
    if held is None:
        return
    last = held.slice(held.num_rows - 1).to_pylist()[0]
    if last[EXTRA_FIELDS] is None and is_end_marker((last[name] for name in columns), marker):
        held = held.slice(0, held.num_rows - 1)
    if held.num_rows:
        yield held


def rebatch(pieces: Iterable[pa.RecordBatch], batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Re-cut a stream of batches into batches of exactly ``batch_rows`` rows (the last may be short)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for piece in pieces:
        if piece.num_rows == 0:
            continue
        pending.append(piece)
        count += piece.num_rows
        while count >= batch_rows:
            combined = pending[0] if len(pending) == 1 else pa.concat_batches(pending)
            yield combined.slice(0, batch_rows)
            rest = combined.slice(batch_rows)
            pending = [rest] if rest.num_rows else []
            count = rest.num_rows
    if count:
        yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)
