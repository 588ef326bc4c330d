"""Inter-rater agreement: exact statistics for ratings tables and for coders' mention spans.

One concept per module:

* `table`         -- the ratings table (``unit -> {coder: value or None}``), levels, checks
* `percent`       -- percent agreement (mean share of agreeing pairs per unit)
* `cohen`         -- Cohen's kappa for every pair of coders
* `fleiss`        -- Fleiss' kappa (same number of ratings on every unit)
* `krippendorff`  -- Krippendorff's alpha, nominal / ordinal / interval / ratio, missing data
* `bootstrap`     -- seeded bootstrap percentile interval for alpha
* `ratings`       -- `rating_report`: all of the above in one JSON-ready dict
* `csv_ratings`   -- ratings CSV (wide or long) -> ratings table
* `matching`      -- maximum bipartite matching (Hopcroft–Karp)
* `spans`         -- exact and overlap span agreement between two coders

Pure Python and numpy; no database, no Qt.
"""

from app.core.stats.bootstrap import AlphaInterval, bootstrap_alpha_interval
from app.core.stats.cohen import CohenKappa, cohen_kappa, pairwise_cohen_kappa
from app.core.stats.csv_ratings import (
    RatingsFileError,
    parse_ratings_csv,
    read_ratings_csv,
)
from app.core.stats.fleiss import FleissKappa, fleiss_kappa
from app.core.stats.krippendorff import (
    AlphaResult,
    coincidence_matrix,
    krippendorff_alpha,
)
from app.core.stats.percent import PercentAgreement, percent_agreement
from app.core.stats.ratings import rating_report
from app.core.stats.spans import MatchScores, SpanAgreement, span_agreement
from app.core.stats.table import LEVELS

__all__ = [
    "LEVELS",
    "AlphaInterval",
    "AlphaResult",
    "CohenKappa",
    "FleissKappa",
    "MatchScores",
    "PercentAgreement",
    "RatingsFileError",
    "SpanAgreement",
    "bootstrap_alpha_interval",
    "cohen_kappa",
    "coincidence_matrix",
    "fleiss_kappa",
    "krippendorff_alpha",
    "pairwise_cohen_kappa",
    "parse_ratings_csv",
    "percent_agreement",
    "rating_report",
    "read_ratings_csv",
    "span_agreement",
]
