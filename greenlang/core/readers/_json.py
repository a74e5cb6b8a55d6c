"""JSON documents and JSON Lines.

JSON: a top-level array of objects — streamed, one element at a time — or an object holding exactly
one array of objects, looked for among its values and, failing that, its values' values:
``{"data": [...]}``, ``{"items": [...], "count": 2}``, OData ``{"d": {"results": [...]}}``. Such a
wrapper object is parsed whole (memory grows with the file). ``_source_row`` is the element's
1-based position in the array.

JSON Lines: one object per line, blank lines skipped, ``_source_row`` = line number. A line that does
not parse, or is not an object, is kept as a row with a ``_row_error``; the file is unreadable only
if no line at all is an object.

Columns are the union of the objects' keys in order of first appearance (so detection reads the whole
file once); a missing key is null. Values are text: strings as they are (empty → null), numbers as
their JSON text (``25.50`` stays ``25.50``), ``true``/``false``, nested arrays and objects as compact
JSON text with their numbers' text and keys' order kept; ``null`` → null. An element of an array
that is not an object is a row-level problem like a broken JSON Lines line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TextIO

import pyarrow as pa

from greenlang.core.readers._bytes import profile_text_file
from greenlang.core.readers._common import (
    Row,
    SourceFile,
    UnreadableFileError,
    batches_from_rows,
    normalise_header,
)

_CHUNK_CHARS = 1 << 20
MAX_RECORD_CHARS = 64 << 20  # an array element larger than this is treated as broken
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _Number(str):
    """The exact JSON text of a number, kept instead of a lossy float."""


_DECODER = json.JSONDecoder(parse_float=_Number, parse_int=_Number, parse_constant=_Number)

# (source row, parsed value, None) — or (source row, the raw text, why it does not parse)
Item = tuple[int, Any, str | None]
ItemReader = Callable[[Path, str], Iterator[Item]]  # (path, encoding) → the file's items, in order


def loads_exact(text: str) -> Any:
    """Parse a JSON document (an API response) keeping every number's exact text, as files are read."""
    return _DECODER.decode(text)


def open_records(records: list[Any], label: str) -> SourceFile:
    """Records already parsed (a page of an API response), read like the elements of a JSON array.

    ``label`` names the delivery in errors (e.g. the request URL); ``format`` is ``"api"``.
    """
    path = Path(label)
    items = [(number, record, None) for number, record in enumerate(records, start=1)]
    keys = _collect_keys(path, items) if items else []
    columns = normalise_header(path, keys, lambda index: f"key #{index + 1}")
    position = {key: index for index, key in enumerate(keys)}
    return SourceFile(
        path=path,
        format="api",
        encoding=None,
        delimiter=None,
        decimal_separator=".",
        columns=columns,
        _read=lambda batch_rows: batches_from_rows(
            columns, (_row(item, position) for item in items), batch_rows
        ),
    )


def open_json(path: Path) -> SourceFile:
    return _open(path, "json", _array_items)


def open_json_lines(path: Path) -> SourceFile:
    return _open(path, "jsonl", _line_items)


def _open(path: Path, format: str, items: ItemReader) -> SourceFile:
    encoding = profile_text_file(path).encoding
    keys = _collect_keys(path, items(path, encoding))
    columns = normalise_header(path, keys, lambda index: f"key #{index + 1}")
    return SourceFile(
        path=path,
        format=format,
        encoding=encoding,
        delimiter=None,
        decimal_separator=".",
        columns=columns,
        _read=partial(_read_batches, path, encoding, items, keys, columns),
    )


def _collect_keys(path: Path, items: Iterable[Item]) -> list[str]:
    """Union of the objects' keys; refuses a file where nothing is an object."""
    keys: dict[str, None] = {}
    objects = 0
    first_problem: tuple[int, str] | None = None
    for source_row, value, error in items:
        if error is None and isinstance(value, dict):
            objects += 1
            keys.update(dict.fromkeys(value))
        elif first_problem is None:
            first_problem = source_row, error or _not_an_object(value)
    if objects == 0 and first_problem is not None:
        row, problem = first_problem
        raise UnreadableFileError(path, f"no record is a JSON object (record {row}: {problem})")
    return list(keys)


def _read_batches(
    path: Path, encoding: str, items: ItemReader, keys: list[str], columns: list[str], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    position = {key: index for index, key in enumerate(keys)}
    yield from batches_from_rows(
        columns, (_row(item, position) for item in items(path, encoding)), batch_rows
    )


def _row(item: Item, position: dict[str, int]) -> Row:
    source_row, value, error = item
    if error is not None:
        return source_row, [], error, json.dumps([value], ensure_ascii=False)
    if not isinstance(value, dict):
        return source_row, [], _not_an_object(value), json.dumps([_dump(value)], ensure_ascii=False)
    values: list[str | None] = [None] * len(position)
    for key, field_value in value.items():
        kind = type(field_value)  # the two common cases inline: this loop runs for every value
        if kind is _Number:
            values[position[key]] = str.__str__(field_value)
        elif kind is str:
            values[position[key]] = field_value or None
        else:
            values[position[key]] = json_text(field_value)
    return source_row, values, None, None


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", _Number: "a number"}
    return kinds.get(type(value), "null")


def _not_an_object(value: Any) -> str:
    return f"the JSON value is {_kind(value)}, not an object"


def json_text(value: Any) -> str | None:
    """A JSON value as the text a column holds (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, str) and not isinstance(value, _Number):
        return value or None
    return _dump(value)


def _dump(value: Any) -> str:
    """Compact JSON text of a parsed value, with numbers written as they were received."""
    if isinstance(value, _Number):
        return str.__str__(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_dump(key)}:{_dump(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# JSON Lines ------------------------------------------------------------------------------------


def _line_items(path: Path, encoding: str) -> Iterator[Item]:
    lines = 0
    with path.open(encoding=encoding) as stream:
        for number, line in enumerate(stream, start=1):
            text = line.rstrip("\n")
            if not text.strip():
                continue
            lines += 1
            try:
                yield number, _DECODER.decode(text), None
            except json.JSONDecodeError as error:
                yield number, text, f"line {number} is not valid JSON: {error.msg} at column {error.colno}"
    if not lines:
        raise UnreadableFileError(path, "no record (the file holds only blank lines)")


# JSON arrays -----------------------------------------------------------------------------------


def _array_items(path: Path, encoding: str) -> Iterator[Item]:
    with path.open(encoding=encoding) as stream:
        scanner = _Scanner(path, stream)
        first = scanner.next_char()
        if first is None:
            raise UnreadableFileError(path, "no JSON value (the file holds only whitespace)")
        if first == "[":
            scanner.pos += 1
            elements = scanner.array_elements()
        elif first == "{":
            elements = iter(_wrapped_array(path, scanner.rest()))
        else:
            value = scanner.rest()
            raise UnreadableFileError(path, f"the JSON document is {_kind(value)}, not an array of objects")
        for index, element in enumerate(elements, start=1):
            yield index, element, None


def _wrapped_array(path: Path, document: dict[str, Any]) -> list[Any]:
    """The one array of objects an object holds, among its values or else its values' values."""
    levels = [[(key, value) for key, value in document.items()]]
    levels.append(
        [
            (f"{key}.{inner}", value)
            for key, outer in levels[0]
            if isinstance(outer, dict)
            for inner, value in outer.items()
        ]
    )
    for level in levels:
        found = [(key, value) for key, value in level if _is_array_of_objects(value)]
        if len(found) > 1:
            raise UnreadableFileError(
                path,
                f"the JSON object holds several arrays of objects ({', '.join(key for key, _ in found)})",
            )
        if found:
            return found[0][1]
    raise UnreadableFileError(
        path, f"the JSON object holds no array of objects (keys: {', '.join(document) or 'none'})"
    )


def _is_array_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


class _Scanner:
    """A window over a text stream that decodes one JSON value after another (a streamed array)."""

    def __init__(self, path: Path, stream: TextIO):
        self.path, self.stream = path, stream
        self.buffer, self.pos = "", 0
        self.dropped_chars = self.dropped_lines = 0  # text already discarded before the window

    def _more(self) -> bool:
        if self.pos > _CHUNK_CHARS:
            self.dropped_lines += self.buffer.count("\n", 0, self.pos)
            self.dropped_chars += self.pos
            self.buffer, self.pos = self.buffer[self.pos :], 0
        chunk = self.stream.read(_CHUNK_CHARS)
        self.buffer += chunk
        return bool(chunk)

    def where(self, pos: int) -> str:
        line = self.dropped_lines + self.buffer.count("\n", 0, pos) + 1
        return f"line {line} (character {self.dropped_chars + pos + 1})"

    def _describe(self, error: json.JSONDecodeError, pos: int) -> str:
        return f"{error.msg.removesuffix(' at')} at {self.where(pos)}"  # "Unterminated string starting at"

    def next_char(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return None

    def value(self) -> Any:
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if len(self.buffer) - self.pos < MAX_RECORD_CHARS and self._more():
                    continue
                at_end = error.pos >= len(self.buffer.rstrip()) or error.msg.startswith("Unterminated")
                problem = "truncated JSON: the file ends inside an element" if at_end else "invalid JSON"
                raise UnreadableFileError(
                    self.path, f"{problem}: {self._describe(error, error.pos)}"
                ) from error
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def array_elements(self) -> Iterator[Any]:
        """Elements of the array whose ``[`` was just consumed; then checks that nothing follows it."""
        more = self.next_char() != "]"
        if not more:
            self.pos += 1
        while more:
            if self.next_char() is None:
                self._truncated()
            yield self.value()
            separator = self.next_char()
            if separator is None:
                self._truncated()
            if separator not in (",", "]"):
                raise UnreadableFileError(
                    self.path, f"invalid JSON at {self.where(self.pos)}: expected ',' or ']' after an element"
                )
            self.pos += 1
            more = separator == ","
        if self.next_char() is not None:
            raise UnreadableFileError(
                self.path, f"unexpected data after the JSON array at {self.where(self.pos)}"
            )

    def _truncated(self) -> NoReturn:
        raise UnreadableFileError(
            self.path, f"truncated JSON: the array is never closed (the file ends at {self.where(self.pos)})"
        )

    def rest(self) -> Any:
        """Parse everything from here as one JSON value."""
        while self._more():
            pass
        try:
            return _DECODER.decode(self.buffer[self.pos :])
        except json.JSONDecodeError as error:
            hint = (
                " (several JSON values: JSON Lines should be named .jsonl)"
                if error.msg == "Extra data"
                else ""
            )
            detail = self._describe(error, self.pos + error.pos)
            raise UnreadableFileError(self.path, f"invalid or truncated JSON: {detail}{hint}") from error
