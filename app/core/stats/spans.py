"""Span agreement between two coders' mentions: exact and overlap matching, P/R/F1.

A mention is ``(doc_id, start, end, type)`` with integer character offsets, ``start``
inclusive and ``end`` exclusive (code points, as Annotary stores them), ``0 <= start <= end``.
Coder A is the reference: precision is the share of B's mentions matched, recall the share
of A's mentions matched.

* **exact**: same document, start, end and type. Identical mentions listed twice by one
  coder are matched at most once each (multiset matching).
* **overlap**: same document and type and at least one shared character
  (``max(start) < min(end)``; adjacent spans such as [0, 5) and [5, 9) share none, and
  empty spans overlap nothing). Each mention is matched at most once and the number of
  matches is **maximised** -- a maximum bipartite matching (Hopcroft–Karp) per
  (document, type) group, not a greedy pass, which can pair a long span with the wrong
  partner and leave a match on the table. Among maximum matchings, identical spans are
  paired first and larger overlaps are preferred where the search has the choice.

For both::

    matched    pairs in the matching
    precision  matched / n_b      None when n_b == 0 (B marked nothing: precision undefined)
    recall     matched / n_a      None when n_a == 0
    f1         2 P R / (P + R)    None when P or R is None; 0.0 when both are 0

``pairs`` lists ``(index in A, index in B)`` of every match (indices into the lists given),
``unmatched_a`` / ``unmatched_b`` the mentions with no partner: what a reviewer looks at.
``per_type`` repeats both measures for each type either coder used.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import AnnotaryError
from app.core.stats.matching import maximum_matching

Mention = tuple[Hashable, int, int, Hashable]
"""``(doc_id, start, end, type)``."""


@dataclass(frozen=True)
class MatchScores:
    n_a: int
    n_b: int
    matched: int
    precision: float | None
    recall: float | None
    f1: float | None
    pairs: tuple[tuple[int, int], ...] = field(default=())
    unmatched_a: tuple[int, ...] = field(default=())
    unmatched_b: tuple[int, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "n_a": self.n_a,
            "n_b": self.n_b,
            "matched": self.matched,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "pairs": [list(p) for p in self.pairs],
            "unmatched_a": list(self.unmatched_a),
            "unmatched_b": list(self.unmatched_b),
        }


@dataclass(frozen=True)
class SpanAgreement:
    exact: MatchScores
    overlap: MatchScores
    per_type: dict[Hashable, dict[str, MatchScores]]
    """``type -> {"exact": MatchScores, "overlap": MatchScores}``."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact.as_dict(),
            "overlap": self.overlap.as_dict(),
            "per_type": {
                str(t): {kind: s.as_dict() for kind, s in scores.items()} for t, scores in self.per_type.items()
            },
        }


def scores(
    n_a: int, n_b: int, pairs: Sequence[tuple[int, int]], a_ids: Sequence[int], b_ids: Sequence[int]
) -> MatchScores:
    """P/R/F1 for a matching of ``pairs`` among the mentions ``a_ids`` and ``b_ids``."""
    matched = len(pairs)
    precision = matched / n_b if n_b else None
    recall = matched / n_a if n_a else None
    # = 2PR / (P + R), and 0.0 when nothing matched
    f1 = None if precision is None or recall is None else 2 * matched / (n_a + n_b)
    pairs = tuple(sorted(pairs))
    used_a = {a for a, _ in pairs}
    used_b = {b for _, b in pairs}
    return MatchScores(
        n_a,
        n_b,
        matched,
        precision,
        recall,
        f1,
        pairs,
        tuple(i for i in a_ids if i not in used_a),
        tuple(i for i in b_ids if i not in used_b),
    )


def _checked(mentions: Sequence[Any], who: str) -> list[Mention]:
    out = []
    for i, mention in enumerate(mentions):
        try:
            doc, start, end, kind = mention
        except (TypeError, ValueError):
            raise AnnotaryError(
                f"coder {who}, mention {i}: expected (doc_id, start, end, type), got {mention!r}"
            ) from None
        for name, off in (("start", start), ("end", end)):
            if isinstance(off, bool) or not isinstance(off, int):
                raise AnnotaryError(f"coder {who}, mention {i}: {name} {off!r} is not an integer offset")
        if not 0 <= start <= end:
            raise AnnotaryError(f"coder {who}, mention {i}: offsets [{start}, {end}) are not 0 <= start <= end")
        try:
            hash((doc, kind))
        except TypeError:
            raise AnnotaryError(f"coder {who}, mention {i}: document id and type must be single values") from None
        out.append((doc, start, end, kind))
    return out


def _exact_pairs(
    a: list[Mention], b: list[Mention], a_ids: Sequence[int], b_ids: Sequence[int]
) -> list[tuple[int, int]]:
    waiting: dict[Mention, list[int]] = defaultdict(list)
    for j in b_ids:
        waiting[b[j]].append(j)
    pairs = []
    for i in a_ids:
        queue = waiting.get(a[i])
        if queue:
            pairs.append((i, queue.pop(0)))
    return pairs


def _overlap_pairs(
    a: list[Mention], b: list[Mention], a_ids: Sequence[int], b_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """Maximum matching of overlapping mentions; a_ids / b_ids share one document and type."""
    left = sorted(a_ids, key=lambda i: (a[i][1], a[i][2], i))
    right = sorted(b_ids, key=lambda j: (b[j][1], b[j][2], j))
    starts = [b[j][1] for j in right]
    adjacency: list[list[int]] = []
    for i in left:
        s, e = a[i][1], a[i][2]
        candidates = []
        for r in range(bisect.bisect_left(starts, e)):  # B mentions starting before A's end
            bs, be = b[right[r]][1], b[right[r]][2]
            if be > s and bs < e:
                overlap = min(e, be) - max(s, bs)
                candidates.append((-(bs == s and be == e), -overlap, bs, be, r))
        candidates.sort()
        adjacency.append([c[-1] for c in candidates])
    # identical spans first (a starting point only: augmentation keeps the size maximum)
    initial, taken = [], set()
    for li, edges in enumerate(adjacency):
        i = left[li]
        for r in edges:
            j = right[r]
            if (b[j][1], b[j][2]) != (a[i][1], a[i][2]):
                break  # identical candidates come first in each list
            if r not in taken:
                taken.add(r)
                initial.append((li, r))
                break
    match = maximum_matching(adjacency, len(right), initial)
    return [(left[li], right[r]) for li, r in enumerate(match) if r != -1]


def span_agreement(mentions_a: Sequence[Any], mentions_b: Sequence[Any]) -> SpanAgreement:
    """Exact and overlap agreement of coder B's mentions against coder A's (the reference)."""
    a = _checked(mentions_a, "A")
    b = _checked(mentions_b, "B")
    groups: dict[tuple[Hashable, Hashable], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, m in enumerate(a):
        groups[(m[0], m[3])][0].append(i)
    for j, m in enumerate(b):
        groups[(m[0], m[3])][1].append(j)
    exact: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    overlap: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for (_, kind), (a_ids, b_ids) in groups.items():
        if a_ids and b_ids:
            exact[kind] += _exact_pairs(a, b, a_ids, b_ids)
            overlap[kind] += _overlap_pairs(a, b, a_ids, b_ids)
    a_by_type: dict[Hashable, list[int]] = defaultdict(list)
    b_by_type: dict[Hashable, list[int]] = defaultdict(list)
    for i, m in enumerate(a):
        a_by_type[m[3]].append(i)
    for j, m in enumerate(b):
        b_by_type[m[3]].append(j)
    # any hashable labels: in their natural order when they have one, else ordered by repr
    types: list[Any] = list(dict.fromkeys([m[3] for m in a] + [m[3] for m in b]))
    try:
        types.sort()
    except TypeError:
        types.sort(key=repr)
    per_type = {
        t: {
            "exact": scores(len(a_by_type[t]), len(b_by_type[t]), exact[t], a_by_type[t], b_by_type[t]),
            "overlap": scores(len(a_by_type[t]), len(b_by_type[t]), overlap[t], a_by_type[t], b_by_type[t]),
        }
        for t in types
    }
    all_a, all_b = range(len(a)), range(len(b))
    return SpanAgreement(
        exact=scores(len(a), len(b), [p for t in types for p in exact[t]], all_a, all_b),
        overlap=scores(len(a), len(b), [p for t in types for p in overlap[t]], all_a, all_b),
        per_type=per_type,
    )
