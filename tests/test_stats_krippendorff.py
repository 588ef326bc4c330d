"""Krippendorff's alpha: textbook values, oracle comparisons, edge cases and speed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import AnnotaryError
from app.core.stats.csv_ratings import read_ratings_csv
from app.core.stats.krippendorff import PairableData, coincidence_matrix, krippendorff_alpha

DATA = Path(__file__).parent / "data" / "stats"


def k2011(level: str = "interval") -> dict:
    return read_ratings_csv(DATA / "krippendorff_2011_wide.csv", level)


# -- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units,
#    missing values. Published: nominal .743, ordinal .815, interval .849, ratio .797.
@pytest.mark.parametrize(
    ("level", "published", "exact"),
    [
        ("nominal", 0.743, 1 - 39 * 8 / (40 * 40 - (81 + 169 + 100 + 25 + 9))),  # off-diagonal o sums to 8
        ("ordinal", 0.815, None),
        ("interval", 0.849, None),
        ("ratio", 0.797, None),
    ],
)
def test_krippendorff_2011_example(level, published, exact):
    result = krippendorff_alpha(k2011(level), level)
    assert round(result.alpha, 3) == published
    if exact is not None:
        assert result.alpha == pytest.approx(exact, abs=1e-12)
    assert result.n_pairable_values == 40
    assert result.n_units_pairable == 11
    assert result.n_units_one_rating == 1  # unit 12: a single value, not pairable
    assert result.n_units_no_ratings == 0
    assert result.categories == (1, 2, 3, 4, 5)


def test_krippendorff_2011_coincidence_matrix():
    # The paper's coincidence matrix: o_11 = 7, o_12 = 4/3, ...; marginals 9, 13, 10, 5, 3; n = 40.
    values, o = coincidence_matrix(k2011(), "nominal")
    assert values == (1, 2, 3, 4, 5)
    third = 1 / 3
    expected = np.array(
        [
            [7, 4 * third, third, third, 0],
            [4 * third, 10, 4 * third, third, 0],
            [third, 4 * third, 8, third, 0],
            [third, third, third, 4, 0],
            [0, 0, 0, 0, 3],
        ]
    )
    np.testing.assert_allclose(o, expected, atol=1e-12)
    np.testing.assert_allclose(o.sum(axis=0), [9, 13, 10, 5, 3], atol=1e-12)


def test_nominal_observed_and_expected_disagreement_of_the_2011_example():
    result = krippendorff_alpha(k2011(), "nominal")
    # D_o = (off-diagonal coincidences) / n = 8 / 40; D_e = (40^2 - sum n_c^2) / (40 * 39)
    assert result.observed_disagreement == pytest.approx(8 / 40, abs=1e-12)
    assert result.expected_disagreement == pytest.approx((1600 - 384) / (40 * 39), abs=1e-12)


# -- Wikipedia "Krippendorff's alpha", computational example (3 coders, 15 units, missing data):
#    nominal 0.691, interval 0.811.
WIKI = {
    "A": [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    "B": [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    "C": [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
}


def wiki_table() -> dict:
    return {u + 1: {c: WIKI[c][u] for c in WIKI} for u in range(15)}


def test_wikipedia_example():
    nominal = krippendorff_alpha(wiki_table(), "nominal")
    assert round(nominal.alpha, 3) == 0.691
    assert nominal.n_units_no_ratings == 2 and nominal.n_units_one_rating == 1  # units 2, 14; unit 1
    assert nominal.n_pairable_values == 26
    assert round(krippendorff_alpha(wiki_table(), "interval").alpha, 3) == 0.811


def test_ordinal_uses_the_given_label_order():
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    numbers = k2011("ordinal")
    table = {u: {c: (None if v is None else labels[v]) for c, v in row.items()} for u, row in numbers.items()}
    order = ["very low", "low", "mid", "high", "very high"]
    assert krippendorff_alpha(table, "ordinal", order).alpha == pytest.approx(
        krippendorff_alpha(numbers, "ordinal").alpha, abs=1e-12
    )
    # a different order is a different statistic: the metric follows the order, not the labels
    shuffled = ["mid", "very low", "very high", "low", "high"]
    assert krippendorff_alpha(table, "ordinal", shuffled).alpha != pytest.approx(0.815, abs=1e-3)
    # unused categories in the order change nothing (their marginal is 0)
    wider = ["lowest", *order, "highest"]
    assert krippendorff_alpha(table, "ordinal", wider).alpha == pytest.approx(0.8153875, abs=1e-6)


def test_ordinal_depends_on_ranks_only():
    numbers = k2011("ordinal")
    squashed = {u: {c: (None if v is None else v**3 + 100) for c, v in row.items()} for u, row in numbers.items()}
    assert krippendorff_alpha(squashed, "ordinal").alpha == pytest.approx(
        krippendorff_alpha(numbers, "ordinal").alpha, abs=1e-12
    )


def test_interval_is_invariant_under_affine_maps_and_ratio_under_scaling():
    base = k2011()
    affine = {u: {c: (None if v is None else 3.5 * v - 7) for c, v in r.items()} for u, r in base.items()}
    scaled = {u: {c: (None if v is None else 1000 * v) for c, v in r.items()} for u, r in base.items()}
    assert krippendorff_alpha(affine, "interval").alpha == pytest.approx(0.8491071428571428, abs=1e-12)
    assert krippendorff_alpha(scaled, "ratio").alpha == pytest.approx(0.7974027747116121, abs=1e-12)


def test_ratio_with_zeros():
    assert krippendorff_alpha({1: {"a": 0, "b": 0}, 2: {"a": 1, "b": 1}, 3: {"a": 2, "b": 2}}, "ratio").alpha == 1.0
    # zero against anything positive is a full disagreement
    result = krippendorff_alpha({1: {"a": 0, "b": 5}, 2: {"a": 5, "b": 5}, 3: {"a": 0, "b": 0}}, "ratio")
    assert result.alpha is not None and result.alpha < 1


# -- edge cases
def test_no_variation_is_undefined_not_one():
    table = {u: {"a": 3, "b": 3, "c": None} for u in range(5)}
    for level in ("nominal", "ordinal", "interval", "ratio"):
        result = krippendorff_alpha(table, level)
        assert result.alpha is None
        assert "no variation" in result.note


def test_single_coder_and_empty_table():
    single = krippendorff_alpha({1: {"a": 1}, 2: {"a": 2}, 3: {"a": 2}}, "nominal")
    assert single.alpha is None and "two or more ratings" in single.note
    assert single.n_units_one_rating == 3 and single.n_pairable_values == 0
    empty = krippendorff_alpha({}, "interval")
    assert empty.alpha is None and empty.n_units_pairable == 0
    blank = krippendorff_alpha({1: {"a": None, "b": float("nan")}, 2: {}}, "nominal")
    assert blank.alpha is None and blank.n_units_no_ratings == 2


def test_perfect_agreement_is_exactly_one():
    table = {u: {"a": u % 4, "b": u % 4, "c": u % 4} for u in range(40)}
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(table, level).alpha == 1.0


def test_values_must_fit_the_level():
    with pytest.raises(AnnotaryError, match="not a number"):
        krippendorff_alpha({1: {"a": "x", "b": 1}}, "interval")
    with pytest.raises(AnnotaryError, match="give the order"):
        krippendorff_alpha({1: {"a": "low", "b": "high"}}, "ordinal")
    with pytest.raises(AnnotaryError, match="not in the given order"):
        krippendorff_alpha({1: {"a": "low", "b": "mid"}}, "ordinal", ["low", "high"])
    with pytest.raises(AnnotaryError, match="negative"):
        krippendorff_alpha({1: {"a": -1, "b": 1}}, "ratio")
    with pytest.raises(AnnotaryError, match="unknown level"):
        krippendorff_alpha({1: {"a": 1, "b": 1}}, "circular")
    with pytest.raises(AnnotaryError, match="order"):
        krippendorff_alpha({1: {"a": 1, "b": 1}}, "interval", [1, 2])
    with pytest.raises(AnnotaryError, match="twice"):
        krippendorff_alpha({1: {"a": "x", "b": "y"}}, "ordinal", ["x", "y", "x"])
    with pytest.raises(AnnotaryError, match="not a number"):
        krippendorff_alpha({1: {"a": True, "b": 1}}, "interval")


def test_insertion_order_does_not_matter():
    table = k2011("nominal")
    reordered = {u: dict(reversed(list(table[u].items()))) for u in reversed(list(table))}
    assert krippendorff_alpha(reordered, "nominal") == krippendorff_alpha(table, "nominal")


# -- reweighting (what the bootstrap relies on) equals alpha of the table with units repeated
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_pattern_weights_equal_repeated_units(level):
    rng = np.random.default_rng(7)
    table = {u: {c: int(rng.integers(1, 6)) if rng.random() < 0.8 else None for c in "abcd"} for u in range(40)}
    data = PairableData(table, level)
    counts = rng.integers(0, 4, size=data.n_patterns)
    counts[0] += 1
    # rebuild a table holding each pattern `count` times
    repeated, key = {}, 0
    for p, count in enumerate(counts):
        cats = data.entry_cat[data.entry_pattern == p]
        for _ in range(count):
            repeated[key] = {f"c{i}": data.categories[c] for i, c in enumerate(cats)}
            key += 1
    expected = krippendorff_alpha(repeated, level)
    alpha, d_o, d_e = data.evaluate(counts)
    if expected.alpha is None:
        assert math.isnan(alpha[0])
    else:
        assert alpha[0] == pytest.approx(expected.alpha, abs=1e-12)
        assert d_o[0] == pytest.approx(expected.observed_disagreement, abs=1e-12)
        assert d_e[0] == pytest.approx(expected.expected_disagreement, abs=1e-12)


# -- the `krippendorff` package as an oracle on random tables
try:
    import krippendorff as krippendorff_pkg
except ImportError:  # pragma: no cover - the test extra installs it
    krippendorff_pkg = None
needs_oracle = pytest.mark.skipif(krippendorff_pkg is None, reason="oracle package 'krippendorff' is not installed")


def oracle_alpha(table: dict, coders: list, level: str) -> float:
    units = sorted(table)
    data = np.array(
        [[np.nan if table[u].get(c) is None else float(table[u][c]) for u in units] for c in coders], dtype=float
    )
    return float(krippendorff_pkg.alpha(reliability_data=data, level_of_measurement=level))


ratings_tables = st.integers(2, 5).flatmap(
    lambda n_coders: st.dictionaries(
        st.integers(0, 60),
        st.fixed_dictionaries({f"c{i}": st.one_of(st.none(), st.integers(0, 6)) for i in range(n_coders)}),
        min_size=2,
        max_size=30,
    ).map(lambda t: (t, [f"c{i}" for i in range(n_coders)]))
)


@needs_oracle
@settings(max_examples=60, deadline=None)
@given(ratings_tables, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_matches_krippendorff_package(table_and_coders, level):
    table, coders = table_and_coders
    ours = krippendorff_alpha(table, level)
    if ours.alpha is None:
        return  # the package raises or returns nan there; our None + note is tested above
    assert ours.alpha == pytest.approx(oracle_alpha(table, coders, level), abs=1e-9)


@needs_oracle
@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e3, 1e3, allow_nan=False),
            st.floats(-1e3, 1e3, allow_nan=False),
            st.one_of(st.none(), st.floats(-1e3, 1e3, allow_nan=False)),
        ),
        min_size=3,
        max_size=25,
    )
)
def test_interval_with_real_values_matches_package(rows):
    table = {i: {"a": a, "b": b, "c": c} for i, (a, b, c) in enumerate(rows)}
    ours = krippendorff_alpha(table, "interval")
    if ours.alpha is None:
        return
    assert ours.alpha == pytest.approx(oracle_alpha(table, ["a", "b", "c"], "interval"), rel=1e-7, abs=1e-7)


@needs_oracle
def test_labels_and_explicit_order_match_package_value_domain():
    order = ["low", "mid", "high", "top"]
    rng = np.random.default_rng(3)
    table = {
        u: {c: (order[int(rng.integers(0, 4))] if rng.random() < 0.85 else None) for c in "xyz"} for u in range(50)
    }
    rank = {label: i for i, label in enumerate(order)}
    numeric = {u: {c: (None if v is None else rank[v]) for c, v in r.items()} for u, r in table.items()}
    assert krippendorff_alpha(table, "ordinal", order).alpha == pytest.approx(
        oracle_alpha(numeric, list("xyz"), "ordinal"), abs=1e-12
    )


# -- 20,000 units x 3 coders (speed: bench/bench_agreement.py --alpha-only --levels all)
def test_twenty_thousand_units_three_coders():
    rng = np.random.default_rng(11)
    truth = rng.integers(1, 6, 20_000)
    table = {
        f"doc{i}": {c: int(truth[i]) if rng.random() < 0.8 else int(rng.integers(1, 6)) for c in ("ana", "ben", "cem")}
        for i in range(20_000)
    }
    for level in ("nominal", "ordinal", "interval", "ratio"):
        result = krippendorff_alpha(table, level)
        assert result.n_pairable_values == 60_000
        assert 0.5 < result.alpha < 0.8
    continuous = {i: {c: float(rng.normal()) for c in "abc"} for i in range(20_000)}
    assert abs(krippendorff_alpha(continuous, "interval").alpha) < 0.05


@needs_oracle
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_large_table_with_missing_values_matches_package_at_every_level(level):
    # the bench's shape: 5 ordered labels, 3 coders, about 40 % of the cells empty
    order = ["very negative", "negative", "neutral", "positive", "very positive"]
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 5, size=(3, 5_000)).astype(float)
    codes[rng.random(codes.shape) < 0.4] = np.nan
    if level in ("nominal", "ordinal"):
        table = {u: {c: None if np.isnan(codes[k, u]) else order[int(codes[k, u])] for k, c in enumerate("xyz")}
                 for u in range(codes.shape[1])}
        ours = krippendorff_alpha(table, level, order if level == "ordinal" else None)
        domain = list(range(5))  # the labels' ranks (nominal alpha does not depend on the codes)
    else:
        shift = 1.0 if level == "ratio" else 0.0
        table = {u: {c: None if np.isnan(codes[k, u]) else int(codes[k, u] + shift) for k, c in enumerate("xyz")}
                 for u in range(codes.shape[1])}
        codes = codes + shift
        ours = krippendorff_alpha(table, level)
        domain = None
    theirs = krippendorff_pkg.alpha(reliability_data=codes, level_of_measurement=level, value_domain=domain)
    assert ours.alpha == pytest.approx(float(theirs), abs=1e-12)
    pairable = np.count_nonzero(~np.isnan(codes), axis=0)
    assert ours.n_units_pairable == np.count_nonzero(pairable >= 2)
    assert ours.n_units_one_rating == np.count_nonzero(pairable == 1)
    assert ours.n_units_no_ratings == np.count_nonzero(pairable == 0)
    assert ours.n_pairable_values == pairable[pairable >= 2].sum()


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_pairable_unit_edge_cases_at_every_level(level):
    # one unit pairable: alpha is defined only if its values differ ...
    assert krippendorff_alpha({1: {"a": 1, "b": 2, "c": None}, 2: {"a": 3}}, level).alpha is not None
    same = krippendorff_alpha({1: {"a": 2, "b": 2}, 2: {"a": 3, "b": None}, 3: {}}, level)
    assert same.alpha is None and "no variation" in same.note
    assert (same.n_units_pairable, same.n_units_one_rating, same.n_units_no_ratings) == (1, 1, 1)
    # ... no unit pairable: not defined, every unit counted as left out
    none = krippendorff_alpha({1: {"a": 1, "b": None}, 2: {"a": None, "b": 2}, 3: {"a": None}}, level)
    assert none.alpha is None and "no unit has two or more ratings" in none.note
    assert (none.n_units_pairable, none.n_units_one_rating, none.n_units_no_ratings) == (0, 2, 1)
    # the values of units with one rating do not enter alpha
    base = {1: {"a": 1, "b": 2}, 2: {"a": 2, "b": 2}, 3: {"a": 3, "b": 1}}
    with_singles = {**base, 4: {"a": 3, "b": None}, 5: {"a": None, "b": 1}}
    assert krippendorff_alpha(with_singles, level).alpha == krippendorff_alpha(base, level).alpha


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=7), min_size=1, max_size=40),
    st.integers(1, 10),
)
def test_pattern_keys_equal_sorting_the_units(units, n_values):
    from app.core.stats.alpha_encoding import _patterns_by_key

    units = [[v % n_values for v in unit] for unit in units]
    entry_unit = np.repeat(np.arange(len(units)), [len(u) for u in units])
    entry_cat = np.array([v for u in units for v in u], dtype=np.intp)
    width = max(map(len, units))
    keyed = _patterns_by_key(entry_unit, entry_cat, len(units), n_values, width)
    assert keyed is not None
    counted: dict[tuple[int, ...], int] = {}
    for unit in units:
        counted[tuple(sorted(unit))] = counted.get(tuple(sorted(unit)), 0) + 1
    keys = sorted(counted)  # Python's tuple order: the order `patterns` promises
    assert [tuple(int(c) for c in row if c >= 0) for row in keyed[0]] == keys
    assert all(list(row[len(k):]) == [-1] * (width - len(k)) for row, k in zip(keyed[0], keys))
    assert keyed[1].tolist() == [counted[k] for k in keys]


def test_numeric_strings_count_as_numbers_where_numbers_are_required():
    # document codes are stored as text: "3" is the number 3 at the interval, ratio and ordinal levels
    numbers = k2011("interval")
    as_text = {u: {c: (None if v is None else str(v)) for c, v in r.items()} for u, r in numbers.items()}
    for level in ("ordinal", "interval", "ratio"):
        assert krippendorff_alpha(as_text, level).alpha == pytest.approx(
            krippendorff_alpha(numbers, level).alpha, abs=1e-12
        )
    assert krippendorff_alpha({1: {"a": "2.0", "b": 2}, 2: {"a": "1", "b": 3}}, "interval").categories == (1, 2, 3)
    # at the nominal level text stays text: "2.0" and "2" are different values
    assert krippendorff_alpha({1: {"a": "2.0", "b": "2"}, 2: {"a": "1", "b": "1"}}, "nominal").alpha < 1


# -- the one-pass route (a plain dict of dicts) gives exactly what the general route gives
PAIRABLE_ARRAYS = ("freq", "m", "entry_cat", "entry_pattern", "pattern_starts", "_mixed", "_const_ids")


def assert_same_data(fast: PairableData, general: PairableData) -> None:
    assert [(type(c), repr(c)) for c in fast.categories] == [(type(c), repr(c)) for c in general.categories]
    for name in ("n_units_total", "n_units_no_ratings", "n_units_one_rating", "n_units_pairable", "n_pairable_values"):
        assert getattr(fast, name) == getattr(general, name), name
    for name in PAIRABLE_ARRAYS:
        a, b = getattr(fast, name), getattr(general, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    assert repr(fast.result()) == repr(general.result())


# values written in several forms that are equal in Python (1, 1.0, "1", "1.0", 0.0, -0.0 ...)
plain_values = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.integers(-2, 4),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 2.5, -1.5]),
    st.sampled_from(["1", "2", "2.0", "02", "-0.0", "0", "2.5", " 3", "x", "y"]),
)
plain_tables = st.dictionaries(
    st.one_of(st.integers(0, 40), st.text("uvw", min_size=1, max_size=2)),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), plain_values, max_size=4),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(plain_tables, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_one_pass_route_equals_general_route(table, level):
    from app.core.stats.table import ratings_from_table

    try:
        general = PairableData(ratings_from_table(table), level)  # a Ratings takes the general route
    except AnnotaryError as error:
        with pytest.raises(AnnotaryError) as raised:
            PairableData(table, level)
        assert str(raised.value) == str(error)
        return
    assert_same_data(PairableData(table, level), general)


def test_a_category_shows_the_form_that_comes_first_in_the_sorted_table():
    # units and coders are sorted first: u1's coder a comes first, whatever the dict's order
    table = {"u2": {"b": 1, "a": 2}, "u1": {"b": 2, "a": 1.0}}
    assert [repr(c) for c in krippendorff_alpha(table, "interval").categories] == ["1.0", "2"]
    table = {"u2": {"a": 0.0, "b": 1.0}, "u1": {"b": 0.0, "a": -0.0}}
    assert [repr(c) for c in krippendorff_alpha(table, "ratio").categories] == ["-0.0", "1.0"]
    table = {2: {"a": "2", "b": "1"}, 1: {"a": "2.0", "b": "1"}}
    assert [repr(c) for c in krippendorff_alpha(table, "interval").categories] == ["1", "2.0"]


def test_invalid_values_name_the_same_value_on_every_route():
    # unhashable, bool, numpy scalars and a non-mapping row all leave the one-pass route
    with pytest.raises(AnnotaryError, match=r"unit 2, coder 'a': value \[1\] is not a single value"):
        krippendorff_alpha({3: {"a": [2]}, 2: {"a": [1], "b": 1}}, "nominal")
    with pytest.raises(AnnotaryError, match="unit 1: expected a mapping coder -> value, got list"):
        krippendorff_alpha({1: [1, 2], 2: {"a": 1}}, "nominal")
    assert krippendorff_alpha({1: {"a": 1, "b": True}, 2: {"a": 0, "b": 0}}, "interval").alpha == 1.0
    with pytest.raises(AnnotaryError, match="interval value True is not a number"):
        krippendorff_alpha({1: {"b": 1, "a": True}, 2: {"a": 0, "b": 0}}, "interval")
    numpy_values = {u: {c: np.float64(v) for c, v in row.items() if v is not None} for u, row in k2011().items()}
    assert krippendorff_alpha(numpy_values, "interval") == krippendorff_alpha(k2011(), "interval")


def test_wide_units_and_the_general_route_agree():
    rng = np.random.default_rng(5)
    table = {u: {"a": int(rng.integers(0, 4)), "b": int(rng.integers(0, 4))} for u in range(2_100)}
    table["wide"] = {f"x{i}": int(rng.integers(0, 4)) for i in range(1_000)}  # patterns without padding
    from app.core.stats.table import ratings_from_table

    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert_same_data(PairableData(table, level), PairableData(ratings_from_table(table), level))


def test_coincidence_matrix_adds_units_in_sorted_order():
    # thirds and halves: the unit-by-unit sum, bit for bit
    rng = np.random.default_rng(9)
    table = {u: {c: int(rng.integers(1, 5)) if rng.random() < 0.8 else None for c in "abcde"} for u in range(300)}
    values, o = coincidence_matrix(table, "nominal")
    index = {c: i for i, c in enumerate(values)}
    expected = np.zeros((len(values), len(values)))
    for u in sorted(table):
        rated = [v for _, v in sorted(table[u].items()) if v is not None]
        if len(rated) < 2:
            continue
        counts = np.bincount([index[v] for v in rated], minlength=len(values)).astype(float)
        expected += (np.outer(counts, counts) - np.diag(counts)) / (len(rated) - 1)
    assert o.tobytes() == expected.tobytes()


def test_coincidence_matrix_reads_numeric_strings_as_numbers():
    numbers = k2011("interval")
    as_text = {u: {c: (None if v is None else str(v)) for c, v in r.items()} for u, r in numbers.items()}
    values, o = coincidence_matrix(as_text, "interval")
    expected_values, expected = coincidence_matrix(numbers, "interval")
    assert values == expected_values
    np.testing.assert_array_equal(o, expected)


def test_values_too_close_to_measure_give_no_alpha_not_nan():
    """0.0 and 2.2e-308 differ, but their squared distance rounds to 0: undefined, with a reason."""
    table = {0: {"a": 0.0, "b": 0.0}, 1: {"a": 0.0, "b": 0.0}, 2: {"a": 0.0, "b": 2.2250738585072014e-308}}
    result = krippendorff_alpha(table, "interval")
    assert result.alpha is None and "too little to measure" in result.note
