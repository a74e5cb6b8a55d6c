"""JSON text with exact numbers: a number is held as its text (``Num("612.5")``) and written unquoted.

``Num`` is a ``str`` so ground-truth records compare equal to what ``greenlang.core.readers.loads_exact``
returns for the same JSON number (its ``_Number`` is a ``str`` holding the number's text too).
"""

from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any


class Num(str):
    """The exact text of a JSON number, written without quotes."""

    __slots__ = ()


def number(value: Decimal | int | str) -> Num:
    """A JSON number as an ERP REST API writes it: no exponent, no trailing fractional zeros."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Num("0" if text in ("", "-0") else text)


def dumps(value: Any) -> str:
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value: Any, out: Any) -> None:
    kind = type(value)
    if kind is str:
        out(encode_basestring(value))
    elif kind is Num:
        out(str.__str__(value))
    elif kind is dict:
        out("{")
        first = True
        for key, item in value.items():
            if not first:
                out(",")
            first = False
            out(encode_basestring(key))
            out(":")
            _write(item, out)
        out("}")
    elif kind is list:
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _write(item, out)
        out("]")
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif kind is int:
        out(str(value))
    else:
        raise TypeError(f"cannot write {kind.__name__} as JSON")
