"""Text from project data made safe to print on a terminal.

A title, a file name or a coder name can hold characters a terminal acts on instead of
showing: escape sequences (ESC [ 2 J clears the screen), other C0/C1 controls, and bidi
controls that reorder what follows them (U+202E shows "gpj.exe" as "exe.jpg"). `printable`
shows each as a visible escape. Letters and marks of any script stay as they are, including
the joiners U+200C/U+200D that Hindi and Arabic spelling uses. JSON output needs none of this:
json.dumps escapes controls itself.

Visual order (`set_bidi("visual")`, the CLI's ``--bidi visual``): a terminal without bidi support
shows characters in the order they are stored, so Arabic comes out reversed and unjoined. In visual
mode `printable` hands each piece of text (each column of a row, each tab-separated cell of a
line) through `arabic_reshaper.reshape` and `bidi.get_display`, base direction decided per cell
from its first strong character. Controls are taken out before that transform (it would obey an
RLO) and their visible escapes put back after it, each as one left-to-right unit; the transform
adds no control characters, and anything it might add is escaped again. The visual form is only
ever printed: never stored, searched or written as JSON.
"""

from __future__ import annotations

from typing import cast

from app.core.errors import AnnotaryError

BIDI_MODES = ("logical", "visual")
_mode = "logical"

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


def set_bidi(mode: str) -> str:
    """Print in `mode` ("logical" or "visual") from now on; returns the mode before."""
    global _mode
    if mode not in BIDI_MODES:
        raise AnnotaryError(f"bidi mode must be logical or visual, not {printable(mode)!r}")
    before, _mode = _mode, mode
    return before


def bidi_mode() -> str:
    return _mode


def bidi_from(option: str | None, environ: dict[str, str] | None = None) -> str:
    """The mode asked for: `option` (--bidi), else $ANNOTARY_BIDI, else logical."""
    if option is not None:
        return option
    import os

    value = (os.environ if environ is None else environ).get("ANNOTARY_BIDI", "")
    if value.strip() == "":
        return "logical"
    if value.strip().lower() not in BIDI_MODES:
        raise AnnotaryError(f"ANNOTARY_BIDI must be logical or visual, not {printable(value)!r}")
    return value.strip().lower()


def _escaped(text: str, keep: str) -> str:
    if not any(_needs_escape(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _needs_escape(ch) and ch not in keep else ch for ch in text)


def printable(value: object, keep: str = "") -> str:
    """`value` as text with control and bidi-control characters shown as escapes (``\\x1b``,
    ``\\u202e``; tab and newline as ``\\t`` ``\\n``). Characters in `keep` (e.g. the tabs
    between the columns of a whole line) are left as they are. In visual mode each cell (the
    text between kept tabs) is also put in visual order (see the module's docstring)."""
    text = str(value)
    if _mode == "logical":
        return _escaped(text, keep)
    if "\t" in keep:
        return "\t".join(visual(cell, keep) for cell in text.split("\t"))
    return visual(text, keep)


# Supplementary Private Use Area-A: letters of bidi class L that no shaper or bidi step alters.
_PLACEHOLDER_BASE = 0xF0000


def visual(text: str, keep: str = "") -> str:
    """One cell in visual order for a terminal without bidi: reshaped, reordered, controls escaped."""
    # neither ships type information; unused-ignore: in case the project declares them untyped
    import arabic_reshaper  # type: ignore[import-untyped, unused-ignore]
    from bidi import get_display  # type: ignore[import-untyped, unused-ignore]

    escapes: dict[str, str] = {}
    used = set(text)
    next_code = _PLACEHOLDER_BASE
    pieces = []
    for ch in text:
        if _needs_escape(ch) and ch not in keep:
            while chr(next_code) in used:
                next_code += 1
            holder = chr(next_code)
            next_code += 1
            escapes[holder] = _escape(ch)
            pieces.append(holder)
        else:
            pieces.append(ch)
    shown = cast(str, get_display(arabic_reshaper.reshape("".join(pieces))))  # str in, str out
    shown = "".join(escapes.get(ch, ch) for ch in shown)
    return _escaped(shown, keep)  # the transform adds no controls; if it ever did, they show


def printable_row(*values: object) -> str:
    """One tab-separated line of a listing, each value made printable on its own."""
    return "\t".join(printable(v) for v in values)
