"""One agreement report for a ratings table: every statistic, with what it left out and why.

``rating_report(table, level, order=None, seed=0, n_boot=1000)`` returns a JSON-ready dict:

=============================  ===============================================================
key                            meaning
=============================  ===============================================================
level                          the level of measurement alpha used
n_units                        units in the table (all of them)
n_coders                       coders with at least one rating
coders                         those coders (as strings, sorted)
n_pairable_values              ratings in units with two or more ratings (alpha's ``n``)
n_units_pairable               units with two or more ratings
units_left_out                 ``{"no_ratings": k, "one_rating": k}``: units no statistic
                               uses (a unit with one rating cannot be compared)
n_units_left_out               the sum of those
percent_agreement              mean share of agreeing pairs per unit (see ``percent``), 0..1
percent_agreement_n_units      units it averaged
cohen_kappa                    ``{"A|B": kappa or None}`` for every pair of coders, A < B
cohen_kappa_detail             ``{"A|B": {kappa, n_units, observed_agreement,
                               expected_agreement, note}}``
cohen_kappa_note               Cohen's kappa is unweighted (nominal) whatever the level
fleiss_kappa                   Fleiss' kappa, None when not defined
fleiss_kappa_note              why it is None (or which units were ignored)
krippendorff_alpha             alpha at ``level``, None when undefined
krippendorff_alpha_note        why it is None
observed_disagreement          alpha's D_o
expected_disagreement          alpha's D_e
krippendorff_alpha_ci95        ``[low, high]`` bootstrap percentile interval, or None
krippendorff_alpha_ci95_note   why it is None, or how many resamples were dropped
bootstrap                      ``{method, n_boot, seed, n_undefined}``
=============================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from app.core.stats.bootstrap import bootstrap_alpha_interval
from app.core.stats.cohen import pairwise_cohen_kappa
from app.core.stats.fleiss import fleiss_kappa
from app.core.stats.krippendorff import PairableData
from app.core.stats.percent import percent_agreement
from app.core.stats.table import (
    Ratings,
    RatingsTable,
    check_level,
    coder_label,
    ratings_from_table,
)

COHEN_NOTE = (
    "Cohen's kappa is the plain (unweighted) kappa: values agree only when equal, whatever the level of measurement"
)


def rating_report(
    table: RatingsTable | Ratings,
    level: str = "nominal",
    order: Sequence[Hashable] | None = None,
    seed: int = 0,
    n_boot: int = 1000,
) -> dict[str, Any]:
    """Every agreement statistic of ``table`` (see the module docstring for the keys).

    Raises AnnotaryError when a value does not fit the level (a label at interval level,
    a value missing from ``order``...), so no statistic is reported on data it misreads.
    """
    check_level(level)
    ratings = ratings_from_table(table)  # normalised once, shared by every statistic
    alpha_data = PairableData(ratings, level, order)  # validates every value first
    sizes = ratings.counts_by_size()
    percent = percent_agreement(ratings)
    cohen = pairwise_cohen_kappa(ratings)
    fleiss = fleiss_kappa(ratings)
    alpha = alpha_data.result()
    interval = bootstrap_alpha_interval(ratings, level, order, seed=seed, n_boot=n_boot, data=alpha_data)
    return {
        "level": level,
        "n_units": ratings.n_units,
        "n_coders": len(ratings.coders),
        "coders": [coder_label(c) for c in ratings.coders],
        "n_pairable_values": alpha.n_pairable_values,
        "n_units_pairable": sizes["pairable"],
        "units_left_out": {"no_ratings": sizes["no_ratings"], "one_rating": sizes["one_rating"]},
        "n_units_left_out": sizes["no_ratings"] + sizes["one_rating"],
        "percent_agreement": percent.value,
        "percent_agreement_n_units": percent.n_units,
        "cohen_kappa": {key: k.kappa for key, k in cohen.items()},
        "cohen_kappa_detail": {key: k.as_dict() for key, k in cohen.items()},
        "cohen_kappa_note": COHEN_NOTE,
        "fleiss_kappa": fleiss.kappa,
        "fleiss_kappa_note": fleiss.note,
        "krippendorff_alpha": alpha.alpha,
        "krippendorff_alpha_note": alpha.note,
        "observed_disagreement": alpha.observed_disagreement,
        "expected_disagreement": alpha.expected_disagreement,
        "krippendorff_alpha_ci95": interval.interval,
        "krippendorff_alpha_ci95_note": interval.note,
        "bootstrap": {
            "method": interval.method,
            "n_boot": interval.n_boot,
            "seed": interval.seed,
            "n_undefined": interval.n_undefined,
        },
    }
