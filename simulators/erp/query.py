"""Query options the simulator understands: OData V2 ``$filter`` / ``$orderby`` and Oracle REST ``q`` /
``orderBy``.

A filter is parsed into a small tree, evaluated against typed values (timestamps as microseconds since
the epoch, numbers as ``Decimal``, text as text). ``window_only()`` keeps the comparisons on one field of
a conjunction — the change field — which the ``shift`` fault uses to find the records of the window a
request walks through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from simulators.erp.dataset import EPOCH


class QueryError(ValueError):
    """A query option the server rejects (HTTP 400)."""


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str  # eq ne gt ge lt le
    value: Any


@dataclass(frozen=True)
class Junction:
    op: str  # and | or | not
    parts: tuple[Node, ...]


Node = Comparison | Junction
Getter = Callable[[Any, str], Any]  # (record, field) → typed value; raises QueryError for an unknown field

_OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def evaluate(node: Node | None, record: Any, get: Getter) -> bool:
    if node is None:
        return True
    if isinstance(node, Comparison):
        value = get(record, node.field)
        if value is None:
            return node.op == "ne" if node.value is not None else node.op == "eq"
        try:
            return _OPS[node.op](value, node.value)
        except TypeError as error:
            raise QueryError(
                f"Operator '{node.op}' incompatible with operand types of {node.field}"
            ) from error
    if node.op == "and":
        return all(evaluate(part, record, get) for part in node.parts)
    if node.op == "or":
        return any(evaluate(part, record, get) for part in node.parts)
    return not evaluate(node.parts[0], record, get)


def window_only(node: Node | None, field: str) -> Node | None:
    """The comparisons on ``field`` of a conjunction (the request's window); None when there are none."""
    if node is None:
        return None
    parts = node.parts if isinstance(node, Junction) and node.op == "and" else (node,)
    kept = tuple(part for part in parts if isinstance(part, Comparison) and part.field == field)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Junction("and", kept)


def fields_of(node: Node | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, Comparison):
        return {node.field}
    return set().union(*(fields_of(part) for part in node.parts))


# --- literals ---------------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_timestamp_us(text: str) -> int:
    """ISO 8601 (date, or date and time with an optional fraction and offset; none = UTC) → µs."""
    match = _ISO.match(text.strip())
    if not match:
        raise QueryError(f"Invalid date/time literal '{text}'")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=dt.UTC
        )
    except ValueError as error:
        raise QueryError(f"Invalid date/time literal '{text}'") from error
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (moment - EPOCH) // dt.timedelta(microseconds=1) + micros


# --- OData V2 $filter -------------------------------------------------------------------------------------

_ODATA_TOKEN = re.compile(
    r"\s*(?:(?P<paren>[()])"
    r"|(?P<typed>(?:datetimeoffset|datetime|guid|time)'[^']*')"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?[mMdDlLfF]?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_/]*))"
)


def _odata_tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _ODATA_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(
                f"Invalid $filter at position {position + 1}: {text[position : position + 20]!r}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def parse_odata_filter(text: str | None) -> Node | None:
    if text is None or not text.strip():
        return None
    parser = _ODataParser(_odata_tokens(text))
    node = parser.expression()
    if parser.position != len(parser.tokens):
        raise QueryError(f"Invalid $filter: unexpected {parser.tokens[parser.position][1]!r}")
    return node


class _ODataParser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.position = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("Invalid $filter: unexpected end")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self.keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Junction("or", tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.factor()]
        while self.keyword("and"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else Junction("and", tuple(parts))

    def factor(self) -> Node:
        if self.keyword("not"):
            return Junction("not", (self.factor(),))
        kind, text = self.take()
        if kind == "paren" and text == "(":
            node = self.expression()
            if self.take() != ("paren", ")"):
                raise QueryError("Invalid $filter: ')' expected")
            return node
        if kind != "word":
            raise QueryError(f"Invalid $filter: property expected, found {text!r}")
        op_kind, op = self.take()
        if op_kind != "word" or op.lower() not in _OPS:
            raise QueryError(f"Invalid $filter: operator expected after {text}, found {op!r}")
        return Comparison(text, op.lower(), self.literal())

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "typed":
            prefix, _, rest = text.partition("'")
            body = rest[:-1]
            if prefix in ("datetimeoffset", "datetime"):
                if prefix == "datetimeoffset" and not re.search(r"(Z|[+-]\d{2}:\d{2})$", body):
                    raise QueryError(f"Invalid Edm.DateTimeOffset literal '{body}': offset required")
                return parse_timestamp_us(body)
            return body
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return Decimal(text.rstrip("mMdDlLfF"))
        if kind == "word" and text in ("true", "false"):
            return text == "true"
        if kind == "word" and text == "null":
            return None
        raise QueryError(f"Invalid $filter: literal expected, found {text!r}")


def parse_orderby(text: str | None, separator: str = " ") -> list[tuple[str, bool]]:
    """``A asc,B desc`` (OData) or ``A:asc,B:desc`` (Oracle) → [(field, descending)]."""
    if not text:
        return []
    order = []
    for part in text.split(","):
        name, _, direction = part.strip().partition(separator)
        direction = direction.strip().lower() or "asc"
        if not name or direction not in ("asc", "desc"):
            raise QueryError(f"Invalid order clause {part!r}")
        order.append((name.strip(), direction == "desc"))
    return order


# --- Oracle REST q ----------------------------------------------------------------------------------------

_ORACLE_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|<>|=|>|<)\s*(.*?)\s*$", re.S)
_ORACLE_OPS = {">=": "ge", "<=": "le", "!=": "ne", "<>": "ne", "=": "eq", ">": "gt", "<": "lt"}


def _split_outside_quotes(text: str) -> list[str]:
    """Split on ``;`` and on the word ``and`` where they are not inside single quotes."""
    parts, current, quoted, index = [], [], False, 0
    while index < len(text):
        char = text[index]
        if char == "'":
            quoted = not quoted
        if not quoted and char == ";":
            parts.append("".join(current))
            current = []
        elif not quoted and text[index : index + 5].lower() == " and " and current:
            parts.append("".join(current))
            current = []
            index += 4
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def parse_oracle_q(text: str | None, kinds: dict[str, str]) -> Node | None:
    """``A>='x';B<=5`` or ``A >= 'x' and B <= 5`` → a conjunction; ``kinds`` types the attributes
    (``timestamp``, ``number``, ``text``); an attribute not in it is refused, as Oracle does."""
    if text is None or not text.strip():
        return None
    parts = []
    for condition in _split_outside_quotes(text):
        match = _ORACLE_CONDITION.match(condition)
        if not match:
            raise QueryError(f"Invalid q expression {condition!r}")
        name, op, raw = match.groups()
        if name not in kinds:
            raise QueryError(f"The attribute {name} in the query parameter q is not valid")
        value_text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == "'" else raw
        kind = kinds[name]
        if kind == "timestamp":
            value: Any = parse_timestamp_us(value_text)
        elif kind == "number":
            try:
                value = Decimal(value_text)
            except InvalidOperation as error:
                raise QueryError(f"Invalid number {value_text!r} for {name}") from error
        else:
            value = value_text
        parts.append(Comparison(name, _ORACLE_OPS[op], value))
    return parts[0] if len(parts) == 1 else Junction("and", tuple(parts))
