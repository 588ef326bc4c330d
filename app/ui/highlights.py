"""How overlapping mentions look: segments with an inner background and outer underlines."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple


class Span(NamedTuple):
    id: int
    start: int
    end: int
    color: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    inner: Span  # the shortest covering span: its colour fills the background
    outer: tuple[Span, ...]  # the others, longest first: shown as underlines


def segments(spans: Sequence[Span], lo: int = 0, hi: int | None = None) -> list[Segment]:
    """Split [lo, hi) into pieces with a constant set of covering spans (pieces with none are left out).

    A sweep over the span boundaries keeps the covering spans sorted by length, so a
    document with thousands of mentions is split in a few milliseconds.
    """
    if hi is None:
        hi = max((s.end for s in spans), default=lo)
    if hi <= lo:
        return []
    relevant = sorted((s for s in spans if s.end > lo and s.start < hi), key=lambda s: (s.start, s.end))
    if not relevant:
        return []
    out: list[Segment] = []
    group: list[Span] = []
    group_end = -1
    for s in relevant:  # spans that overlap nothing are the common case: only overlapping groups are swept
        if group and s.start >= group_end:
            _emit(group, lo, hi, out)
            group = []
        group.append(s)
        group_end = max(group_end, s.end) if len(group) > 1 else s.end
    _emit(group, lo, hi, out)
    return out


def _key(entry: tuple[int, int, Span]) -> tuple[int, int]:
    return entry[0], entry[1]


def _emit(group: list[Span], lo: int, hi: int, out: list[Segment]) -> None:
    if len(group) == 1:
        s = group[0]
        out.append(Segment(max(lo, s.start), min(hi, s.end), s, ()))
        return
    starting: dict[int, list[Span]] = {}
    ending: dict[int, list[Span]] = {}
    for s in group:
        starting.setdefault(max(lo, s.start), []).append(s)
        ending.setdefault(min(hi, s.end), []).append(s)
    bounds = sorted(starting.keys() | ending.keys())
    active: list[tuple[int, int, Span]] = []  # (length, id, span), shortest first
    for a, b in pairwise(bounds):
        for s in ending.get(a, ()):
            del active[bisect_left(active, (s.end - s.start, s.id), key=_key)]
        for s in starting.get(a, ()):
            insort(active, (s.end - s.start, s.id, s), key=_key)
        if active:
            out.append(Segment(a, b, active[0][2], tuple(e[2] for e in reversed(active[1:]))))


def covering(spans: Iterable[Span], pos: int) -> list[Span]:
    return sorted((s for s in spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.id))
