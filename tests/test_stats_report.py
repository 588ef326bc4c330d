"""rating_report and the bootstrap interval for alpha."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.errors import AnnotaryError
from app.core.stats import rating_report
from app.core.stats.bootstrap import bootstrap_alpha_interval
from app.core.stats.csv_ratings import read_ratings_csv
from app.core.stats.fleiss import fleiss_kappa
from app.core.stats.krippendorff import krippendorff_alpha

DATA = Path(__file__).parent / "data" / "stats"

REPORT_KEYS = {
    "level",
    "n_units",
    "n_coders",
    "coders",
    "n_pairable_values",
    "n_units_pairable",
    "units_left_out",
    "n_units_left_out",
    "percent_agreement",
    "percent_agreement_n_units",
    "cohen_kappa",
    "cohen_kappa_detail",
    "cohen_kappa_note",
    "fleiss_kappa",
    "fleiss_kappa_note",
    "krippendorff_alpha",
    "krippendorff_alpha_note",
    "observed_disagreement",
    "expected_disagreement",
    "krippendorff_alpha_ci95",
    "krippendorff_alpha_ci95_note",
    "bootstrap",
}


def k2011(level: str) -> dict:
    return read_ratings_csv(DATA / "krippendorff_2011_wide.csv", level)


def noisy_table(n_units: int, seed: int, coders: str = "abc", p_same: float = 0.75) -> dict:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, n_units)
    return {
        u: {c: int(truth[u]) if rng.random() < p_same else int(rng.integers(1, 6)) for c in coders}
        for u in range(n_units)
    }


@pytest.mark.parametrize(
    ("level", "alpha"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_report_on_the_krippendorff_2011_example(level, alpha):
    report = rating_report(k2011(level), level, n_boot=300)
    assert set(report) == REPORT_KEYS
    json.dumps(report)  # JSON-ready
    assert report["level"] == level
    assert report["n_units"] == 12 and report["n_coders"] == 4 and report["coders"] == ["A", "B", "C", "D"]
    assert report["n_pairable_values"] == 40 and report["n_units_pairable"] == 11
    assert report["units_left_out"] == {"no_ratings": 0, "one_rating": 1} and report["n_units_left_out"] == 1
    assert round(report["krippendorff_alpha"], 3) == alpha
    assert report["krippendorff_alpha_note"] is None
    low, high = report["krippendorff_alpha_ci95"]
    assert low <= report["krippendorff_alpha"] <= high <= 1.0
    # units carry different numbers of ratings: Fleiss' kappa is not defined
    assert report["fleiss_kappa"] is None and "different numbers of ratings" in report["fleiss_kappa_note"]
    assert list(report["cohen_kappa"]) == ["A|B", "A|C", "A|D", "B|C", "B|D", "C|D"]
    assert report["cohen_kappa_detail"]["A|B"]["n_units"] == 9  # units both A and B rated
    assert report["percent_agreement_n_units"] == 11
    assert report["bootstrap"]["n_boot"] == 300 and report["bootstrap"]["seed"] == 0


def test_report_with_fleiss_defined():
    table = read_ratings_csv(DATA / "fleiss_1971_wide.csv", "nominal")
    report = rating_report(table, "nominal", n_boot=200)
    assert round(report["fleiss_kappa"], 3) == 0.430 and report["fleiss_kappa_note"] is None
    # with complete data and equal m, nominal alpha and Fleiss' kappa differ only by the small-sample term
    assert report["krippendorff_alpha"] == pytest.approx(report["fleiss_kappa"], abs=0.01)
    # with the same number of ratings on every unit, percent agreement is Fleiss' P-bar
    assert report["percent_agreement"] == pytest.approx(fleiss_kappa(table).observed_agreement, abs=1e-15)


def test_report_edge_cases():
    empty = rating_report({}, "nominal", n_boot=50)
    assert empty["n_units"] == 0 and empty["n_coders"] == 0
    assert empty["percent_agreement"] is None and empty["cohen_kappa"] == {}
    assert empty["fleiss_kappa"] is None and empty["krippendorff_alpha"] is None
    assert empty["krippendorff_alpha_ci95"] is None and empty["krippendorff_alpha_ci95_note"]
    json.dumps(empty)

    single = rating_report({1: {"ann": 1}, 2: {"ann": 2}, 3: {"ann": None}}, "interval", n_boot=50)
    assert single["n_coders"] == 1 and single["cohen_kappa"] == {}
    assert single["units_left_out"] == {"no_ratings": 1, "one_rating": 2}
    assert single["krippendorff_alpha"] is None and "two or more ratings" in single["krippendorff_alpha_note"]

    same = rating_report({u: {"a": "yes", "b": "yes"} for u in range(6)}, "nominal", n_boot=50)
    assert same["percent_agreement"] == 1.0
    assert same["krippendorff_alpha"] is None and "no variation" in same["krippendorff_alpha_note"]
    assert same["cohen_kappa"] == {"a|b": None} and "no variation" in same["cohen_kappa_detail"]["a|b"]["note"]
    assert same["fleiss_kappa"] is None and "no variation" in same["fleiss_kappa_note"]
    assert same["krippendorff_alpha_ci95"] is None


def test_report_refuses_values_that_do_not_fit_the_level():
    with pytest.raises(AnnotaryError, match="not a number"):
        rating_report({1: {"a": "high", "b": 2}}, "interval")
    with pytest.raises(AnnotaryError, match="unknown level"):
        rating_report({1: {"a": 1, "b": 2}}, "metric")


def test_report_ordinal_labels_with_order():
    order = ["never", "sometimes", "often"]
    table = {
        1: {"a": "never", "b": "never"},
        2: {"a": "often", "b": "sometimes"},
        3: {"a": "often", "b": "often"},
        4: {"a": "sometimes", "b": "sometimes"},
    }
    report = rating_report(table, "ordinal", order=order, n_boot=100)
    assert 0 < report["krippendorff_alpha"] < 1
    assert report["cohen_kappa"]["a|b"] == pytest.approx(
        (0.75 - (0.25 * 0.25 + 0.25 * 0.5 + 0.5 * 0.25)) / (1 - 0.3125)
    )


# -- the bootstrap
def test_bootstrap_is_reproducible_and_seed_dependent():
    table = noisy_table(300, seed=1)
    first = bootstrap_alpha_interval(table, "nominal", seed=42, n_boot=500)
    again = bootstrap_alpha_interval(table, "nominal", seed=42, n_boot=500)
    other = bootstrap_alpha_interval(table, "nominal", seed=43, n_boot=500)
    assert first.interval == again.interval
    assert other.interval != first.interval
    # insertion order of units and coders does not change the draw
    shuffled = {u: dict(reversed(list(table[u].items()))) for u in reversed(list(table))}
    assert bootstrap_alpha_interval(shuffled, "nominal", seed=42, n_boot=500).interval == first.interval
    assert first.n_boot == 500 and first.seed == 42 and first.confidence == 0.95


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_bootstrap_interval_brackets_alpha_and_shrinks_with_more_units(level):
    small = noisy_table(60, seed=2)
    large = noisy_table(2400, seed=2)
    alpha_small = krippendorff_alpha(small, level).alpha
    ci_small = bootstrap_alpha_interval(small, level, n_boot=400).interval
    ci_large = bootstrap_alpha_interval(large, level, n_boot=400).interval
    assert ci_small[0] < alpha_small < ci_small[1]
    assert ci_large[1] - ci_large[0] < (ci_small[1] - ci_small[0]) / 3  # ~ 1/sqrt(40) of the width


def test_bootstrap_matches_a_naive_unit_resampling_in_distribution():
    # the pattern-count draw must behave like resampling units: compare mean and spread with a
    # slow, obvious implementation (different random streams, so statistically, with slack)
    table = noisy_table(150, seed=5, p_same=0.6)
    units = list(table)
    rng = np.random.default_rng(99)
    naive = []
    for _ in range(300):
        picks = rng.integers(0, len(units), len(units))
        sample = {i: table[units[p]] for i, p in enumerate(picks)}
        naive.append(krippendorff_alpha(sample, "nominal").alpha)
    naive_ci = np.quantile(naive, [0.025, 0.975])
    ours = bootstrap_alpha_interval(table, "nominal", seed=3, n_boot=300).interval
    width = naive_ci[1] - naive_ci[0]
    assert abs(ours[0] - naive_ci[0]) < width / 3
    assert abs(ours[1] - naive_ci[1]) < width / 3


def test_bootstrap_parameters_and_undefined_cases():
    with pytest.raises(AnnotaryError):
        bootstrap_alpha_interval({}, n_boot=0)
    with pytest.raises(AnnotaryError):
        bootstrap_alpha_interval({}, seed=-1)
    with pytest.raises(AnnotaryError):
        bootstrap_alpha_interval({}, confidence=1.5)
    one_unit = bootstrap_alpha_interval({1: {"a": 1, "b": 2}}, "nominal", n_boot=10)
    assert one_unit.interval is None and "one pairable unit" in one_unit.note
    # most resamples of two units, one of them constant, still vary; with one varying unit of
    # nine, many resamples have no variation: they are dropped and counted
    mostly_same = {u: {"a": 1, "b": 1} for u in range(9)}
    mostly_same[9] = {"a": 1, "b": 2}
    result = bootstrap_alpha_interval(mostly_same, "nominal", n_boot=400)
    assert result.n_undefined > 0
    if result.interval is not None:
        assert "dropped" in result.note
    else:
        assert "no variation" in result.note


def test_report_on_twenty_thousand_units():
    # (its speed is measured by bench/bench_agreement.py, not asserted here)
    table = noisy_table(20_000, seed=8)
    report = rating_report(table, "nominal")
    assert report["n_pairable_values"] == 60_000 and report["fleiss_kappa"] is not None
    low, high = report["krippendorff_alpha_ci95"]
    assert low < report["krippendorff_alpha"] < high and high - low < 0.05
