"""What a selection becomes: whole words (or, on request, whole grapheme clusters), without
the space and punctuation around it.

Words are Unicode default word boundaries (UAX #29, the `regex` module's WORD flag), so a
Devanagari vowel sign, virama, ZWJ or ZWNJ and an Arabic haraka or tatweel belong to their
word, and a number with separators ("14.3", "7,000", "١٤٫٣") is one word. Two changes to
UAX #29 suit span annotation: an apostrophe between letters ends a word ("Meta's" is
"Meta" + "'s", so the possessive is never pulled in) and an Arabic letter directly before
or after a digit is a word edge ("و14٪": the clitic و stays out of the number). A percent or
currency sign is its own token: it is kept when selected and never added.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

import regex

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
_WINDOW = 64

# Punctuation a coder's selection drags along by accident. Signs that belong to a value
# ($ % ٪ ‰ # & @ + -) and apostrophes inside words are kept.
EDGE_PUNCTUATION = frozenset(".,;:!?\"'()[]{}«»“”‘’„‚‹›「」、。…—–،؛؟۔।॥*·•/\\|")


def _cluster_bounds(text: str, lo: int, hi: int) -> list[int]:
    """Grapheme cluster boundaries of text[lo:hi], as absolute offsets (lo and hi excluded)."""
    bounds = []
    for m in _GRAPHEME.finditer(text, lo, hi):
        bounds.append(m.start())
    bounds.append(hi)
    return bounds


def snap_to_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so it neither starts nor ends inside a grapheme cluster.

    A conjunct or vowel sign in Devanagari, a diacritic on an Arabic letter, a surrogate
    pair's two halves or an emoji ZWJ sequence all stay whole.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    return _snap_down(text, start), _snap_up(text, end)


def _window_start(text: str, pos: int) -> int:
    """A start for scanning that is surely a cluster boundary: after a line break, or the text start."""
    lo = max(0, pos - _WINDOW)
    nl = text.rfind("\n", lo, pos)
    if nl != -1:
        return nl + 1
    while lo > 0 and not (text[lo - 1].isspace() and not unicodedata.combining(text[lo])):
        lo -= 1
        if pos - lo > 4 * _WINDOW:
            break
    return lo


def _snap_down(text: str, pos: int) -> int:
    if pos in (0, len(text)):
        return pos
    lo = _window_start(text, pos)
    best = lo
    for b in _cluster_bounds(text, lo, min(len(text), pos + _WINDOW)):
        if b > pos:
            break
        best = b
    return best


def _snap_up(text: str, pos: int) -> int:
    if pos in (0, len(text)):
        return pos
    lo = _window_start(text, pos)
    for b in _cluster_bounds(text, lo, min(len(text), pos + _WINDOW)):
        if b >= pos:
            return b
    return len(text)


def _is_edge_noise(ch: str) -> bool:
    return ch.isspace() or ch in EDGE_PUNCTUATION or unicodedata.category(ch) in ("Cf", "Zs")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space, stray punctuation and format characters at both ends.

    Returns an empty span (start == end) when nothing meaningful is left.
    """
    while start < end and _is_edge_noise(text[start]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]):
        end -= 1
    return start, end


def clean_selection(text: str, start: int, end: int, whole_words: bool = True) -> tuple[int, int]:
    """A user's selection as it should be stored: trimmed of noise at the edges, each end
    that falls inside a word moved outward to the word's edge (only to the grapheme
    cluster's edge with `whole_words=False`, the precise mode)."""
    if end < start:
        start, end = end, start
    start, end = snap_to_graphemes(text, start, end)
    start, end = trim_span(text, start, end)
    if start == end:
        return start, end
    if not whole_words:
        return snap_to_graphemes(text, start, end)
    for _ in range(4):  # a grapheme's edge can fall back inside a word ("a.🏽a": the modifier joins
        # the period, which joins the word): snap again until both ends stay put
        snapped = snap_to_graphemes(text, *snap_to_words(text, start, end))
        if snapped == (start, end):
            break
        start, end = snapped
    return start, end


# ------------------------------------------------------------------ words

_WORD_BOUNDARY = regex.compile(r"\b", regex.WORD | regex.V1)
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")
_ARABIC_LETTER = regex.compile(r"[\p{Script=Arabic}&&\p{L}]", regex.V1)
_APOSTROPHES = frozenset("'\u2019")
_WORD_WINDOW = 256
"""How far to look for the white space around a position; a longer token (a URL, a hash)
is left as it is selected."""


def _base_before(text: str, i: int, lo: int) -> str:
    """The last character before i that is not a combining mark or joiner (or "")."""
    while i > lo:
        i -= 1
        ch = text[i]
        if not (unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf")):
            return ch
    return ""


def _inner_edges(text: str, lo: int, hi: int) -> list[int]:
    """Offsets inside the UAX #29 word text[lo:hi] that Annotary also treats as word edges."""
    edges = []
    for i in range(lo + 1, hi):
        ch, prev = text[i], text[i - 1]
        before = _base_before(text, i, lo)
        if (ch in _APOSTROPHES and not before.isdigit()) or (prev in _APOSTROPHES and not ch.isdigit() and not unicodedata.combining(ch)) or (ch.isdigit() and before and _ARABIC_LETTER.match(before)) or (before.isdigit() and _ARABIC_LETTER.match(ch)):
            edges.append(i)
    return edges


def word_around(text: str, pos: int) -> tuple[int, int] | None:
    """The word that code point offset `pos` falls strictly inside, or None when `pos` is
    at a word edge (or in space, punctuation, or a token too long to look at)."""
    if pos <= 0 or pos >= len(text):
        return None
    if not (_WORDLIKE.match(text, pos) or _WORDLIKE.match(text, pos - 1)
            or unicodedata.category(text[pos])[0] in "MC"):
        return None
    lo = pos - 1
    while lo >= 0 and not text[lo].isspace():
        if pos - lo > _WORD_WINDOW:
            return None
        lo -= 1
    lo = max(lo, 0)  # at a white space character (kept for context) or the text start
    hi = pos
    while hi < len(text) and not text[hi].isspace():
        if hi - pos > _WORD_WINDOW:
            return None
        hi += 1
    hi = min(hi + 1, len(text))
    chunk = text[lo:hi]
    bounds = [lo + m.start() for m in _WORD_BOUNDARY.finditer(chunk)]
    for a, b in pairwise(bounds):
        if a < pos < b:
            break
        if a >= pos:
            return None
    else:
        return None
    if not _WORDLIKE.search(text, a, b):
        return None
    edges = [a, *_inner_edges(text, a, b), b]
    for x, y in pairwise(edges):
        if x < pos < y:
            return (x, y) if _WORDLIKE.search(text, x, y) else None
    return None  # pos is one of Annotary's inner edges


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Move an end that falls inside a word outward to that word's edge."""
    word = word_around(text, start)
    if word is not None:
        start = word[0]
    word = word_around(text, end)
    if word is not None:
        end = word[1]
    return start, end


# Characters next to which a word always ends: white space, and punctuation or symbols that never
# join two parts of one word (unlike "." and "," in 14.3 and 7,000, or the apostrophe).
_JOINERS = frozenset(".,:;'\u2019\u2018\u00b7\u066b\u066c\u05f4\u2024\ufe52\ufe55\uff0e\uff07")


def _clear_edge(text: str, pos: int) -> bool:
    """True when `pos` is certainly not inside a word (a cheap test before `word_around`)."""
    if pos <= 0 or pos >= len(text):
        return True
    if unicodedata.category(text[pos])[0] == "M" or text[pos] in "\u200c\u200d":
        return False  # a mark or joiner attaches to what precedes it, even a symbol ("😀َ"): ask the full test
    for ch in (text[pos - 1], text[pos]):
        if ch.isspace() or (unicodedata.category(ch)[0] in "PSZ" and ch not in _JOINERS):
            return True
    return False


def is_partial_word(text: str, start: int, end: int) -> bool:
    """Whether the span [start, end) starts or ends inside a word (computed, never stored; run for
    every mention each time a document opens, so the usual clear edges are told cheaply)."""
    if start >= end or end > len(text):
        return False
    return any(not _clear_edge(text, pos) and word_around(text, pos) is not None for pos in (start, end))
