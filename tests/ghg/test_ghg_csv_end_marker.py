"""The CSV reader ends a table at an ``END`` marker row, as the Excel reader does (UK DESNZ flat file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from greenlang.core.readers import ROW_ERROR, SOURCE_ROW, SourceFile, open_source


def read(path: Path, batch_rows: int = 100_000) -> list[dict[str, Any]]:
    source = open_source(path)
    rows: list[dict[str, Any]] = []
    for batch in source.iter_batches(batch_rows):
        assert batch.schema == source.schema
        rows.extend(batch.to_pylist())
    return rows


def write(tmp_path: Path, text: str, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_row_whose_only_value_is_end_ends_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, "id,scope,value\n1,Scope 1,2.5\n2,Scope 2,3\n,END,\n9,after,1\n")
    rows = read(path)
    assert [(row[SOURCE_ROW], row["id"]) for row in rows] == [(1, "1"), (2, "2")]


def test_end_marker_any_case_and_spaces_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\r\n1,2\r\n  end ,\r\n3,4\r\n")
    assert [row["a"] for row in read(path)] == ["1"]


def test_end_among_other_values_or_inside_a_value_is_data(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\nEND,2\nfriend,\nEND of year,\n,Weekend\n")
    assert [row["a"] for row in read(path)] == ["END", "friend", "END of year", None]


def test_rows_after_the_marker_are_not_records_even_broken_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,3\nEND,,\n4,5\n6,7,8,9\n")
    rows = read(path)
    assert [row["a"] for row in rows] == ["1"]
    assert all(row[ROW_ERROR] is None for row in rows)


def test_a_short_end_line_is_the_marker_too(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,3\nEND\n4,5,6\n")
    assert [row["a"] for row in read(path)] == ["1"]


def test_end_with_surplus_values_is_not_the_marker(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,2\n,,END\n3,4\n")
    rows = read(path)
    assert [row["a"] for row in rows] == ["1", None, "3"]
    assert rows[1][ROW_ERROR] is not None


def test_marker_far_into_the_file_stops_across_parse_blocks_and_batches(tmp_path: Path) -> None:
    body = "".join(f"{index},Scope {index % 3},{index}.5\n" for index in range(1, 120_001))
    path = write(tmp_path, "id,scope,value\n" + body + ",END,\n" + "0,after,0\n" * 50)
    rows = read(path, batch_rows=7_000)
    assert len(rows) == 120_000
    assert rows[-1]["id"] == "120000" and rows[-1][SOURCE_ROW] == 120_000


def test_marker_as_first_record_leaves_an_empty_table(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\nEND,\n1,2\n")
    source: SourceFile = open_source(path)
    assert source.columns == ["a", "b"]
    assert read(path) == []


def test_decimal_mark_is_detected_before_the_marker(tmp_path: Path) -> None:
    text = "a;b\n1,5;2,25\n3,5;4,75\nEND;\n" + "1.5;2.5\n" * 10
    assert open_source(write(tmp_path, text)).decimal_separator == ","
