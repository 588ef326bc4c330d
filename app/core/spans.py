"""What a selection becomes: whole grapheme clusters, without the space and punctuation around it."""

from __future__ import annotations

import unicodedata

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


def clean_selection(text: str, start: int, end: int) -> tuple[int, int]:
    """A user's selection as it should be stored: whole clusters, trimmed of noise at the edges."""
    if end < start:
        start, end = end, start
    start, end = snap_to_graphemes(text, start, end)
    start, end = trim_span(text, start, end)
    if start == end:
        return start, end
    return snap_to_graphemes(text, start, end)
