"""Bytes of an imported file to text: BOMs, strict UTF-8, then detection."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from app.core import bounded_read
from app.core.errors import ImportRejected

MAX_IMPORT_BYTES = bounded_read.MAX_FILE_BYTES
"""Files larger than this (50 MiB) are refused; documented in the README. The limit
in force is `bounded_read.MAX_FILE_BYTES`, read at each call (tests patch that)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode file contents, or raise ImportRejected with a one-line reason."""
    if len(data) > bounded_read.MAX_FILE_BYTES:
        raise bounded_read.over_limit(len(data), bounded_read.MAX_FILE_BYTES)
    if encoding:
        check_encoding(encoding)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"not valid {encoding} (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
            ) from None
        except (UnicodeError, ValueError):
            raise ImportRejected(f"not valid {encoding}") from None
        text = text.removeprefix("\ufeff")
        return _checked(Decoded(text, encoding))
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(Decoded(data[len(bom):].decode(name), name))
            except UnicodeDecodeError:
                raise ImportRejected(f"starts with a {name} byte-order mark but is not valid {name}") from None
    if b"\x00" in data:
        raise ImportRejected("binary file (contains NUL bytes)" + _utf16_hint(data))
    try:
        return _checked(Decoded(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError as exc:
        if almost_utf8(data):
            raise ImportRejected(
                f"not valid UTF-8 at byte {exc.start} ({data[exc.start:exc.start + 1]!r}), though the rest is "
                "UTF-8; fix the file, or force a code page with --encoding"
            ) from None
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise ImportRejected("binary or undecodable file (no text encoding fits; try --encoding)")
    best = _prefer_common(matches)
    return _checked(Decoded(str(best), best.encoding))


def check_encoding(encoding: str) -> None:
    """Refuse names that are no codec, or a codec that is not a text encoding (base64, rot13, zlib)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise ImportRejected(f"unknown text encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ImportRejected(f"unknown text encoding {encoding!r}")


def _utf16_hint(data: bytes) -> str:
    """UTF-16 without a byte-order mark looks binary (every other byte of Latin text is NUL):
    name the way out when most NULs sit at even or most at odd positions."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if half and odd >= 0.3 * half and even <= 0.05 * half:
        return "; if it is UTF-16 without a byte-order mark, import it with --encoding utf-16-le"
    if half and even >= 0.3 * half and odd <= 0.05 * half:
        return "; if it is UTF-16 without a byte-order mark, import it with --encoding utf-16-be"
    return ""


ALMOST_UTF8_SHARE = 0.75
"""Data that is not valid UTF-8 counts as "almost UTF-8" (a damaged UTF-8 file, refused
rather than guessed as a legacy code page) when at least this share of its non-ASCII
bytes form valid UTF-8 multi-byte sequences. Legacy text (cp1252 French, cp1256
Arabic) has few such sequences by chance: an accented letter or an Arabic letter is
rarely followed by a byte in 0x80-0xBF. UTF-8-encoded surrogates (ED A0-BF 80-BF, written
by tools that encode UTF-16 halves one by one) count as UTF-8-shaped: they are the
typical damage, not a sign of a legacy code page."""

_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")


def almost_utf8(data: bytes) -> bool:
    non_ascii = len(data.translate(None, _ASCII))
    if not non_ascii:
        return False
    escaped = _ENCODED_SURROGATE.sub(b"\xe2\x80\xa6", data).decode("utf-8", errors="surrogateescape")
    invalid = len(_ESCAPED.findall(escaped))  # one escaped character per invalid byte
    return (non_ascii - invalid) >= ALMOST_UTF8_SHARE * non_ascii


_ASCII = bytes(range(128))
_ESCAPED = re.compile("[\udc80-\udcff]")


# Legacy encodings news articles really arrive in. On short texts charset-normalizer
# often ranks a rare sibling (cp1257, mac_latin2) first with nearly the same score.
COMMON_LEGACY = ("cp1252", "cp1256")
_CHAOS_TOLERANCE = 0.1


def _prefer_common(matches: list[charset_normalizer.CharsetMatch]) -> charset_normalizer.CharsetMatch:
    best = matches[0]
    for name in COMMON_LEGACY:
        for match in matches:
            if match.encoding == name and match.chaos <= best.chaos + _CHAOS_TOLERANCE:
                return match
    return best


_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


def check_document_text(text: str, what: str = "text") -> str:
    """The checks every imported document text passes, whatever it came from (a plain
    file, a brat .txt, a doccano ``text``): within the size limit (as UTF-8), not empty,
    no NUL, few control characters, no unpaired surrogates. Returns `text`, or raises
    ImportRejected with a one-line reason naming `what`."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > bounded_read.MAX_FILE_BYTES:
        limit = bounded_read.describe_size(bounded_read.MAX_FILE_BYTES)
        raise ImportRejected(f"{what} is {bounded_read.describe_size(size)}, over the {limit} limit")
    return _checked(Decoded(text, "utf-8"), what).text


def _checked(decoded: Decoded, what: str = "file") -> Decoded:
    text = decoded.text
    if not text.strip():
        raise ImportRejected(f"empty or whitespace-only {what}")
    if "\x00" in text:
        raise ImportRejected(f"binary {what} (contains NUL characters)")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if controls > max(8, len(text[:65536]) // 100):
        raise ImportRejected(f"binary {what} (too many control characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ImportRejected("text holds unpaired surrogates (not valid Unicode)") from None
    return decoded
