"""Fleiss' kappa (1971): chance-corrected agreement of a fixed number of ratings per unit.

For ``N`` units each rated ``m >= 2`` times (the raters may differ from unit to unit),
with ``n_ij`` the number of ratings of unit ``i`` in category ``j``::

    P_i   = (sum_j n_ij^2 - m) / (m (m - 1))       agreeing pairs within unit i
    P_bar = mean_i P_i
    p_j   = sum_i n_ij / (N m)                     pooled category shares
    P_e   = sum_j p_j^2
    kappa = (P_bar - P_e) / (1 - P_e)

Fleiss' kappa is nominal (values agree only when equal) whatever the level of measurement.
It is defined only when every unit that has ratings has the same number ``m >= 2`` of
them; units nobody rated are ignored (and counted in the note). Otherwise -- and when
``P_e = 1`` because every rating has the same value -- kappa is None and ``note`` says why
(Krippendorff's alpha handles a varying number of ratings). Exact rational arithmetic up
to one final division.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from fractions import Fraction

from app.core.stats.table import Ratings, RatingsTable, ratings_from_table


@dataclass(frozen=True)
class FleissKappa:
    kappa: float | None
    note: str | None
    n_units: int
    """Units that entered the computation (0 when kappa is not defined)."""
    ratings_per_unit: int | None
    observed_agreement: float | None = None
    """P_bar."""
    expected_agreement: float | None = None
    """P_e."""


def fleiss_kappa(table: RatingsTable | Ratings) -> FleissKappa:
    ratings = ratings_from_table(table)
    rows = [pairs for pairs in ratings.rated if pairs]
    empty = ratings.n_units - len(rows)
    ignored = f" ({empty} unit{'s' if empty != 1 else ''} without ratings ignored)" if empty else ""
    if not rows:
        return FleissKappa(None, "no unit has ratings", 0, None)
    sizes = Counter(len(pairs) for pairs in rows)
    if len(sizes) > 1:
        shown = ", ".join(f"{k} unit{'s' if k != 1 else ''} with {m}" for m, k in sorted(sizes.items()))
        return FleissKappa(
            None,
            f"not defined: units have different numbers of ratings ({shown}); "
            f"Fleiss' kappa needs the same number on every unit{ignored}",
            0,
            None,
        )
    (m,) = sizes
    if m < 2:
        return FleissKappa(None, f"not defined: every unit has only one rating{ignored}", 0, None)
    n = len(rows)
    total = n * m
    within = 0  # sum_ij n_ij^2
    pooled: Counter[Hashable] = Counter()
    for pairs in rows:
        counts = Counter(value for _, value in pairs)
        within += sum(k * k for k in counts.values())
        pooled.update(counts)
    p_bar = Fraction(within - total, total * (m - 1))
    p_e = Fraction(sum(k * k for k in pooled.values()), total * total)
    if p_e == 1:
        (only,) = pooled.keys()
        return FleissKappa(
            None, f"not defined: no variation, every rating is {only!r}{ignored}", 0, m, float(p_bar), 1.0
        )
    kappa = (p_bar - p_e) / (1 - p_e)
    return FleissKappa(float(kappa), ignored.strip(" ()") or None, n, m, float(p_bar), float(p_e))
