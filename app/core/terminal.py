"""Text from project data made safe to print on a terminal.

A title, a file name or a coder name can hold characters a terminal acts on instead of
showing: escape sequences (ESC [ 2 J clears the screen), other C0/C1 controls, and bidi
controls that reorder what follows them (U+202E shows "gpj.exe" as "exe.jpg"). `printable`
shows each as a visible escape. Letters and marks of any script stay as they are, including
the joiners U+200C/U+200D that Hindi and Arabic spelling uses. JSON output needs none of this:
json.dumps escapes controls itself.
"""

from __future__ import annotations

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

# Bidi embeddings, overrides, isolates and marks; line and paragraph separators (they break lines).
_BIDI_AND_BREAKS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
    "\u2028\u2029"
)


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x20 or 0x7F <= code <= 0x9F  # C0, DEL, C1
            or ch in _BIDI_AND_BREAKS
            or 0xD800 <= code <= 0xDFFF)  # lone surrogates (undecodable bytes of a file name)


def printable(value: object, keep: str = "") -> str:
    """`value` as text with control and bidi-control characters shown as escapes (``\\x1b``,
    ``\\u202e``; tab and newline as ``\\t`` ``\\n``). Characters in `keep` (e.g. the tabs
    between the columns of a whole line) are left as they are."""
    text = str(value)
    if not any(_needs_escape(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _needs_escape(ch) and ch not in keep else ch for ch in text)


def printable_row(*values: object) -> str:
    """One tab-separated line of a listing, each value made printable on its own."""
    return "\t".join(printable(v) for v in values)
