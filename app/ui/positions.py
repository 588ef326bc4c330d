"""The one place where Qt's UTF-16 positions and Annotary's code-point offsets meet.

Qt counts UTF-16 code units: a character outside the Basic Multilingual Plane (most
emoji) takes two. Annotary stores Python code points. `setPlainText` keeps the text's
length in units (a `\\n` becomes a block break of one unit), so the mapping depends only
on where the astral characters are.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class PositionMap:
    """Converts between code-point offsets and UTF-16 positions of one text."""

    __slots__ = ("_astral_cp", "_astral_u16", "length", "length_u16")

    def __init__(self, text: str) -> None:
        astral_cp = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
        astral_u16 = [cp + i for i, cp in enumerate(astral_cp)]
        self._astral_cp = astral_cp
        self._astral_u16 = astral_u16
        self.length = len(text)
        self.length_u16 = len(text) + len(astral_cp)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 position of code-point offset `offset` (0..len(text))."""
        if not self._astral_cp:
            return offset
        return offset + bisect_left(self._astral_cp, offset)

    def to_code_point(self, position: int) -> int:
        """Code-point offset of UTF-16 `position`; a position inside a surrogate pair
        (Qt's setPosition allows it) maps to the start of that character."""
        if not self._astral_u16:
            return position
        before = bisect_right(self._astral_u16, position - 1)  # astral chars starting before position
        if before and self._astral_u16[before - 1] == position - 1:
            return position - before  # inside the pair: the character's own offset
        return position - before
