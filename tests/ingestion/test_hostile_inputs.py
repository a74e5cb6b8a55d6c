"""Inputs hostile by their size, made at test time (the corpus keeps files under 200 KB): each resource
limit of ``greenlang.core.readers._limits`` refuses them clearly, and memory stays bounded."""

from __future__ import annotations

import gc
import gzip
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import pytest
from openpyxl import Workbook

from greenlang.core.readers import LimitExceededError, UnreadableFileError, _common, _open, open_source
from greenlang.core.readers._limits import MAX_RECORD_BYTES

HEADER = "declarant_eori,declaration_id,net_mass_tonnes"
ROW = "DE123456789012345,24DE123456789012A1,25.5"


def read_all(path: Path) -> int:
    return sum(batch.num_rows for batch in open_source(path).iter_batches())


def test_a_ten_megabyte_csv_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f'{HEADER}\n{ROW}\nDE1,"{"x" * 10_000_000}",1\n', encoding="utf-8")
    with pytest.raises(LimitExceededError, match="a record is longer than the limit of 1 MiB"):
        read_all(path)


def test_a_ten_megabyte_quoted_field_is_refused_by_the_truncation_check_too(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"  # an odd number of quotes: the whole-file quote check parses it first
    path.write_text(f'{HEADER}\nDE1,"{"x" * 10_000_000}",1 "\n', encoding="utf-8")
    with pytest.raises(LimitExceededError, match="longer than the limit of 1 MiB"):
        read_all(path)


def test_a_json_lines_line_longer_than_a_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{"a": "' + "x" * (MAX_RECORD_BYTES + 10) + '"}\n', encoding="utf-8")
    with pytest.raises(LimitExceededError, match="line 2 is longer than the limit of 1 MiB"):
        open_source(path)


def test_a_json_array_element_longer_than_a_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"a": 1}, {"a": "' + "x" * (MAX_RECORD_BYTES + 10) + '"}]', encoding="utf-8")
    with pytest.raises(LimitExceededError, match=r"the array element starting at line 1 .* is longer than"):
        open_source(path)


def test_a_gzip_whose_members_add_up_beyond_the_limit_is_refused_while_streaming(tmp_path: Path) -> None:
    member = gzip.compress(b"a,b\n" + b"1,2\n" * 250_000, mtime=0)  # 1 MB each; the last trailer says 1 MB
    path = tmp_path / "a.csv.gz"
    path.write_bytes(member * 12)
    with (
        mock.patch.object(_open, "MAX_DECOMPRESSED_BYTES", 10 << 20),
        pytest.raises(LimitExceededError, match="decompresses to more than the limit of 10 MiB"),
    ):
        open_source(path)


def test_the_decompressed_copy_lives_as_long_as_the_handle(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(f"{HEADER}\n{ROW}\n".encode()))
    source = open_source(path)
    copy_folder = Path(source._keep.name)
    assert (source.path, source.format, source.compression) == (path, "csv", "gzip")
    assert sum(batch.num_rows for batch in source.iter_batches()) == 1
    assert copy_folder.is_dir()
    del source
    gc.collect()
    assert not copy_folder.exists()


def test_errors_of_a_decompressed_file_name_the_delivered_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(b"a,,b\n1,2,3\n"))
    with pytest.raises(UnreadableFileError) as raised:
        open_source(path)
    assert raised.value.path == path
    assert raised.value.reason == "(decompressed a.csv) empty header name in column 2"


def xlsx_with_sheet_xml(path: Path, sheet_xml: bytes, *, level: int = 6) -> Path:
    """A valid workbook whose sheet part is replaced by ``sheet_xml``."""
    workbook = Workbook()
    workbook.active.append(["a", "b"])
    template = path.with_suffix(".template.xlsx")
    workbook.save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, data, compresslevel=level)
    return path


def sheet_xml(rows: int) -> bytes:
    body = "".join(
        f'<row r="{row}"><c r="A{row}"><v>{row}</v></c><c r="B{row}" t="inlineStr"><is><t>x{row % 977}</t></is></c></row>'
        for row in range(2, rows + 2)
    )
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{header}{body}</sheetData></worksheet>"
    ).encode()


def declare_size(path: Path, part: str, size: int) -> None:
    """Rewrite the central directory's uncompressed size of ``part`` (its data stays as it is)."""
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46 : entry + 46 + len(part)] != part.encode():
        entry = raw.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", raw, entry + 24, size)
    path.write_bytes(bytes(raw))


def test_an_xlsx_part_declaring_more_than_the_limit_is_refused_unopened(tmp_path: Path) -> None:
    path = xlsx_with_sheet_xml(tmp_path / "a.xlsx", sheet_xml(10))
    declare_size(path, "xl/worksheets/sheet1.xml", 0xFFFF_0000)
    with pytest.raises(
        LimitExceededError, match=r"the workbook's parts expand to .* more than the limit of 1 GiB"
    ):
        open_source(path)


def test_an_xlsx_shared_strings_part_larger_than_a_whole_part_may_be_is_refused(tmp_path: Path) -> None:
    path = xlsx_with_sheet_xml(tmp_path / "a.xlsx", sheet_xml(10))
    strings = b"<sst>" + b"".join(b"<si><t>%d</t></si>" % index for index in range(4_000_000)) + b"</sst>"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
    with pytest.raises(LimitExceededError, match=r"part xl/sharedStrings\.xml is .* for a part read whole"):
        open_source(path)


# Peak memory, measured in a fresh interpreter so that nothing else of the test run counts: VmHWM, the
# peak resident size of its own address space (ru_maxrss would carry over the forking parent's peak).
MEASURE = textwrap.dedent(
    """
    import json, re, sys
    from pathlib import Path
    from greenlang.core.readers import UnreadableFileError, open_source
    outcome = None
    try:
        source = open_source(sys.argv[1])
        outcome = sum(batch.num_rows for batch in source.iter_batches(10_000))
    except UnreadableFileError as error:
        outcome = type(error).__name__ + ": " + error.reason
    peak_kib = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
    print(json.dumps({"outcome": outcome, "peak_mib": round(peak_kib / 1024)}))
    """
)
STREAMING_PEAK_MIB = 250  # the interpreter with pyarrow and openpyxl loaded is about 75 MiB
WHOLE_PART_PEAK_MIB = 800  # shared strings just under MAX_WHOLE_PART_BYTES: about 570 MiB


def peak_memory(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(done.stdout.splitlines()[-1])


def with_shared_strings(path: Path, count: int) -> Path:
    """``path`` with a shared-strings part of ``count`` strings (about 22 bytes of XML each)."""
    strings = b"".join(b"<si><t>%d</t></si>" % index for index in range(count))
    target = path.with_name("strings.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            archive.writestr(item.filename, data)
        archive.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>",
        )
    return target


@pytest.mark.slow
def test_xlsx_bombs_are_refused_and_big_sheets_stream_in_bounded_memory(tmp_path: Path) -> None:
    """A 1 GB sheet in a 1 MB file (the shape that took 6.5-7 GB before) is refused on its declared
    ratio; a 1,000:1 bomb that lies about its size fails on its CRC after reading no more than declared;
    a legitimate 40 MB sheet of 400,000 rows streams near the interpreter's own memory; shared strings
    just under the limit for a part read whole (64 MiB) cost what openpyxl's list of them costs."""
    bomb = tmp_path / "bomb.xlsx"
    xlsx_with_sheet_xml(
        bomb, sheet_xml(10).replace(b"<sheetData>", b"<sheetData>" + b" " * 1_000_000_000), level=9
    )
    liar = tmp_path / "liar.xlsx"
    xlsx_with_sheet_xml(
        liar, sheet_xml(10).replace(b"<sheetData>", b"<sheetData>" + b" " * 200_000_000), level=9
    )
    declare_size(liar, "xl/worksheets/sheet1.xml", 500_000)
    big = xlsx_with_sheet_xml(tmp_path / "big.xlsx", sheet_xml(400_000))
    strings = with_shared_strings(xlsx_with_sheet_xml(tmp_path / "small.xlsx", sheet_xml(10)), 2_900_000)
    files = {"bomb": bomb, "liar": liar, "big": big, "strings": strings}

    results = {name: peak_memory(path) for name, path in files.items()}
    print({name: (files[name].stat().st_size, result) for name, result in results.items()})
    assert results["bomb"]["outcome"].startswith("LimitExceededError: part xl/worksheets/sheet1.xml expands")
    assert "Bad CRC-32" in results["liar"]["outcome"]
    assert results["big"]["outcome"] == 400_000
    assert results["strings"]["outcome"] == 10
    assert max(results[name]["peak_mib"] for name in ("bomb", "liar", "big")) < STREAMING_PEAK_MIB
    assert results["strings"]["peak_mib"] < WHOLE_PART_PEAK_MIB


@pytest.mark.slow
def test_a_gzip_bomb_decompresses_to_disk_in_bounded_memory(tmp_path: Path) -> None:
    """2 GB of zeros in 2 MB, in members whose trailers each declare 100 MB: refused at the 1 GiB limit."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = member.compress(b"\x00" * 100_000_000) + member.flush()
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(one * 20)
    result = peak_memory(path)
    print(path.stat().st_size, result)
    assert result["outcome"].startswith("LimitExceededError: decompresses to more than the limit of 1 GiB")
    assert result["peak_mib"] < STREAMING_PEAK_MIB


def test_wide_json_gets_smaller_batches_and_loses_no_record(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({f"k{row % 10}": row}) + "\n" for row in range(95)), encoding="utf-8")
    with mock.patch.object(_common, "MAX_BATCH_VALUES", 100):  # 10 columns: 10 rows a batch
        sizes = [batch.num_rows for batch in open_source(path).iter_batches(50)]
    assert sizes == [10] * 9 + [5]


def test_ragged_csv_records_are_never_cut_by_the_batch_cap(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n" + "1,2\n" * 500, encoding="utf-8")
    with mock.patch.object(_common, "MAX_BATCH_VALUES", 30):
        rows = [row for batch in open_source(path).iter_batches(200) for row in batch.to_pylist()]
    assert [row["_source_row"] for row in rows] == list(range(1, 501))
