"""The resource limits of every reader, in one place.

An inbound file is untrusted: a few megabytes can decompress to gigabytes (a gzip or xlsx "bomb"),
nest a JSON value thousands of levels deep, or hold one value of hundreds of megabytes. Each limit
below turns such a file into a clear ``LimitExceededError`` (an ``UnreadableFileError``: the load
fails as a recorded batch) before it costs memory, instead of a crash or an exhausted machine.

The values are far above what any real delivery of this warehouse holds (the UK DESNZ workbook, the
largest published file we load, is 4 MB of XML compressed 9:1; its longest record is 200 bytes).
"""

# Bytes a compressed file may expand to: a gzip member's output, the sum of an xlsx package's parts.
MAX_DECOMPRESSED_BYTES = 1 << 30
# Expansion (uncompressed / compressed) allowed for an xlsx part larger than RATIO_CHECK_MIN_BYTES.
# Spreadsheet XML compresses 5-20:1; a zip bomb's parts compress about 1,000:1.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1 << 20
# An xlsx part that openpyxl parses whole (shared strings, styles, the workbook) rather than streaming
# like a worksheet: bounded more tightly, since its parsed form takes several times its size in memory.
MAX_WHOLE_PART_BYTES = 64 << 20
# One record: a CSV record (quoted newlines included; also pyarrow's parse block), a JSON Lines line
# or one element of a JSON array. No value is longer than its record; an Excel cell is checked alone.
MAX_RECORD_BYTES = 1 << 20
# Columns of a table (header names, the union of JSON keys).
MAX_COLUMNS = 1_000
# Values in one batch of a reader that builds batches from Python lists (JSON, Excel): a wide file gets
# batches of fewer rows, so 1,000 columns cost what 100 do (a value slot is 8 bytes before its text).
MAX_BATCH_VALUES = 10_000_000
# Levels of arrays and objects in one JSON record (the record object itself is level 1). A record nested
# deeper is rejected, also when Python's own parser gives up (near 1,000 levels: RecursionError).
MAX_NESTING_DEPTH = 64


def size_text(count: int) -> str:
    """A byte count for messages: ``1 GiB``, ``64 MiB``, ``1,234 bytes``."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count >> shift} {unit}"
    return f"{count:,} bytes"
