"""``open_source``: pick the reader for a file and detect its layout."""

from __future__ import annotations

from pathlib import Path

from greenlang.core.readers._common import SourceFile, UnreadableFileError
from greenlang.core.readers._csv import open_csv
from greenlang.core.readers._excel import open_excel
from greenlang.core.readers._json import open_json, open_json_lines

FORMATS = ("csv", "excel", "json", "jsonl")
_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def open_source(path: Path | str, *, sheet: str | None = None, format: str | None = None) -> SourceFile:
    """Detect the layout of ``path`` (format from the extension unless given) and return its handle.

    ``sheet`` names the worksheet to read when the file is a workbook (else the first sheet); a source
    that publishes both a workbook and a CSV (DESNZ) uses one setting for both, so text files ignore it.
    Raises ``UnreadableFileError`` when the file cannot be read at all; problems of single records
    are reported per row by the batches instead. A missing file raises ``FileNotFoundError``.
    """
    path = Path(path)
    if format is None:
        format = _BY_SUFFIX.get(path.suffix.lower())
        if format is None:
            raise UnreadableFileError(
                path, f"unknown file type {path.suffix!r} (expected one of {', '.join(sorted(_BY_SUFFIX))})"
            )
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    if not path.is_file():
        raise FileNotFoundError(path)
    if format == "csv":
        return open_csv(path)
    if format == "excel":
        return open_excel(path, sheet)
    return open_json(path) if format == "json" else open_json_lines(path)
