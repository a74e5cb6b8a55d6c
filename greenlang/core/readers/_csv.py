"""Delimited text files (CSV, TSV, semicolon or pipe separated).

Detection (delimiter, header, decimal mark) works on the first 64 KiB of text, except the encoding
and the end-of-file quote check, which look at every byte (``_bytes``). The body is then streamed by
``pyarrow.csv`` with every column read as text; records whose field count differs from the header's
come back through pyarrow's invalid-row hook and are re-inserted in file order as rows with a
``_row_error``, so a ragged line is a row-level problem, never a silent truncation.

``_source_row`` is the 1-based record number after the header: a quoted value spanning several
lines is one record, and blank lines are skipped without being counted.

Encoding: decided once per file (``_bytes``). In a file that mixes encodings, pyarrow reads the bytes
as Latin-1 (one character per byte, so nothing is lost or fails) and every non-ASCII value is decoded
again from its bytes: a record in the other encoding is rejected with the reason, never loaded as
mojibake.

Decimal mark: declared by the source (``decimal_separator``), else ``.`` in a comma-separated file,
else detected once from the sample (``detect_decimal_separator``), else (no evidence) ``.`` assumed.
Validation reads every number by that decision: a value written the other way is rejected, and when
the mark was only assumed, so is a value that reads two ways (``greenlang.core.validation``).

End marker: only where the source declares one (``end_marker``; the UK DESNZ flat file ends with
``,END,,,,,,,,``), and only as the last record: a record whose only non-empty value is the marker (any
case, spaces around it allowed) and that no other record follows is not a record. Anywhere else it is
an ordinary record, which the contract then rejects with its reason.

Limits (``_limits``): a record longer than ``MAX_RECORD_BYTES`` (pyarrow's parse block) refuses the
file, as does a header of more than ``MAX_COLUMNS`` names.

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

from greenlang.core.readers._bytes import TextProfile, decode_mixed, profile_text_file
from greenlang.core.readers._common import (
    EXTRA_FIELDS,
    ROW_ERROR,
    SOURCE_ROW,
    LimitExceededError,
    Row,
    SourceFile,
    UnreadableFileError,
    batch_schema,
    normalise_header,
    rebatch,
    reject_nul_values,
    rows_to_batch,
    without_trailing_end_marker,
)
from greenlang.core.readers._limits import MAX_RECORD_BYTES, size_text

DELIMITERS = (",", ";", "\t", "|")  # in order of preference when the evidence is equal
SAMPLE_CHARS = 64 * 1024
SAMPLE_RECORDS = 200
BLOCK_BYTES = MAX_RECORD_BYTES  # pyarrow's parse block: a record must fit in one
_MIN_CONSISTENCY = 0.9

# A number written with a decimal comma (1,5 / 1.234,56) or a decimal point (1.5). A value that reads
# differently under the two conventions ("1.234": 1.234 or 1234; "1,234": 1.234 or 1234) is evidence
# for neither.
_COMMA_DECIMAL = re.compile(r"^[+-]?([1-9]\d{0,2}(\.\d{3})+|\d+),\d+$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
AMBIGUOUS_NUMBER = r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$"  # also RE2 (validation's SQL)
_AMBIGUOUS = re.compile(AMBIGUOUS_NUMBER)
# pyarrow decodes UTF-8 natively (and skips a BOM); other encodings are transcoded on the fly. A mixed
# file is read as Latin-1, which maps every byte to one character, and its values decoded again.
_ARROW_ENCODING = {"utf-8": "utf8", "utf-8-sig": "utf8"}
_BYTE_TRANSPARENT = "latin-1"
_END_SENTINEL = "\uffff<end-of-file>"

# Python's csv module (detection and the quote check) refuses fields above 128 KiB by default; a
# record may be as long as the limit (a process-wide setting, only ever raised here).
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


def open_csv(
    path: Path, *, end_marker: str | None = None, decimal_separator: str | None = None
) -> SourceFile:
    profile = profile_text_file(path)
    sample_encoding = _BYTE_TRANSPARENT if profile.mixed else profile.encoding
    sample, complete = _read_sample(path, sample_encoding)
    delimiter = sniff_delimiter(sample, complete)
    records = _sample_records(sample, complete, delimiter)
    if not records:
        reason = (
            "the file holds only blank lines"
            if complete
            else f"none ends in the first {SAMPLE_CHARS} characters"
        )
        raise UnreadableFileError(path, f"no header row ({reason})")
    if profile.odd_quote_count:
        _check_quotes_closed(path, delimiter)
    raw_header = records[0]
    header = _decoded_header(path, raw_header, profile)
    columns = normalise_header(path, header, lambda index: f"column {index + 1}")
    if decimal_separator is not None:
        decimal, assumed = decimal_separator, False
    elif delimiter == ",":
        decimal, assumed = ".", False  # unquoted, a comma can only separate fields
    else:
        decimal, assumed = detect_decimal_separator(records[1:])
    return SourceFile(
        path=path,
        format="csv",
        encoding=profile.encoding,
        delimiter=delimiter,
        decimal_separator=decimal,
        decimal_separator_assumed=assumed,
        columns=columns,
        _read=partial(_read_batches, path, profile, delimiter, raw_header, columns, end_marker),
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


def _decoded_header(path: Path, raw_header: list[str], profile: TextProfile) -> list[str]:
    """The header names; in a mixed file, they must be in the file's encoding (nothing to reject)."""
    if not profile.mixed:
        return raw_header
    names = []
    for index, name in enumerate(raw_header):
        text, problem = decode_mixed(name.encode(_BYTE_TRANSPARENT), profile)
        if problem:
            raise UnreadableFileError(path, f"header column {index + 1}: {problem}")
        names.append(text)
    return names


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


def detect_decimal_separator(records: Sequence[Sequence[str]]) -> tuple[str, bool]:
    """The decimal mark the sample's numbers are written with, and whether it is only assumed.

    ``,`` when decimal-comma numbers outnumber decimal-point ones, ``.`` when the reverse; with no
    evidence either way, ``.`` assumed. Only values that read one way count (``AMBIGUOUS_NUMBER`` ones
    do not). The reader never rewrites values; the validator parses numbers by this decision.
    """
    cells = [cell.strip() for record in records for cell in record]
    cells = [cell for cell in cells if not _AMBIGUOUS.match(cell)]
    commas = sum(1 for cell in cells if _COMMA_DECIMAL.match(cell))
    points = sum(1 for cell in cells if _POINT_DECIMAL.match(cell))
    if commas == points:
        return ".", True
    return ("," if commas > points else "."), False


def _check_quotes_closed(path: Path, delimiter: str) -> None:
    """Refuse a file that ends inside a quoted field (a truncated file).

    Only run when the file has an odd number of quote characters. The file is parsed (as Latin-1: only
    the ASCII quotes, delimiters and line breaks matter, in every supported encoding) with a sentinel
    line appended: if the sentinel comes back as a record of its own every quote was closed;
    otherwise the last quoted field swallowed it, and the message gives the line that field began on.
    """
    with path.open(encoding=_BYTE_TRANSPARENT, newline="") as stream:
        reader = csv.reader(chain(stream, ["\n", _END_SENTINEL]), delimiter=delimiter)
        record_start, last_start, last = 1, 1, None
        try:
            for record in reader:
                if record:
                    last, last_start = record, record_start
                record_start = reader.line_num + 1
        except csv.Error as error:  # only "field larger than field limit" can occur here
            raise LimitExceededError(
                path,
                f"a field of the record starting on line {record_start} is longer than the limit of "
                f"{size_text(MAX_RECORD_BYTES)} ({error})",
            ) from error
    if last is not None and last != [_END_SENTINEL]:
        raise UnreadableFileError(
            path,
            f"truncated: a quoted field in the record starting on line {last_start} is never closed "
            "(the file ends inside quotes)",
        )


def _read_batches(
    path: Path,
    profile: TextProfile,
    delimiter: str,
    raw_header: list[str],
    columns: list[str],
    end_marker: str | None,
    batch_rows: int,
) -> Iterator[pa.RecordBatch]:
    ragged = _RaggedRows(delimiter, len(columns))
    encoding = _BYTE_TRANSPARENT if profile.mixed else profile.encoding
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
        pieces = _in_file_order(path, reader, ragged, raw_header, columns)
        if profile.mixed:
            pieces = (_redecode_piece(piece, columns, profile) for piece in pieces)
        if profile.nul_bytes:
            pieces = (reject_nul_values(piece, columns) for piece in pieces)
        if end_marker is not None:
            pieces = without_trailing_end_marker(pieces, columns, end_marker)
        yield from rebatch(pieces, batch_rows)
    except pa.ArrowInvalid as error:
        if "straddl" in str(error):
            raise LimitExceededError(
                path, f"a record is longer than the limit of {size_text(BLOCK_BYTES)} ({error})"
            ) from error
        raise UnreadableFileError(path, f"cannot parse: {error}") from error


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


def _redecode_piece(piece: pa.RecordBatch, columns: list[str], profile: TextProfile) -> pa.RecordBatch:
    """Decode again every non-ASCII value of a mixed file (read as Latin-1); reject the records in the
    other encoding (``decode_mixed``). ASCII values read the same in every encoding and are left alone."""
    errors = piece.column(ROW_ERROR).to_pylist()
    arrays = dict(zip(piece.schema.names, piece.columns, strict=True))
    for name in [*columns, EXTRA_FIELDS]:
        column = arrays[name]
        non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(column)), False)
        if not pc.any(non_ascii).as_py():
            continue
        values = column.to_pylist()
        for index in pc.indices_nonzero(non_ascii).to_pylist():
            values[index], problem = decode_mixed(values[index].encode(_BYTE_TRANSPARENT), profile)
            if problem and errors[index] is None:
                errors[index] = f"column {name!r}: {problem}"
        arrays[name] = pa.array(values, pa.string())
    arrays[ROW_ERROR] = pa.array(errors, pa.string())
    return pa.RecordBatch.from_arrays(list(arrays.values()), schema=piece.schema)


def _check_header_row(path: Path, batch: pa.RecordBatch, raw_header: list[str]) -> None:
    parsed = [column[0].as_py() or "" for column in batch.columns] if batch.num_rows else []
    if parsed != raw_header:
        raise UnreadableFileError(path, f"header parsed as {parsed!r}, expected {raw_header!r}")
