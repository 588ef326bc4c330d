"""Cohen's kappa, Fleiss' kappa and percent agreement: textbook values, definitions, oracles."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import AnnotaryError
from app.core.stats.cohen import cohen_kappa, pairwise_cohen_kappa
from app.core.stats.csv_ratings import read_ratings_csv
from app.core.stats.fleiss import fleiss_kappa
from app.core.stats.percent import percent_agreement

DATA = Path(__file__).parent / "data" / "stats"

try:
    from sklearn.metrics import cohen_kappa_score
except ImportError:  # in the test extra; skipped only where it is not installed
    cohen_kappa_score = None
try:
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa
except ImportError:  # in the test extra; skipped only where it is not installed
    sm_fleiss_kappa = None


def from_contingency(cells: dict[tuple[str, str], int]) -> dict:
    """A two-coder table from a contingency table {(value of A, value of B): count}."""
    table, unit = {}, 0
    for (a, b), count in cells.items():
        for _ in range(count):
            table[unit] = {"A": a, "B": b}
            unit += 1
    return table


def from_counts(rows: list[list[int]], labels: list[str]) -> dict:
    """A table with the given number of ratings per category on each unit (raters r0, r1, ...)."""
    table = {}
    for unit, counts in enumerate(rows):
        values = [label for label, k in zip(labels, counts) for _ in range(k)]
        table[unit] = {f"r{i}": v for i, v in enumerate(values)}
    return table


# -- Cohen's kappa
def test_cohen_two_readers_fifty_proposals():
    # Standard worked example (e.g. Wikipedia "Cohen's kappa"): 50 grant proposals, two readers;
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o = 0.70, p_e = 0.50, kappa = 0.40.
    table = from_contingency({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    ((key, result),) = pairwise_cohen_kappa(table).items()
    assert key == "A|B"
    assert result.n_units == 50
    assert result.observed_agreement == 0.7
    assert result.expected_agreement == 0.5
    assert result.kappa == pytest.approx(0.4, abs=1e-15)


ARTSTEIN_POESIO = {  # Artstein & Poesio (2008), 100 utterances, coders A and B (NLTK's example file)
    ("stat", "stat"): 46,
    ("ireq", "stat"): 6,
    ("ireq", "ireq"): 32,
    ("ireq", "chck"): 6,
    ("chck", "chck"): 10,
}


def test_cohen_artstein_poesio_2008():
    # A_o = 0.88, A_e(kappa) = .52*.46 + .32*.44 + .16*.10 = 0.396, kappa = 0.8013 (survey's value)
    result = pairwise_cohen_kappa(from_contingency(ARTSTEIN_POESIO))["A|B"]
    assert result.observed_agreement == pytest.approx(0.88)
    assert result.expected_agreement == pytest.approx(0.396)
    assert round(result.kappa, 4) == 0.8013
    assert result.kappa == pytest.approx(float(Fraction(88 * 100 - 3960, 100 * 100 - 3960)), abs=1e-15)


def test_cohen_pairs_use_shared_units_and_sorted_keys():
    table = {
        1: {"zoe": "x", "amy": "x", "bob": None},
        2: {"zoe": "y", "amy": "y", "bob": "y"},
        3: {"zoe": "x", "amy": "y", "bob": "x"},
        4: {"zoe": None, "amy": "x", "bob": "x"},
    }
    result = pairwise_cohen_kappa(table)
    assert list(result) == ["amy|bob", "amy|zoe", "bob|zoe"]
    assert result["amy|zoe"].n_units == 3
    assert result["amy|bob"].n_units == 3
    assert result["bob|zoe"].n_units == 2


def test_cohen_undefined_cases():
    no_overlap = pairwise_cohen_kappa({1: {"a": 1}, 2: {"b": 1}})["a|b"]
    assert no_overlap.kappa is None and no_overlap.n_units == 0 and "no unit in common" in no_overlap.note
    constant = pairwise_cohen_kappa({u: {"a": "x", "b": "x"} for u in range(4)})["a|b"]
    assert constant.kappa is None and "no variation" in constant.note
    assert constant.observed_agreement == 1.0
    # one coder constant, the other not: p_e < 1, kappa defined (0 here)
    half = pairwise_cohen_kappa({1: {"a": "x", "b": "x"}, 2: {"a": "x", "b": "y"}})["a|b"]
    assert half.kappa == 0.0
    assert pairwise_cohen_kappa({1: {"a": 1}}) == {}
    assert pairwise_cohen_kappa({}) == {}
    with pytest.raises(AnnotaryError):
        cohen_kappa([1, 2], [1])


def cohen_by_definition(a: list, b: list) -> float | None:
    n = len(a)
    cats = set(a) | set(b)
    p_o = Fraction(sum(x == y for x, y in zip(a, b)), n)
    p_e = sum(Fraction(a.count(c), n) * Fraction(b.count(c), n) for c in cats)
    return None if p_e == 1 else float((p_o - p_e) / (1 - p_e))


pairs_of_ratings = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(pairs_of_ratings)
def test_cohen_matches_the_definition(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    expected = cohen_by_definition(a, b)
    got = cohen_kappa(a, b).kappa
    assert got == expected if expected is None else got == pytest.approx(expected, abs=1e-12)


@pytest.mark.skipif(cohen_kappa_score is None, reason="oracle scikit-learn is not installed")
@settings(max_examples=100, deadline=None)
@given(pairs_of_ratings)
def test_cohen_matches_scikit_learn(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    ours = cohen_kappa(a, b).kappa
    if ours is None:
        return  # scikit-learn returns nan (0/0) there
    assert ours == pytest.approx(float(cohen_kappa_score(a, b)), abs=1e-12)


# -- Fleiss' kappa
def test_fleiss_1971_psychiatric_diagnoses():
    table = read_ratings_csv(DATA / "fleiss_1971_wide.csv", "nominal")
    totals = Counter(v for row in table.values() for v in row.values())
    assert [totals[c] for c in ("depression", "personality disorder", "schizophrenia", "neurosis", "other")] == [
        26,
        26,
        30,
        55,
        43,
    ]
    result = fleiss_kappa(table)
    assert round(result.kappa, 3) == 0.430  # Fleiss (1971)
    assert result.kappa == pytest.approx(0.4302445, abs=5e-8)  # R irr::kappam.fleiss(diagnoses)
    assert result.n_units == 30 and result.ratings_per_unit == 6
    assert result.note is None


WIKIPEDIA_FLEISS = [  # Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_wikipedia_example():
    result = fleiss_kappa(from_counts(WIKIPEDIA_FLEISS, list("12345")))
    assert round(result.observed_agreement, 3) == 0.378  # P-bar
    assert round(result.expected_agreement, 3) == 0.213  # P-bar_e
    assert round(result.kappa, 3) == 0.210


def test_fleiss_undefined_cases():
    uneven = fleiss_kappa({1: {"a": 1, "b": 1, "c": 2}, 2: {"a": 1, "b": 2}})
    assert uneven.kappa is None and "different numbers of ratings" in uneven.note
    single = fleiss_kappa({1: {"a": 1}, 2: {"b": 2}})
    assert single.kappa is None and "only one rating" in single.note
    constant = fleiss_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 1}})
    assert constant.kappa is None and "no variation" in constant.note
    empty = fleiss_kappa({})
    assert empty.kappa is None and empty.note
    # a unit nobody rated is ignored, and the note says so
    with_blank = fleiss_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 2}, 3: {"a": None, "b": None}})
    assert with_blank.kappa is not None and "1 unit without ratings ignored" in with_blank.note


def fleiss_by_definition(rows: list[list]) -> float | None:
    n, m = len(rows), len(rows[0])
    cats = {v for row in rows for v in row}
    p_i = [Fraction(sum(row.count(c) ** 2 for c in cats) - m, m * (m - 1)) for row in rows]
    p_bar = sum(p_i) / n
    p_e = sum(Fraction(sum(row.count(c) for row in rows), n * m) ** 2 for c in cats)
    return None if p_e == 1 else float((p_bar - p_e) / (1 - p_e))


fixed_m_tables = st.integers(2, 6).flatmap(
    lambda m: st.lists(st.lists(st.integers(0, 3), min_size=m, max_size=m), min_size=1, max_size=25)
)


@settings(max_examples=150, deadline=None)
@given(fixed_m_tables)
def test_fleiss_matches_the_definition_and_percent_agreement_is_p_bar(rows):
    table = {u: {f"r{i}": v for i, v in enumerate(row)} for u, row in enumerate(rows)}
    result = fleiss_kappa(table)
    expected = fleiss_by_definition(rows)
    if expected is None:
        assert result.kappa is None
    else:
        assert result.kappa == pytest.approx(expected, abs=1e-12)
        assert percent_agreement(table).value == pytest.approx(result.observed_agreement, abs=1e-12)


@pytest.mark.skipif(sm_fleiss_kappa is None, reason="oracle statsmodels is not installed")
@settings(max_examples=100, deadline=None)
@given(fixed_m_tables)
def test_fleiss_matches_statsmodels(rows):
    table = {u: {f"r{i}": v for i, v in enumerate(row)} for u, row in enumerate(rows)}
    ours = fleiss_kappa(table).kappa
    if ours is None:
        return
    counts, _ = aggregate_raters(rows)
    assert ours == pytest.approx(float(sm_fleiss_kappa(counts)), abs=1e-12)


def test_fleiss_and_cohen_on_the_1971_data_agree_with_statsmodels_when_available():
    if sm_fleiss_kappa is None:
        pytest.skip("oracle statsmodels is not installed")
    table = read_ratings_csv(DATA / "fleiss_1971_wide.csv", "nominal")
    rows = [list(table[u].values()) for u in table]
    counts, _ = aggregate_raters(rows)
    assert fleiss_kappa(table).kappa == pytest.approx(float(sm_fleiss_kappa(counts)), abs=1e-12)


# -- percent agreement
def test_percent_agreement_definition():
    table = {
        1: {"a": "x", "b": "x", "c": "x"},  # 3 of 3 pairs agree
        2: {"a": "x", "b": "x", "c": "y"},  # 1 of 3
        3: {"a": "x", "b": "y"},  # 0 of 1
        4: {"a": "x", "b": None},  # one rating: left out
        5: {},  # no rating: left out
    }
    result = percent_agreement(table)
    assert result.value == pytest.approx((1 + 1 / 3 + 0) / 3, abs=1e-15)
    assert result.n_units == 3 and result.n_units_left_out == 2
    assert percent_agreement({1: {"a": 1}}).value is None
    assert percent_agreement({}).n_units == 0


def test_percent_agreement_counts_pairs_by_equality():
    # 1 and 1.0 are the same value; "1" is not
    result = percent_agreement({1: {"a": 1, "b": 1.0}, 2: {"a": 1, "b": "1"}})
    assert result.value == 0.5


def test_percent_agreement_on_two_coders_is_the_share_of_agreeing_units():
    table = from_contingency(ARTSTEIN_POESIO)
    assert percent_agreement(table).value == pytest.approx(0.88, abs=1e-15)


def test_pairwise_agreement_equals_the_mean_over_pairs_of_coders_when_complete():
    rows = [[1, 2, 2], [3, 3, 3], [1, 1, 2], [2, 3, 1]]
    table = {u: {f"r{i}": v for i, v in enumerate(row)} for u, row in enumerate(rows)}
    by_pair = [sum(row[i] == row[j] for row in rows) / len(rows) for i, j in combinations(range(3), 2)]
    assert percent_agreement(table).value == pytest.approx(sum(by_pair) / 3, abs=1e-15)
