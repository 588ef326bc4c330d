"""Krippendorff's unitizing alpha (αu, 2004 definition) against the literature and a reference implementation.

Origin of the test vectors: DKPro Statistics (github.com/dkpro/dkpro-statistics, Apache-2.0,
release 2.3.1), ``Krippendorff2004Test`` (Krippendorff 2004, Content Analysis 2nd ed. p. 254 =
Q&Q 38 Fig. 2), ``Krippendorff1995Test`` (Krippendorff 1995, Sociological Methodology 25, p. 57)
and ``UnitizingAgreementTest``, asserted with DKPro's own tolerances; and zyocum/text-alpha's
README (MIT), test-corpus-7 with three annotators. The "recomputed" values (tight tolerance)
come from an exact rational re-implementation of the same definition, written for these notes
(see `_reference` below for the definition as executable text). No code was copied.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.stats.unitizing import NEEDS_TWO, NO_ROOM, NO_UNITS, union_spans, unitizing_alpha

# --------------------------------------------------------------------------------------------
# data

K2004 = [  # (coder, start, end, category) on [150, 450)
    (0, 225, 295, "c"), (0, 370, 400, "c"), (0, 180, 240, "k"), (0, 300, 350, "k"),
    (1, 220, 300, "c"), (1, 355, 375, "c"), (1, 400, 420, "c"), (1, 180, 240, "k"), (1, 300, 350, "k"),
]

K1995 = {  # category -> (coder 0 units, coder 1 units) as (begin, length) on [0, 24)
    "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
    "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
    "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
    "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
}


def k1995(stretch: float, categories: str = "ABCD") -> tuple[list[tuple[int, int, int, str]], int]:
    """DKPro's createExample(stretch): every begin, length and L multiplied and truncated to an int."""
    units = []
    for cat in categories:
        for coder, spans in enumerate(K1995[cat]):
            for b, n in spans:
                start, size = int(b * stretch), int(n * stretch)
                units.append((coder, start, start + size, cat))
    return units, int(24 * stretch)


# --------------------------------------------------------------------------------------------
# an exact, literal transcription of the definition (slow; for comparing on small data)

def _segments(spans: list[tuple[int, int]], begin: int, length: int) -> list[tuple[int, int, bool]]:
    out, at = [], begin
    for s, e in sorted(spans):
        if s > at:
            out.append((at, s, False))
        out.append((s, e, True))
        at = e
    if at < begin + length:
        out.append((at, begin + length, False))
    return out


def _delta(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
    (bg, eg, ug), (bh, eh, uh) = g, h
    if ug and uh and bg < eh and bh < eg:
        return (bg - bh) ** 2 + (eg - eh) ** 2
    if ug and not uh and bh <= bg and eg <= eh:
        return (eg - bg) ** 2
    if uh and not ug and bg <= bh and eh <= eg:
        return (eh - bh) ** 2
    return 0


def _reference(units, n_coders, length, begin=0):
    """{category: (Do, De)} as Fractions, by enumerating every pair of segments."""
    out = {}
    for cat in {u[3] for u in units}:
        spans = [[(s, e) for c, s, e, k in units if c == i and k == cat] for i in range(n_coders)]
        segs = [_segments(sp, begin, length) for sp in spans]
        s_total = sum(_delta(g, h) for i in range(n_coders) for j in range(i + 1, n_coders)
                      for g in segs[i] for h in segs[j])
        do = Fraction(2 * s_total, n_coders * (n_coders - 1) * length ** 2)
        lengths = [e - s for sp in spans for s, e in sp]
        gaps = [e - s for sg in segs for s, e, unit in sg if not unit]
        n = len(lengths)
        num = sum(Fraction((n - 1) * (2 * lu ** 3 - 3 * lu ** 2 + lu), 3)
                  + lu ** 2 * sum(g - lu + 1 for g in gaps if g >= lu) for lu in lengths)
        den = n_coders * length * (n_coders * length - 1) - sum(lu * (lu - 1) for lu in lengths)
        out[cat] = (do, Fraction(2, length) * num / den)
    return out


def _limit(units, n_coders, length, begin=0, category=None):
    """The closed-form limit of αu as blank positions are added: 1 − S / ((R − 1) Σ l²)."""
    ref = _reference(units, n_coders, length, begin)
    cats = [category] if category is not None else list(ref)
    s = sum(ref[c][0] * n_coders * (n_coders - 1) * length ** 2 / 2 for c in cats)
    squares = sum((e - b) ** 2 for _, b, e, k in units if k in cats)
    return float(1 - s / ((n_coders - 1) * squares))


# --------------------------------------------------------------------------------------------
# Krippendorff 2004 (DKPro Krippendorff2004Test)

def test_krippendorff_2004_example():
    r = unitizing_alpha(K2004, 2, 300, begin=150)
    c, k = r.per_category["c"], r.per_category["k"]
    assert c.observed_disagreement == pytest.approx(0.0144, abs=1e-4)
    assert c.expected_disagreement == pytest.approx(0.0532, abs=1e-4)
    assert c.alpha == pytest.approx(0.7286, abs=1e-4)
    assert k.observed_disagreement == pytest.approx(0.0, abs=1e-4)
    assert k.expected_disagreement == pytest.approx(0.0490, abs=1e-4)
    assert k.alpha == pytest.approx(1.0, abs=1e-4)
    assert r.overall is not None and r.overall.alpha == pytest.approx(0.8591, abs=5e-4)
    # recomputed exactly: Do_c = 1300 / 90000 (S_c = 50 + 850 + 400)
    assert c.observed_disagreement == pytest.approx(1300 / 90000, rel=1e-12)
    assert c.expected_disagreement == pytest.approx(0.05322178, rel=1e-6)
    assert c.alpha == pytest.approx(0.7285990, abs=1e-6)
    assert k.expected_disagreement == pytest.approx(0.04897857, rel=1e-6)
    assert r.overall.alpha == pytest.approx(0.8586654, abs=1e-6)
    assert (c.n_coders, c.length, c.n_units, k.n_units) == (2, 300, 5, 4)


def test_krippendorff_2004_equals_the_exact_reference():
    ref = _reference(K2004, 2, 300, 150)
    r = unitizing_alpha(K2004, 2, 300, begin=150)
    for cat, (do, de) in ref.items():
        assert r.per_category[cat].observed_disagreement == pytest.approx(float(do), rel=1e-12)
        assert r.per_category[cat].expected_disagreement == pytest.approx(float(de), rel=1e-12)


# --------------------------------------------------------------------------------------------
# Krippendorff 1995 (DKPro Krippendorff1995Test)

def test_krippendorff_1995_observed_disagreement_is_exact_at_every_stretch():
    expected = {"A": 18 / 576, "B": 1306 / 576, "C": 16 / 576, "D": 223 / 576}
    dkpro = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for stretch in (1, 5, 50):
        units, length = k1995(stretch)
        r = unitizing_alpha(units, 2, length)
        for cat, value in expected.items():
            assert r.per_category[cat].observed_disagreement == pytest.approx(value, rel=1e-12)
            assert r.per_category[cat].observed_disagreement == pytest.approx(dkpro[cat], abs=1e-5)


def test_krippendorff_1995_at_stretch_50000():
    units, length = k1995(1_200_000 // 24)
    assert length == 1_200_000
    r = unitizing_alpha(units, 2, length)
    dkpro = {"A": (0.06990, 0.553), "B": (1.17731, -0.926), "C": (0.08642, 0.679), "D": (0.41445, 0.066)}
    recomputed = {"A": (0.0699022, 0.552947), "B": (1.1757826, -0.928385), "C": (0.0905046, 0.693079),
                  "D": (0.4144523, 0.065869)}
    for cat in "ABCD":
        got = r.per_category[cat]
        assert got.expected_disagreement == pytest.approx(dkpro[cat][0], abs=0.005)
        assert got.alpha == pytest.approx(dkpro[cat][1], abs=0.02)
        assert got.expected_disagreement == pytest.approx(recomputed[cat][0], rel=1e-6)
        assert got.alpha == pytest.approx(recomputed[cat][1], abs=1e-6)
    assert r.overall is not None and r.overall.alpha == pytest.approx(-0.550027, abs=1e-6)


def test_krippendorff_1995_refining_the_resolution_tends_to_the_continuous_formula():
    """As every coordinate is multiplied by s, De tends to (2/L) Σ[(2/3)(N−1)l³ + l² Σ max(0, G − l)]
    / (R²L² − Σ l²) of the unscaled data (its value at L = 24), and Do does not change."""
    units, length = k1995(1)
    big_units, big_length = k1995(50_000)
    r_big = unitizing_alpha(big_units, 2, big_length)
    for cat in "ABCD":
        mine = [(c, s, e) for c, s, e, k in units if k == cat]
        lengths = [e - s for _, s, e in mine]
        gaps = [e - s for i in (0, 1) for s, e, u in _segments([(s, e) for c, s, e in mine if c == i], 0, length)
                if not u]
        n = len(lengths)
        num = sum(Fraction(2, 3) * (n - 1) * lu ** 3 + lu ** 2 * sum(max(0, g - lu) for g in gaps) for lu in lengths)
        de = Fraction(2, length) * num / (4 * length ** 2 - sum(lu ** 2 for lu in lengths))
        assert r_big.per_category[cat].expected_disagreement == pytest.approx(float(de), rel=1e-5)


def test_krippendorff_1995_category_c_across_stretches():
    dkpro = {0.5: (0.05494, 1e-5, 0.494), 5: (0.08234, 0.005, 0.663), 50: (0.08600, 0.005, 0.677),
             500: (0.08638, 0.005, 0.678), 5000: (0.08642, 0.005, 0.679), 50_000: (0.08642, 0.005, 0.679)}
    recomputed = {0.5: (0.0549383, 0.494382), 5: (0.0859866, 0.676952), 50: (0.0900438, 0.691508),
                  500: (0.0904588, 0.692924), 5000: (0.0905004, 0.693065), 50_000: (0.0905046, 0.693079)}
    for stretch, (de, tol, alpha) in dkpro.items():
        units, length = k1995(stretch, "C")
        got = unitizing_alpha(units, 2, length).per_category["C"]
        assert got.observed_disagreement == pytest.approx(0.02777, abs=1e-5)
        assert got.expected_disagreement == pytest.approx(de, abs=tol)
        assert got.alpha == pytest.approx(alpha, abs=0.02)
        assert got.expected_disagreement == pytest.approx(recomputed[stretch][0], rel=1e-5)
        assert got.alpha == pytest.approx(recomputed[stretch][1], abs=1e-6)


def test_krippendorff_1995_at_its_own_resolution():
    units, length = k1995(1)
    r = unitizing_alpha(units, 2, length)
    expected = {"A": (0.0644712, 0.515288), "B": (1.0895125, -1.081079), "C": (0.0700306, 0.603348),
                "D": (0.3207965, -0.206849)}
    for cat, (de, alpha) in expected.items():
        assert r.per_category[cat].expected_disagreement == pytest.approx(de, rel=1e-6)
        assert r.per_category[cat].alpha == pytest.approx(alpha, abs=1e-6)
    assert r.overall is not None and r.overall.alpha == pytest.approx(-0.756553, abs=1e-6)


# --------------------------------------------------------------------------------------------
# DKPro UnitizingAgreementTest and text-alpha

def test_one_long_unit_against_three_short_ones():
    r = unitizing_alpha([(0, 1, 9, "A"), (1, 2, 3, "A"), (1, 4, 5, "A"), (1, 6, 7, "A")], 2, 10)
    a = r.per_category["A"]
    assert a.observed_disagreement == pytest.approx(0.9100, abs=1e-4)
    assert a.expected_disagreement == pytest.approx(0.5351, abs=1e-4)
    assert a.alpha == pytest.approx(-0.7003, abs=1e-4)
    assert a.expected_disagreement == pytest.approx(0.5351852, rel=1e-6)
    assert a.alpha == pytest.approx(-0.7003460, abs=1e-6)


def test_a_single_unit_of_length_one_gives_zero():
    """DKPro asserts exactly 0.0: Do = De = 2 / (R L²) = 1/600."""
    r = unitizing_alpha([(0, 1, 2, "X")], 3, 20)
    x = r.per_category["X"]
    assert x.observed_disagreement == pytest.approx(1 / 600, rel=1e-12)
    assert x.expected_disagreement == pytest.approx(1 / 600, rel=1e-12)
    assert x.alpha == pytest.approx(0.0, abs=1e-12)


def test_no_units_is_undefined_not_a_number():
    """DKPro returns NaN; Annotary reports None (n/a) with the reason."""
    r = unitizing_alpha([], 3, 20)
    assert r.per_category == {}
    assert r.overall is not None and r.overall.alpha is None and r.overall.note == NO_UNITS


def test_zero_length_units_are_rejected_and_without_them_agreement_is_perfect():
    """DKPro keeps zero-length units (they count in N and split gaps); Annotary stores none and the
    computation refuses them. DKPro's mixed example (A: [2, 7) by both coders, plus an empty unit)
    gives Do = 0, De > 0, α = 1 either way."""
    with pytest.raises(ValueError, match="empty"):
        unitizing_alpha([(0, 0, 0, "A"), (0, 2, 7, "A"), (1, 2, 7, "A")], 2, 15)
    a = unitizing_alpha([(0, 2, 7, "A"), (1, 2, 7, "A")], 2, 15).per_category["A"]
    assert a.observed_disagreement == 0.0 and a.expected_disagreement is not None
    assert a.expected_disagreement > 0 and a.alpha == 1.0


@pytest.mark.parametrize(("coders", "do", "de", "alpha"), [
    (2, 0.0459184, 0.0325714, -0.409774),
    (3, 3 / 98, 93 / 4004, -0.317972),
])
def test_text_alpha_corpus_7(coders, do, de, alpha):
    """ "The cat meows." (L = 14): the token [4, 7) labelled NOUN, VERB, PRON by annotators a, b, c.
    With three annotators the exact values are Do = 3/98 and De = 93/4004 = 0.0232268 (the research
    notes' 0.0232275 is inconsistent with their own α = −0.317972, which 93/4004 gives)."""
    units = [(i, 4, 7, label) for i, label in enumerate(["NOUN", "VERB", "PRON"][:coders])]
    r = unitizing_alpha(units, coders, 14)
    for label in ["NOUN", "VERB", "PRON"][:coders]:
        got = r.per_category[label]
        assert got.observed_disagreement == pytest.approx(do, rel=1e-5)
        assert got.expected_disagreement == pytest.approx(de, rel=1e-5)
        assert got.alpha == pytest.approx(alpha, abs=1e-6)
    assert r.overall is not None and r.overall.alpha == pytest.approx(alpha, abs=1e-6)


# --------------------------------------------------------------------------------------------
# stretching the continuum with blank text: the limit 1 − S / ((R − 1) Σ l²)

@pytest.mark.parametrize(("units", "coders", "length", "begin", "limit"), [
    (K2004, 2, 300, 150, 1 - 1300 / 25200),
    ([(0, 1, 9, "A"), (1, 2, 3, "A"), (1, 4, 5, "A"), (1, 6, 7, "A")], 2, 10, 0, 1 - 91 / 67),
    ([(0, 0, 5, "X"), (1, 10, 15, "X")], 2, 20, 0, 0.0),
    ([(0, 0, 10, "X"), (0, 30, 35, "X"), (1, 2, 12, "X"), (2, 0, 10, "X")], 3, 40, 0, 1 - 66 / 650),
])
def test_blank_padding_tends_to_the_closed_form_limit(units, coders, length, begin, limit):
    assert _limit(units, coders, length, begin) == pytest.approx(limit, rel=1e-12)
    pad = 10 ** 7
    at_end = unitizing_alpha(units, coders, length + pad, begin).overall
    at_front = unitizing_alpha(units, coders, length + pad, begin - pad).overall
    assert at_end is not None and at_front is not None
    # convergence is O(1/L) and not monotone: only the value at a large padding is asserted
    assert at_end.alpha == pytest.approx(limit, abs=1e-5)
    assert at_front.alpha == pytest.approx(limit, abs=1e-5)


def test_blank_padding_of_the_2004_example_per_category():
    for pad, alpha_c, overall in ((0, 0.728599, 0.858665), (100, 0.777926, 0.893631), (1000, 0.879490, 0.938610),
                                  (10 ** 6, 0.899978, 0.948402)):
        r = unitizing_alpha(K2004, 2, 300 + pad, begin=150)
        assert r.per_category["c"].alpha == pytest.approx(alpha_c, abs=1e-6)
        assert r.per_category["k"].alpha == 1.0
        assert r.overall is not None and r.overall.alpha == pytest.approx(overall, abs=1e-6)
    assert _limit(K2004, 2, 300, 150, "c") == pytest.approx(0.9, rel=1e-12)


# --------------------------------------------------------------------------------------------
# edge cases

def test_perfect_agreement_is_one():
    units = [(i, s, e, "X") for i in range(3) for s, e in ((0, 4), (10, 30), (31, 32))]
    r = unitizing_alpha(units, 3, 50)
    assert r.per_category["X"].alpha == 1.0 and r.per_category["X"].observed_disagreement == 0.0


def test_disjoint_units_disagree():
    r = unitizing_alpha([(0, 0, 5, "X"), (1, 10, 15, "X")], 2, 20)
    assert r.per_category["X"].alpha == pytest.approx(-0.862745, abs=1e-6)


def test_one_coder_is_undefined():
    r = unitizing_alpha([(0, 0, 5, "X")], 1, 20)
    assert r.per_category["X"].alpha is None and r.per_category["X"].note == NEEDS_TWO
    assert r.overall is not None and r.overall.note == NEEDS_TWO


def test_no_room_to_disagree_is_undefined():
    r = unitizing_alpha([(0, 0, 1, "X"), (1, 0, 1, "X")], 2, 1)
    x = r.per_category["X"]
    assert (x.alpha, x.observed_disagreement, x.expected_disagreement, x.note) == (None, 0.0, 0.0, NO_ROOM)


def test_a_coder_without_units_still_counts():
    """Coders are counted as given, not as found among the units: a silent third coder is all gap."""
    two = unitizing_alpha([(0, 2, 6, "X"), (1, 2, 6, "X")], 2, 20).per_category["X"]
    three = unitizing_alpha([(0, 2, 6, "X"), (1, 2, 6, "X")], 3, 20).per_category["X"]
    assert two.alpha == 1.0 and three.n_coders == 3
    assert three.alpha is not None and three.alpha < 0.5


def test_invalid_units_are_refused():
    with pytest.raises(ValueError, match="outside"):
        unitizing_alpha([(0, 18, 21, "X")], 2, 20)
    with pytest.raises(ValueError, match="coders are"):
        unitizing_alpha([(2, 0, 1, "X")], 2, 20)
    with pytest.raises(ValueError, match="overlapping"):
        unitizing_alpha([(0, 0, 5, "X"), (0, 4, 8, "X")], 2, 20)
    unitizing_alpha([(0, 0, 5, "X"), (0, 5, 8, "X"), (0, 4, 8, "Y")], 2, 20)  # adjacent, other category: fine


def test_union_spans_unites_overlaps_and_keeps_adjacent_spans_apart():
    assert union_spans([(5, 9), (0, 5), (3, 4), (8, 12), (20, 22), (20, 22)]) == ([(0, 5), (5, 12), (20, 22)], 3)
    assert union_spans([]) == ([], 0)


def test_the_result_has_the_reports_five_keys():
    x = unitizing_alpha(K2004, 2, 300, 150).per_category["c"]
    assert list(x.as_dict()) == ["alpha", "observed_disagreement", "expected_disagreement", "n_coders", "length"]


# --------------------------------------------------------------------------------------------
# properties

@st.composite
def studies(draw, max_coders=4, max_length=40):
    coders = draw(st.integers(2, max_coders))
    length = draw(st.integers(1, max_length))
    units = []
    for coder in range(coders):
        for cat in ("X", "Y"):
            cuts = sorted(draw(st.sets(st.integers(0, length), max_size=8)))
            # consecutive cut points form disjoint spans; keep a random subset of them
            for s, e in pairwise(cuts):
                if draw(st.booleans()):
                    units.append((coder, s, e, cat))
    return units, coders, length


def _values(report):
    return {c: (r.alpha, r.observed_disagreement, r.expected_disagreement) for c, r in report.per_category.items()}


def _close(a, b):
    assert a.keys() == b.keys()
    for k in a:
        for x, y in zip(a[k], b[k]):
            assert (x is None) == (y is None)
            if x is not None:
                assert x == pytest.approx(y, rel=1e-9, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(studies())
def test_equals_the_literal_definition(study):
    units, coders, length = study
    r = unitizing_alpha(units, coders, length)
    for cat, (do, de) in _reference(units, coders, length).items():
        got = r.per_category[cat]
        assert got.observed_disagreement == pytest.approx(float(do), rel=1e-12, abs=1e-15)
        assert got.expected_disagreement == pytest.approx(float(de), rel=1e-12, abs=1e-15)
        if de:
            assert got.alpha == pytest.approx(float(1 - do / de), rel=1e-9, abs=1e-12)
            assert got.alpha <= 1.0
        else:
            assert got.alpha is None


@settings(max_examples=100, deadline=None)
@given(studies(), st.randoms(use_true_random=False))
def test_invariant_under_renaming_coders(study, rnd):
    units, coders, length = study
    order = list(range(coders))
    rnd.shuffle(order)
    swapped = [(order[c], s, e, k) for c, s, e, k in units]
    _close(_values(unitizing_alpha(units, coders, length)), _values(unitizing_alpha(swapped, coders, length)))


@settings(max_examples=100, deadline=None)
@given(studies(), st.integers(-10 ** 9, 10 ** 9))
def test_invariant_under_shifting_units_and_continuum_together(study, shift):
    units, coders, length = study
    moved = [(c, s + shift, e + shift, k) for c, s, e, k in units]
    _close(_values(unitizing_alpha(units, coders, length)),
           _values(unitizing_alpha(moved, coders, length, begin=shift)))


@settings(max_examples=100, deadline=None)
@given(studies())
def test_invariant_under_reading_the_continuum_backwards(study):
    units, coders, length = study
    mirrored = [(c, length - e, length - s, k) for c, s, e, k in units]
    _close(_values(unitizing_alpha(units, coders, length)), _values(unitizing_alpha(mirrored, coders, length)))


@settings(max_examples=100, deadline=None)
@given(studies())
def test_a_category_ignores_the_others(study):
    units, coders, length = study
    alone = [u for u in units if u[3] == "X"]
    full = {k: v for k, v in _values(unitizing_alpha(units, coders, length)).items() if k == "X"}
    _close(full, _values(unitizing_alpha(alone, coders, length)))


@settings(max_examples=100, deadline=None)
@given(studies(), st.integers(1, 10 ** 6))
def test_blank_text_leaves_the_summed_distance_unchanged(study, pad):
    """Do · L² (the pairwise distance S) does not depend on blank positions nobody marked."""
    units, coders, length = study
    before = unitizing_alpha(units, coders, length).per_category
    after = unitizing_alpha(units, coders, length + pad).per_category
    for cat, r in before.items():
        assert r.observed_disagreement is not None and after[cat].observed_disagreement is not None
        assert after[cat].observed_disagreement * (length + pad) ** 2 == pytest.approx(
            r.observed_disagreement * length ** 2, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=12))
def test_union_spans_equals_a_plain_sweep(pairs):
    spans = [(s, s + n) for s, n in pairs]
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    assert union_spans(spans) == (out, len(spans) - len(out))
