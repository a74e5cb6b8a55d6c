"""Legacy Excel 97–2003 workbooks (.xls, BIFF8), read with xlrd; the table rules are the .xlsx ones
(``_excel``: sheet choice, header detection, merged headers, end marker, values as text).

An .xls file is at most 65,536 rows × 256 columns and not compressed, so xlrd reading it whole costs
memory in proportion to the file. Formulas always carry their cached result in this format. Dates are
the numbers of cells formatted as dates (the workbook's 1900 or 1904 calendar). If xlrd is missing
the file is refused with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pyarrow as pa

try:  # only legacy workbooks need it
    import xlrd
except ImportError:  # pragma: no cover - a deployment without it refuses .xls files
    xlrd = None

from greenlang.core.readers._bytes import binary_kind
from greenlang.core.readers._common import SourceFile, UnreadableFileError, batches_from_rows
from greenlang.core.readers._excel import (
    Cells,
    Layout,
    Merge,
    SheetEntry,
    SheetRows,
    choose_sheet,
    detect_layout,
    table_records,
)

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def open_xls(path: Path, sheet: str | None, end_marker: str | None = None) -> SourceFile:
    rows, merges, title = _read_sheet(path, sheet)
    layout = detect_layout(path, title, iter(rows), merges)
    return SourceFile(
        path=path,
        format="xls",
        encoding=None,
        delimiter=None,
        decimal_separator=".",
        decimal_separator_assumed=False,
        columns=layout.columns,
        _read=partial(_read_batches, path, sheet, layout, end_marker),
    )


def _read_batches(
    path: Path, sheet: str | None, layout: Layout, end_marker: str | None, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    rows, _, _ = _read_sheet(path, sheet)
    yield from batches_from_rows(
        layout.columns, table_records(path, iter(rows), layout, end_marker), batch_rows
    )


def _read_sheet(path: Path, declared: str | None) -> tuple[list[tuple[int, Cells]], list[Merge], str]:
    """The chosen sheet's non-empty rows (row number, values), its merged ranges and its name."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if head != _OLE2_SIGNATURE:
        kind = binary_kind(head)
        hint = "; name it .xlsx" if head.startswith(b"PK\x03\x04") else ""
        raise UnreadableFileError(
            path, f"not a legacy Excel .xls workbook: {f'it is {kind}' if kind else 'not an OLE2 file'}{hint}"
        )
    if xlrd is None:
        raise UnreadableFileError(
            path,
            "legacy Excel .xls workbooks cannot be read here (the xlrd package is not installed); save it as .xlsx",
        )
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as error:  # xlrd raises its own XLRDError, and struct/index errors on damaged files
        raise UnreadableFileError(path, f"not a readable .xls workbook: {error!r}") from error
    try:
        sheets = [
            SheetEntry(sheet.name, _STATES.get(sheet.visibility, "hidden"), str(index))
            for index, sheet in enumerate(book.sheets())
        ]
        active = next((index for index, sheet in enumerate(book.sheets()) if sheet.sheet_visible), 0)
        entry = choose_sheet(path, sheets, declared, active)
        sheet = book.sheet_by_index(int(entry.part or 0))
        rows = list(_rows(book, sheet))
        merges = [(clo + 1, rlo + 1, chi, rhi) for rlo, rhi, clo, chi in sheet.merged_cells]
        return rows, merges, sheet.name
    finally:
        book.release_resources()


def _rows(book: xlrd.Book, sheet: xlrd.sheet.Sheet) -> SheetRows:
    for index in range(sheet.nrows):
        cells = tuple(
            _value(book, kind, value)
            for kind, value in zip(sheet.row_types(index), sheet.row_values(index), strict=True)
        )
        if any(value is not None for value in cells):
            yield index + 1, cells


def _value(book: xlrd.Book, kind: int, value: object) -> object:
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, book.datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return value  # text, or a number (a float; cell_text writes 25.0 as 25)
