"""JSON documents and JSON Lines.

JSON: a top-level array of objects — streamed, one element at a time — or an object holding exactly
one array of objects, looked for among its values and, failing that, its values' values:
``{"data": [...]}``, ``{"items": [...], "count": 2}``, OData ``{"d": {"results": [...]}}``. Such a
wrapper object is parsed whole (memory grows with the file). ``_source_row`` is the element's
1-based position in the array.

JSON Lines: one object per line, blank lines skipped, ``_source_row`` = line number. A line that does
not parse, or is not an object, is kept as a row with a ``_row_error``; the file is unreadable only
if no line at all is an object. Each line is decoded alone, so in a file that mixes encodings only
the lines in the other encoding are rejected (``_bytes``).

A JSON array whose *text* is broken (a syntax error, a truncated file) is refused whole: after a
syntax error there is no telling where the next element starts, so no element after it can be
trusted. An element that parses but is not a valid record is rejected alone, as is a line of JSON
Lines: not an object; an object that repeats a key (JSON parsers silently keep the last value); the
non-standard literals ``NaN``, ``Infinity`` and ``-Infinity``; nesting deeper than
``MAX_NESTING_DEPTH``. A wrapping object (below) that repeats a key, and an array file that mixes
encodings, are refused.

Limits (``_limits``): a line or element longer than ``MAX_RECORD_BYTES`` characters, or more than
``MAX_COLUMNS`` distinct keys, refuses the file.

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

from greenlang.core.readers._bytes import TextProfile, decode_mixed, profile_text_file
from greenlang.core.readers._common import (
    LimitExceededError,
    Row,
    SourceFile,
    UnreadableFileError,
    batches_from_rows,
    normalise_header,
)
from greenlang.core.readers._limits import MAX_COLUMNS, MAX_NESTING_DEPTH, MAX_RECORD_BYTES, size_text

_CHUNK_CHARS = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON string or one bracket: enough to find where a value too deep for the parser ends.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_TOO_DEEP = f"nested deeper than {MAX_NESTING_DEPTH} levels of arrays and objects"


class _Number(str):
    """The exact JSON text of a number, kept instead of a lossy float."""


class _Constant(_Number):
    """``NaN``, ``Infinity`` or ``-Infinity``: accepted by Python's parser, not JSON; rejects its record."""


class _RepeatedKeys(dict):
    """An object that repeated a key (the last value kept, as every parser does); rejects its record."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    repeated = _RepeatedKeys(value)
    seen: set[str] = set()
    repeated.repeated = tuple(dict.fromkeys(key for key, _ in pairs if key in seen or seen.add(key)))
    return repeated


_DECODER = json.JSONDecoder(
    parse_float=_Number, parse_int=_Number, parse_constant=_Constant, object_pairs_hook=_object
)

# (source row, parsed value, None) — or (source row, the raw text, why it does not parse)
Item = tuple[int, Any, str | None]
ItemReader = Callable[[Path, TextProfile], Iterator[Item]]  # (path, encoding) → the file's items, in order


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
        decimal_separator_assumed=False,
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
    profile = profile_text_file(path)
    keys = _collect_keys(path, items(path, profile))
    columns = normalise_header(path, keys, lambda index: f"key #{index + 1}")
    return SourceFile(
        path=path,
        format=format,
        encoding=profile.encoding,
        delimiter=None,
        decimal_separator=".",
        decimal_separator_assumed=False,
        columns=columns,
        _read=partial(_read_batches, path, profile, items, keys, columns),
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
            if len(keys) > MAX_COLUMNS:
                raise LimitExceededError(
                    path,
                    f"more than {MAX_COLUMNS:,} distinct keys (the limit of columns), at record {source_row}",
                )
        elif first_problem is None:
            first_problem = source_row, error or _not_an_object(value)
    if objects == 0 and first_problem is not None:
        row, problem = first_problem
        raise UnreadableFileError(path, f"no record is a JSON object (record {row}: {problem})")
    return list(keys)


def _read_batches(
    path: Path, profile: TextProfile, items: ItemReader, keys: list[str], columns: list[str], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    position = {key: index for index, key in enumerate(keys)}
    yield from batches_from_rows(columns, (_row(item, position) for item in items(path, profile)), batch_rows)


def _row(item: Item, position: dict[str, int]) -> Row:
    source_row, value, error = item
    if error is not None:
        return source_row, [], error, json.dumps([value], ensure_ascii=False)
    if not isinstance(value, dict):
        problem = record_problem(value)
        extra = None if problem == _TOO_DEEP else json.dumps([_dump(value)], ensure_ascii=False)
        return source_row, [], _not_an_object(value), extra
    values: list[str | None] = [None] * len(position)
    nested = []
    for key, field_value in value.items():
        kind = type(field_value)  # the two common cases inline: this loop runs for every value
        if kind is _Number:
            values[position[key]] = str.__str__(field_value)
        elif kind is str:
            values[position[key]] = field_value or None
        else:
            nested.append((key, field_value))
    problem = record_problem(value) if nested or type(value) is _RepeatedKeys else None
    for key, field_value in nested:
        values[position[key]] = None if problem == _TOO_DEEP else json_text(field_value)
    return source_row, values, problem, None


def record_problem(value: Any) -> str | None:
    """Why a parsed record is not a valid one (see the module docstring), or None; walks nested values
    without recursion, so any depth is safe."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if type(node) is _Constant:
            return f"{str.__str__(node)} is not a JSON number (a non-standard literal)"
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_NESTING_DEPTH:
            return _TOO_DEEP
        if type(node) is _RepeatedKeys:
            keys = ", ".join(repr(key) for key in node.repeated)
            return f"an object repeats the key(s) {keys} (the values would silently overwrite each other)"
        pending.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return None


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


def _line_items(path: Path, profile: TextProfile) -> Iterator[Item]:
    """Each line read as bytes and decoded alone (a mixed file rejects only its lines in the other
    encoding); a line is at most ``MAX_RECORD_BYTES`` long. CR, LF and CRLF all end a line."""
    lines = 0
    number = 0
    with path.open("rb") as stream:
        while chunk := stream.readline(MAX_RECORD_BYTES + 1):
            if len(chunk) > MAX_RECORD_BYTES and not chunk.endswith(b"\n"):
                raise LimitExceededError(
                    path, f"line {number + 1} is longer than the limit of {size_text(MAX_RECORD_BYTES)}"
                )
            if number == 0 and profile.encoding == "utf-8-sig":
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            line = chunk.rstrip(b"\r\n")
            for raw in line.split(b"\r") if b"\r" in line else (line,):
                number += 1
                if not raw.strip():
                    continue
                lines += 1
                yield _line_item(number, raw, profile)
    if not lines:
        raise UnreadableFileError(path, "no record (the file holds only blank lines)")


def _line_item(number: int, raw: bytes, profile: TextProfile) -> Item:
    if profile.mixed:
        text, problem = decode_mixed(raw, profile)
        if problem:
            return number, text, f"line {number} is {problem}"
    else:
        text = raw.decode(profile.encoding.removesuffix("-sig"))
    try:
        return number, _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        return number, text, f"line {number} is not valid JSON: {error.msg} at column {error.colno}"
    except RecursionError:
        return number, text, f"line {number} is {_TOO_DEEP}"


# JSON arrays -----------------------------------------------------------------------------------


def _array_items(path: Path, profile: TextProfile) -> Iterator[Item]:
    if profile.mixed:
        raise UnreadableFileError(
            path,
            f"the file mixes encodings (mostly {profile.encoding}); a JSON array is read in one encoding",
        )
    with path.open(encoding=profile.encoding) as stream:
        scanner = _Scanner(path, stream)
        first = scanner.next_char()
        if first is None:
            raise UnreadableFileError(path, "no JSON value (the file holds only whitespace)")
        if first == "[":
            scanner.pos += 1
            for index, (element, problem) in enumerate(scanner.array_elements(), start=1):
                yield index, element, problem
            return
        if first == "{":
            document = scanner.rest()
            if type(document) is _RepeatedKeys:
                raise UnreadableFileError(
                    path, f"the wrapping JSON object repeats the key(s) {document.repeated}"
                )
            for index, element in enumerate(_wrapped_array(path, document), start=1):
                yield index, element, None
            return
        value = scanner.rest()
        raise UnreadableFileError(path, f"the JSON document is {_kind(value)}, not an array of objects")


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

    def value(self) -> tuple[Any, str | None]:
        """The next value, or (its text, why it is rejected) for one too deep for Python's parser."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except RecursionError:
                return self._skip_value(), _TOO_DEEP
            except json.JSONDecodeError as error:
                # the chunk may end inside the element: in a string, a number ("12." / "1e") or a
                # literal ("tru", "-Infinit": at most 8 characters before the end)
                unterminated = error.msg.startswith("Unterminated")
                if (unterminated or error.pos >= len(self.buffer.rstrip()) - 8) and self._more_within_limit():
                    continue
                truncated = unterminated or error.pos >= len(self.buffer.rstrip())  # the whole rest is read
                problem = "truncated JSON: the file ends inside an element" if truncated else "invalid JSON"
                raise UnreadableFileError(
                    self.path, f"{problem}: {self._describe(error, error.pos)}"
                ) from error
            if end == len(self.buffer) and self._more_within_limit():
                continue  # a number may go on in the next chunk
            if end - self.pos > MAX_RECORD_BYTES:
                self._too_long()
            self.pos = end
            return value, None

    def _more_within_limit(self) -> bool:
        """Read on, unless the element being read is already longer than a record may be."""
        if len(self.buffer) - self.pos > MAX_RECORD_BYTES:
            self._too_long()
        return self._more()

    def _too_long(self) -> NoReturn:
        raise LimitExceededError(
            self.path,
            f"the array element starting at {self.where(self.pos)} is longer than the limit of "
            f"{size_text(MAX_RECORD_BYTES)}",
        )

    def _skip_value(self) -> str:
        """Step over the array or object starting here by matching its brackets (strings skipped whole),
        returning its text cut to 200 characters as evidence."""
        while True:
            depth = 0
            for match in _STRING_OR_BRACKET.finditer(self.buffer, self.pos):
                token = match.group()
                if token in "[{":
                    depth += 1
                elif token in "]}":
                    depth -= 1
                if depth == 0:
                    text, self.pos = self.buffer[self.pos : match.end()], match.end()
                    return text[:200]
            if not self._more_within_limit():
                self._truncated()

    def array_elements(self) -> Iterator[tuple[Any, str | None]]:
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
        except RecursionError as error:
            raise UnreadableFileError(self.path, f"the JSON document is {_TOO_DEEP}") from error
        except json.JSONDecodeError as error:
            hint = (
                " (several JSON values: JSON Lines should be named .jsonl)"
                if error.msg == "Extra data"
                else ""
            )
            detail = self._describe(error, self.pos + error.pos)
            raise UnreadableFileError(self.path, f"invalid or truncated JSON: {detail}{hint}") from error
