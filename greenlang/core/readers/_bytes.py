"""Byte-level checks of a text file before parsing: binary content and the character encoding.

The encoding is decided once per file, in one streaming pass over every byte (so that a stray
Windows-1252 byte deep in a large file cannot fail the load half-way), by counting the characters
that are valid multi-byte UTF-8 and the bytes that are not UTF-8:

1. starts with the UTF-8 byte-order mark → ``utf-8-sig`` (a declaration: bytes that are not UTF-8
   make the file *mixed*, see below);
2. no byte that is not UTF-8 → ``utf-8``. Three- and four-byte sequences shaped like UTF-8 that UTF-8
   forbids (an overlong form such as E0 80 AF for "/", an encoded UTF-16 surrogate such as ED A0 80)
   count as UTF-8 written wrongly, not as another encoding (in Windows-1252 they would be a letter
   and two symbols in a row): a file whose only such bytes they are is UTF-8 and mixed, and the
   records holding them are rejected. Two-byte overlong forms (C0 AF) also read as a Latin capital
   and a symbol ("À¯"), so they count as single-byte text;
3. no valid multi-byte UTF-8 character → a single-byte encoding: ``cp1252`` when the file has bytes
   0x80–0x9F and all of them are defined in Windows-1252 (in Latin-1 these are invisible C1 control
   characters, so their presence means Windows-1252: € ‚ „ … ’ “ ” – —), otherwise ``latin-1`` (with
   no byte in 0x80–0x9F the two decode identically). Unless the text is in another script: when
   charset-normalizer reads the first 256 KiB as mostly non-Latin letters (Shift-JIS, GBK, Windows-1251
   Cyrillic, an overlong UTF-8 sequence…), decoding it as Latin would load mojibake, so the file is
   refused, naming the encoding it looks like;
4. both → the file is **mixed** (a UTF-8 export appended to a Windows-1252 one, say). The encoding is
   the one most of its non-ASCII characters are in (UTF-8 on a tie), and the readers reject every
   record that is in the other one, with the reason, instead of decoding it into mojibake.

UTF-16 and UTF-32 (with or without a byte-order mark) and binary files (a known file signature, or
control bytes other than tab, line breaks and form feed in more than 5% of the first MiB, at least 16
of them) are refused. A rare NUL byte in a
text file is data: the record holding it is rejected (no text column of PostgreSQL can store it).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from greenlang.core.readers._common import UnreadableFileError

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
BINARY_CONTROL_SHARE = 0.05  # control bytes in more than this share of the first MiB (and at least
BINARY_CONTROL_COUNT = 16  # this many): binary data
_NOT_CONTROL = bytes(
    byte for byte in range(256) if not (byte < 0x20 or byte == 0x7F) or byte in b"\t\n\r\x0b\x0c"
)
SCRIPT_SAMPLE_BYTES = 256 << 10  # what charset-normalizer reads to tell another script

_UNSUPPORTED_TEXT = "(only UTF-8, Windows-1252 and Latin-1 are supported)"
_SIGNATURES = (
    (codecs.BOM_UTF32_LE, f"UTF-32 text {_UNSUPPORTED_TEXT}"),
    (codecs.BOM_UTF32_BE, f"UTF-32 text {_UNSUPPORTED_TEXT}"),
    (codecs.BOM_UTF16_LE, f"UTF-16 text {_UNSUPPORTED_TEXT}"),
    (codecs.BOM_UTF16_BE, f"UTF-16 text {_UNSUPPORTED_TEXT}"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook or a .zip file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.xls/.doc)"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Three- and four-byte overlong forms (E0 80-9F xx, F0 80-8F xx xx) and encoded surrogates (ED A0-BF xx)
_MISENCODED_UTF8 = re.compile(
    rb"\xe0[\x80-\x9f][\x80-\xbf]|\xed[\xa0-\xbf][\x80-\xbf]|\xf0[\x80-\x8f][\x80-\xbf]{2}"
)
_UTF8_LEAD_BYTES = bytes(range(0xC2, 0xF5))  # the first byte of each multi-byte character
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # how surrogateescape spells a byte that is not UTF-8


@dataclass(frozen=True)
class TextProfile:
    encoding: str  # a Python codec name: utf-8, utf-8-sig, cp1252, latin-1
    odd_quote_count: bool  # an odd number of '"' bytes: a quoted field may be left open at the end
    mixed: bool = False  # records in another encoding than ``encoding`` are in the file (rule 4)
    nul_bytes: bool = False  # NUL bytes in the file (data: their records are rejected)

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    @property
    def decode_errors(self) -> str:
        """The error handler that reads a mixed UTF-8 file without failing: bad bytes become U+DC80–DCFF."""
        return "surrogateescape" if self.mixed and self.is_utf8 else "strict"


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is, if it is a known binary (or UTF-16/32) format."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def profile_text_file(path: Path) -> TextProfile:
    """Detect the encoding (rules above); refuse empty and binary files."""
    with path.open("rb") as stream:
        head = stream.read(CHUNK_BYTES)
        if not head:
            raise UnreadableFileError(path, "empty file (0 bytes)")
        kind = binary_kind(head) or _nul_kind(head) or _binary_data(head)
        if kind:
            raise UnreadableFileError(path, f"not a text file: it is {kind}")
        quotes = utf8_characters = misencoded = nul_bytes = (
            0  # misencoded: bytes UTF-8 forbids, shaped like it
        )
        undecodable: Counter[int] = Counter()  # byte value → count, for the bytes that are not UTF-8
        pending = b""  # the start of a multi-byte sequence the previous chunk ended in
        chunk = head
        while chunk:
            quotes += chunk.count(b'"')
            nul_bytes += chunk.count(b"\x00")
            if pending or not chunk.isascii():
                data = pending + chunk
                try:  # strict decoding is the fast check; only a file with bad bytes pays for counting them
                    consumed = codecs.utf_8_decode(data, "strict", False)[1]
                    utf8_characters += (
                        len(data)
                        - len(data[:consumed].translate(None, _UTF8_LEAD_BYTES))
                        - len(data[consumed:])
                    )
                except UnicodeDecodeError:
                    text, consumed = codecs.utf_8_decode(data, "surrogateescape", False)
                    bad = _UNDECODABLE.findall(text)  # each bad byte became one such character
                    undecodable.update(ord(char) - 0xDC00 for char in bad)
                    misencoded += sum(len(sequence) for sequence in _MISENCODED_UTF8.findall(data))
                    utf8_characters += len(text) - len(text.encode("ascii", errors="ignore")) - len(bad)
                pending = data[consumed:]
            chunk = stream.read(CHUNK_BYTES)
        undecodable.update(pending)  # the file ends inside a multi-byte sequence
    facts = {"odd_quote_count": quotes % 2 == 1, "nul_bytes": nul_bytes > 0}
    invalid = undecodable.total()
    if head.startswith(UTF8_BOM):
        return TextProfile("utf-8-sig", mixed=invalid > 0, **facts)
    if not invalid:
        return TextProfile("utf-8", **facts)
    if invalid <= misencoded:
        return TextProfile("utf-8", mixed=True, **facts)
    mixed = utf8_characters > 0
    if mixed and utf8_characters >= invalid:
        return TextProfile("utf-8", mixed=True, **facts)
    foreign = _foreign_script(head[:SCRIPT_SAMPLE_BYTES])
    if foreign:
        raise UnreadableFileError(path, f"not a supported encoding: {foreign} {_UNSUPPORTED_TEXT}")
    return TextProfile(_single_byte_encoding(undecodable), mixed=mixed, **facts)


def _foreign_script(sample: bytes) -> str | None:
    """How the sample reads, when charset-normalizer's best reading of it is mostly non-Latin letters."""
    import charset_normalizer  # slow to import, and only single-byte files need it

    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    letters = [char for char in str(best) if char.isalpha() and not char.isascii()]
    scripts = Counter(unicodedata.name(char, "?").split()[0] for char in letters)
    if not letters or scripts["LATIN"] * 2 >= len(letters):
        return None
    script = scripts.most_common(1)[0][0].lower()
    return (
        f"the text reads as {best.encoding} ({best.language if best.language != 'Unknown' else script} text)"
    )


def _single_byte_encoding(undecodable: Counter[int]) -> str:
    c1 = {byte for byte in undecodable if 0x80 <= byte <= 0x9F}
    return "cp1252" if c1 and not c1 & _CP1252_UNDEFINED else "latin-1"


def _nul_kind(head: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark, judged by where the NUL bytes of the first MiB are."""
    if b"\x00" not in head:
        return None
    quads = len(head) // 4 * 4
    if quads:
        at = [head[offset:quads:4].count(b"\x00") / (quads // 4) for offset in range(4)]
        if at[0] < 0.1 and min(at[1:]) >= 0.9:
            return f"UTF-32LE text without a byte-order mark {_UNSUPPORTED_TEXT}"
        if at[3] < 0.1 and min(at[:3]) >= 0.9:
            return f"UTF-32BE text without a byte-order mark {_UNSUPPORTED_TEXT}"
    halves = len(head) // 2
    if halves:
        even, odd = (
            head[0 : halves * 2 : 2].count(b"\x00") / halves,
            head[1 : halves * 2 : 2].count(b"\x00") / halves,
        )
        if even < 0.1 and odd >= 0.6:
            return f"UTF-16LE text without a byte-order mark {_UNSUPPORTED_TEXT}"
        if odd < 0.1 and even >= 0.6:
            return f"UTF-16BE text without a byte-order mark {_UNSUPPORTED_TEXT}"
    return None


def _binary_data(head: bytes) -> str | None:
    controls = len(head.translate(None, _NOT_CONTROL))
    if controls <= BINARY_CONTROL_SHARE * len(head) or controls < BINARY_CONTROL_COUNT:
        return None
    return f"binary data ({controls:,} control bytes in the first {len(head):,})"


def decode_mixed(raw: bytes, profile: TextProfile) -> tuple[str, str | None]:
    """Bytes of a mixed file decoded: (text, why the record is rejected, or None); rule 4 above.

    In a UTF-8 file, bytes that are not UTF-8 are rejected (and shown as ``\\xe9`` escapes); in a
    single-byte file, text that is valid multi-byte UTF-8 is (and shown decoded as UTF-8).
    """
    try:
        utf8 = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if profile.is_utf8:
            return raw.decode("utf-8", "backslashreplace"), (
                f"not valid UTF-8 (byte 0x{raw[error.start]:02X}), the encoding of the rest of the file "
                "(it mixes encodings)"
            )
        try:
            return raw.decode(profile.encoding), None
        except UnicodeDecodeError:
            return raw.decode(profile.encoding, "backslashreplace"), f"not valid {profile.encoding} text"
    if profile.is_utf8 or utf8.isascii():
        return utf8, None
    return utf8, f"UTF-8 text, while the rest of the file is {profile.encoding} (it mixes encodings)"
