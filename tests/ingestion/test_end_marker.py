"""End markers: a row that closes a table counts only where the source declares one, and only as the
last record; anywhere else it is a record like any other (the UK DESNZ flat file ends with ",END,,,")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenlang.core.readers import ROW_ERROR, SOURCE_ROW, open_source


def read(path: Path, end_marker: str | None = "END", batch_rows: int = 100_000) -> list[dict[str, Any]]:
    source = open_source(path, end_marker=end_marker)
    rows: list[dict[str, Any]] = []
    for batch in source.iter_batches(batch_rows):
        assert batch.schema == source.schema
        rows.extend(batch.to_pylist())
    return rows


def write(tmp_path: Path, text: str, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_the_declared_marker_as_the_last_record_is_not_a_record(tmp_path: Path) -> None:
    path = write(tmp_path, "id,scope,value\n1,Scope 1,2.5\n2,Scope 2,3\n,END,\n\n")
    assert [(row[SOURCE_ROW], row["id"]) for row in read(path)] == [(1, "1"), (2, "2")]


def test_without_a_declaration_the_marker_is_a_record(tmp_path: Path) -> None:
    path = write(tmp_path, "id,scope,value\n1,Scope 1,2.5\n,END,\n")
    assert [(row[SOURCE_ROW], row["scope"]) for row in read(path, end_marker=None)] == [
        (1, "Scope 1"),
        (2, "END"),
    ]


def test_a_marker_followed_by_records_is_a_record_and_nothing_is_lost(tmp_path: Path) -> None:
    path = write(tmp_path, "id,scope,value\n1,Scope 1,2.5\n,END,\n9,after,1\n")
    assert [(row[SOURCE_ROW], row["scope"]) for row in read(path)] == [
        (1, "Scope 1"),
        (2, "END"),
        (3, "after"),
    ]


@pytest.mark.parametrize("marker", ["  end ,", "END", "End,,", ",,eNd"])
def test_the_marker_any_case_spaces_and_column_even_on_a_short_line(tmp_path: Path, marker: str) -> None:
    path = write(tmp_path, f"a,b,c\r\n1,2,3\r\n{marker}\r\n")
    assert [row["a"] for row in read(path)] == ["1"]


def test_end_among_other_values_or_inside_a_value_is_data(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\nEND,2\nfriend,\nEND of year,\n,Weekend\n")
    assert [row["a"] for row in read(path)] == ["END", "friend", "END of year", None]


def test_end_with_surplus_values_is_not_the_marker(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,2\n,,END\n")
    rows = read(path)
    assert [row["a"] for row in rows] == ["1", None]
    assert rows[1][ROW_ERROR] is not None


def test_marker_far_into_the_file_across_parse_blocks_and_batches(tmp_path: Path) -> None:
    body = "".join(f"{index},Scope {index % 3},{index}.5\n" for index in range(1, 120_001))
    path = write(tmp_path, "id,scope,value\n" + body + ",END,\n")
    rows = read(path, batch_rows=7_000)
    assert len(rows) == 120_000
    assert rows[-1]["id"] == "120000" and rows[-1][SOURCE_ROW] == 120_000


def test_marker_as_the_only_record_leaves_an_empty_table(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\nEND,\n")
    assert open_source(path, end_marker="END").columns == ["a", "b"]
    assert read(path) == []


def test_decimal_mark_is_detected_from_the_whole_sample(tmp_path: Path) -> None:
    text = "a;b\n1,5;2,25\n3,5;4,75\n5,5;6,5\nEND;\n"
    assert open_source(write(tmp_path, text), end_marker="END").decimal_separator == ","
