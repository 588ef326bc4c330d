"""How overlapping mentions look: segments with an inner background and outer underlines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Span:
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
    """Split [lo, hi) into pieces with a constant set of covering spans (pieces with none are left out)."""
    if hi is None:
        hi = max((s.end for s in spans), default=lo)
    relevant = sorted((s for s in spans if s.end > lo and s.start < hi), key=lambda s: (s.start, s.end))
    if not relevant:
        return []
    if all(a.end <= b.start for a, b in zip(relevant, relevant[1:])):  # no overlaps: the common case
        return [Segment(max(lo, s.start), min(hi, s.end), s, ()) for s in relevant]
    bounds = sorted({lo, hi, *(max(lo, s.start) for s in relevant), *(min(hi, s.end) for s in relevant)})
    starts = sorted(relevant, key=lambda s: s.start)
    active: list[Span] = []
    out: list[Segment] = []
    i = 0
    for a, b in zip(bounds, bounds[1:]):
        while i < len(starts) and starts[i].start <= a:
            active.append(starts[i])
            i += 1
        active = [s for s in active if s.end > a]
        if not active:
            continue
        ordered = sorted(active, key=lambda s: (s.end - s.start, s.id))
        out.append(Segment(a, b, ordered[0], tuple(reversed(ordered[1:]))))
    return out


def covering(spans: Iterable[Span], pos: int) -> list[Span]:
    return sorted((s for s in spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.id))
