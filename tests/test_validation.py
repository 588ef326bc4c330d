"""The one validation gate: spans, values, names."""

import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.codebook import CodebookSpec, EntityTypeSpec, codebook_from_dict
from app.core.errors import AnnotaryError, CodebookError
from app.core.validation import (
    check_attribute_value,
    check_code_value,
    check_span,
    check_stored_span,
    first_duplicate,
    name_key,
    normalise_name,
)

SCRIPTS = st.sampled_from(["مرحبا بالعالم", "नमस्ते दुनिया", "👩🏽‍💻🎉", "Zürich", " ", "\n", "abc"])
TEXTS = st.lists(SCRIPTS | st.text(min_size=1, max_size=5), min_size=1, max_size=12).map("".join)


@given(TEXTS, st.integers(-5, 200), st.integers(-5, 200))
def test_any_accepted_span_is_the_slice(text, start, end):
    try:
        covered = check_span(text, start, end)
    except AnnotaryError:
        assert not (0 <= start < end <= len(text))
        return
    assert 0 <= start < end <= len(text) and covered == text[start:end]
    assert check_stored_span(text, start, end, covered) == covered


@given(TEXTS, st.data())
def test_a_stored_text_other_than_the_slice_is_refused(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    other = data.draw(st.text(max_size=6).filter(lambda t: t != text[start:end]))
    with pytest.raises(AnnotaryError, match="is not the text at"):
        check_stored_span(text, start, end, other)


@pytest.mark.parametrize("start, end, message", [
    (1.0, 3, "whole numbers"), (True, 3, "whole numbers"), ("1", 3, "whole numbers"), (None, 3, "whole numbers"),
    (-1, 3, "before the start"), (0, 99, "past the end of the text \\(5 characters\\)"), (3, 3, "empty"),
])
def test_bad_spans(start, end, message):
    with pytest.raises(AnnotaryError, match=message):
        check_span("hello", start, end)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "-1e400", "Infinity", "", "abc", None, True])
def test_interval_and_ratio_values_must_be_finite_numbers(value):
    for level in ("interval", "ratio"):
        with pytest.raises(AnnotaryError):
            check_code_value("score", level, [], value)


def test_numeric_values():
    assert check_code_value("score", "interval", [], "-2.5") == "-2.5"
    assert check_code_value("score", "ratio", [], " 3 ") == "3"
    assert math.isfinite(float(check_code_value("score", "interval", [], "1e300")))
    with pytest.raises(AnnotaryError, match="zero or more"):
        check_code_value("score", "ratio", [], "-1")


def test_listed_values_compared_after_nfc():
    nfd = unicodedata.normalize("NFD", "négatif")
    assert check_code_value("tone", "nominal", ["négatif", "positif"], nfd) == "négatif"
    with pytest.raises(AnnotaryError, match="is not a value of tone"):
        check_code_value("tone", "nominal", ["négatif"], "furious")
    with pytest.raises(AnnotaryError):
        check_code_value("tone", "nominal", ["1"], 1)
    assert check_attribute_value("negated", [], True) == "true"
    with pytest.raises(AnnotaryError, match="yes/no flag"):
        check_attribute_value("negated", [], "maybe")


def test_names_nfc_and_casefold():
    nfd = unicodedata.normalize("NFD", "Café")
    assert normalise_name(nfd) == "Café" and name_key(nfd) == name_key("CAFÉ")
    assert first_duplicate(["Person", "Place", "person"]) == ("Person", "person")
    assert first_duplicate(["Café", nfd]) is not None
    assert first_duplicate(["Straße", "Strasse"]) is not None  # casefold: ß is ss
    assert first_duplicate(["Person", "Place"]) is None


@pytest.mark.parametrize("second", [unicodedata.normalize("NFD", "Café"), "café", "CAFÉ"])
def test_codebook_refuses_lookalike_names(second):
    spec = CodebookSpec(entity_types=[EntityTypeSpec("Café", "#112233"), EntityTypeSpec(second, "#445566")])
    with pytest.raises(CodebookError, match="defined twice"):
        spec.normalise().validate()


def test_codebook_file_names_are_stored_nfc():
    nfd = unicodedata.normalize("NFD", "Café")
    spec = codebook_from_dict({"entity_types": [{"name": nfd, "color": "#112233"}],
                               "document_codes": [{"name": "tone", "values": [unicodedata.normalize("NFD", "é")]}]})
    assert spec.entity_types[0].name == "Café" and spec.document_codes[0].values == ["é"]
