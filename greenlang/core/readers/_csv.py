"""Delimited text files (CSV, TSV, semicolon or pipe separated).

Detection (encoding, delimiter, header, decimal mark) works on the first 64 KiB of text, except the
encoding and the end-of-file quote check, which look at every byte (``_bytes``). The body is then
streamed by ``pyarrow.csv`` with every column read as text; records whose field count differs from
the header's come back through pyarrow's invalid-row hook and are re-inserted in file order as rows
with a ``_row_error``, so a ragged line is a row-level problem, never a silent truncation.

``_source_row`` is the 1-based record number after the header: a quoted value spanning several
lines is one record, and blank lines are skipped without being counted.

End marker: as in the Excel reader, a record whose only non-empty value is ``END`` (any case, spaces
around it allowed; an empty field is one with no characters) ends the table: publishers close exported
tables with it (the UK DESNZ flat file ends with ``,END,,,,,,,,``). Neither the marker nor anything
after it is a record; reading stops there.

Speed and memory: about 2 million rows/s for a 14-column file (UTF-8; Windows-1252 is transcoded
and a little slower); memory stays flat whatever the file size, because the parse block is small
(pyarrow reads a few dozen blocks ahead) and batches are re-cut to ``batch_rows``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from greenlang.core.readers._bytes import profile_text_file
from greenlang.core.readers._common import (
    EXTRA_FIELDS,
    SOURCE_ROW,
    Row,
    SourceFile,
    UnreadableFileError,
    batch_schema,
    normalise_header,
    rebatch,
    rows_to_batch,
)

DELIMITERS = (",", ";", "\t", "|")  # in order of preference when the evidence is equal
SAMPLE_CHARS = 64 * 1024
SAMPLE_RECORDS = 200
BLOCK_BYTES = 1 << 20  # pyarrow parse block; also the longest record accepted (a bigger block costs memory)
_MIN_CONSISTENCY = 0.9

# A number written with a decimal comma (1,5 / 1.234,56) or a decimal point (1.5 / 1,234.56).
# "1.234" alone is ambiguous (a decimal, or 1234 with a thousands dot) and counts for neither.
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_POINT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+$")
_AMBIGUOUS_POINT = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")
# pyarrow decodes UTF-8 natively (and skips a BOM); other encodings are transcoded on the fly.
_ARROW_ENCODING = {"utf-8": "utf8", "utf-8-sig": "utf8"}
_END_SENTINEL = "\uffff<end-of-file>"
END_MARKER = "END"  # a record whose only non-empty value this is ends the table (as in the Excel reader)


def open_csv(path: Path) -> SourceFile:
    encoding = profile_text_file(path)
    sample, complete = _read_sample(path, encoding.encoding)
    delimiter = sniff_delimiter(sample, complete)
    records = _sample_records(sample, complete, delimiter)
    if not records:
        reason = (
            "the file holds only blank lines"
            if complete
            else f"none ends in the first {SAMPLE_CHARS} characters"
        )
        raise UnreadableFileError(path, f"no header row ({reason})")
    if encoding.odd_quote_count:
        _check_quotes_closed(path, encoding.encoding, delimiter)
    raw_header = records[0]
    columns = normalise_header(path, raw_header, lambda index: f"column {index + 1}")
    body = records[1:]
    end = next((index for index, record in enumerate(body) if is_end_marker(record)), len(body))
    return SourceFile(
        path=path,
        format="csv",
        encoding=encoding.encoding,
        delimiter=delimiter,
        decimal_separator=detect_decimal_separator(body[:end], delimiter),
        columns=columns,
        _read=partial(_read_batches, path, encoding.encoding, delimiter, raw_header, columns),
    )


def _read_sample(path: Path, encoding: str) -> tuple[str, bool]:
    """The first characters of the file, and whether they are the whole file."""
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(SAMPLE_CHARS)
        return sample, not stream.read(1)


def _sample_records(sample: str, complete: bool, delimiter: str) -> list[list[str]]:
    """The non-blank records of the sample; the last one is dropped if the sample cut it."""
    try:
        records = [
            record for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if record
        ]
    except csv.Error:
        return []
    return records[:SAMPLE_RECORDS] if complete or len(records) > SAMPLE_RECORDS else records[:-1]


def sniff_delimiter(sample: str, complete: bool) -> str:
    """Pick the delimiter among , ; tab | from how consistently each splits the sample's records.

    Parsing is quote-aware (csv module), so delimiters inside quoted values do not count. A candidate
    must split the header into at least two fields; among those, the ones that give at least 90% of
    the records the header's field count win, then the one giving the most fields, then the order
    above. A file where nothing splits the header is a one-column file (delimiter ``,``).
    """
    best: tuple[bool, int, float, int] | None = None
    chosen = DELIMITERS[0]
    for rank, delimiter in enumerate(DELIMITERS):
        records = _sample_records(sample, complete, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        body = records[1:]
        consistency = sum(len(record) == width for record in body) / len(body) if body else 1.0
        score = (consistency >= _MIN_CONSISTENCY, width, consistency, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def detect_decimal_separator(records: Sequence[Sequence[str]], delimiter: str) -> str:
    """``,`` when the delimiter is not a comma and decimal-comma numbers outnumber decimal-point ones.

    The reader never rewrites values; the validator uses this to parse numbers like ``1.234,56``.
    """
    if delimiter == ",":
        return "."
    cells = [cell.strip() for record in records for cell in record]
    commas = sum(1 for cell in cells if _COMMA_DECIMAL.match(cell))
    points = sum(1 for cell in cells if _POINT_DECIMAL.match(cell) and not _AMBIGUOUS_POINT.match(cell))
    return "," if commas > points else "."


def is_end_marker(values: Sequence[str | None]) -> bool:
    """True for a record whose only non-empty value is ``END`` (the end-of-table marker)."""
    present = [value for value in values if value]
    return len(present) == 1 and present[0].strip().upper() == END_MARKER


def _check_quotes_closed(path: Path, encoding: str, delimiter: str) -> None:
    """Refuse a file that ends inside a quoted field (a truncated file).

    Only run when the file has an odd number of quote characters. The file is parsed with a sentinel
    line appended: if the sentinel comes back as a record of its own every quote was closed;
    otherwise the last quoted field swallowed it, and the message gives the line that field began on.
    """
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(chain(stream, ["\n", _END_SENTINEL]), delimiter=delimiter)
        record_start, last_start, last = 1, 1, None
        for record in reader:
            if record:
                last, last_start = record, record_start
            record_start = reader.line_num + 1
    if last is not None and last != [_END_SENTINEL]:
        raise UnreadableFileError(
            path,
            f"truncated: a quoted field in the record starting on line {last_start} is never closed "
            "(the file ends inside quotes)",
        )


def _read_batches(
    path: Path, encoding: str, delimiter: str, raw_header: list[str], columns: list[str], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    ragged = _RaggedRows(delimiter, len(columns))
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=False,  # the invalid-row hook then reports record numbers
                block_size=BLOCK_BYTES,
                autogenerate_column_names=True,  # the header arrives as the first row
                encoding=_ARROW_ENCODING.get(encoding, encoding),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=ragged.keep
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{index}": pa.string() for index in range(len(columns))},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        yield from rebatch(
            _until_end_marker(_in_file_order(path, reader, ragged, raw_header, columns), columns), batch_rows
        )
    except pa.ArrowInvalid as error:
        hint = f" (a record longer than {BLOCK_BYTES} bytes?)" if "straddl" in str(error) else ""
        raise UnreadableFileError(path, f"cannot parse: {error}{hint}") from error


@dataclass
class _RaggedRows:
    """Collects records whose field count differs from the header's (pyarrow's invalid-row hook)."""

    delimiter: str
    width: int
    rows: list[Row] = field(default_factory=list)

    def keep(self, row: pacsv.InvalidRow) -> str:
        record = row.number - 1  # pyarrow counts the header as row 1
        try:
            fields = next(csv.reader([row.text], delimiter=self.delimiter))
        except csv.Error:
            fields = [row.text]
        surplus = fields[self.width :]
        error = extra = None
        if len(fields) < self.width or any(surplus):
            error = f"expected {self.width} fields (as in the header), found {row.actual_columns}"
        if any(surplus):
            extra = json.dumps(surplus, ensure_ascii=False)
        self.rows.append((record, [value or None for value in fields[: self.width]], error, extra))
        return "skip"

    def record_numbers(self) -> np.ndarray:
        return np.fromiter((row[0] for row in self.rows), dtype=np.int64, count=len(self.rows))


def _in_file_order(
    path: Path,
    reader: pacsv.CSVStreamingReader,
    ragged: _RaggedRows,
    raw_header: list[str],
    columns: list[str],
) -> Iterator[pa.RecordBatch]:
    """Number pyarrow's well-formed records and merge the ragged ones back in between them.

    The j-th well-formed record is record ``j + k`` where k counts the ragged records before it; for
    the ragged record numbers R (sorted), k = searchsorted(R - arange(len(R)), j, side="right").
    pyarrow reports a block's ragged records while parsing it, before returning its batch, so every
    ragged record before a batch's last record is known when the batch arrives. Ragged records once
    emitted all precede what follows, so they are dropped and only counted (``emitted``).
    """
    schema = batch_schema(columns)
    if len(reader.schema) != len(columns):
        raise UnreadableFileError(
            path, f"header parsed as {len(reader.schema)} columns, expected {len(columns)}"
        )
    seen = emitted = 0
    first = True
    for batch in reader:
        if first:
            _check_header_row(path, batch, raw_header)
            batch, first = batch.slice(1), False
        if not batch.num_rows:
            continue
        pending = ragged.record_numbers() - emitted - np.arange(len(ragged.rows))
        wellformed = np.arange(seen + 1, seen + batch.num_rows + 1, dtype=np.int64)
        records = wellformed + emitted + np.searchsorted(pending, wellformed, side="right")
        seen += batch.num_rows
        piece = pa.RecordBatch.from_arrays(
            [
                *batch.columns,
                pa.array(records),
                pa.nulls(batch.num_rows, pa.string()),
                pa.nulls(batch.num_rows, pa.string()),
            ],
            schema=schema,
        )
        due = next((index for index, row in enumerate(ragged.rows) if row[0] > records[-1]), len(ragged.rows))
        if due:
            piece = pa.concat_batches([piece, rows_to_batch(columns, ragged.rows[:due])])
            piece = piece.take(pc.sort_indices(piece[SOURCE_ROW]))
            del ragged.rows[:due]
            emitted += due
        yield piece
    if ragged.rows:
        yield rows_to_batch(columns, ragged.rows)


def _until_end_marker(pieces: Iterator[pa.RecordBatch], columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Pass the records on up to the first end-marker record (excluded), then stop reading."""
    for piece in pieces:
        end = _end_marker_index(piece, columns)
        if end is None:
            yield piece
            continue
        if end:
            yield piece.slice(0, end)
        return


def _end_marker_index(piece: pa.RecordBatch, columns: list[str]) -> int | None:
    """Position in ``piece`` of the first end-marker record, or None.

    Vectorised and cheap on ordinary data: only records with exactly one value (an empty field is null)
    and no surplus fields are candidates, and only those are trimmed and compared.
    """
    count = None
    for name in columns:
        present = pc.cast(pc.is_valid(piece.column(name)), pa.int16())
        count = present if count is None else pc.add(count, present)
    if count is None:
        return None
    candidates = pc.and_(pc.equal(count, 1), pc.is_null(piece.column(EXTRA_FIELDS)))
    if not pc.any(candidates).as_py():
        return None
    positions = pc.indices_nonzero(candidates)
    marker = None
    for name in columns:
        values = pc.take(piece.column(name), positions)
        found = pc.fill_null(pc.equal(pc.utf8_upper(pc.utf8_trim_whitespace(values)), END_MARKER), False)
        marker = found if marker is None else pc.or_(marker, found)
    hits = pc.indices_nonzero(marker)
    return positions[hits[0].as_py()].as_py() if len(hits) else None


def _check_header_row(path: Path, batch: pa.RecordBatch, raw_header: list[str]) -> None:
    parsed = [column[0].as_py() or "" for column in batch.columns] if batch.num_rows else []
    if parsed != raw_header:
        raise UnreadableFileError(path, f"header parsed as {parsed!r}, expected {raw_header!r}")
