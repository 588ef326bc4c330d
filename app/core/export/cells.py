"""Turning user text into cells a spreadsheet keeps exactly as text.

Rules (see shared/ENVIRONMENT.md, openpyxl section):
- characters XML 1.0 cannot hold are replaced with U+FFFD (openpyxl would raise,
  or write a file Excel cannot open);
- a cell holds at most 32,767 characters, counted in UTF-16 units as Excel does;
- a string is never stored as a formula or an error value;
- right-to-left text is aligned right with reading order right-to-left.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment

from app.core.text import is_rtl_text

EXCEL_CELL_LIMIT = 32_767
REPLACEMENT = "\ufffd"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Spreadsheet programs turn text starting with these into formulas when a cell is re-entered.
_FORMULA_START = ("=", "+", "-", "@")
_ERROR_CODES = frozenset(ERROR_CODES)
RTL_ALIGNMENT = Alignment(horizontal="right", readingOrder=2)
_SOFT_BREAK_WINDOW = 512
_CACHE_MAX_ENTRIES = 100_000
_CACHE_MAX_CHARS = 300


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji counts 2, as in Excel)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def replace_illegal(text: str) -> tuple[str, int]:
    """The text with characters XML cannot hold replaced by U+FFFD, and how many were."""
    return _ILLEGAL_XML.subn(REPLACEMENT, text)


def _prefix_within(text: str, limit: int) -> int:
    """The length in code points of a prefix of at most `limit` UTF-16 units (the longest
    one when the text has no characters beyond U+FFFF, else at most a few units shorter)."""
    n = min(len(text), limit)
    excess = utf16_len(text[:n]) - limit
    if excess > 0:
        n -= excess  # each code point dropped removes one or two units
    return n


def cut_to_limit(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """`text` itself, or a prefix that fits a cell (whole code points, never half a surrogate pair)."""
    if len(text) * 2 <= limit or utf16_len(text) <= limit:
        return text
    return text[: _prefix_within(text, limit)]


def split_to_limit(text: str, limit: int = EXCEL_CELL_LIMIT) -> list[str]:
    """Consecutive parts of at most `limit` UTF-16 units whose concatenation is `text`.

    A part ends after whitespace when there is some near the limit, otherwise not
    before a combining mark, so a word or a letter with its marks stays whole when it can.
    """
    parts: list[str] = []
    while len(text) * 2 > limit and utf16_len(text) > limit:
        n = _prefix_within(text, limit)
        window_start = max(1, n - _SOFT_BREAK_WINDOW)
        soft = max(text.rfind(" ", window_start, n), text.rfind("\n", window_start, n))
        if soft >= 0:
            n = soft + 1
        else:
            while n > window_start and unicodedata.category(text[n])[0] == "M":
                n -= 1
        parts.append(text[:n])
        text = text[n:]
    parts.append(text)
    return parts


def describe_changes(text: str, cut: bool = True) -> list[str]:
    """What `CellMaker` changes in `text` on its way into a cell, in words (empty if nothing)."""
    notes = []
    clean, replaced = replace_illegal(text)
    if replaced:
        notes.append(f"{replaced} character(s) XML cannot hold replaced with U+FFFD")
    if cut:
        short = cut_to_limit(clean)
        if short is not clean:
            notes.append(f"cut from {utf16_len(clean)} to {utf16_len(short)} UTF-16 units (Excel's cell limit)")
    return notes


class CellMaker:
    """Values ready for a write-only worksheet's `append`.

    Plain text that openpyxl already stores as text is returned as is; text that
    needs a style (right-to-left) or must be forced to text (looks like a formula or
    an error value) becomes a styled cell. Prepared clean values are cached and
    shared between rows: openpyxl sets a passed cell's row and column before writing
    it and never changes anything else, and it reuses a passed cell for the next
    value only when the cell has no style, so every cell made here has one.

    `changed` turns True when a text had to be altered (see `describe_changes`);
    the caller reports it with its row and resets the flag.
    """

    def __init__(self, worksheet: Any) -> None:
        self._ws = worksheet
        self._styles = {
            (rtl, quote): self._style_array(rtl, quote)
            for rtl in (False, True) for quote in (False, True) if rtl or quote
        }
        self._cache: dict[str | None, Any] = {}
        self.changed = False

    def _style_array(self, rtl: bool, quote: bool) -> Any:
        template = Cell(self._ws, row=1, column=1)  # never written: only its style is used
        if rtl:
            template.alignment = RTL_ALIGNMENT
        if quote:
            template.quotePrefix = True
        # a StyleArray, copied by each Cell made with it (private: openpyxl's stubs leave it out)
        return template._style  # type: ignore[attr-defined]

    def text(self, value: str | None) -> Any:
        """A text cell's value; None and "" give an empty cell, a number stays a number."""
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        if not isinstance(value, str):
            return value  # None, a number or a boolean
        if not value:
            return None
        return self._prepare(str(value))

    def _prepare(self, text: str, cut: bool = True) -> Any:
        clean = True
        ascii_text = text.isascii()
        if not (ascii_text and text.isprintable()):
            text, replaced = replace_illegal(text)
            if replaced:
                clean = False
        if cut and len(text) * 2 > EXCEL_CELL_LIMIT:
            short = cut_to_limit(text)
            if short is not text:
                clean = False
                text = short
        if not clean:
            self.changed = True
        rtl = not ascii_text and is_rtl_text(text)
        quote = text.startswith(_FORMULA_START) or text in _ERROR_CODES
        if rtl or quote:
            cell = Cell(self._ws, row=1, column=1, value=text, style_array=self._styles[rtl, quote])
            cell.data_type = "s"
            result: Any = cell
        else:
            result = text
        if clean and len(text) <= _CACHE_MAX_CHARS and len(self._cache) < _CACHE_MAX_ENTRIES:
            self._cache[text] = result
        return result

    def long_text(self, value: str | None) -> list[Any]:
        """Cells for a text that may not fit one cell: split, never cut (no cells for no text)."""
        if not value:
            return []
        text, replaced = replace_illegal(value)
        if replaced:
            self.changed = True
        return [self._prepare(part, cut=False) for part in split_to_limit(text)]
