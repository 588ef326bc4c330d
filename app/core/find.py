"""Find in a document: every occurrence of a query, as code-point spans of the stored text.

Matching is forgiving the way a reader expects and exact where offsets are concerned:

- case-insensitive (Unicode case folding; "ß" folds to "ss", so folding can change length),
- both sides NFC-normalised,
- Arabic harakat (U+064B–U+065F, U+0670) and tatweel (U+0640) are ignored on both sides,
  so "تجبر" finds "تُجبر" and "تـجبر",
- a hit starts and ends at grapheme cluster boundaries (the `regex` module's \\X, as in
  app/core/spans.py): a query that is the start of a Devanagari conjunct does not match
  inside it.

The text is folded one grapheme cluster at a time, and each folded character remembers its
cluster, so every hit maps back to exact offsets: text[start:end] is what the reader sees
as the match. Hits do not overlap (a hit consumes its text, as in a browser's find);
adjacent hits are all reported.
"""

from __future__ import annotations

import unicodedata
from array import array
from functools import lru_cache

import regex

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
_IGNORED = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640])


def fold(s: str) -> str:
    """The form both the query and the text are compared in."""
    s = unicodedata.normalize("NFC", s).translate(_IGNORED)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s.casefold())
        return s.translate(_IGNORED)
    return s.lower()


class FoldedText:
    """A text's folded form, with the cluster of every folded character."""

    __slots__ = ("ends", "folded", "owner", "starts")

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        owner = array("l")
        starts = array("l")
        ends = array("l")
        if text.isascii() and "\r" not in text:
            # each character is its own cluster, and folding keeps the length
            self.folded = text.lower()
            self.owner = array("l", range(len(text)))
            self.starts = array("l", range(len(text)))
            self.ends = array("l", range(1, len(text) + 1))
            return
        keys: dict[str, str] = {}  # clusters repeat: fold each kind once
        for i, m in enumerate(_GRAPHEME.finditer(text)):
            cluster = m.group()
            key = keys.get(cluster)
            if key is None:
                key = keys[cluster] = fold(cluster)
            starts.append(m.start())
            ends.append(m.end())
            if key:
                parts.append(key)
                owner.extend([i] * len(key))
        self.folded = "".join(parts)
        self.owner = owner
        self.starts = starts
        self.ends = ends

    def _at_boundary(self, i: int) -> bool:
        """Whether folded offset i falls between two clusters."""
        return i == 0 or i == len(self.folded) or self.owner[i] != self.owner[i - 1]

    def find_all(self, query: str) -> list[tuple[int, int]]:
        needle = fold(query)
        if not needle:
            return []
        hits: list[tuple[int, int]] = []
        haystack = self.folded
        pos = haystack.find(needle)
        while pos != -1:
            end = pos + len(needle)
            if self._at_boundary(pos) and self._at_boundary(end):
                hits.append((self.starts[self.owner[pos]], self.ends[self.owner[end - 1]]))
                pos = haystack.find(needle, end)
            else:
                pos = haystack.find(needle, pos + 1)
        return hits


@lru_cache(maxsize=4)
def folded_text(text: str) -> FoldedText:
    """Folding a long article takes a moment; each keystroke of a search reuses it."""
    return FoldedText(text)


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Code-point spans (start, end) of every occurrence of `query` in `text`, in order."""
    if not query or not text:
        return []
    return folded_text(text).find_all(query)
