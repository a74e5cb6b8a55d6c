"""File readers: an inbound file → a stream of pyarrow batches of text columns.

Every batch holds the file's columns (header names snake_cased, every value as received as text, an
empty value as null) followed by three reader columns:

- ``_source_row`` (int64): where the record is — CSV and JSON array: 1-based record number after the
  header; JSON Lines: line number; Excel: worksheet row number.
- ``_row_error`` (text): why the record is structurally broken at reader level (a CSV line with fewer
  or more fields than the header, a JSON Lines line that does not parse or is not an object, an
  Excel value outside the header's columns); null when it is not. Such rows must be rejected.
- ``_extra_fields`` (text): JSON array of received values that have no column (surplus CSV fields,
  the raw text of an unparseable JSON line, Excel values outside the header); null when none.

Whole-file problems raise ``UnreadableFileError`` from ``open_source`` (``LimitExceededError`` for a
file beyond one of the resource limits of ``_limits``). Records holding a value no text column can
store (a NUL character, a lone surrogate) get a ``_row_error`` in every format.
"""

from greenlang.core.readers._common import (
    EXTRA_FIELDS,
    READER_COLUMNS,
    ROW_ERROR,
    SOURCE_ROW,
    LimitExceededError,
    SourceFile,
    UnreadableFileError,
    snake_case,
)
from greenlang.core.readers._csv import AMBIGUOUS_NUMBER
from greenlang.core.readers._json import loads_exact, open_records
from greenlang.core.readers._open import open_source

__all__ = [
    "AMBIGUOUS_NUMBER",
    "EXTRA_FIELDS",
    "READER_COLUMNS",
    "ROW_ERROR",
    "SOURCE_ROW",
    "LimitExceededError",
    "SourceFile",
    "UnreadableFileError",
    "loads_exact",
    "open_records",
    "open_source",
    "snake_case",
]
