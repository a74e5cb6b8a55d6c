"""File readers: every rule of ``greenlang.core.readers``, and the committed corpus of bad inputs."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pytest
import yaml
from openpyxl import Workbook

from greenlang.core.readers import (
    EXTRA_FIELDS,
    READER_COLUMNS,
    ROW_ERROR,
    SOURCE_ROW,
    LimitExceededError,
    SourceFile,
    UnreadableFileError,
    _csv,
    _json,
    open_source,
    snake_case,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
HEADER = "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes"
ROW = "DE123456789012345,24DE123456789012A1,1,2026-02-03,72081000,CN,25.5"


def records(source: SourceFile, batch_rows: int = 100_000) -> list[dict[str, Any]]:
    rows = []
    for batch in source.iter_batches(batch_rows):
        assert batch.schema == source.schema
        rows.extend(batch.to_pylist())
    return rows


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def problems(rows: list[dict[str, Any]]) -> list[int]:
    return [row[SOURCE_ROW] for row in rows if row[ROW_ERROR] is not None]


# --- the corpus -------------------------------------------------------------------------------


def test_manifest_describes_every_corpus_file() -> None:
    described = {entry["file"] for entry in MANIFEST}
    present = {path.name for path in CORPUS.iterdir()} - {"manifest.yaml", "make_corpus.py", "__pycache__"}
    assert described == present


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_corpus_file_has_its_expected_outcome(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["file"]
    if entry["outcome"] == "unreadable":
        with pytest.raises(UnreadableFileError) as raised:
            records(open_source(path, **entry.get("read", {})))
        assert entry["message"] in str(raised.value)
        assert str(path) in str(raised.value)
        assert isinstance(raised.value, LimitExceededError) == entry.get("limit", False)
        return
    source = open_source(path, **entry.get("read", {}))
    rows = records(source, batch_rows=2)
    assert len(rows) == entry["rows"]
    assert problems(rows) == entry["problem_rows"]
    assert set(entry["problem_rows"]) <= set(entry["expect_rejected_rows"])
    for attribute in ("format", "encoding", "delimiter", "decimal_separator", "columns"):
        if attribute in entry:
            assert getattr(source, attribute) == entry[attribute], attribute
    by_row = {row[SOURCE_ROW]: row for row in rows}
    for check in entry.get("spot_checks", []):
        assert by_row[check["source_row"]][check["column"]] == check["value"]


# --- snake_case -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("declarant_eori", "declarant_eori"),
        ("  Declarant EORI ", "declarant_eori"),
        ("Net mass (tonnes)", "net_mass_tonnes"),
        ("CN-Code", "cn_code"),
        ("carbonPricePaidEUR", "carbon_price_paid_eur"),
        ("netMassTonnes", "net_mass_tonnes"),
        ("Electricity consumed (MWh)", "electricity_consumed_mwh"),
        ("Émissions directes", "emissions_directes"),
        ("CO₂e / t", "co2e_t"),
        ("Größe", "grosse"),
        ("__x__y__", "x_y"),
        ("2026", "2026"),
        ("原产国", "原产国"),
        ("%", ""),
        ("", ""),
    ],
)
def test_snake_case(header: str, expected: str) -> None:
    assert snake_case(header) == expected


# --- opening ----------------------------------------------------------------------------------


def test_format_comes_from_the_extension_unless_given(tmp_path: Path) -> None:
    assert open_source(write(tmp_path / "a.tsv", "a\tb\n1\t2\n")).delimiter == "\t"
    assert open_source(write(tmp_path / "a.TXT", "a|b\n1|2\n")).format == "csv"
    assert open_source(write(tmp_path / "a.ndjson", '{"a": 1}\n')).format == "jsonl"
    assert open_source(write(tmp_path / "a.dat", "a,b\n1,2\n"), format="csv").columns == ["a", "b"]
    with pytest.raises(UnreadableFileError, match=r"unknown file type '\.dat'"):
        open_source(tmp_path / "a.dat")


def test_programming_errors_are_not_unreadable_files(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a,b\n1,2\n")
    with pytest.raises(ValueError, match="format must be one of"):
        open_source(path, format="parquet")
    # a worksheet name applies to workbooks; the same source's CSV edition reads as a table
    assert open_source(path, sheet="Factors by Category").columns == ["a", "b"]
    with pytest.raises(ValueError, match="batch_rows"):
        open_source(path).iter_batches(0)
    with pytest.raises(FileNotFoundError):
        open_source(tmp_path / "missing.csv")


def test_batches_have_exactly_batch_rows_rows_except_the_last(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", HEADER + "\n" + "\n".join([ROW] * 10) + "\n")
    source = open_source(path)
    assert [batch.num_rows for batch in source.iter_batches(4)] == [4, 4, 2]
    assert [row[SOURCE_ROW] for row in records(source, 3)] == list(range(1, 11))
    assert records(source) == records(source, 1)  # iterating again re-reads the file


def test_every_batch_is_text_columns_then_the_reader_columns(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.csv", HEADER + "\n" + ROW + "\n"))
    assert source.schema.names == [*source.columns, *READER_COLUMNS]
    assert all(source.schema.field(name).type == pa.string() for name in source.columns)
    assert source.schema.field(SOURCE_ROW).type == pa.int64()


def test_unreadable_error_says_which_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", b"")
    with pytest.raises(UnreadableFileError) as raised:
        open_source(path)
    assert raised.value.path == path
    assert raised.value.reason == "empty file (0 bytes)"
    assert str(raised.value) == f"{path}: empty file (0 bytes)"


# --- CSV: encoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written_as", "expected"),
    [
        ("Aluminium brut, non allié", "utf-8", "utf-8"),
        ("Aluminium brut, non allié", "utf-8-sig", "utf-8-sig"),
        ("Tôles d’acier – bobines", "cp1252", "cp1252"),
        ("Tôles d'acier, non allié", "cp1252", "latin-1"),  # no byte in 0x80-0x9F: decodes the same
        ("Qualität \u0081", "latin-1", "latin-1"),  # 0x81 is undefined in cp1252
        ("plain ascii", "cp1252", "utf-8"),
    ],
)
def test_encoding_rule(tmp_path: Path, text: str, written_as: str, expected: str) -> None:
    source = open_source(write(tmp_path / "a.csv", f'name,note\n"{text}",x\n', written_as))
    assert source.encoding == expected
    assert records(source)[0]["name"] == text


def test_utf8_bom_does_not_stick_to_the_first_column(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.csv", "Declarant EORI;b\r\nDE1;2\r\n", "utf-8-sig"))
    assert source.columns == ["declarant_eori", "b"]
    assert records(source)[0]["declarant_eori"] == "DE1"


def test_encoding_is_decided_on_the_whole_file(tmp_path: Path) -> None:
    """A Windows-1252 byte after the first MiB still makes the file cp1252, not a failed UTF-8 load."""
    body = (ROW + "\n") * (1_100_000 // len(ROW))
    path = write(
        tmp_path / "a.csv", (HEADER + "\n" + body + "DE9,€ –,1,2026-02-03,72081000,CN,1\n").encode("cp1252")
    )
    source = open_source(path)
    assert source.encoding == "cp1252"
    assert records(source)[-1]["declaration_id"] == "€ –"


def test_a_bom_declares_utf8_and_a_record_in_another_encoding_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a,b\nnaïve,1\n".encode("utf-8-sig") + "é,2\n".encode("cp1252"))
    source = open_source(path)
    rows = records(source)
    assert source.encoding == "utf-8-sig"
    assert [(row["a"], row[ROW_ERROR]) for row in rows] == [
        ("naïve", None),
        (
            "\\xe9",
            "column 'a': not valid UTF-8 (byte 0xE9), the encoding of the rest of the file (it mixes encodings)",
        ),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file (0 bytes)"),
        (b"\n\r\n\n", "no header row (the file holds only blank lines)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it is a PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "it is a ZIP archive"),
        (b"%PDF-1.7\n", "it is a PDF document"),
        ("a,b\n".encode("utf-16"), "UTF-16 text"),
        ("a,b\n".encode("utf-16-le"), "UTF-16LE text without a byte-order mark"),
        (bytes(range(256)) * 8, "binary data (224 control bytes in the first 2,048)"),
    ],
)
def test_files_that_are_not_csv_text_are_unreadable(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(UnreadableFileError, match=message.replace("(", "\\(").replace(")", "\\)")):
        open_source(write(tmp_path / "a.csv", content))


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl", ".xlsx"])
def test_binary_garbage_is_unreadable_in_every_format(tmp_path: Path, suffix: str) -> None:
    png = (CORPUS / "png_renamed.csv").read_bytes()
    with pytest.raises(UnreadableFileError, match="PNG image"):
        records(open_source(write(tmp_path / f"image{suffix}", png)))


# --- CSV: delimiter and decimal mark ----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    content = HEADER.replace(",", delimiter) + "\n" + ROW.replace(",", delimiter) + "\n"
    source = open_source(write(tmp_path / "a.csv", content))
    assert source.delimiter == delimiter
    assert records(source)[0]["net_mass_tonnes"] == "25.5"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('a,b\n"x;y;z",1\n"p;q;r",2\n', ","),  # delimiters inside quotes do not count
        ("name,note\nx,a;b;c;d\ny,e;f;g;h\n", ","),  # the header has no semicolon
        ("a;b;c\n1,5;2,5;3,5\n4,5;5,5;6,5\n", ";"),  # decimal commas outnumber the semicolons
        ("a\tb\n1,2,3\t4\n", "\t"),
        ("a;b\n1;2\n3;4;5\n6;7\n8;9\n", ";"),  # one ragged record does not change the verdict
        ("name\nx\ny\n", ","),  # one column
    ],
)
def test_delimiter_sniffing_is_quote_aware_and_consistency_based(
    tmp_path: Path, content: str, expected: str
) -> None:
    assert open_source(write(tmp_path / "a.csv", content)).delimiter == expected


@pytest.mark.parametrize(
    ("content", "expected", "first_value"),
    [
        ("a;b\nx;1,5\ny;1.234,56\n", ",", "1,5"),
        ("a;b\nx;1.5\ny;2.25\n", ".", "1.5"),
        ("a\tb\nx\t-0,75\n", ",", "-0,75"),
        ("a;b\nx;1.234\n", ".", "1.234"),  # "1.234" alone is ambiguous: no evidence for a decimal comma
        ("a;b\nx;1,5\ny;2.5\nz;3.5\n", ".", "1,5"),  # the majority decides
        ('a,b\nx,"1,5"\n', ".", "1,5"),  # a comma-separated file never has decimal commas
        ("a;b\nx;hello\n", ".", "hello"),
    ],
)
def test_decimal_comma_is_detected_from_the_data(
    tmp_path: Path, content: str, expected: str, first_value: str
) -> None:
    source = open_source(write(tmp_path / "a.csv", content))
    assert source.decimal_separator == expected
    assert records(source)[0]["b"] == first_value  # the reader never rewrites values


# --- CSV: values ------------------------------------------------------------------------------


def test_quoted_values_keep_newlines_delimiters_and_quotes(tmp_path: Path) -> None:
    content = 'a,b,c\r\n"x\r\ny","1,5","say ""hi"""\r\n"",  ,NA\r\nnull,"",last\r\n'
    rows = records(open_source(write(tmp_path / "a.csv", content)))
    assert [(row["a"], row["b"], row["c"]) for row in rows] == [
        ("x\r\ny", "1,5", 'say "hi"'),
        (None, "  ", "NA"),  # empty (quoted or not) is null; spaces and "NA" are values as received
        ("null", None, "last"),
    ]
    assert [row[SOURCE_ROW] for row in rows] == [1, 2, 3]


def test_crlf_and_lf_read_the_same(tmp_path: Path) -> None:
    lf = records(open_source(write(tmp_path / "lf.csv", HEADER + "\n" + ROW + "\n" + ROW)))
    crlf = records(open_source(write(tmp_path / "crlf.csv", HEADER + "\r\n" + ROW + "\r\n" + ROW + "\r\n")))
    assert lf == crlf


def test_source_row_counts_records_not_lines(tmp_path: Path) -> None:
    content = 'a,b\n\n1,"two\nlines"\n\n\n3,x\n'
    rows = records(open_source(write(tmp_path / "a.csv", content)))
    assert [(row[SOURCE_ROW], row["a"]) for row in rows] == [(1, "1"), (2, "3")]


def test_header_names_are_trimmed_and_snake_cased(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.csv", " Declarant EORI ,Net mass (tonnes)\nDE1,2\n"))
    assert source.columns == ["declarant_eori", "net_mass_tonnes"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("a,,b", "empty header name in column 2"),
        ("a,b, ,%", "empty header name in column 3, column 4"),
        ("a,b,", "empty header name in column 3"),
        (
            "Net Mass,net_mass,x",
            "duplicate header names after normalisation: 'net_mass' (column 1 'Net Mass', column 2 'net_mass')",
        ),
    ],
)
def test_empty_or_duplicate_header_names_are_unreadable(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(UnreadableFileError) as raised:
        open_source(write(tmp_path / "a.csv", header + "\n1,2,3\n"))
    assert message in str(raised.value)


def test_header_only_is_an_empty_source(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.csv", HEADER + "\r\n"))
    assert source.columns == HEADER.split(",")
    assert list(source.iter_batches()) == []


# --- CSV: ragged records ----------------------------------------------------------------------


def test_short_and_long_records_are_row_problems_in_file_order(tmp_path: Path) -> None:
    content = "a,b,c\n1,2,3\n4,5\n\n6,7,8,9,10\n11,12,13,\n14\n15,16,17\n"
    rows = records(open_source(write(tmp_path / "a.csv", content)), batch_rows=2)
    assert [row[SOURCE_ROW] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert [(row["a"], row["b"], row["c"]) for row in rows] == [
        ("1", "2", "3"),
        ("4", "5", None),
        ("6", "7", "8"),
        ("11", "12", "13"),
        ("14", None, None),
        ("15", "16", "17"),
    ]
    assert [row[ROW_ERROR] for row in rows] == [
        None,
        "expected 3 fields (as in the header), found 2",
        "expected 3 fields (as in the header), found 5",
        None,  # a trailing delimiter: the surplus field is empty, nothing is lost
        "expected 3 fields (as in the header), found 1",
        None,
    ]
    assert [row[EXTRA_FIELDS] for row in rows] == [None, None, '["9", "10"]', None, None, None]


def test_ragged_records_keep_their_place_across_parse_blocks(tmp_path: Path) -> None:
    lines = ["a,b,c"]
    for number in range(1, 301):
        fields = [str(number), "x", "y"]
        if number % 7 == 0:
            fields = fields[:2]
        elif number % 11 == 0:
            fields += ["surplus"]
        lines.append(",".join(fields) + ("\n" if number % 13 == 0 else ""))
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    with mock.patch.object(_csv, "BLOCK_BYTES", 64):  # dozens of pyarrow blocks
        rows = records(open_source(path), batch_rows=17)
    assert [row[SOURCE_ROW] for row in rows] == list(range(1, 301))
    assert [row["a"] for row in rows] == [str(number) for number in range(1, 301)]
    assert problems(rows) == [n for n in range(1, 301) if n % 7 == 0 or n % 11 == 0]


def test_a_file_of_only_ragged_records(tmp_path: Path) -> None:
    rows = records(open_source(write(tmp_path / "a.csv", "a,b,c\n1\n2,3,4,5\n")))
    assert problems(rows) == [1, 2]


def test_truncated_file_ending_inside_quotes_is_unreadable(tmp_path: Path) -> None:
    content = 'a,b\n1,"ok"\n2,"a quoted\nvalue that never\nends'
    with pytest.raises(UnreadableFileError, match="record starting on line 3 is never closed"):
        open_source(write(tmp_path / "a.csv", content))


def test_stray_quotes_inside_unquoted_values_are_not_truncation(tmp_path: Path) -> None:
    rows = records(open_source(write(tmp_path / "a.csv", 'a,b\npipe 5",1\n')))
    assert rows[0]["a"] == 'pipe 5"'


def test_a_record_longer_than_a_parse_block_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a,b\n1," + "x" * 200 + "\n")
    with (
        mock.patch.object(_csv, "BLOCK_BYTES", 64),
        pytest.raises(LimitExceededError, match="a record is longer than the limit of 64 bytes"),
    ):
        records(open_source(path))


# --- Excel ------------------------------------------------------------------------------------


def save(workbook: Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


def test_excel_values_become_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Integer", "Float", "Date", "Flag"])
    sheet.append([" DE1 ", 25, 0.1 + 0.2, dt.date(2026, 2, 3), True])
    sheet.append(["", 25.0, 1e-7, dt.datetime(2026, 2, 3, 10, 30), False])
    sheet.append(["x", -3, 1234567.891, dt.datetime(2026, 2, 3), None])
    rows = records(open_source(save(workbook, tmp_path / "a.xlsx")))
    assert [[row[column] for column in ("name", "integer", "float", "date", "flag")] for row in rows] == [
        [" DE1 ", "25", "0.3", "2026-02-03", "TRUE"],
        [None, "25", "0.0000001", "2026-02-03T10:30:00", "FALSE"],
        ["x", "-3", "1234567.891", "2026-02-03", None],
    ]
    assert [row[SOURCE_ROW] for row in rows] == [2, 3, 4]


def test_excel_header_is_found_below_a_preamble(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "CBAM imports, first quarter"
    sheet.merge_cells("A1:D1")
    sheet["A2"], sheet["B2"] = "Declarant:", "DE123456789012345"
    sheet["A3"], sheet["B3"] = "Period end:", dt.date(2026, 3, 31)
    sheet.append([])
    sheet.append(["CN code", "Origin", "Net mass", "Note"])
    sheet.append(["72081000", "CN", 25.5, "hot-rolled"])
    source = open_source(save(workbook, tmp_path / "a.xlsx"))
    assert source.columns == ["cn_code", "origin", "net_mass", "note"]
    assert [(row[SOURCE_ROW], row["net_mass"]) for row in records(source)] == [(6, "25.5")]


def test_excel_two_row_header_under_merged_parents(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["D1"] = "CN code", "Actual", "Default value"
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:F1")
    sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"], sheet["F2"] = (
        "Direct SEE",
        "Indirect SEE",
        2026,
        2027,
        2028,
    )
    sheet.append(["72081000", 1.9, 0.3, 2.1, 2.2, 2.3])
    source = open_source(save(workbook, tmp_path / "a.xlsx"))
    assert source.columns == [
        "cn_code", "actual_direct_see", "actual_indirect_see", "default_value_2026", "default_value_2027",
        "default_value_2028",
    ]  # fmt: skip
    assert records(source)[0][SOURCE_ROW] == 3


def test_excel_merged_single_header_names_its_first_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CN code", "Description", None, "Sector"])
    sheet.merge_cells("B1:C1")
    sheet.append(["72081000", "Flat-rolled", None, "Iron and steel"])
    sheet.append(["76011000", "Aluminium", "unwrought", "Aluminium"])
    rows = records(open_source(save(workbook, tmp_path / "a.xlsx")))
    assert [row["description"] for row in rows] == ["Flat-rolled", "Aluminium"]
    assert problems(rows) == [3]
    assert rows[1][ROW_ERROR] == "value(s) in column(s) C, which have no header name"
    assert rows[1][EXTRA_FIELDS] == '["unwrought"]'


def test_excel_declared_end_marker_ends_the_table_only_as_the_last_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["a", "b"])
    sheet.append([1, 2])
    sheet.append([None, "  "])
    sheet.append([3, 4, "note"])
    sheet.append([" end "])
    sheet.append([5, 6])
    sheet.append([])
    sheet.append([None, "END"])
    path = save(workbook, tmp_path / "a.xlsx")
    rows = records(open_source(path, end_marker="END"))
    assert [(row[SOURCE_ROW], row["a"]) for row in rows] == [(2, "1"), (4, "3"), (5, " end "), (6, "5")]
    assert problems(rows) == [4]
    undeclared = records(open_source(path))
    assert [row[SOURCE_ROW] for row in undeclared] == [2, 4, 5, 6, 8]  # blank rows are not records


def test_excel_named_sheet_and_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["x", "y"])
    workbook.create_sheet("Data").append(["a", "b"])
    path = save(workbook, tmp_path / "a.xlsx")
    assert open_source(path).columns == ["x", "y"]
    assert open_source(path, sheet="Data").columns == ["a", "b"]
    with pytest.raises(
        UnreadableFileError, match="no worksheet named 'Missing' \\(worksheets: Cover, Data\\)"
    ):
        open_source(path, sheet="Missing")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "sheet 'Sheet' is empty"),
        ([[1, 2], [3, 4]], "no header row in the first 100 rows"),
        ([["a", None, "c"], [1, 2, 3]], "empty header name in cell(s) B1"),
        ([["Net mass", "net_mass"], [1, 2]], "duplicate header names after normalisation: 'net_mass'"),
    ],
)
def test_excel_without_a_usable_header_is_unreadable(
    tmp_path: Path, rows: list[list[Any]], message: str
) -> None:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    with pytest.raises(UnreadableFileError) as raised:
        open_source(save(workbook, tmp_path / "a.xlsx"))
    assert message in str(raised.value)


def test_excel_ignores_a_wrong_recorded_used_range(tmp_path: Path) -> None:
    """Some writers record the used range as A1; read-only mode would then stop after one row."""
    workbook = Workbook()
    for row in (["a", "b"], [1, 2], [3, 4]):
        workbook.active.append(row)
    written = save(workbook, tmp_path / "written.xlsx")
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(item, data)
    assert [row["b"] for row in records(open_source(path))] == ["2", "4"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n", "not a ZIP package"),
        (b"PK\x03\x04garbage", "not a readable .xlsx workbook"),
        (b"", "not a ZIP package"),
    ],
)
def test_non_workbooks_are_unreadable(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(UnreadableFileError, match=message):
        open_source(write(tmp_path / "a.xlsx", content))


# --- JSON -------------------------------------------------------------------------------------


def test_json_values_are_kept_as_their_text(tmp_path: Path) -> None:
    content = """[
      {"eori": "DE1", "mass": 25.50, "line": 1, "big": 1e3, "ok": true, "gone": null,
       "nested": {"b": [1.0, "é", false], "a": null}, "blank": ""},
      {"mass": -0, "extra": "only here"}
    ]"""
    source = open_source(write(tmp_path / "a.json", content))
    assert source.columns == ["eori", "mass", "line", "big", "ok", "gone", "nested", "blank", "extra"]
    rows = records(source)
    assert {key: value for key, value in rows[0].items() if key not in READER_COLUMNS} == {
        "eori": "DE1", "mass": "25.50", "line": "1", "big": "1e3", "ok": "true", "gone": None,
        "nested": '{"b":[1.0,"é",false],"a":null}', "blank": None, "extra": None,
    }  # fmt: skip
    assert (rows[1]["mass"], rows[1]["extra"], rows[1]["eori"]) == ("-0", "only here", None)
    assert [row[SOURCE_ROW] for row in rows] == [1, 2]


@pytest.mark.parametrize(
    "document",
    [
        {"data": [{"a": 1}], "count": 1},
        {"items": [{"a": 1}], "next": None, "tags": ["x"]},
        {"d": {"results": [{"a": 1}], "__next": None}},
    ],
)
def test_json_object_wrapping_one_array_of_objects(tmp_path: Path, document: dict[str, Any]) -> None:
    rows = records(open_source(write(tmp_path / "a.json", json.dumps(document))))
    assert [(row["a"], row[SOURCE_ROW]) for row in rows] == [("1", 1)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file (0 bytes)"),
        ("  \n ", "no JSON value"),
        ('"text"', "the JSON document is a string, not an array of objects"),
        ("null", "the JSON document is null"),
        ('{"status": "ok"}', "holds no array of objects (keys: status)"),
        ('{"a": [{"x": 1}], "b": [{"y": 2}]}', "several arrays of objects (a, b)"),
        ("[1, 2]", "no record is a JSON object (record 1: the JSON value is a number, not an object)"),
        ('[{"a": 1},\n {"a": 2', "truncated JSON: the file ends inside an element"),
        ('[{"a": 1},\n {"a": "tw', "Unterminated string starting at line 2 (character 19)"),
        ('[{"a": 1}', "truncated JSON: the array is never closed"),
        ('[{"a": 1} {"a": 2}]', "expected ',' or ']' after an element"),
        ('[{"a": 1}]\n[{"a": 2}]', "unexpected data after the JSON array at line 2"),
        ('{"a": 1}\n{"a": 2}\n', "Extra data at line 2 (character 10) (several JSON values: JSON Lines"),
        ('[{"a": 1}, {"A": 2}]', "duplicate header names after normalisation: 'a' (key #1 'a', key #2 'A')"),
    ],
)
def test_json_that_is_not_an_array_of_objects_is_unreadable(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(UnreadableFileError) as raised:
        open_source(write(tmp_path / "a.json", content))
    assert message in str(raised.value)


def test_json_array_elements_that_are_not_objects_are_row_problems(tmp_path: Path) -> None:
    rows = records(open_source(write(tmp_path / "a.json", '[{"a": 1}, [1, 2], "x", {"a": 2}]')))
    assert problems(rows) == [2, 3]
    assert rows[1][ROW_ERROR] == "the JSON value is an array, not an object"
    assert rows[1][EXTRA_FIELDS] == '["[1,2]"]'


def test_empty_json_array_is_an_empty_source(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.json", "[ ]"))
    assert (source.columns, list(source.iter_batches())) == ([], [])


def test_json_array_is_streamed_across_chunks(tmp_path: Path) -> None:
    document = [{"n": number, "mass": 1234567.125, "note": "x" * (number % 5)} for number in range(1, 200)]
    path = write(tmp_path / "a.json", json.dumps(document, indent=1))
    with mock.patch.object(_json, "_CHUNK_CHARS", 7):
        rows = records(open_source(path), batch_rows=50)
    assert [row["n"] for row in rows] == [str(number) for number in range(1, 200)]
    assert {row["mass"] for row in rows} == {"1234567.125"}


def test_json_encoding_is_detected(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "a.json", '[{"note": "Tôles – bobines"}]', "cp1252"))
    assert (source.encoding, records(source)[0]["note"]) == ("cp1252", "Tôles – bobines")


# --- JSON Lines -------------------------------------------------------------------------------


def test_json_lines_broken_lines_are_row_problems_numbered_by_line(tmp_path: Path) -> None:
    content = '{"a": 1}\r\n\r\n{"a": 2, "b": \r\n  \r\n[3]\r\n{"b": "x"}\r\n'
    rows = records(open_source(write(tmp_path / "a.jsonl", content)))
    assert [(row[SOURCE_ROW], row["a"], row["b"]) for row in rows] == [
        (1, "1", None),
        (3, None, None),
        (5, None, None),
        (6, None, "x"),
    ]
    assert rows[1][ROW_ERROR] == "line 3 is not valid JSON: Expecting value at column 15"
    assert rows[1][EXTRA_FIELDS] == json.dumps(['{"a": 2, "b": '])
    assert rows[2][ROW_ERROR] == "the JSON value is an array, not an object"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file (0 bytes)"),
        ("\n \n", "no record (the file holds only blank lines)"),
        (
            "[1]\nnot json\n",
            "no record is a JSON object (record 1: the JSON value is an array, not an object)",
        ),
    ],
)
def test_json_lines_without_any_object_are_unreadable(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(UnreadableFileError) as raised:
        open_source(write(tmp_path / "a.jsonl", content))
    assert message in str(raised.value)
