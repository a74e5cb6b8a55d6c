"""Excel workbooks (.xlsx/.xlsm), read with openpyxl in read-only mode (streaming, flat memory).

Layout rules:

- the sheet is the named one, else the first; formulas give their cached values (``data_only``);
- the header is found among the first 100 rows. Candidates are rows whose non-empty cells are all
  text and at least two (one in a one-column sheet); the header is the first candidate that spans,
  counting the columns its merged cells cover, at least 80% of the widest candidate. So title lines
  (one cell, even merged across the table), "Declarant: …" lines, rows holding dates or numbers and
  blank rows above the table are skipped, while data rows, however wide, do not hide the header;
- merged header cells: read-only mode does not expose merged ranges, so they are read from the
  sheet's XML. If the row below the header holds text under a header cell merged across columns,
  and elsewhere only under empty header cells, the header has two rows: columns under a merged
  parent are named ``parent_child``, others by the one non-empty cell (a cell merged down across
  both rows names its column alone). Otherwise (one header row) a merged header cell names the
  first column of its range, and the other columns of the range have no name;
- records follow the header. Blank rows are skipped, and a row whose only value is ``END`` ends the
  table. A value in a column without a header name is a row-level problem (``_extra_fields``);
- values become text: integers without ``.0``, other numbers to Excel's 15 significant digits (no
  float noise: 0.1+0.2 → ``0.3``), dates ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM:SS`` with a time),
  booleans ``TRUE``/``FALSE``; ``_source_row`` is the worksheet row number.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import islice
from pathlib import Path

import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from greenlang.core.readers._bytes import binary_kind
from greenlang.core.readers._common import (
    Row,
    SourceFile,
    UnreadableFileError,
    batches_from_rows,
    normalise_header,
)

HEADER_SEARCH_ROWS = 100
HEADER_COVERAGE = 0.8
END_MARKER = "END"
_CHUNK_BYTES = 1 << 20
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')

Cells = tuple[object, ...]
Merge = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, as openpyxl)


@dataclass(frozen=True)
class _Layout:
    sheet: str
    columns: list[str]
    positions: list[int]  # 0-based column index of each named column
    first_data_row: int


def open_excel(path: Path, sheet: str | None) -> SourceFile:
    layout = _detect_layout(path, sheet)
    return SourceFile(
        path=path,
        format="excel",
        encoding=None,
        delimiter=None,
        decimal_separator=".",
        columns=layout.columns,
        _read=partial(_read_batches, path, layout),
    )


@contextmanager
def _worksheet(path: Path, sheet: str | None) -> Iterator[ReadOnlyWorksheet]:
    with path.open("rb") as stream:
        head = stream.read(8)
        if not head.startswith(b"PK\x03\x04"):
            kind = binary_kind(head)
            what = f"it is {kind}" if kind else "not a ZIP package"
            hint = "; save it as .xlsx" if kind and "legacy" in kind else ""
            raise UnreadableFileError(path, f"not an Excel .xlsx workbook: {what}{hint}")
        stream.seek(0)
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises a zoo of types (zip, XML, key, value errors)
            raise UnreadableFileError(path, f"not a readable .xlsx workbook: {error!r}") from error
        try:
            if sheet is None and workbook.worksheets:
                worksheet = workbook.worksheets[0]
            elif sheet in workbook.sheetnames and isinstance(workbook[sheet], ReadOnlyWorksheet):
                worksheet = workbook[sheet]
            else:
                raise UnreadableFileError(
                    path, f"no worksheet named {sheet!r} (worksheets: {', '.join(workbook.sheetnames)})"
                )
            worksheet.reset_dimensions()  # some writers record a wrong used range; read what is there
            yield worksheet
        finally:
            workbook.close()


def _rows(path: Path, worksheet: ReadOnlyWorksheet) -> Iterator[tuple[int, Cells]]:
    """(worksheet row number, cell values); openpyxl fills absent rows in, so numbering is exact."""
    try:
        yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
    except Exception as error:  # a malformed sheet part surfaces only while parsing it
        raise UnreadableFileError(path, f"sheet {worksheet.title!r} cannot be parsed: {error!r}") from error


def _detect_layout(path: Path, sheet: str | None) -> _Layout:
    with _worksheet(path, sheet) as worksheet:
        sample = dict(islice(_rows(path, worksheet), HEADER_SEARCH_ROWS))
        merges = _merged_ranges(path, worksheet._worksheet_path)  # the part openpyxl itself reads
        title = worksheet.title
    where = f"sheet {title!r}"
    if not any(_present(value) for cells in sample.values() for value in cells):
        raise UnreadableFileError(path, f"{where} is empty")
    header_row = _find_header_row(sample, merges)
    if header_row is None:
        raise UnreadableFileError(
            path,
            f"no header row in the first {HEADER_SEARCH_ROWS} rows of {where} (a header row has only "
            "text cells, at least two)",
        )
    two_rows = _has_child_row(sample, merges, header_row)
    names, unnamed = _header_names(sample, merges, header_row, two_rows)
    first, last = min(names), max(names)
    gaps = [column for column in range(first, last + 1) if column not in names and column not in unnamed]
    if gaps:
        cells = ", ".join(f"{get_column_letter(column)}{header_row}" for column in gaps)
        raise UnreadableFileError(path, f"{where}: empty header name in cell(s) {cells}")
    positions = sorted(names)
    columns = normalise_header(
        path,
        [names[column] for column in positions],
        lambda index: f"column {get_column_letter(positions[index])}",
    )
    return _Layout(
        sheet=title,
        columns=columns,
        positions=[column - 1 for column in positions],
        first_data_row=header_row + (2 if two_rows else 1),
    )


def _merged_ranges(path: Path, part: str) -> list[Merge]:
    """Merged ranges of a sheet, scanned from its XML (they follow the cell data, at the end)."""
    refs: set[str] = set()
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        tail = b""
        while chunk := stream.read(_CHUNK_BYTES):
            text = tail + chunk
            refs.update(match.group(1).decode("ascii") for match in _MERGE_CELL.finditer(text))
            tail = text[-256:]
    return [range_boundaries(ref) for ref in sorted(refs)]


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell(sample: dict[int, Cells], row: int, column: int) -> object:
    cells = sample.get(row, ())
    return cells[column - 1] if column <= len(cells) else None


def _find_header_row(sample: dict[int, Cells], merges: Sequence[Merge]) -> int | None:
    two_or_more = any(sum(map(_present, cells)) >= 2 for cells in sample.values())
    coverage = {
        row: _coverage(row, cells, merges)
        for row, cells in sample.items()
        if _is_text_row(cells, minimum=2 if two_or_more else 1)
    }
    if not coverage:
        return None
    widest = max(coverage.values())
    return next(row for row, covered in coverage.items() if covered >= HEADER_COVERAGE * widest)


def _is_text_row(cells: Cells, minimum: int) -> bool:
    present = [value for value in cells if _present(value)]
    return len(present) >= minimum and all(isinstance(value, str) for value in present)


def _coverage(row: int, cells: Cells, merges: Sequence[Merge]) -> int:
    """How many columns a row's cells span, counting the ranges its cells are merged across."""
    covered = {column for column, value in enumerate(cells, start=1) if _present(value)}
    for min_col, min_row, max_col, _ in merges:
        if min_row == row and min_col in covered:
            covered.update(range(min_col, max_col + 1))
    return len(covered)


def _has_child_row(sample: dict[int, Cells], merges: Sequence[Merge], header_row: int) -> bool:
    """A two-row header: text under a header cell merged across columns, and nowhere else but under
    empty header cells (a data row, by contrast, has values under the named columns too)."""
    groups = [
        range(min_col, max_col + 1)
        for min_col, min_row, max_col, max_row in merges
        if min_row == max_row == header_row and max_col > min_col
    ]
    grouped = {column for group in groups for column in group}
    below = {
        column: value
        for column, value in enumerate(sample.get(header_row + 1, ()), start=1)
        if _present(value)
    }
    return (
        bool(grouped & below.keys())
        and all(isinstance(value, (str, int)) and not isinstance(value, bool) for value in below.values())
        and all(column in grouped or not _present(_cell(sample, header_row, column)) for column in below)
    )


def _header_names(
    sample: dict[int, Cells], merges: Sequence[Merge], header_row: int, two_rows: bool
) -> tuple[dict[int, str], set[int]]:
    """Header name by 1-based column, and the columns a merged header cell spans without naming."""
    parent_of: dict[int, int] = {}  # column → column of the parent cell merged across it
    spanned: set[int] = set()  # columns a merged header cell covers but does not name
    no_child: set[int] = set()  # columns whose header cell is merged down into the child row
    for min_col, min_row, max_col, max_row in merges:
        if min_row != header_row:
            continue
        others = range(min_col + 1, max_col + 1)
        if max_row > header_row:
            no_child.update(range(min_col, max_col + 1))
            spanned.update(others)
        elif two_rows:
            parent_of.update(dict.fromkeys(others, min_col))
        else:
            spanned.update(others)
    last_column = max(
        [len(sample.get(header_row, ())), *spanned, *parent_of]
        + ([len(sample.get(header_row + 1, ()))] if two_rows else [])
    )
    names: dict[int, str] = {}
    for column in range(1, last_column + 1):
        parent = _cell(sample, header_row, parent_of.get(column, column))
        child = _cell(sample, header_row + 1, column) if two_rows and column not in no_child else None
        parts = [str(part).strip() for part in (parent, child) if _present(part)]
        if parts:
            names[column] = " ".join(parts)
    return names, spanned - names.keys()


def _read_batches(path: Path, layout: _Layout, batch_rows: int) -> Iterator[pa.RecordBatch]:
    with _worksheet(path, layout.sheet) as worksheet:
        yield from batches_from_rows(layout.columns, _records(path, worksheet, layout), batch_rows)


def _records(path: Path, worksheet: ReadOnlyWorksheet, layout: _Layout) -> Iterator[Row]:
    named = set(layout.positions)
    for row, cells in _rows(path, worksheet):
        if row < layout.first_data_row:
            continue
        present = [index for index, value in enumerate(cells) if _present(value)]
        if not present:
            continue
        if len(present) == 1 and str(cells[present[0]]).strip().upper() == END_MARKER:
            return
        values = [cell_text(cells[index]) if index < len(cells) else None for index in layout.positions]
        outside = [index for index in present if index not in named]
        error = extra = None
        if outside:
            letters = ", ".join(get_column_letter(index + 1) for index in outside)
            error = f"value(s) in column(s) {letters}, which have no header name"
            extra = json.dumps([cell_text(cells[index]) for index in outside], ensure_ascii=False)
        yield row, values, error, extra


def cell_text(value: object) -> str | None:
    """A cell value as text, the way a person reads it in Excel (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
