"""Percent agreement: the share of agreeing pairs of ratings, averaged over units.

Definition used here (the "pairwise" percent agreement, Fleiss' P-bar when every unit has
the same number of ratings): for a unit with ``m >= 2`` ratings, of which ``n_c`` have
value ``c``, the unit's agreement is the share of agreeing pairs among its
``m * (m - 1) / 2`` pairs of ratings::

    P_u = sum_c n_c * (n_c - 1) / (m * (m - 1))

and percent agreement is the unweighted mean of ``P_u`` over the ``n_units`` units with at
least two ratings; units with fewer are left out (counted). Values agree when they are
equal, whatever the level of measurement (2 and 3 on a 5-point scale disagree). The result
is a share in [0, 1] (multiply by 100 for percent), computed exactly in rationals and then
rounded once to a float; None when no unit has two ratings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction

from app.core.stats.table import Ratings, RatingsTable, ratings_from_table


@dataclass(frozen=True)
class PercentAgreement:
    value: float | None
    n_units: int
    """Units with at least two ratings (the ones averaged)."""
    n_units_left_out: int
    """Units with no rating or one rating."""


def percent_agreement(table: RatingsTable | Ratings) -> PercentAgreement:
    ratings = ratings_from_table(table)
    # sum of P_u grouped by m: sum_u a_u / (m (m-1)) = sum_m (sum of a_u with that m) / (m (m-1))
    agreeing_by_m: dict[int, int] = defaultdict(int)
    used = 0
    for pairs in ratings.rated:
        m = len(pairs)
        if m < 2:
            continue
        used += 1
        counts = Counter(value for _, value in pairs)
        agreeing_by_m[m] += sum(n * (n - 1) for n in counts.values())
    if used == 0:
        return PercentAgreement(None, 0, ratings.n_units)
    total = sum((Fraction(a, m * (m - 1)) for m, a in agreeing_by_m.items()), Fraction(0))
    return PercentAgreement(float(total / used), used, ratings.n_units - used)
