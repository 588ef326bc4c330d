"""A seeded bootstrap percentile interval for Krippendorff's alpha.

Method (nonparametric unit, or cluster, bootstrap):

1. Take the ``U`` pairable units (units with two or more ratings; the others do not
   enter alpha). Units are the sampled objects and a unit's ratings depend on each other,
   so whole units are resampled, never single ratings.
2. ``n_boot`` times (default 1000): draw ``U`` units with replacement, uniformly, and
   compute alpha of the resample at the same level. For ordinal data the rank metric is
   recomputed from each resample's own marginals, as alpha would be on that data.
   (Units with the same values are interchangeable, so the draw is made as a multinomial
   count of each distinct unit pattern -- the same distribution, much faster.)
3. A resample in which every pairable value is equal has no defined alpha; such
   replicates are dropped and counted (``n_undefined``).
4. The interval is the 2.5th and 97.5th percentiles of the defined replicate alphas
   (percentile method; numpy's default linear interpolation between order statistics,
   type 7 of Hyndman & Fan). No bias correction.

Reproducible: the same table, level, order, ``seed`` and ``n_boot`` give the same interval
(numpy's PCG64 generator, ``numpy.random.default_rng(seed)``; unit order does not depend
on the mapping's insertion order, units and coders are sorted first). None, with a note,
when alpha itself is undefined, when fewer than two units are pairable, or when fewer than
half of the replicates have a defined alpha.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from app.core.errors import AnnotaryError
from app.core.stats.krippendorff import PairableData
from app.core.stats.table import Ratings, RatingsTable

METHOD = (
    "nonparametric bootstrap over units (pairable units resampled with replacement), "
    "percentile interval; replicates without variation dropped"
)

_BATCH_ELEMENTS = 500_000
"""Replicates are computed in batches whose per-value arrays hold about this many elements
(small enough to stay in cache, large enough to amortise the Python overhead)."""

_RATIO_BOOT_BUDGET = 4e9
"""Ratio-level replicates cost V^2 each (V distinct values); above this many V^2 * n_boot
operations the interval is not computed (and the note says so)."""


@dataclass(frozen=True)
class AlphaInterval:
    low: float | None
    high: float | None
    note: str | None
    confidence: float
    n_boot: int
    n_undefined: int
    seed: int
    method: str = METHOD

    @property
    def interval(self) -> list[float] | None:
        return None if self.low is None or self.high is None else [self.low, self.high]


def bootstrap_alpha_interval(
    table: RatingsTable | Ratings,
    level: str = "nominal",
    order: Sequence[Hashable] | None = None,
    *,
    seed: int = 0,
    n_boot: int = 1000,
    confidence: float = 0.95,
    data: PairableData | None = None,
) -> AlphaInterval:
    """Percentile bootstrap interval for alpha (see the module docstring).

    ``data`` may pass an already prepared ``PairableData`` of the same table and level.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise AnnotaryError(f"the number of bootstrap replicates must be a positive integer, not {n_boot!r}")
    if not 0 < confidence < 1:
        raise AnnotaryError(f"confidence must be between 0 and 1, not {confidence!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnnotaryError(f"the bootstrap seed must be a non-negative integer, not {seed!r}")
    if data is None:
        data = PairableData(table, level, order)

    def none(note: str, undefined: int = 0) -> AlphaInterval:
        return AlphaInterval(None, None, note, confidence, int(n_boot), undefined, int(seed))

    reason = data.undefined_reason()
    if reason is not None:
        return none(reason.replace("not defined", "no interval"))
    units = data.n_units_pairable
    if units < 2:
        return none("no interval: only one pairable unit")
    if data.level == "ratio" and float(data.n_values) ** 2 * n_boot > _RATIO_BOOT_BUDGET:
        return none(
            f"no interval: {data.n_values} distinct ratio values are too many for a ratio-level "
            f"bootstrap of {n_boot} replicates"
        )
    rng = np.random.default_rng(int(seed))
    patterns = data.n_patterns
    # Few distinct patterns: draw the count of each pattern (multinomial); many (continuous
    # values): draw the units themselves. Both are the same resampling distribution.
    by_pattern = patterns * 10 <= units
    unit_pattern = np.repeat(np.arange(patterns), data.freq.astype(np.intp))
    shares = data.freq / units
    width = max(len(data.entry_cat), data.n_values, units if not by_pattern else patterns, 1)
    batch = max(1, min(int(n_boot), _BATCH_ELEMENTS // width))
    alphas = []
    done = 0
    while done < n_boot:
        b = min(batch, n_boot - done)
        if by_pattern:
            weights = rng.multinomial(units, shares, size=b)
        else:
            drawn = unit_pattern[rng.integers(0, units, size=(b, units))]
            drawn += patterns * np.arange(b)[:, None]
            weights = np.bincount(drawn.ravel(), minlength=patterns * b).reshape(b, patterns)
        alphas.append(data.evaluate(weights)[0])
        done += b
    values = np.concatenate(alphas)
    defined = values[~np.isnan(values)]
    undefined = int(n_boot - len(defined))
    if len(defined) * 2 < n_boot:
        return none(f"no interval: {undefined} of {n_boot} resamples had no variation", undefined)
    tail = (1 - confidence) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    note = f"{undefined} of {n_boot} resamples had no variation and were dropped" if undefined else None
    return AlphaInterval(float(low), float(high), note, confidence, int(n_boot), undefined, int(seed))
