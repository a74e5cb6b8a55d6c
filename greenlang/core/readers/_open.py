"""``open_source``: pick the reader for a file and detect its layout; decompress a ``.gz`` file first."""

from __future__ import annotations

import dataclasses
import gzip
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from greenlang.core.readers._common import LimitExceededError, SourceFile, UnreadableFileError
from greenlang.core.readers._csv import open_csv
from greenlang.core.readers._excel import open_excel
from greenlang.core.readers._json import open_json, open_json_lines
from greenlang.core.readers._limits import MAX_DECOMPRESSED_BYTES, size_text
from greenlang.core.readers._xls import open_xls

FORMATS = ("csv", "excel", "xls", "json", "jsonl")
_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "xls",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
COMPRESSED_SUFFIX = ".gz"
_COPY_CHUNK = 1 << 20


def open_source(
    path: Path | str,
    *,
    sheet: str | None = None,
    format: str | None = None,
    end_marker: str | None = None,
    decimal_separator: str | None = None,
) -> SourceFile:
    """Detect the layout of ``path`` (format from the extension unless given) and return its handle.

    ``sheet`` names the worksheet to read when the file is a workbook (else the active one); a source
    that publishes both a workbook and a CSV (DESNZ) uses one setting for both, so text files ignore
    it. ``end_marker``: the value of a trailing row that closes the table (CSV and workbooks; none by
    default). ``decimal_separator``: the decimal mark of delimited text (``.`` or ``,``; detected when
    not given). A ``.gz`` file is a gzip of a file in one of the formats, named by the extension
    before ``.gz`` (``readings.csv.gz``).

    Raises ``UnreadableFileError`` when the file cannot be read at all (``LimitExceededError`` when it
    is too large in some way, ``_limits``); problems of single records are reported per row by the
    batches instead. A missing file raises ``FileNotFoundError``.
    """
    path = Path(path)
    if decimal_separator not in (None, ".", ","):
        raise ValueError(f"decimal_separator must be '.' or ',', got {decimal_separator!r}")
    if format is None and path.suffix.lower() == COMPRESSED_SUFFIX:
        return _open_gzip(path, sheet=sheet, end_marker=end_marker, decimal_separator=decimal_separator)
    if format is None:
        format = _format_of(path, path.suffix)
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    if not path.is_file():
        raise FileNotFoundError(path)
    if format == "csv":
        return open_csv(path, end_marker=end_marker, decimal_separator=decimal_separator)
    if format == "excel":
        return open_excel(path, sheet, end_marker)
    if format == "xls":
        return open_xls(path, sheet, end_marker)
    return open_json(path) if format == "json" else open_json_lines(path)


def _format_of(path: Path, suffix: str, inside: str = "") -> str:
    format = _BY_SUFFIX.get(suffix.lower())
    if format is None:
        what = f"file type {suffix!r}" if suffix else "file type (no extension)"
        expected = ", ".join(sorted([*_BY_SUFFIX, COMPRESSED_SUFFIX]))
        raise UnreadableFileError(path, f"unknown {what}{inside} (expected one of {expected})")
    return format


def _open_gzip(path: Path, **options: str | None) -> SourceFile:
    """Decompress to a private temporary file (streaming, at most ``MAX_DECOMPRESSED_BYTES``) and read
    that; the copy lives as long as the returned handle. Several gzip members are one stream (RFC 1952)."""
    inner = Path(path.stem)
    if inner.suffix.lower() == COMPRESSED_SUFFIX:
        raise UnreadableFileError(path, "a compressed file inside a compressed file is not read (nested .gz)")
    format = _format_of(path, inner.suffix, inside=" inside the gzip file")
    if not path.is_file():
        raise FileNotFoundError(path)
    folder = tempfile.TemporaryDirectory(prefix="greenlang-gunzip-")
    copy = Path(folder.name) / inner.name
    try:
        _gunzip(path, copy)
        source = open_source(copy, format=format, **options)
    except UnreadableFileError as error:
        folder.cleanup()
        if error.path != copy:
            raise
        raise _as_outer(error, path) from error
    return dataclasses.replace(
        source,
        path=path,
        compression="gzip",
        _read=lambda batch_rows: _outer_errors(source._read(batch_rows), path),
        _keep=folder,
    )


def _gunzip(path: Path, target: Path) -> None:
    """Decompress, refusing at once a file whose last member declares more output than the limit (its
    trailer's size field), and counting the output, since a trailer can lie and members add up."""
    with path.open("rb") as stream:
        stream.seek(0, 2)
        if stream.tell() >= 18:  # the smallest gzip member: 10-byte header, empty data, 8-byte trailer
            stream.seek(-4, 2)
            declared = int.from_bytes(stream.read(4), "little")
            if declared > MAX_DECOMPRESSED_BYTES:
                raise LimitExceededError(
                    path,
                    f"declares {declared:,} bytes of content, more than the limit of "
                    f"{size_text(MAX_DECOMPRESSED_BYTES)} (a gzip bomb?)",
                )
    written = 0
    try:
        with gzip.open(path, "rb") as compressed, target.open("wb") as out:
            while chunk := compressed.read(_COPY_CHUNK):
                written += len(chunk)
                if written > MAX_DECOMPRESSED_BYTES:
                    raise LimitExceededError(
                        path,
                        f"decompresses to more than the limit of {size_text(MAX_DECOMPRESSED_BYTES)} "
                        "(a gzip bomb?)",
                    )
                out.write(chunk)
    except EOFError as error:
        raise UnreadableFileError(path, f"truncated gzip file: {error}") from error
    except (gzip.BadGzipFile, zlib.error, OSError) as error:
        raise UnreadableFileError(path, f"not a readable gzip file: {error}") from error
    if written == 0:
        raise UnreadableFileError(path, "the gzip file decompresses to nothing (0 bytes)")


def _as_outer(error: UnreadableFileError, path: Path) -> UnreadableFileError:
    """The error of the decompressed copy, told about the file that was delivered."""
    kind = LimitExceededError if isinstance(error, LimitExceededError) else UnreadableFileError
    return kind(path, f"(decompressed {path.stem}) {error.reason}")


def _outer_errors(batches: Iterator[pa.RecordBatch], path: Path) -> Iterator[pa.RecordBatch]:
    try:
        yield from batches
    except UnreadableFileError as error:
        raise _as_outer(error, path) from error
