"""Span agreement between two coders: exact and maximum overlap matching, P/R/F1."""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import AnnotaryError
from app.core.stats.matching import maximum_matching
from app.core.stats.spans import span_agreement


def test_identical_mentions():
    a = [("d1", 0, 5, "PER"), ("d1", 10, 20, "ORG")]
    result = span_agreement(a, list(a))
    for kind in (result.exact, result.overlap):
        assert (kind.n_a, kind.n_b, kind.matched) == (2, 2, 2)
        assert kind.precision == kind.recall == kind.f1 == 1.0
        assert kind.pairs == ((0, 0), (1, 1)) and kind.unmatched_a == () and kind.unmatched_b == ()


def test_nested_spans_overlap_but_do_not_match_exactly():
    a = [("d1", 0, 30, "ORG")]  # "Bank of the Arab States"
    b = [("d1", 8, 18, "ORG")]  # inner part
    result = span_agreement(a, b)
    assert result.exact.matched == 0 and result.exact.f1 == 0.0
    assert result.overlap.matched == 1 and result.overlap.f1 == 1.0
    assert result.overlap.pairs == ((0, 0),)


def test_adjacent_spans_share_no_character():
    a = [("d1", 0, 5, "PER")]
    b = [("d1", 5, 9, "PER")]
    result = span_agreement(a, b)
    assert result.overlap.matched == 0
    assert result.overlap.unmatched_a == (0,) and result.overlap.unmatched_b == (0,)
    # one shared character is enough
    assert span_agreement(a, [("d1", 4, 9, "PER")]).overlap.matched == 1


def test_same_span_different_types_never_match():
    a = [("d1", 3, 8, "PER")]
    b = [("d1", 3, 8, "ORG")]
    result = span_agreement(a, b)
    assert result.exact.matched == 0 and result.overlap.matched == 0
    assert result.exact.precision == 0.0 and result.exact.recall == 0.0 and result.exact.f1 == 0.0
    assert set(result.per_type) == {"ORG", "PER"}
    per = result.per_type["PER"]["exact"]
    assert (per.n_a, per.n_b, per.precision, per.recall, per.f1) == (1, 0, None, 0.0, None)
    org = result.per_type["ORG"]["overlap"]
    assert (org.n_a, org.n_b, org.precision, org.recall, org.f1) == (0, 1, 0.0, None, None)


def test_different_documents_never_match():
    result = span_agreement([("d1", 0, 5, "PER")], [("d2", 0, 5, "PER")])
    assert result.exact.matched == result.overlap.matched == 0


def test_one_coder_empty_gives_none_not_zero_or_one():
    b = [("d1", 0, 5, "PER"), ("d1", 7, 9, "ORG")]
    a_empty = span_agreement([], b)
    for kind in (a_empty.exact, a_empty.overlap):
        assert kind.n_a == 0 and kind.n_b == 2 and kind.matched == 0
        assert kind.recall is None and kind.f1 is None and kind.precision == 0.0
    b_empty = span_agreement(b, [])
    assert b_empty.exact.precision is None and b_empty.exact.recall == 0.0 and b_empty.exact.f1 is None
    both = span_agreement([], [])
    assert both.exact.precision is None and both.exact.recall is None and both.exact.f1 is None
    assert both.per_type == {}
    assert both.as_dict()["exact"]["f1"] is None


def test_maximum_matching_beats_greedy():
    # A0 = [0, 10) overlaps B0 = [2, 4) and B1 = [8, 9); A1 = [1, 3) overlaps B0 only.
    # Greedy in reading order, or by largest overlap (A0-B0 share 2 characters), pairs A0-B0
    # and leaves A1 alone: 1 match. The maximum is 2.
    a = [("d1", 0, 10, "ORG"), ("d1", 1, 3, "ORG")]
    b = [("d1", 2, 4, "ORG"), ("d1", 8, 9, "ORG")]
    result = span_agreement(a, b)
    assert result.overlap.matched == 2
    assert set(result.overlap.pairs) == {(0, 1), (1, 0)}
    assert result.overlap.f1 == 1.0


def test_identical_pair_is_rearranged_when_that_gives_more_matches():
    # A0 and B0 are identical, but A1 = [0, 3) overlaps only B0 while A0 also overlaps B1:
    # starting from the identical pair, an augmenting path must move A0 to B1.
    a = [("d", 0, 10, "T"), ("d", 0, 3, "T")]
    b = [("d", 0, 10, "T"), ("d", 5, 8, "T")]
    result = span_agreement(a, b)
    assert result.exact.matched == 1 and result.exact.pairs == ((0, 0),)
    assert result.overlap.matched == 2 and set(result.overlap.pairs) == {(0, 1), (1, 0)}


def test_identical_spans_are_paired_first():
    a = [("d", 0, 10, "T"), ("d", 2, 6, "T")]
    b = [("d", 2, 6, "T"), ("d", 0, 10, "T")]
    result = span_agreement(a, b)
    assert set(result.overlap.pairs) == {(0, 1), (1, 0)}
    assert set(result.exact.pairs) == {(0, 1), (1, 0)}


def test_duplicates_are_matched_once_each():
    a = [("d", 0, 4, "T"), ("d", 0, 4, "T")]
    b = [("d", 0, 4, "T")]
    result = span_agreement(a, b)
    assert result.exact.matched == 1 and result.exact.precision == 1.0 and result.exact.recall == 0.5
    assert result.exact.f1 == pytest.approx(2 / 3)
    assert result.overlap.matched == 1


def test_arabic_offsets_and_per_type():
    text = "أعلنت شركة أرامكو السعودية يوم الأحد عن تسريح 300 موظف في الرياض"

    def span(word):
        start = text.index(word)
        return start, start + len(word)

    org_s, org_e = span("شركة أرامكو السعودية")
    a = [
        ("ar-1", org_s, org_e, "ORG"),
        ("ar-1", *span("300"), "QUANTITY"),
        ("ar-1", *span("الرياض"), "LOC"),
    ]
    b = [
        ("ar-1", org_s + len("شركة "), org_e, "ORG"),  # without the word "company"
        ("ar-1", *span("300 موظف"), "QUANTITY"),
        ("ar-1", *span("يوم الأحد"), "DATE"),
    ]
    result = span_agreement(a, b)
    assert result.exact.matched == 0
    assert result.overlap.matched == 2
    assert result.overlap.precision == pytest.approx(2 / 3) and result.overlap.recall == pytest.approx(2 / 3)
    assert result.per_type["LOC"]["overlap"].recall == 0.0 and result.per_type["LOC"]["overlap"].precision is None
    assert result.per_type["DATE"]["overlap"].recall is None
    assert result.per_type["ORG"]["overlap"].f1 == 1.0
    assert result.overlap.unmatched_a == (2,) and result.overlap.unmatched_b == (2,)


def test_invalid_mentions():
    with pytest.raises(AnnotaryError, match="mention 0"):
        span_agreement([("d", 5, 2, "T")], [])
    with pytest.raises(AnnotaryError, match="integer"):
        span_agreement([], [("d", 1.5, 2, "T")])
    with pytest.raises(AnnotaryError, match=r"\(doc_id, start, end, type\)"):
        span_agreement([("d", 1, 2)], [])
    # empty spans match exactly but overlap nothing
    result = span_agreement([("d", 3, 3, "T")], [("d", 3, 3, "T")])
    assert result.exact.matched == 1 and result.overlap.matched == 0


# -- the matching is maximum: compare with exhaustive search on small random cases
def brute_force_maximum(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    def overlaps(x, y):
        return max(x[0], y[0]) < min(x[1], y[1])

    if len(a) > len(b):
        a, b = b, a
    best = 0
    for chosen in permutations(range(len(b)), len(a)):
        best = max(best, sum(overlaps(x, b[j]) for x, j in zip(a, chosen)))
    return best


spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1])), min_size=0, max_size=5
)


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_overlap_matching_is_maximum(a_spans, b_spans):
    a = [("d", s, e, "T") for s, e in a_spans]
    b = [("d", s, e, "T") for s, e in b_spans]
    result = span_agreement(a, b)
    assert result.overlap.matched == brute_force_maximum(a_spans, b_spans)
    # a valid matching: each mention once, every pair really overlaps
    left = [i for i, _ in result.overlap.pairs]
    right = [j for _, j in result.overlap.pairs]
    assert len(set(left)) == len(left) and len(set(right)) == len(right)
    for i, j in result.overlap.pairs:
        assert max(a[i][1], b[j][1]) < min(a[i][2], b[j][2])
    assert result.overlap.matched >= result.exact.matched or any(s == e for s, e in a_spans)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.data())
def test_hopcroft_karp_on_random_graphs(n_left, n_right, data):
    adjacency = [sorted(data.draw(st.sets(st.integers(0, n_right - 1), max_size=n_right))) for _ in range(n_left)]
    match = maximum_matching(adjacency, n_right)
    used = [v for v in match if v != -1]
    assert len(used) == len(set(used))
    assert all(v == -1 or v in adjacency[u] for u, v in enumerate(match))
    best = 0
    if n_left <= n_right:
        for chosen in permutations(range(n_right), n_left):
            best = max(best, sum(v in adjacency[u] for u, v in enumerate(chosen)))
    else:
        for chosen in permutations(range(n_left), n_right):
            best = max(best, sum(v in adjacency[u] for v, u in enumerate(chosen)))
    assert len(used) == best


def test_matching_scales_to_a_long_document():
    # 3,000 mentions each, heavily overlapping: must not recurse too deep or take long
    a = [("d", i * 3, i * 3 + 5, "T") for i in range(3000)]
    b = [("d", i * 3 + 1, i * 3 + 6, "T") for i in range(3000)]
    result = span_agreement(a, b)
    assert result.overlap.matched == 3000
