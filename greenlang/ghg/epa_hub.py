"""The US EPA "GHG Emission Factors Hub" workbook → one ``EPAEmissionFactor`` record per published cell.

The hub (``ghg-emission-factors-hub-<year>.xlsx``) puts 12 tables on one sheet, "Emission Factors Hub",
each laid out for reading, not loading: a "Table N" title in column B, sometimes an introductory sentence,
a header row (with a parent row above it in Table 6, a unit banner above it in Table 9), unit sub-header
rows (below the header, and again mid-table where the unit changes: Table 1's per short ton / per scf /
per gallon blocks), group rows (Table 1's "Coal and Coke"), label cells left blank under the one above
(merged or not: Tables 3-5), footnote markers glued to labels ("Passenger Car A"), then "Source:" and
"Notes:" paragraphs. Other sheets (the 2025 file has a third-party "Sheet1") are not read.

How a table is read (the same rules for all twelve, no per-table code):

1. The table runs from its title row to the next row with anything in column A or B (the next title, or
   a section heading such as "Scope 3 Emission Factors"), and its data ends at the first row whose first
   cell starts with "Source" or "Notes".
2. The header is, among the all-text rows before the first row holding a number, the one with the most
   cells. Rows above it: a cell in the label column is an introductory sentence (ignored); other cells are
   banners over the columns they span (merged range, else up to the next banner): a unit (``Metric Tons
   CO2e / Short Ton Material``) if it reads like one (``/``, ``per``, ``%``), else a parent header
   (``Total Output Emission Factors``).
3. Below the header: a row of text only with an empty label column is a unit row (its units apply to
   the rows below it); a row with one text cell in the label column is a group row; every other row is
   a data row.
4. A column is a value column when its data cells are numbers or ``NA``; a column headed "Unit(s)" holds
   the row's unit; other columns are label columns. A blank label cell takes the value above while the
   labels left of it do too; a label wholly in brackets continues the one above (Table 3's "Gasoline
   Light-Duty Trucks" / "(Vans, Pickup Trucks, SUVs)").
5. Each value cell is a record: ``row_label`` = group and labels joined by `` | ``; ``column_name`` = the
   header without a trailing unit in brackets, after its parent banner (`` | ``); ``unit`` = the unit row
   in force, else the header's unit in brackets, else the banner's, else the header itself if it reads as
   a unit (Table 2's "kg CO2 per unit"), with the word "unit" replaced by the row's Unit(s) cell;
   ``value`` = the number as Excel shows it (15 significant digits), or null for ``NA``.

Text keeps its words; runs of white space (line breaks inside cells, non-breaking spaces) become one space.

Known trait of the 2025 edition: Table 6's "Grid Gross Loss (%)" column holds fractions (0.041 is 4.1 %),
as EPA's own extract names it (``grid_gross_loss_frac``); the unit is kept as published ("%").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import LoadResult, file_sha256, load_records
from greenlang.core.readers import UnreadableFileError
from greenlang.core.readers._excel import cell_text
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import EPA_EMISSION_FACTORS

SHEET = "Emission Factors Hub"
PUBLISHER = "US EPA"
PUBLICATION = "GHG Emission Factors Hub"
LABEL_SEPARATOR = " | "
_TITLE = re.compile(r"^Table\s+(\d+)$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^(source|notes?)\b", re.IGNORECASE)
_UNIT_LIKE = re.compile(r"/|%|\bper\b", re.IGNORECASE)
_TRAILING_UNIT = re.compile(r"^(?P<name>.*\S)\s*\((?P<unit>[^()]+)\)$")
_UNIT_WORD = re.compile(r"\bunit\b", re.IGNORECASE)
_BRACKETED = re.compile(r"^\(.*\)$")
_LAST_MODIFIED = re.compile(r"Last Modified:\s*(.+)$", re.IGNORECASE)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
NULL_MARKERS = frozenset({"NA", "N/A", "n/a", "-", "—"})
UNIT_HEADERS = frozenset({"unit", "units"})
FIRST_TABLE_COLUMN = 3  # column C: tables start there, titles and section headings are in A/B

Cells = dict[int, object]  # 1-based column → cleaned value (no empty cells)
Record = dict[str, str | None]


@dataclass(frozen=True)
class EpaHub:
    """The parsed workbook: the records in table, row, column order, and what it says about itself."""

    path: Path
    records: list[Record]
    tables: dict[int, str]
    attributes: dict[str, str] = field(default_factory=dict)


def parse_epa_hub(path: Path | str) -> EpaHub:
    """Read the hub's sheet into records (module docstring); raises ``UnreadableFileError``."""
    path = Path(path)
    rows, merges = _read_sheet(path)
    starts = [
        (number, int(match.group(1)), _text(rows[number].get(3)))
        for number in sorted(rows)
        if (match := _TITLE.match(str(rows[number].get(2, ""))))
    ]
    if not starts:
        raise UnreadableFileError(path, f"sheet {SHEET!r} holds no 'Table N' title")
    records: list[Record] = []
    tables: dict[int, str] = {}
    for title_row, table_number, table_name in starts:
        body = list(_table_rows(rows, title_row))
        try:
            records.extend(_Table(table_number, table_name, body, merges).records())
        except ValueError as error:
            raise UnreadableFileError(path, f"Table {table_number}: {error}") from error
        tables[table_number] = table_name
    return EpaHub(path=path, records=records, tables=tables, attributes=_attributes(path, rows, starts))


def load_epa_hub(warehouse: Warehouse, path: Path | str) -> LoadResult:
    """Parse the workbook and load its cells as one batch of ``raw.epa__emission_factors`` (tenant
    ``global``, ``source_uri`` the file's URI, edition and last-modified date in the batch's attributes).
    Loading the same workbook again is a no-op (the records are the same)."""
    hub = parse_epa_hub(path)
    spec = dataclasses.replace(EPA_EMISSION_FACTORS, describe=lambda uri, columns: dict(hub.attributes))
    return load_records(warehouse, spec, hub.records, GLOBAL_TENANT, source_uri=Path(path).resolve().as_uri())


# --- reading the sheet --------------------------------------------------------------------------------------


def _read_sheet(path: Path) -> tuple[dict[int, Cells], list[tuple[int, int, int, int]]]:
    if not path.is_file():
        raise FileNotFoundError(path)
    with warnings.catch_warnings():
        # The hub's page header/footer and a worksheet extension are not understood by openpyxl: harmless.
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(path, data_only=True)  # not read-only: merged ranges are needed
        except Exception as error:  # openpyxl raises a zoo of types for what is not a workbook
            raise UnreadableFileError(path, f"not a readable .xlsx workbook: {error!r}") from error
    if SHEET not in workbook.sheetnames:
        raise UnreadableFileError(
            path, f"no worksheet named {SHEET!r} (worksheets: {', '.join(workbook.sheetnames)})"
        )
    sheet = workbook[SHEET]
    rows = {}
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = {column: _clean(value) for column, value in enumerate(values, start=1)}
        cells = {column: value for column, value in cells.items() if value is not None}
        if cells:
            rows[number] = cells
    merges = [(item.min_col, item.min_row, item.max_col, item.max_row) for item in sheet.merged_cells.ranges]
    return rows, merges


def _clean(value: object) -> object:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return value


def _text(value: object) -> str:
    return cell_text(value) or "" if value is not None else ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _table_rows(rows: dict[int, Cells], title_row: int) -> Iterator[tuple[int, Cells]]:
    """The table's rows after its title, up to the next title or heading; footnotes cut off."""
    for number in sorted(row for row in rows if row > title_row):
        cells = rows[number]
        if any(column < FIRST_TABLE_COLUMN for column in cells):
            return
        first = cells[min(cells)]
        if isinstance(first, str) and _FOOTNOTE.match(first):
            return
        yield number, {column: value for column, value in cells.items() if column >= FIRST_TABLE_COLUMN}


def _attributes(path: Path, rows: dict[int, Cells], starts: list[tuple[int, int, str]]) -> dict[str, str]:
    attributes = {"publisher": PUBLISHER, "publication": PUBLICATION}
    last_modified = None
    for number in sorted(row for row in rows if row < starts[0][0]):
        for value in rows[number].values():
            match = _LAST_MODIFIED.search(value) if isinstance(value, str) else None
            if match:
                try:
                    last_modified = dt.datetime.strptime(match.group(1).strip(), "%B %d, %Y").date()
                except ValueError:
                    attributes["last_modified_text"] = match.group(1).strip()
    year = _YEAR_IN_NAME.search(path.stem)
    if year:
        attributes["edition"] = year.group(1)
    elif last_modified:
        attributes["edition"] = str(last_modified.year)
    if last_modified:
        # "published": the key the factor store reads a publication date from (as for DESNZ).
        attributes["published"] = attributes["last_modified"] = last_modified.isoformat()
    attributes["tables"] = str(len(starts))
    attributes["file_sha256"] = file_sha256(path)
    return attributes


# --- one table ---------------------------------------------------------------------------------------------


def _unit_like(text: str | None) -> bool:
    return bool(text) and bool(_UNIT_LIKE.search(text))


def _unbracket(text: str) -> str:
    """A unit written in brackets on a unit row, ``(lb CO2 / MWh)``, is the unit ``lb CO2 / MWh``."""
    return text[1:-1].strip() if _BRACKETED.match(text) else text


def _split_unit(header: str) -> tuple[str, str | None]:
    """``CO2 Factor (kg CO2 / mmBtu)`` → (``CO2 Factor``, ``kg CO2 / mmBtu``); ``Heat Content (HHV)`` stays."""
    match = _TRAILING_UNIT.match(header)
    if match and _unit_like(match.group("unit")):
        return match.group("name"), match.group("unit").strip()
    return header, None


class _Table:
    def __init__(
        self, number: int, name: str, rows: list[tuple[int, Cells]], merges: list[tuple[int, int, int, int]]
    ):
        self.number, self.name, self.merges = number, name, merges
        first_number = next(
            (index for index, (_, cells) in enumerate(rows) if any(map(_is_number, cells.values()))), None
        )
        if first_number is None:
            raise ValueError("no number in the table")
        head = rows[:first_number]
        candidates = [
            index
            for index, (_, cells) in enumerate(head)
            if len(cells) >= 2 and all(isinstance(value, str) for value in cells.values())
        ]
        if not candidates:
            raise ValueError("no header row (a row of at least two text cells above the first number)")
        header_index = max(candidates, key=lambda index: (len(head[index][1]), -index))
        self.header = {column: str(value) for column, value in head[header_index][1].items()}
        self.above = head[:header_index]
        self.body = rows[header_index + 1 :]
        self.first_column = min([*self.header, *(column for _, cells in self.body for column in cells)])
        self.last_column = max([*self.header, *(column for _, cells in self.body for column in cells)])

    # the layout ------------------------------------------------------------------------------------------

    def _banners(self) -> tuple[dict[int, str], dict[int, str]]:
        """Units and parent headers written above the header row, by the columns they span."""
        units: dict[int, str] = {}
        parents: dict[int, str] = {}
        for row, cells in self.above:
            columns = sorted(column for column in cells if column != self.first_column)
            for position, column in enumerate(columns):
                merged = next(
                    (
                        max_col
                        for min_col, min_row, max_col, _ in self.merges
                        if (min_row, min_col) == (row, column)
                    ),
                    None,
                )
                end = merged or (
                    columns[position + 1] - 1 if position + 1 < len(columns) else self.last_column
                )
                text = str(cells[column])
                target = units if _unit_like(text) else parents
                target.update(
                    dict.fromkeys(range(column, end + 1), _unbracket(text) if target is units else text)
                )
        return units, parents

    def _kind(self, cells: Cells) -> str:
        values = list(cells.values())
        if any(map(_is_number, values)):
            return "data"
        if self.first_column not in cells:
            return "units"
        if len(cells) == 1:
            return "group"
        return "data"

    def _columns(self, data: list[Cells]) -> tuple[list[int], list[int], int | None]:
        """Value columns, label columns (in order) and the Unit(s) column."""
        seen = sorted({column for cells in data for column in cells} | set(self.header))
        unit_column = next(
            (column for column in seen if self.header.get(column, "").casefold() in UNIT_HEADERS), None
        )
        values, labels = [], []
        for column in seen:
            if column == unit_column:
                continue
            found = [cells[column] for cells in data if column in cells]
            if (
                found
                and any(map(_is_number, found))
                and all(_is_number(value) or value in NULL_MARKERS for value in found)
            ):
                values.append(column)
            elif found:
                labels.append(column)
        return values, labels, unit_column

    # the records ---------------------------------------------------------------------------------------------

    def records(self) -> list[Record]:
        banner_units, parents = self._banners()
        kinds = [(self._kind(cells), cells) for _, cells in self.body]
        value_columns, label_columns, unit_column = self._columns(
            [cells for kind, cells in kinds if kind == "data"]
        )
        names = {column: _split_unit(self.header.get(column, "")) for column in value_columns}

        rows: list[tuple[str | None, list[str | None], Cells, dict[int, str]]] = []
        units: dict[int, str] = {}
        group: str | None = None
        previous: list[str | None] = [None] * len(label_columns)
        began: list[int] = [0] * len(label_columns)  # index in rows where each label's value began
        for kind, cells in kinds:
            if kind == "units":
                units.update({column: _unbracket(str(value)) for column, value in cells.items()})
                continue
            if kind == "group":
                group = str(cells[self.first_column])
                previous, began = [None] * len(label_columns), [len(rows)] * len(label_columns)
                continue
            own = [_text(cells.get(column)) or None for column in label_columns]
            start = next((index for index, value in enumerate(own) if value is not None), len(own))
            parts = previous[:start] + own[start:]
            for index in range(start, len(parts)):
                if index == start and own[index] and _BRACKETED.match(own[index]) and previous[index]:
                    parts[index] = f"{previous[index]} {own[index]}"
                    for earlier in range(began[index], len(rows)):
                        rows[earlier][1][index] = parts[index]
                else:
                    began[index] = len(rows)
            previous = parts
            rows.append((group, list(parts), cells, dict(units)))

        records = []
        for group, parts, cells, in_force in rows:
            label = LABEL_SEPARATOR.join(part for part in [group, *parts] if part)
            row_unit = _text(cells.get(unit_column)) if unit_column else ""
            for column in value_columns:
                if column not in cells:
                    continue
                value = cells[column]
                name, header_unit = names[column]
                unit = in_force.get(column) or header_unit or banner_units.get(column)
                if unit is None and _unit_like(name):
                    unit = name
                if row_unit:
                    unit = (
                        _UNIT_WORD.sub(row_unit, unit)
                        if unit and _UNIT_WORD.search(unit)
                        else unit or row_unit
                    )
                records.append(
                    {
                        "table_number": str(self.number),
                        "table_name": self.name,
                        "row_label": label,
                        "column_name": LABEL_SEPARATOR.join(
                            part for part in (parents.get(column), name or None) if part
                        ),
                        "unit": unit,
                        "value": cell_text(value) if _is_number(value) else None,
                    }
                )
        return records


def iter_table(hub: EpaHub, number: int) -> Iterator[Record]:
    """The records of one table (convenience for tests and checks)."""
    return (record for record in hub.records if record["table_number"] == str(number))
