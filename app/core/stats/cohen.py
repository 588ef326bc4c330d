"""Cohen's kappa (1960) for every pair of coders.

For two coders and the ``n`` units both of them rated, with ``a_c`` and ``b_c`` the numbers
of those units each coder put in category ``c``::

    p_o   = (units where the two values are equal) / n
    p_e   = sum_c (a_c / n) * (b_c / n)         (each coder's own marginals)
    kappa = (p_o - p_e) / (1 - p_e)

This is the plain, unweighted kappa: it is a nominal statistic whatever the level of
measurement, so on ordinal, interval or ratio data 2 vs 3 counts as much of a
disagreement as 1 vs 5 (use Krippendorff's alpha for a metric-aware coefficient).
Units one of the two coders did not rate are left out of that pair.

kappa is undefined (None, with a note) when the pair shares no unit, or when ``p_e = 1``:
both coders gave every shared unit one and the same value, so there is no variation to
agree about beyond chance. The arithmetic is exact (integers) up to one final division.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from app.core.errors import AnnotaryError
from app.core.stats.table import Ratings, RatingsTable, coder_label, ratings_from_table


@dataclass(frozen=True)
class CohenKappa:
    kappa: float | None
    n_units: int
    observed_agreement: float | None
    expected_agreement: float | None
    note: str | None = None

    def as_dict(self) -> dict[str, float | int | str | None]:
        return {
            "kappa": self.kappa,
            "n_units": self.n_units,
            "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement,
            "note": self.note,
        }


def cohen_kappa(values_a: Sequence[Hashable], values_b: Sequence[Hashable]) -> CohenKappa:
    """Kappa of two equally long sequences of values (position i = the same unit; no missing values)."""
    if len(values_a) != len(values_b):
        raise AnnotaryError(f"Cohen's kappa needs paired ratings: {len(values_a)} vs {len(values_b)} values")
    n = len(values_a)
    if n == 0:
        return CohenKappa(None, 0, None, None, "the two coders rated no unit in common")
    agree = sum(1 for a, b in zip(values_a, values_b) if a == b)
    count_a = Counter(values_a)
    count_b = Counter(values_b)
    chance = sum(k * count_b.get(c, 0) for c, k in count_a.items())  # n^2 * p_e
    p_o = Fraction(agree, n)
    p_e = Fraction(chance, n * n)
    if chance == n * n:
        (only,) = count_a.keys()
        return CohenKappa(
            None, n, float(p_o), float(p_e), f"no variation: both coders gave all {n} shared units the value {only!r}"
        )
    kappa = Fraction(agree * n - chance, n * n - chance)
    return CohenKappa(float(kappa), n, float(p_o), float(p_e))


def pair_key(coder_a: Hashable, coder_b: Hashable) -> str:
    """``"A|B"`` with the two coders in sorted order."""
    return f"{coder_label(coder_a)}|{coder_label(coder_b)}"


def pairwise_cohen_kappa(table: RatingsTable | Ratings) -> dict[str, CohenKappa]:
    """Cohen's kappa for every pair of coders with at least one rating, keyed ``"A|B"`` (A before B)."""
    ratings = ratings_from_table(table)
    by_coder: dict[Hashable, dict[int, Hashable]] = {c: {} for c in ratings.coders}
    for i, pairs in enumerate(ratings.rated):
        for coder, value in pairs:
            by_coder[coder][i] = value
    result: dict[str, CohenKappa] = {}
    for a, b in combinations(ratings.coders, 2):  # coders are sorted, so a < b
        ra, rb = by_coder[a], by_coder[b]
        shared = sorted(ra.keys() & rb.keys())
        result[pair_key(a, b)] = cohen_kappa([ra[i] for i in shared], [rb[i] for i in shared])
    return result
