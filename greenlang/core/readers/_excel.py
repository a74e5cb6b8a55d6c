"""Excel workbooks (.xlsx/.xlsm), streamed row by row from the sheet's XML with openpyxl's cell parser.

The package is checked before anything is parsed (``_check_package``): its parts' declared sizes, their
total and their compression ratios must stay within ``_limits`` (Python's zipfile never returns more
than a part's declared size, so the declared sizes bound what is read). openpyxl then reads the
package's small parts (shared strings, styles, the workbook), and the sheet is streamed here: every
cell parsed by openpyxl's own ``WorkSheetParser.parse_cell`` and freed at once, never more than one row
held, at most 16,384 cells (Excel's last column, XFD) in a row.

Layout rules (shared with legacy .xls workbooks, ``_xls``):

- the sheet is the declared one (``SourceSpec.sheet``; even if hidden), else the active sheet, which
  must be a visible worksheet (a hidden or chart sheet there refuses the file: which table is meant
  is then a guess);
- values are the cells' cached values (what Excel shows). A formula cell without a cached value (a
  workbook written by a program and never calculated) rejects its record with that reason; the
  formula text is kept as the value, as evidence;
- the header is found among the first 100 rows. Candidates are rows whose non-empty cells are all
  text and at least two (one in a one-column sheet); the header is the first candidate that spans,
  counting the columns its merged cells cover, at least 80% of the widest candidate. So title lines
  (one cell, even merged across the table), "Declarant: …" lines, rows holding dates or numbers and
  blank rows above the table are skipped, while data rows, however wide, do not hide the header;
- merged header cells are read from the sheet's XML. If the row below the header holds text under a
  header cell merged across columns, and elsewhere only under empty header cells, the header has two
  rows: columns under a merged parent are named ``parent_child``, others by the one non-empty cell (a
  cell merged down across both rows names its column alone). Otherwise (one header row) a merged
  header cell names the first column of its range, and the other columns of the range have no name;
- records follow the header. Blank rows are skipped; a value in a column without a header name is a
  row-level problem (``_extra_fields``). A row whose only value is the source's declared end marker
  ends the table only as the last row; anywhere else it is a record like any other;
- values become text: integers without ``.0``, other numbers to Excel's 15 significant digits (no
  float noise: 0.1+0.2 → ``0.3``), dates ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM:SS`` with a time),
  booleans ``TRUE``/``FALSE``; ``_source_row`` is the worksheet row number. A date typed as a plain
  number (no date format) stays the number: Excel shows it so, and the contract rejects it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import takewhile
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, iterparse

import pyarrow as pa
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser

from greenlang.core.readers._bytes import binary_kind
from greenlang.core.readers._common import (
    LimitExceededError,
    Row,
    SourceFile,
    UnreadableFileError,
    batches_from_rows,
    is_end_marker,
    normalise_header,
)
from greenlang.core.readers._limits import (
    MAX_COMPRESSION_RATIO,
    MAX_DECOMPRESSED_BYTES,
    MAX_RECORD_BYTES,
    MAX_WHOLE_PART_BYTES,
    RATIO_CHECK_MIN_BYTES,
    size_text,
)

HEADER_SEARCH_ROWS = 100
HEADER_COVERAGE = 0.8
EXCEL_MAX_COLUMNS = 16_384  # column XFD
_CHUNK_BYTES = 1 << 20
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_SHEET_DATA_TAG = ROW_TAG.replace("}row", "}sheetData")
_STREAMED_PART = re.compile(r"(^|/)worksheets/[^/]+\.xml$")  # parts read row by row, not whole

Cells = tuple[object, ...]
Merge = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, as openpyxl)
SheetRows = Iterator[tuple[int, Cells]]  # (worksheet row number, cell values) of the non-empty rows


class UncachedFormula(str):
    """A formula cell saved without its value; the text is the formula (``=SUM(A1:A3)``)."""


@dataclass(frozen=True)
class Layout:
    sheet: str
    columns: list[str]
    positions: list[int]  # 0-based column index of each named column
    first_data_row: int


@dataclass(frozen=True)
class SheetEntry:
    """A sheet as the workbook lists it."""

    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    part: (
        str | None
    )  # where its cells are (.xlsx: the part in the package; .xls: the index); None: a chart sheet


def choose_sheet(path: Path, sheets: Sequence[SheetEntry], declared: str | None, active: int) -> SheetEntry:
    """The declared worksheet, else the active sheet if it is a visible worksheet (see the docstring)."""
    names = ", ".join(sheet.name for sheet in sheets)
    if declared is not None:
        found = next((sheet for sheet in sheets if sheet.name == declared and sheet.part), None)
        if found is None:
            raise UnreadableFileError(path, f"no worksheet named {declared!r} (worksheets: {names})")
        return found
    if not sheets:
        raise UnreadableFileError(path, "the workbook has no sheet")
    sheet = sheets[active] if 0 <= active < len(sheets) else sheets[0]
    if sheet.part is None:
        raise UnreadableFileError(
            path,
            f"the active sheet {sheet.name!r} is a chart sheet; declare the worksheet to read (sheets: {names})",
        )
    if sheet.state != "visible":
        raise UnreadableFileError(
            path,
            f"the active sheet {sheet.name!r} is {sheet.state}; declare the worksheet to read (sheets: {names})",
        )
    return sheet


def open_excel(path: Path, sheet: str | None, end_marker: str | None = None) -> SourceFile:
    with _workbook(path) as workbook:
        entry = workbook.choose(sheet)
        layout = detect_layout(path, entry.name, workbook.rows(entry), _merged_ranges(path, entry))
    return SourceFile(
        path=path,
        format="excel",
        encoding=None,
        delimiter=None,
        decimal_separator=".",
        decimal_separator_assumed=False,
        columns=layout.columns,
        _read=partial(_read_batches, path, entry, layout, end_marker),
    )


def _read_batches(
    path: Path, entry: SheetEntry, layout: Layout, end_marker: str | None, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    with _workbook(path) as workbook:
        yield from batches_from_rows(
            layout.columns, table_records(path, workbook.rows(entry), layout, end_marker), batch_rows
        )


# --- the package --------------------------------------------------------------------------------


def _check_package(path: Path) -> None:
    """Refuse a package whose parts would expand beyond the limits (a zip bomb), before parsing it."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head.startswith(b"PK\x03\x04"):
        kind = binary_kind(head)
        what = f"it is {kind}" if kind else "not a ZIP package"
        hint = "; save it as .xlsx or name it .xls" if kind and "legacy" in kind else ""
        raise UnreadableFileError(path, f"not an Excel .xlsx workbook: {what}{hint}")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFileError(path, f"not a readable .xlsx workbook: {error!r}") from error
    total = sum(part.file_size for part in parts)
    if total > MAX_DECOMPRESSED_BYTES:
        raise LimitExceededError(
            path,
            f"the workbook's parts expand to {total:,} bytes, more than the limit of "
            f"{size_text(MAX_DECOMPRESSED_BYTES)} (a zip bomb?)",
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise LimitExceededError(
                path,
                f"part {part.filename} expands {ratio:,.0f} times ({part.compress_size:,} to {part.file_size:,} "
                f"bytes), more than the limit of {MAX_COMPRESSION_RATIO} (a zip bomb?)",
            )
        if part.file_size > MAX_WHOLE_PART_BYTES and not _STREAMED_PART.search(part.filename):
            raise LimitExceededError(
                path,
                f"part {part.filename} is {part.file_size:,} bytes, more than the limit of "
                f"{size_text(MAX_WHOLE_PART_BYTES)} for a part read whole",
            )


class _Package(ExcelReader):
    """openpyxl's reader of the package's small parts, stopped before it opens any worksheet (openpyxl
    would scan each one for its dimensions)."""

    def read(self) -> None:
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        apply_stylesheet(self.archive, self.wb)

    def sheets(self) -> list[SheetEntry]:
        return [
            SheetEntry(sheet.name, sheet.state or "visible", None if "chartsheet" in rel.Type else rel.target)
            for sheet, rel in self.parser.find_sheets()
        ]


@dataclass
class _Workbook:
    path: Path
    package: _Package

    def choose(self, declared: str | None) -> SheetEntry:
        listed = self.package.parser.sheets  # every <sheet> of workbook.xml: activeTab indexes these
        active = self.package.wb._active_sheet_index
        name = listed[active].name if 0 <= active < len(listed) else None
        sheets = self.package.sheets()
        position = next((index for index, sheet in enumerate(sheets) if sheet.name == name), 0)
        entry = choose_sheet(self.path, sheets, declared, position)
        if entry.part not in self.package.valid_files:
            raise UnreadableFileError(self.path, f"sheet {entry.name!r}: its part {entry.part} is missing")
        return entry

    def rows(self, entry: SheetEntry) -> SheetRows:
        """The sheet's non-empty rows, streamed (one row in memory at a time)."""
        wb = self.package.wb
        cells = WorkSheetParser(
            None,
            self.package.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        with self.package.archive.open(entry.part) as source:
            try:
                yield from _stream_rows(self.path, source, cells)
            except (
                ParseError,
                ValueError,
                KeyError,
                IndexError,
                TypeError,
                zipfile.BadZipFile,
                zlib.error,
            ) as error:
                raise UnreadableFileError(
                    self.path, f"sheet {entry.name!r} cannot be parsed: {error!r}"
                ) from error


@contextmanager
def _workbook(path: Path) -> Iterator[_Workbook]:
    _check_package(path)
    try:
        package = _Package(path, read_only=True, data_only=True)
        package.read()
    except Exception as error:  # openpyxl raises a zoo of types (zip, XML, key, value errors)
        raise UnreadableFileError(path, f"not a readable .xlsx workbook: {error!r}") from error
    try:
        yield _Workbook(path, package)
    finally:
        package.archive.close()


def _stream_rows(path: Path, source: object, parser: WorkSheetParser) -> SheetRows:
    """Parse the sheet's rows one by one; each cell and row element is emptied once read, and the
    rows already read are dropped from the tree, so memory holds one row whatever the sheet's size."""
    row_number = 0
    cells: list[tuple[int, object]] = []
    sheet_data = None
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == ROW_TAG:
                row_number = int(element.get("r") or row_number + 1)
                parser.row_counter, parser.col_counter = row_number, 0
                cells = []
            elif tag == _SHEET_DATA_TAG:
                sheet_data = element
        elif tag == CELL_TAG:
            cell = parser.parse_cell(element)
            value = cell["value"]
            if element.find(FORMULA_TAG) is not None and _uncached(element):
                value = UncachedFormula("=" + (element.findtext(FORMULA_TAG) or ""))
            if value is not None:
                cells.append((cell["column"], value))
            if len(cells) > EXCEL_MAX_COLUMNS or cell["column"] > EXCEL_MAX_COLUMNS:
                raise LimitExceededError(
                    path,
                    f"row {row_number} has a cell beyond column XFD, Excel's last ({EXCEL_MAX_COLUMNS:,})",
                )
            element.clear()
        elif tag == ROW_TAG:
            if cells:
                values: list[object] = [None] * max(column for column, _ in cells)
                for column, value in cells:
                    values[column - 1] = value
                yield row_number, tuple(values)
            cells = []
            if sheet_data is not None:
                sheet_data.clear()


def _uncached(cell: Element) -> bool:
    """A formula cell saved without its result: no ``<v>``, or an empty one where a number is due (a
    formula whose text result is empty has ``t="str"``)."""
    value = cell.find(VALUE_TAG)
    return value is None or (not value.text and cell.get("t") != "str")


def _merged_ranges(path: Path, entry: SheetEntry) -> list[Merge]:
    """Merged ranges of a sheet, scanned from its XML (they follow the cell data, at the end)."""
    refs: set[str] = set()
    try:
        with zipfile.ZipFile(path) as archive, archive.open(entry.part) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK_BYTES):
                text = tail + chunk
                refs.update(match.group(1).decode("ascii") for match in _MERGE_CELL.finditer(text))
                tail = text[-256:]
        return [range_boundaries(ref) for ref in sorted(refs)]
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError) as error:
        raise UnreadableFileError(path, f"sheet {entry.name!r} cannot be read: {error!r}") from error


# --- the table: shared by .xlsx and .xls ----------------------------------------------------------


def present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def detect_layout(path: Path, title: str, rows: SheetRows, merges: Sequence[Merge]) -> Layout:
    sample = dict(takewhile(lambda item: item[0] <= HEADER_SEARCH_ROWS, rows))
    where = f"sheet {title!r}"
    if not any(present(value) for cells in sample.values() for value in cells):
        raise UnreadableFileError(path, f"{where} is empty (no value in its first {HEADER_SEARCH_ROWS} rows)")
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
        cells = ", ".join(f"{get_column_letter(column)}{header_row}" for column in gaps[:20])
        more = f" and {len(gaps) - 20:,} more" if len(gaps) > 20 else ""
        raise UnreadableFileError(path, f"{where}: empty header name in cell(s) {cells}{more}")
    positions = sorted(names)
    columns = normalise_header(
        path,
        [names[column] for column in positions],
        lambda index: f"column {get_column_letter(positions[index])}",
    )
    return Layout(
        sheet=title,
        columns=columns,
        positions=[column - 1 for column in positions],
        first_data_row=header_row + (2 if two_rows else 1),
    )


def _cell(sample: dict[int, Cells], row: int, column: int) -> object:
    cells = sample.get(row, ())
    return cells[column - 1] if column <= len(cells) else None


def _find_header_row(sample: dict[int, Cells], merges: Sequence[Merge]) -> int | None:
    two_or_more = any(sum(map(present, cells)) >= 2 for cells in sample.values())
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
    values = [value for value in cells if present(value)]
    return (
        len(values) >= minimum
        and all(isinstance(value, str) for value in values)
        and not any(isinstance(value, UncachedFormula) for value in values)
    )


def _coverage(row: int, cells: Cells, merges: Sequence[Merge]) -> int:
    """How many columns a row's cells span, counting the ranges its cells are merged across."""
    covered = {column for column, value in enumerate(cells, start=1) if present(value)}
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
        if present(value)
    }
    return (
        bool(grouped & below.keys())
        and all(isinstance(value, (str, int)) and not isinstance(value, bool) for value in below.values())
        and all(column in grouped or not present(_cell(sample, header_row, column)) for column in below)
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
        parts = [str(part).strip() for part in (parent, child) if present(part)]
        if parts:
            names[column] = " ".join(parts)
    return names, spanned - names.keys()


def table_records(path: Path, rows: SheetRows, layout: Layout, end_marker: str | None) -> Iterator[Row]:
    """The records below the header; the last one is held back until it is known not to be the end
    marker (when the source declares one)."""
    held: tuple[Row, Cells] | None = None
    for row, cells in rows:
        if row < layout.first_data_row or not any(present(value) for value in cells):
            continue
        if held is not None:
            yield held[0]
        held = _record(path, row, cells, layout), cells
    if held is None:
        return
    if end_marker is None or not is_end_marker(map(cell_text, held[1]), end_marker):
        yield held[0]


def _record(path: Path, row: int, cells: Cells, layout: Layout) -> Row:
    named = set(layout.positions)
    texts = [
        _text(path, row, index, cells[index]) if index < len(cells) else None for index in range(len(cells))
    ]
    values = [texts[index] if index < len(texts) else None for index in layout.positions]
    problems = []
    uncached = [index for index, value in enumerate(cells) if isinstance(value, UncachedFormula)]
    if uncached:
        problems.append(f"formula without a cached value in cell(s) {_cells_at(row, uncached)}")
    outside = [index for index, value in enumerate(cells) if present(value) and index not in named]
    extra = None
    if outside:
        letters = ", ".join(get_column_letter(index + 1) for index in outside)
        problems.append(f"value(s) in column(s) {letters}, which have no header name")
        extra = json.dumps([texts[index] for index in outside], ensure_ascii=False)
    return row, values, "; ".join(problems) or None, extra


def _cells_at(row: int, indexes: Sequence[int]) -> str:
    return ", ".join(f"{get_column_letter(index + 1)}{row}" for index in indexes)


def _text(path: Path, row: int, index: int, value: object) -> str | None:
    text = cell_text(value)
    if text is not None and len(text) > MAX_RECORD_BYTES:
        raise LimitExceededError(
            path,
            f"cell {get_column_letter(index + 1)}{row} holds {len(text):,} characters, more than the limit "
            f"of {size_text(MAX_RECORD_BYTES)} for one record",
        )
    return text


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
