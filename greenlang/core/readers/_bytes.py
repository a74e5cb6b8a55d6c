"""Byte-level checks of a text file before parsing: binary content and the character encoding.

Encoding rule (deterministic, decided on the whole file in one streaming pass so that a stray
Windows-1252 byte deep in a large file cannot fail the load half-way):

1. starts with the UTF-8 byte-order mark → ``utf-8-sig`` (the rest must then be valid UTF-8);
2. the whole file is valid UTF-8 → ``utf-8``;
3. it contains bytes 0x80–0x9F and all of them are defined in Windows-1252 → ``cp1252`` (in Latin-1
   these are invisible C1 control characters, so their presence means Windows-1252: € ‚ „ … ’ “ ” – —);
4. otherwise → ``latin-1`` (with no byte in 0x80–0x9F the two decode identically).

UTF-16/32 and binary files (any NUL byte, or a known file signature) are refused.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from greenlang.core.readers._common import UnreadableFileError

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8

_SIGNATURES = (
    (codecs.BOM_UTF32_LE, "UTF-32 text (only UTF-8, Windows-1252 and Latin-1 are supported)"),
    (codecs.BOM_UTF32_BE, "UTF-32 text (only UTF-8, Windows-1252 and Latin-1 are supported)"),
    (codecs.BOM_UTF16_LE, "UTF-16 text (only UTF-8, Windows-1252 and Latin-1 are supported)"),
    (codecs.BOM_UTF16_BE, "UTF-16 text (only UTF-8, Windows-1252 and Latin-1 are supported)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook or a .zip file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.xls/.doc)"),
)
_NOT_C1 = bytes(byte for byte in range(256) if not 0x80 <= byte <= 0x9F)
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"


@dataclass(frozen=True)
class TextProfile:
    encoding: str  # a Python codec name: utf-8, utf-8-sig, cp1252, latin-1
    odd_quote_count: bool  # an odd number of '"' bytes: a quoted field may be left open at the end


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is, if it is a known binary (or UTF-16/32) format."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def profile_text_file(path: Path) -> TextProfile:
    """Detect the encoding (rule above); refuse empty and binary files."""
    with path.open("rb") as stream:
        head = stream.read(CHUNK_BYTES)
        if not head:
            raise UnreadableFileError(path, "empty file (0 bytes)")
        kind = binary_kind(head)
        if kind:
            raise UnreadableFileError(path, f"not a text file: it is {kind}")
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8_error: int | None = None
        quotes = 0
        offset = 0
        chunk = head
        while chunk:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise UnreadableFileError(
                    path, f"not a text file: NUL byte at byte {offset + nul} (binary data or UTF-16/32 text)"
                )
            quotes += chunk.count(b'"')
            if utf8_error is None:
                utf8_error = _utf8_error(decoder, chunk, offset, final=False)
            offset += len(chunk)
            chunk = stream.read(CHUNK_BYTES)
        if utf8_error is None:
            utf8_error = _utf8_error(decoder, b"", offset, final=True)
    if head.startswith(UTF8_BOM):
        if utf8_error is not None:
            raise UnreadableFileError(
                path, f"starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte {utf8_error})"
            )
        encoding = "utf-8-sig"
    elif utf8_error is None:
        encoding = "utf-8"
    else:
        encoding = _single_byte_encoding(path)
    return TextProfile(encoding=encoding, odd_quote_count=quotes % 2 == 1)


def _utf8_error(decoder: codecs.IncrementalDecoder, chunk: bytes, offset: int, final: bool) -> int | None:
    """File offset of the first invalid UTF-8 sequence, or None; ``offset`` is where ``chunk`` starts."""
    pending = len(decoder.getstate()[0])  # bytes of a sequence left open by the previous chunk
    if not pending and chunk.isascii():  # the common case, checked ten times faster than decoding
        return None
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError as error:
        return offset - pending + error.start
    return None


def _single_byte_encoding(path: Path) -> str:
    c1_seen = False
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            c1 = chunk.translate(None, _NOT_C1)
            if any(byte in c1 for byte in _CP1252_UNDEFINED):
                return "latin-1"
            c1_seen = c1_seen or bool(c1)
    return "cp1252" if c1_seen else "latin-1"
