"""Selections become whole grapheme clusters without stray space or punctuation."""

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.spans import clean_selection, snap_to_graphemes, trim_span

HINDI = "Scale AI ने इस हफ्ते अपने Dallas ऑफिस में मौजूद कॉन्ट्रैक्टरों की एक पूरी टीम को हटा दिया है"
ARABIC = "شركةُ OpenAI تُجبر على إيقاف تشغيلها لمدة أسبوع (14.3 مليار دولار) و14٪"


def _bounds(text):
    return {m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)} | {len(text)}


def _sel(text, needle, lo_shift=0, hi_shift=0):
    i = text.index(needle)
    return clean_selection(text, i + lo_shift, i + len(needle) + hi_shift)


def test_devanagari_conjunct_and_vowel_sign_stay_whole():
    word = "कॉन्ट्रैक्टरों"
    i = HINDI.index(word)
    # a selection ending between न् and ट (inside the conjunct न्ट्रै) grows to the cluster's end
    s, e = clean_selection(HINDI, i, i + 4)
    assert HINDI[s:e] == "कॉन्ट्रै"
    s, e = clean_selection(HINDI, i + 1, i + len(word) - 1)  # starts on the vowel sign ॉ
    assert HINDI[s:e] == word
    i = HINDI.index("हफ्ते")
    assert HINDI[slice(*clean_selection(HINDI, i + 2, i + 3))] == "फ्ते"  # the conjunct फ्ते is one cluster


def test_arabic_diacritic_stays_with_its_letter():
    i = ARABIC.index("شركةُ")
    assert ARABIC[slice(*clean_selection(ARABIC, i, i + 4))] == "شركةُ"
    j = ARABIC.index("تُجبر")
    assert ARABIC[slice(*clean_selection(ARABIC, j + 1, j + 5))] == "تُجبر"


def test_emoji_sequences_and_surrogate_pairs_stay_whole():
    text = "team 👩🏽‍💻 and flag 🇪🇬 end"
    i = text.index("👩🏽‍💻")
    assert text[slice(*clean_selection(text, i + 2, i + 3))] == "👩🏽‍💻"
    j = text.index("🇪🇬")
    assert text[slice(*clean_selection(text, j + 1, j + 2))] == "🇪🇬"


def test_trimming_keeps_value_signs_and_drops_noise():
    assert ARABIC[slice(*_sel(ARABIC, "(14.3 مليار دولار) ", 0, 0))] == "14.3 مليار دولار"
    assert ARABIC[slice(*_sel(ARABIC, "و14٪", 0, 0))] == "و14٪"
    text = "paid “$14.3 billion”, then 49%."
    assert text[slice(*_sel(text, "“$14.3 billion”, ", 0, 0))] == "$14.3 billion"
    assert text[slice(*_sel(text, " 49%.", 0, 0))] == "49%"
    assert trim_span("  ، . ", 0, 6)[0] == trim_span("  ، . ", 0, 6)[1]


def test_reversed_selection_is_normalised():
    assert clean_selection(HINDI, 8, 0) == clean_selection(HINDI, 0, 8) == (0, 8)


texts = st.text(
    alphabet=st.sampled_from(list("ab .,\n") + list("शकॉन्ट्रैह") + list("شركةُتُ") + ["😀", "👩", "\u200d", "💻", "🏽", "\u064b"]),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(0, 60), st.integers(0, 60))
def test_cleaned_spans_always_lie_on_cluster_boundaries(text, a, b):
    a, b = min(a, len(text)), min(b, len(text))
    s, e = clean_selection(text, a, b)
    bounds = _bounds(text)
    assert 0 <= s <= e <= len(text)
    if s < e:
        assert s in bounds and e in bounds
        assert text[s:e].strip()
    ss, se = snap_to_graphemes(text, min(a, b), max(a, b))
    assert ss in bounds and se in bounds and ss <= min(a, b) and se >= max(a, b)
