"""Krippendorff's alpha at the nominal, ordinal, interval and ratio levels, with missing data.

Coincidence-matrix formulation (Krippendorff, "Computing Krippendorff's Alpha-Reliability",
2011). Only *pairable* values count: the values of units with ``m_u >= 2`` ratings. Units
with fewer ratings are left out and counted (``n_units_one_rating``, ``n_units_no_ratings``).
With ``n_uc`` the number of unit ``u``'s ratings of value ``c``::

    o_ck = sum_u n_uc * n_uk' / (m_u - 1)    (n_uk' = n_uk, or n_uc - 1 when k == c)
    n_c  = sum_k o_ck                         n = sum_c n_c  (the pairable values)
    D_o  = (1 / n) sum_c sum_k o_ck delta2(c, k)
    D_e  = (1 / (n (n - 1))) sum_c sum_k n_c n_k delta2(c, k)
    alpha = 1 - D_o / D_e

with the squared difference functions

    nominal   delta2 = 0 if c == k else 1
    ordinal   delta2 = (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2   (marginal-frequency rank
              metric; c..k runs over the ordered values between c and k, so it depends on
              the observed marginals, not on the numeric labels)
    interval  delta2 = (c - k) ** 2
    ratio     delta2 = ((c - k) / (c + k)) ** 2                    (0 when c = k = 0)

Ordinal values come from an explicit ``order`` (lowest first) or, without one, are numbers
sorted ascending. The ordinal metric equals the interval metric applied to the mid-ranks
``r_c = N_c - n_c / 2`` (``N_c`` the cumulative marginal up to and including ``c``), which
is how it is computed here; interval sums are computed from per-unit deviations, never
materialising the V x V coincidence matrix, so 20,000 units with continuous values are as
quick as 20,000 units with five codes. The ratio metric has no such shortcut: its expected
disagreement costs O(V^2) in the number V of distinct pairable values (done in blocks).

Values are checked and encoded once: a plain dict of dicts with str/int/float values is read
in one pass and encoded with numpy (distinct values checked, then codes per value, patterns by
one integer key per unit, or by sorting when the values are many); any other table, an invalid
value, or equal values written in different forms (1 and 1.0...) take the general route through
`ratings_from_table`, with the same result and errors.

alpha is None, with a note, when it is undefined: no unit has two ratings, or every
pairable value is the same (``D_e = 0``: there is no variation to be reliable about --
reporting 1.0 would hide that).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.core.stats.alpha_encoding import encode, gather_plain, patterns
from app.core.stats.table import (
    Ratings,
    RatingsTable,
    check_level,
    ratings_from_table,
)

BLOCK_ELEMENTS = 2_000_000
"""Largest temporary array (elements) made at once; bounds memory on big tables."""

RATIO_TABLE_ELEMENTS = 4_000_000
"""The ratio metric's V x V table is kept (32 MB at most) when V^2 is at most this."""


@dataclass(frozen=True)
class AlphaResult:
    alpha: float | None
    note: str | None
    """Why alpha is None (else None)."""
    level: str
    observed_disagreement: float | None
    expected_disagreement: float | None
    n_pairable_values: int
    n_units_pairable: int
    n_units_one_rating: int
    n_units_no_ratings: int
    categories: tuple[Any, ...] = field(default=())
    """The distinct pairable values, in the order the metric uses."""


def _ratio_delta(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """((x - y) / (x + y))^2 elementwise (broadcasting), 0 where x + y == 0 (both zero)."""
    s = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(s != 0, (x - y) / np.where(s != 0, s, 1.0), 0.0)
    return d * d


# -- encoding a table into category codes, vectorised (numpy), with the general path as fallback

"""Value types of the one-pass route; any other type (bool, numpy scalars...) takes the general one."""

class PairableData:
    """The pairable values of a table, grouped into patterns, ready for (re)weighting.

    Units with the same multiset of values (a *pattern*) contribute identically, so each
    pattern is stored once with the number of units showing it. ``evaluate(W)`` computes
    alpha for any non-negative pattern weights (one row of W per weighting): the table
    itself is ``W = [freq]``; a bootstrap resample of units is a multinomial draw of
    pattern counts.
    """

    def __init__(self, table: RatingsTable | Ratings, level: str, order: Sequence[Hashable] | None = None) -> None:
        self.level = check_level(level)
        encoded = None
        if not isinstance(table, Ratings):
            gathered = gather_plain(table)
            if gathered is not None:  # a plain dict of dicts: every value in one pass, in the dict's order
                encoded = encode(*gathered, level, order, in_sorted_order=False)
        if encoded is None:  # anything else, an invalid value, or equal values written differently
            ratings = ratings_from_table(table)
            values = [v for pairs in ratings.rated for _, v in pairs]
            sizes = np.fromiter(map(len, ratings.rated), dtype=np.intp, count=ratings.n_units)
            encoded = encode(values, sizes, level, order, in_sorted_order=True)
            assert encoded is not None
        self.n_units_total = encoded.n_units
        self.n_units_no_ratings = encoded.n_units_no_ratings
        self.n_units_one_rating = encoded.n_units_one_rating
        self.n_units_pairable = encoded.n_units_pairable
        self.categories: tuple[Any, ...] = encoded.categories
        self._unit_entries = (encoded.entry_unit, encoded.entry_cat)
        self.n_values = len(self.categories)
        rows, counts = patterns(encoded.entry_unit, encoded.entry_cat, encoded.n_units_pairable, self.n_values)
        self.freq = counts.astype(float)
        self.m = np.count_nonzero(rows >= 0, axis=1).astype(float)
        self.entry_cat = rows[rows >= 0].astype(np.intp, copy=False)  # row-major: each pattern's values, sorted
        npat = len(self.freq)
        self.entry_pattern = np.repeat(np.arange(npat, dtype=np.intp), self.m.astype(np.intp))
        starts = np.zeros(npat, dtype=np.intp)
        if npat > 1:
            starts[1:] = np.cumsum(self.m[:-1]).astype(np.intp)
        self.pattern_starts = starts
        self.n_pairable_values = round(float(self.freq @ self.m)) if npat else 0
        # which patterns hold one value only (and which), to tell weightings without variation
        first = self.entry_cat[starts] if npat else np.zeros(0, dtype=np.intp)
        last = self.entry_cat[starts + self.m.astype(np.intp) - 1] if npat else first
        constant = first == last
        self._mixed = (~constant).astype(float)
        self._const_ids = np.flatnonzero(constant)
        _, self._const_group = np.unique(first[self._const_ids], return_inverse=True)
        self._n_const_groups = int(self._const_group.max()) + 1 if len(self._const_ids) else 0
        self._index_cache: dict[tuple[int, int], np.ndarray] = {}
        self.positions: np.ndarray | None = None
        self._delta: np.ndarray | None = None
        self.pattern_d: np.ndarray | None = None
        self._centred_sums: tuple[np.ndarray, np.ndarray] | None = None
        if npat and self.n_values >= 2:
            self._prepare()

    @property
    def n_patterns(self) -> int:
        return len(self.freq)

    def _prepare(self) -> None:
        """Per-pattern observed disagreement: sum over ordered pairs of delta2, / (m - 1)."""
        m, ep, ec = self.m, self.entry_pattern, self.entry_cat
        npat = len(m)
        if self.level == "nominal":
            counts = np.unique(ep * self.n_values + ec, return_counts=True)
            sq = np.bincount(counts[0] // self.n_values, weights=counts[1].astype(float) ** 2, minlength=npat)
            self.pattern_d = (m * m - sq) / (m - 1)
        elif self.level == "interval":
            self.positions = np.asarray(self.categories, dtype=float)
            x = self.positions[ec]
            mean = np.bincount(ep, weights=x, minlength=npat) / m
            dev = x - mean[ep]
            self.pattern_d = 2 * m * np.bincount(ep, weights=dev * dev, minlength=npat) / (m - 1)
            # sums of values centred on the table's mean, for D_e of any weighting
            centre = float(self.freq @ np.bincount(ep, weights=x, minlength=npat)) / float(self.freq @ m)
            y = x - centre
            self._centred_sums = (
                np.bincount(ep, weights=y, minlength=npat),
                np.bincount(ep, weights=y * y, minlength=npat),
            )
        elif self.level == "ratio":
            self.positions = np.asarray(self.categories, dtype=float)
            self.pattern_d = self._pairwise_ratio_sums() / (m - 1)
        # ordinal: depends on the marginals, computed in evaluate()

    def _pairwise_ratio_sums(self) -> np.ndarray:
        """sum over ordered pairs i != j of a pattern's values of the ratio delta2."""
        assert self.positions is not None
        m = self.m.astype(np.intp)
        npat, width = len(m), int(m.max())
        padded = np.full((npat, width), np.nan)
        col = np.arange(len(self.entry_cat)) - self.pattern_starts[self.entry_pattern]
        padded[self.entry_pattern, col] = self.positions[self.entry_cat]
        out = np.empty(npat)
        step = max(1, BLOCK_ELEMENTS // (width * width))
        for lo in range(0, npat, step):
            block = padded[lo : lo + step]
            d = _ratio_delta(block[:, :, None], block[:, None, :])
            out[lo : lo + step] = np.nansum(d, axis=(1, 2))  # NaN padding drops out; i == j gives 0
        return out

    def _ratio_expected(self, nc: np.ndarray) -> np.ndarray:
        """sum_c sum_k n_c n_k delta2(c, k) for each row of nc (b x V), in blocks of V."""
        assert self.positions is not None
        x = self.positions
        v = len(x)
        if self._delta is None and v * v <= RATIO_TABLE_ELEMENTS:
            self._delta = _ratio_delta(x[:, None], x[None, :])
        if self._delta is not None:
            expected: np.ndarray = np.einsum("bv,bv->b", nc @ self._delta, nc)
            return expected
        total = np.zeros(nc.shape[0])
        step = max(1, BLOCK_ELEMENTS // v)
        for lo in range(0, v, step):
            block = _ratio_delta(x[lo : lo + step, None], x[None, :])
            total += np.einsum("bv,bv->b", nc[:, lo : lo + step] @ block, nc)
        return total

    def _grouped_sums(self, w: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
        """For each row of w (b x len(group)): the sums of its entries by group -> b x n_groups."""
        b = w.shape[0]
        if b == 1:
            sums: np.ndarray = np.bincount(group, weights=w[0], minlength=n_groups)[None, :]
            return sums
        key = (id(group), b)
        index = self._index_cache.get(key)
        if index is None:  # row r's entries go to bins r * n_groups + group
            index = (np.arange(b)[:, None] * n_groups + group[None, :]).ravel()
            self._index_cache = {key: index, **{k: v for k, v in self._index_cache.items() if k[1] == b}}
        sums = np.bincount(index, weights=w.ravel(), minlength=b * n_groups).reshape(b, n_groups)
        return sums

    def marginals(self, w: np.ndarray) -> np.ndarray:
        """n_c for each row of pattern weights (b x P): b x V."""
        return self._grouped_sums(w[:, self.entry_pattern], self.entry_cat, self.n_values)

    def varies(self, w: np.ndarray) -> np.ndarray:
        """For each row of pattern weights: do the weighted units hold two different values?"""
        mixed: np.ndarray = w @ self._mixed > 0
        if not self._n_const_groups:
            return mixed
        by_value = self._grouped_sums(w[:, self._const_ids], self._const_group, self._n_const_groups)
        varies: np.ndarray = mixed | (np.count_nonzero(by_value, axis=1) >= 2)
        return varies

    def evaluate(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """alpha, D_o and D_e for each row of pattern weights (b x P); alpha is NaN without variation.

        The row ``freq`` is the table itself; a bootstrap replicate is a row of how many
        times each pattern was drawn.
        """
        w = np.atleast_2d(np.asarray(weights, dtype=float))
        n = w @ self.m
        if self.level == "ordinal":
            nc = self.marginals(w)
            r = np.cumsum(nc, axis=1) - nc / 2  # mid-ranks from the (weighted) marginals
            x = r[:, self.entry_cat]
            npat = len(self.m)
            s1 = self._grouped_sums(x, self.entry_pattern, npat)
            s2 = self._grouped_sums(x * x, self.entry_pattern, npat)
            d = 2 * (self.m * s2 - s1 * s1) / (self.m - 1)  # exact: ranks are multiples of 1/2
            observed = np.einsum("bp,bp->b", w, d)
            mu = np.einsum("bv,bv->b", nc, r) / n
            expected = 2 * n * np.einsum("bv,bv->b", nc, (r - mu[:, None]) ** 2)
        else:
            assert self.pattern_d is not None
            observed = w @ self.pattern_d
            if self.level == "nominal":
                nc = self.marginals(w)
                expected = n * n - np.einsum("bv,bv->b", nc, nc)
            elif self.level == "interval":
                assert self._centred_sums is not None
                s1 = w @ self._centred_sums[0]
                s2 = w @ self._centred_sums[1]
                expected = 2 * (n * s2 - s1 * s1)  # = sum_ck n_c n_k (c - k)^2
            else:
                expected = self._ratio_expected(self.marginals(w))
        with np.errstate(divide="ignore", invalid="ignore"):
            defined = self.varies(w) & (expected > 0)
            alpha = np.where(defined, 1 - (n - 1) * observed / np.where(defined, expected, 1.0), np.nan)
            d_o = observed / n
            d_e = expected / (n * (n - 1))
        return alpha, d_o, d_e

    def undefined_reason(self) -> str | None:
        if self.n_units_pairable == 0:
            return "not defined: no unit has two or more ratings"
        if self.n_values < 2:
            return f"not defined: no variation, every pairable value is {self.categories[0]!r}"
        return None

    def result(self) -> AlphaResult:
        def made(
            alpha: float | None, note: str | None, observed: float | None, expected: float | None
        ) -> AlphaResult:
            return AlphaResult(
                alpha=alpha,
                note=note,
                level=self.level,
                observed_disagreement=observed,
                expected_disagreement=expected,
                n_pairable_values=self.n_pairable_values,
                n_units_pairable=self.n_units_pairable,
                n_units_one_rating=self.n_units_one_rating,
                n_units_no_ratings=self.n_units_no_ratings,
                categories=self.categories,
            )

        reason = self.undefined_reason()
        if reason is not None:
            return made(None, reason, None, None)
        alpha, d_o, d_e = self.evaluate(self.freq)
        if not np.isfinite(alpha[0]):  # the values differ, but so little that their distances round to 0
            return made(None, "the pairable values differ by too little to measure (expected disagreement "
                        "rounds to 0): alpha is not defined", None, None)
        return made(float(alpha[0]), None, float(d_o[0]), float(d_e[0]))


def krippendorff_alpha(
    table: RatingsTable | Ratings, level: str = "nominal", order: Sequence[Hashable] | None = None
) -> AlphaResult:
    """Krippendorff's alpha of a ratings table at the given level (see the module docstring)."""
    return PairableData(table, level, order).result()


def coincidence_matrix(
    table: RatingsTable | Ratings, level: str = "nominal", order: Sequence[Hashable] | None = None
) -> tuple[tuple[Any, ...], np.ndarray]:
    """The pairable values (in metric order) and their V x V coincidence matrix o_ck.

    Materialises V x V: meant for display and checking, not for tables with thousands of
    distinct values.
    """
    ratings = ratings_from_table(table)  # units in sorted order: every cell adds them up in that order
    data = PairableData(ratings, level, order)
    v = data.n_values
    unit, cat = data._unit_entries
    if not len(unit):
        return data.categories, np.zeros((v, v))
    m = np.bincount(unit).astype(float)  # m_u of each pairable unit
    cell, count = np.unique(unit * v + cat, return_counts=True)  # by unit, then value: n_uc > 0
    cell_unit, cell_cat = np.divmod(cell, v)
    n = count.astype(float)
    # every ordered pair (c, k) of values within a unit, c == k included
    group = np.bincount(cell_unit)[cell_unit]  # distinct values of the cell's unit
    left = np.repeat(np.arange(len(cell)), group)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(group) - group, group)  # 0 .. group - 1
    right = _first_of_run(cell_unit)[left] + offset  # the unit's first cell, then each in turn
    contribution = (n[left] * n[right] - np.where(left == right, n[left], 0.0)) / (m[cell_unit[left]] - 1)
    # bincount adds each cell's contributions in input order, unit after unit (as o += ... per unit)
    o = np.bincount(cell_cat[left] * v + cell_cat[right], weights=contribution, minlength=v * v).reshape(v, v)
    return data.categories, o


def _first_of_run(sorted_values: np.ndarray) -> np.ndarray:
    """For each element of a sorted array: the position where its run of equal values starts."""
    new = np.ones(len(sorted_values), dtype=bool)
    new[1:] = sorted_values[1:] != sorted_values[:-1]
    return np.maximum.accumulate(np.where(new, np.arange(len(sorted_values)), 0))
