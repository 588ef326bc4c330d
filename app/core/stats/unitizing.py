"""Krippendorff's unitizing alpha (αu), the 2004 definition, per category and overall.

αu measures agreement on *where* coders put units on a continuum (here: characters), not only
on what they called them. This module computes the definition of Krippendorff (2004),
*Content Analysis*, 2nd ed., §11/12 and "Measuring the reliability of qualitative text
analysis data", Quality & Quantity 38:787–800, as DKPro Statistics computes it
(``KrippendorffAlphaUnitizingAgreement``, Apache-2.0, github.com/dkpro/dkpro-statistics; the
reference implementation INCEpTION uses). DKPro's unit tests (Krippendorff 1995 and 2004
examples) are the origin of this module's test vectors; no code was taken from it. The 2016
redefinition (Krippendorff, Mathet, Bouvry & Widlöcher, Q&Q 50) is a different quantity.

Data: a continuum ``[begin, begin + length)`` of integer positions, ``n_coders`` coders and
units ``(coder, start, end, category)`` with ``start < end`` (end exclusive). Within one coder
and one category units must not overlap (`union_spans` merges them first); units of different
categories may overlap. A coder without units of a category still counts in ``n_coders``:
their whole continuum is one gap.

Per category c (other categories' units are invisible, so they count as gap), with R coders,
L = length, each coder's continuum split into c-units and gaps:

* δ²(g, h) between segments of two different coders: ``(b_g − b_h)² + (e_g − e_h)²`` for two
  overlapping units; ``l²`` for a unit of length l lying inside the other coder's gap; 0
  otherwise. ``S_c`` sums δ² over coder pairs i < j and their segments, and
  ``D_o = 2 S_c / (R (R − 1) L²)``.
* With N_c units of lengths l_u and G_c the multiset of every coder's gap lengths::

      D_e = (2 / L) Σ_u [ (N_c − 1) l_u (l_u − 1)(2 l_u − 1) / 3 + l_u² Σ_{G ≥ l_u} (G − l_u + 1) ]
            / ( R L (R L − 1) − Σ_u l_u (l_u − 1) )

* ``αu_c = 1 − D_o / D_e``. Overall: D_o and D_e are the means over the categories and
  ``αu = 1 − D_o / D_e`` (a ratio of sums, not the mean of the per-category alphas).

Undefined cases (alpha None with a one-line reason in ``note``, shown as "n/a" like the rest
of Annotary's agreement report; DKPro returns 0.0 or NaN here instead):

* fewer than two coders (D_o is 0/0);
* no units (nothing to unitize);
* ``D_e == 0`` (no room to disagree, e.g. a one-character continuum every coder marked).

``D_o == 0 < D_e`` is perfect agreement, 1.0 (DKPro's per-category method returns 0.0 when
``D_o == D_e``, overall 1.0; Annotary always computes ``1 − D_o / D_e`` when ``D_e > 0``).
Zero-length units are rejected (Annotary stores none; DKPro lets them split gaps).

Numbers: positions are int64; sums of gap lengths stay in int64 (at most R·L); every product
(squares, cubes, l²·T) is formed in float64, so nothing overflows int64 (l³ would beyond
l ≈ 2·10⁶, (R·L)² beyond R·L ≈ 3·10⁹). Terms are integers exact in float64 below 2⁵³; the sums
are non-negative, so the relative error stays near 1e-15. Work is vectorised with numpy per
pair of coders: O((n_i + n_j) log n) for S, O(N log N) for D_e.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

NEEDS_TWO = "needs at least two coders"
NO_UNITS = "no units: nobody marked anything"
NO_ROOM = "expected disagreement is 0: there is no room to disagree"


@dataclass(frozen=True)
class UnitizingResult:
    """αu with its parts. ``alpha`` is None when undefined, with the reason in ``note``."""

    alpha: float | None
    observed_disagreement: float | None
    expected_disagreement: float | None
    n_coders: int
    length: int
    n_units: int
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The five keys of the agreement report."""
        return {"alpha": self.alpha, "observed_disagreement": self.observed_disagreement,
                "expected_disagreement": self.expected_disagreement, "n_coders": self.n_coders,
                "length": self.length}


@dataclass(frozen=True)
class UnitizingReport:
    per_category: dict[Hashable, UnitizingResult] = field(default_factory=dict)
    overall: UnitizingResult | None = None


def union_spans(spans: Iterable[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """One coder's spans of one category as disjoint spans: overlapping ones (sharing at least one
    position) united, adjacent ones ([0, 5) and [5, 9)) kept apart. Returns the spans sorted and how
    many spans were absorbed into another (len(input) − len(output))."""
    pairs = list(spans)
    s = np.fromiter((a for a, _ in pairs), dtype=np.int64, count=len(pairs))
    e = np.fromiter((b for _, b in pairs), dtype=np.int64, count=len(pairs))
    us, ue, absorbed = union_arrays(s, e)
    return list(zip(us.tolist(), ue.tolist())), absorbed


def union_arrays(starts: Ints, ends: Ints) -> tuple[Ints, Ints, int]:
    """`union_spans` on arrays (any order): the united spans sorted, and how many spans were absorbed."""
    if len(starts) == 0:
        return starts.astype(np.int64), ends.astype(np.int64), 0
    order = np.lexsort((ends, starts))
    s, e = starts[order].astype(np.int64), ends[order].astype(np.int64)
    reach = np.maximum.accumulate(e)  # the furthest end so far
    first = np.concatenate([[True], s[1:] >= reach[:-1]])  # a span starting a new united span
    heads = np.flatnonzero(first)
    return s[heads], np.maximum.reduceat(e, heads), int(len(s) - len(heads))


def unitizing_alpha(units: Iterable[tuple[int, int, int, Hashable]], n_coders: int, length: int,
                    begin: int = 0) -> UnitizingReport:
    """αu per category (every category of a unit) and overall; see the module docstring.

    Raises ValueError for a unit outside the continuum, of length 0, of an unknown coder, or
    overlapping another unit of the same coder and category."""
    rows = list(units)
    names: dict[Hashable, int] = {}
    n = len(rows)
    coder = np.fromiter((u[0] for u in rows), dtype=np.int64, count=n)
    start = np.fromiter((u[1] for u in rows), dtype=np.int64, count=n)
    end = np.fromiter((u[2] for u in rows), dtype=np.int64, count=n)
    category = np.fromiter((names.setdefault(u[3], len(names)) for u in rows), dtype=np.int64, count=n)
    return unitizing_alpha_arrays(coder, start, end, category, list(names), n_coders, length, begin)


def unitizing_alpha_arrays(coder: Ints, start: Ints, end: Ints, category: Ints, categories: Sequence[Hashable],
                           n_coders: int, length: int, begin: int = 0) -> UnitizingReport:
    """`unitizing_alpha` on parallel arrays, one entry per unit: ``category`` indexes ``categories``
    (each of which gets a result; give only categories with units)."""
    if length < 1:
        raise ValueError(f"the continuum needs a positive length (got {length})")
    if n_coders < 1:
        raise ValueError(f"needs a positive number of coders (got {n_coders})")
    if len(coder) and (int(coder.min()) < 0 or int(coder.max()) >= n_coders):
        raise ValueError(f"a unit of coder {int(coder.max()) if int(coder.max()) >= n_coders else int(coder.min())}: "
                         f"coders are 0..{n_coders - 1}")
    bad = np.flatnonzero((start < begin) | (end <= start) | (end > begin + length))
    if len(bad):
        i = int(bad[0])
        raise ValueError(f"unit [{int(start[i])}, {int(end[i])}) is empty or outside [{begin}, {begin + length})")
    order = np.lexsort((start, coder, category))
    coder, start, end, category = coder[order], start[order], end[order], category[order]
    same = (category[1:] == category[:-1]) & (coder[1:] == coder[:-1])
    clash = np.flatnonzero(same & (start[1:] < end[:-1]))
    if len(clash):
        name = categories[int(category[clash[0]])]
        raise ValueError(f"overlapping units of one coder in category {name!r}: unite them first")
    report = UnitizingReport()
    sums = [0.0, 0.0]
    cat_bounds = np.searchsorted(category, np.arange(len(categories) + 1), side="left")
    for k, name in enumerate(categories):
        lo, hi = int(cat_bounds[k]), int(cat_bounds[k + 1])
        bounds = lo + np.searchsorted(coder[lo:hi], np.arange(n_coders + 1), side="left")
        starts = [start[bounds[i]:bounds[i + 1]] for i in range(n_coders)]
        ends = [end[bounds[i]:bounds[i + 1]] for i in range(n_coders)]
        result = _category(starts, ends, begin, length)
        report.per_category[name] = result
        if result.observed_disagreement is not None and result.expected_disagreement is not None:
            sums[0] += result.observed_disagreement
            sums[1] += result.expected_disagreement
    n_units = len(coder)
    if n_coders < 2:
        overall = UnitizingResult(None, None, None, n_coders, length, n_units, NEEDS_TWO)
    elif not report.per_category:
        overall = UnitizingResult(None, None, None, n_coders, length, 0, NO_UNITS)
    else:
        k = len(report.per_category)
        overall = _result(sums[0] / k, sums[1] / k, n_coders, length, n_units)
    return UnitizingReport(report.per_category, overall)


def _result(do: float, de: float, n_coders: int, length: int, n_units: int) -> UnitizingResult:
    if de == 0.0:
        return UnitizingResult(None, do, de, n_coders, length, n_units, NO_ROOM)
    return UnitizingResult(1.0 - do / de, do, de, n_coders, length, n_units)


def _category(starts: Sequence[Ints], ends: Sequence[Ints], begin: int, length: int) -> UnitizingResult:
    r = len(starts)
    n_units = sum(len(s) for s in starts)
    if r < 2:
        return UnitizingResult(None, None, None, r, length, n_units, NEEDS_TWO)
    s_total = 0.0
    for i in range(r):
        for j in range(i + 1, r):
            s_total += _pair_sum(starts[i], ends[i], starts[j], ends[j])
    do = 2.0 * s_total / (r * (r - 1) * float(length) ** 2)
    lengths = np.concatenate([e - s for s, e in zip(starts, ends)])
    gaps = np.sort(np.concatenate([_gaps(s, e, begin, length) for s, e in zip(starts, ends)]))
    # suffix[k] = sum of gaps[k:]; gaps >= l start at searchsorted(gaps, l, "left")
    suffix = np.zeros(len(gaps) + 1, dtype=np.int64)
    suffix[:-1] = np.cumsum(gaps[::-1])[::-1]
    k = np.searchsorted(gaps, lengths, side="left")
    placements = suffix[k] - (lengths - 1) * (len(gaps) - k)  # sum over gaps G >= l of (G - l + 1)
    lf = lengths.astype(np.float64)
    terms = (n_units - 1) * lf * (lf - 1.0) * (2.0 * lf - 1.0) / 3.0 + lf * lf * placements.astype(np.float64)
    rl = r * length
    denominator = float(rl * (rl - 1)) - float(np.dot(lf, lf - 1.0))
    de = 2.0 / length * float(terms.sum()) / denominator
    return _result(do, de, r, length, n_units)


def _gaps(s: Ints, e: Ints, begin: int, length: int) -> Ints:
    """The lengths of the positive stretches of [begin, begin + length) outside the sorted, disjoint units."""
    if len(s) == 0:
        return np.array([length], dtype=np.int64)
    g = np.concatenate([[s[0] - begin], s[1:] - e[:-1], [begin + length - e[-1]]]).astype(np.int64)
    return g[g > 0]


def _pair_sum(bi: Ints, ei: Ints, bj: Ints, ej: Ints) -> float:
    """Σ δ² between the segments of two coders (sorted, disjoint units of one category)."""
    total = 0.0
    counts = []
    for b1, e1, b2, e2 in ((bi, ei, bj, ej), (bj, ej, bi, ei)):
        first = np.searchsorted(e2, b1, side="right")  # first unit of the other coder ending after b1
        stop = np.searchsorted(b2, e1, side="left")  # first one beginning at or after e1
        n = stop - first
        alone = n == 0  # overlaps none of the other coder's units: inside one of their gaps
        la = (e1[alone] - b1[alone]).astype(np.float64)
        total += float(np.dot(la, la))
        counts.append((first, n))
    first, n = counts[0]
    n_pairs = int(n.sum())
    if n_pairs:
        gi = np.repeat(np.arange(len(bi)), n)
        offsets = np.arange(n_pairs) - np.repeat(np.cumsum(n) - n, n)
        hj = np.repeat(first, n) + offsets
        db = (bi[gi] - bj[hj]).astype(np.float64)
        de = (ei[gi] - ej[hj]).astype(np.float64)
        total += float(np.dot(db, db) + np.dot(de, de))
    return total
