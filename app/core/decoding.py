"""Bytes of an imported file to text: BOMs, strict UTF-8, then detection."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

from app.core.errors import ImportRejected

MAX_IMPORT_BYTES = 50 * 1024 * 1024
"""Files larger than this (50 MiB) are refused; documented in the README."""

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
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected(
            f"file is {len(data) / 1048576:.1f} MiB, over the {MAX_IMPORT_BYTES // 1048576} MiB limit"
        )
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportRejected(f"unknown encoding {encoding!r}") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"not valid {encoding} (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        return _checked(Decoded(text, encoding))
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(Decoded(data[len(bom):].decode(name), name))
            except UnicodeDecodeError:
                raise ImportRejected(f"starts with a {name} byte-order mark but is not valid {name}") from None
    if b"\x00" in data:
        raise ImportRejected("binary file (contains NUL bytes)")
    try:
        return _checked(Decoded(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise ImportRejected("binary or undecodable file (no text encoding fits; try --encoding)")
    best = _prefer_common(matches)
    return _checked(Decoded(str(best), best.encoding))


# Legacy encodings news articles really arrive in. On short texts charset-normalizer
# often ranks a rare sibling (cp1257, mac_latin2) first with nearly the same score.
COMMON_LEGACY = ("cp1252", "cp1256")
_CHAOS_TOLERANCE = 0.1


def _prefer_common(matches):  # type: ignore[no-untyped-def]
    best = matches[0]
    for name in COMMON_LEGACY:
        for match in matches:
            if match.encoding == name and match.chaos <= best.chaos + _CHAOS_TOLERANCE:
                return match
    return best


_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


def _checked(decoded: Decoded) -> Decoded:
    text = decoded.text
    if not text.strip():
        raise ImportRejected("empty or whitespace-only file")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if controls > max(8, len(text[:65536]) // 100):
        raise ImportRejected("binary file (too many control characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ImportRejected("text holds unpaired surrogates (not valid Unicode)") from None
    return decoded
