"""Short context around a span of stored text, to tell apart mentions with the same wording.

Offsets are code points into the stored text (as everywhere in app/core). The result is plain text
for one line of a list: whitespace runs (newlines included) become one space, cuts fall between
words (or, in a run without spaces, between whole characters: never inside an emoji sequence or
before a combining mark), and the context is wrapped in Unicode isolates (FSI … PDI) so that an
Arabic snippet keeps its own direction and does not reorder the Latin text and numbers around it.
"""

from __future__ import annotations

import re
import unicodedata

FSI = "\u2068"  # first strong isolate: the direction of the first letter inside
PDI = "\u2069"  # pop directional isolate
ELLIPSIS = "…"

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
_NON_SPACE = re.compile(r"\S")
# Explicit embeddings, overrides and isolates from the document: an unmatched one inside the snippet
# would end (or leak out of) the snippet's own isolate.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """True if `ch` belongs to the character before it (a cut before it would split a character)."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_boundary(s: str, i: int) -> bool:
    """Whether a cut between s[i-1] and s[i] keeps every character whole."""
    if i <= 0 or i >= len(s):
        return True
    if _extends(s[i]) or s[i - 1] == ZWJ:
        return False
    if _regional(s[i]) and _regional(s[i - 1]):  # flags are pairs: cut after an even count
        n = 0
        while i - 1 - n >= 0 and _regional(s[i - 1 - n]):
            n += 1
        return n % 2 == 0
    return True


def clean(text: str) -> str:
    """One line for display: whitespace and control characters as single spaces, no bidi controls."""
    text = _BIDI_CONTROLS.sub("", text)
    return _SPACE.sub(" ", _CONTROLS.sub(" ", text))


def _left(text: str, start: int, words: int, width: int) -> tuple[str, bool]:
    """Up to `words` words (at most about `width` code points) before `start`; and whether cut."""
    lo = max(0, start - width)
    chunk = text[lo:start]
    if lo > 0 and not (text[lo - 1].isspace() or chunk[:1].isspace()):  # lo is inside a word
        space = _SPACE.search(chunk)
        if space is not None:
            chunk = chunk[space.start():]
        else:  # one long run without spaces: cut between whole characters
            i = 0
            while not _is_boundary(text, lo + i) and i < len(chunk):
                i += 1
            chunk = chunk[i:]
    found = [m.start() for m in _WORD.finditer(chunk)]
    if len(found) > words:
        chunk = chunk[found[-words]:] if words > 0 else chunk[len(chunk.rstrip()):]
    kept_from = start - len(chunk)
    cut = _NON_SPACE.search(text, 0, kept_from) is not None
    return clean(chunk).lstrip(), cut


def _right(text: str, end: int, words: int, width: int) -> tuple[str, bool]:
    """Up to `words` words (at most about `width` code points) after `end`; and whether cut."""
    hi = min(len(text), end + width)
    chunk = text[end:hi]
    if hi < len(text) and not (text[hi].isspace() or chunk[-1:].isspace()):  # hi is inside a word
        spaces = list(_SPACE.finditer(chunk))
        if spaces:
            chunk = chunk[:spaces[-1].end()]
        else:
            i = len(chunk)
            while i > 0 and not _is_boundary(text, end + i):
                i -= 1
            chunk = chunk[:i]
    found = [m.end() for m in _WORD.finditer(chunk)]
    if len(found) > words:
        chunk = chunk[:found[words - 1]] if words > 0 else chunk[:len(chunk) - len(chunk.lstrip())]
    cut = _NON_SPACE.search(text, end + len(chunk)) is not None
    return clean(chunk).rstrip(), cut


def _shorten(text: str, width: int) -> tuple[str, bool]:
    """`text` cut to about `width` code points at a word (or whole character) boundary."""
    if len(text) <= width:
        return text, False
    head = text[:width + 1]
    space = head.rfind(" ")
    if space > 0:
        return head[:space].rstrip(), True
    i = width
    while i > 0 and not _is_boundary(text, i):
        i -= 1
    return text[:i], True


def snippet(text: str, start: int, end: int, words: int = 3, width: int = 30) -> str:
    """The span `text[start:end]` with up to `words` words of context on each side, in isolates.

    Each side holds at most about `width` code points; "…" marks where the text goes on. A span
    longer than twice `width` is shortened and shown without the text after it.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}–{end} outside a text of {len(text)} characters")
    left, left_cut = _left(text, start, words, width)
    middle, middle_cut = _shorten(clean(text[start:end]), 2 * width)
    if middle_cut:
        right, right_cut = "", True
    else:
        right, right_cut = _right(text, end, words, width)
    body = (ELLIPSIS if left_cut else "") + left + middle + right + (ELLIPSIS if right_cut else "")
    return FSI + body + PDI


def label_part(text: str) -> str:
    """`text` cleaned to one line; wrapped in isolates if it holds right-to-left letters.

    A Latin name needs none in a left-to-right label (and stays findable by its start); an Arabic
    name is isolated so the numbers and Latin text after it do not join its run.
    """
    text = clean(text).strip()
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return FSI + text + PDI
    return text


def mention_choice(text: str, start: int, end: int, mention_text: str, type_name: str) -> str:
    """A mention told apart from others with the same wording: its text, type, offset and context.

    For example `Meta (Organization) · 1,204 · …Meta laid off 10%…` (the context in isolates).
    """
    return (f"{label_part(mention_text)} ({label_part(type_name)}) · {start:,} · "
            f"{snippet(text, start, end)}")


def distance(start: int, end: int, lo: int, hi: int) -> int:
    """Code points between the spans `start:end` and `lo:hi` (0 if they touch or overlap)."""
    return max(0, lo - end, start - hi)
