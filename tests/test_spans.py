"""Selections become whole words (whole grapheme clusters in the precise mode) without stray
space or punctuation."""

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.spans import (
    clean_selection,
    is_partial_word,
    snap_to_graphemes,
    trim_span,
    word_around,
)

HINDI = "Scale AI ने इस हफ्ते अपने Dallas ऑफिस में मौजूद कॉन्ट्रैक्टरों की एक पूरी टीम को हटा दिया है"
ARABIC = "شركةُ OpenAI تُجبر على إيقاف تشغيلها لمدة أسبوع (14.3 مليار دولار) و14٪"


def _bounds(text):
    return {m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)} | {len(text)}


def _sel(text, needle, lo_shift=0, hi_shift=0, whole_words=True):
    i = text.index(needle)
    return clean_selection(text, i + lo_shift, i + len(needle) + hi_shift, whole_words)


def precise(text, start, end):
    return clean_selection(text, start, end, whole_words=False)


# Precise mode (Alt held): whole grapheme clusters, not whole words.


def test_devanagari_conjunct_and_vowel_sign_stay_whole():
    word = "कॉन्ट्रैक्टरों"
    i = HINDI.index(word)
    # a selection ending between न् and ट (inside the conjunct न्ट्रै) grows to the cluster's end
    s, e = precise(HINDI, i, i + 4)
    assert HINDI[s:e] == "कॉन्ट्रै"
    s, e = precise(HINDI, i + 1, i + len(word) - 1)  # starts on the vowel sign ॉ
    assert HINDI[s:e] == word
    i = HINDI.index("हफ्ते")
    assert HINDI[slice(*precise(HINDI, i + 2, i + 3))] == "फ्ते"  # the conjunct फ्ते is one cluster


def test_arabic_diacritic_stays_with_its_letter():
    i = ARABIC.index("شركةُ")
    assert ARABIC[slice(*precise(ARABIC, i, i + 4))] == "شركةُ"
    j = ARABIC.index("تُجبر")
    assert ARABIC[slice(*precise(ARABIC, j + 1, j + 5))] == "تُجبر"


def test_emoji_sequences_and_surrogate_pairs_stay_whole():
    text = "team 👩🏽‍💻 and flag 🇪🇬 end"
    i = text.index("👩🏽‍💻")
    assert text[slice(*precise(text, i + 2, i + 3))] == "👩🏽‍💻"
    j = text.index("🇪🇬")
    assert text[slice(*precise(text, j + 1, j + 2))] == "🇪🇬"


def test_trimming_keeps_value_signs_and_drops_noise():
    assert ARABIC[slice(*_sel(ARABIC, "(14.3 مليار دولار) ", 0, 0))] == "14.3 مليار دولار"
    assert ARABIC[slice(*_sel(ARABIC, "و14٪", 0, 0))] == "و14٪"
    text = "paid “$14.3 billion”, then 49%."
    assert text[slice(*_sel(text, "“$14.3 billion”, ", 0, 0))] == "$14.3 billion"
    assert text[slice(*_sel(text, " 49%.", 0, 0))] == "49%"
    assert trim_span("  ، . ", 0, 6)[0] == trim_span("  ، . ", 0, 6)[1]
    assert ARABIC[slice(*_sel(ARABIC, "و14٪", 1, 0, whole_words=False))] == "14٪"


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
    if s < e:  # snapping only widens what trimming kept, and never ends inside a word
        ps, pe = precise(text, a, b)
        assert s <= ps and e >= pe and not is_partial_word(text, s, e)
    assert 0 <= s <= e <= len(text)
    if s < e:
        assert s in bounds and e in bounds
        assert text[s:e].strip()
    ss, se = snap_to_graphemes(text, min(a, b), max(a, b))
    assert ss in bounds and se in bounds and ss <= min(a, b) and se >= max(a, b)


# Whole words (the default) ---------------------------------------------------------------

ENGLISH = "Yesterday Meta laid off 7,000 people (10%) and Meta's rival paid $14.3 billion for O'Brien's firm."


def test_english_partial_words_snap_outward():
    for needle, expected in [
        ("Met", "Meta"), ("eta", "Meta"), ("a laid off", "Meta laid off"), ("aid of", "laid off"),
        ("Meta laid of", "Meta laid off"), ("Yesterday", "Yesterday"),
        ("4.3 bil", "14.3 billion"), ("000 peo", "7,000 people"),
    ]:
        assert ENGLISH[slice(*_sel(ENGLISH, needle))] == expected, needle


def test_numbers_snap_as_one_token_and_signs_are_not_added():
    # "7,000" and "14.3" are one word each (UAX #29 keeps separators between digits)
    i = ENGLISH.index("7,000")
    assert ENGLISH[slice(*clean_selection(ENGLISH, i + 2, i + 3))] == "7,000"
    # a percent or currency sign is its own token: kept when selected, never added
    assert ENGLISH[slice(*_sel(ENGLISH, "0%"))] == "10%"
    assert ENGLISH[slice(*_sel(ENGLISH, "10"))] == "10"
    assert ENGLISH[slice(*_sel(ENGLISH, "$14.3"))] == "$14.3"
    assert ENGLISH[slice(*_sel(ENGLISH, "14."))] == "14.3"  # the dot is inside the number


def test_apostrophe_ends_a_word():
    # the possessive is not pulled into an entity, and a selected one stays
    assert ENGLISH[slice(*_sel(ENGLISH, "Met", 0, 0))] == "Meta"
    i = ENGLISH.index("Meta's")
    assert ENGLISH[slice(*clean_selection(ENGLISH, i, i + 3))] == "Meta"
    assert ENGLISH[slice(*clean_selection(ENGLISH, i, i + 6))] == "Meta's"
    assert ENGLISH[slice(*_sel(ENGLISH, "O'Bri"))] == "O'Brien"
    assert not is_partial_word(ENGLISH, i, i + 4)


def test_arabic_partial_words_snap_to_whole_words():
    text = "قالت الدولة شاركت في صفقة بقيمة 14.3 مليار دولار، وكـــتاب ١٤٫٣ و14٪."
    assert text[slice(*_sel(text, "لة شا"))] == "الدولة شاركت"
    assert text[slice(*_sel(text, "14.3 مليار دولا"))] == "14.3 مليار دولار"
    assert text[slice(*_sel(text, "ـتا"))] == "وكـــتاب"  # tatweel is part of the word
    assert text[slice(*_sel(text, "٤٫"))] == "١٤٫٣"  # Arabic decimal separator
    # a clitic glued to a number is not pulled in; a selected one stays
    assert text[slice(*_sel(text, "4٪"))] == "14٪"
    assert text[slice(*_sel(text, "و1"))] == "و14"
    j = ARABIC.index("تُجبر")  # a selection ending after the haraka, inside the word
    assert ARABIC[slice(*clean_selection(ARABIC, j, j + 2))] == "تُجبر"


def test_arabic_clitic_needs_precise_mode():
    text = "أعلنت والدولة الأمر"
    i = text.index("الدولة")
    assert text[slice(*clean_selection(text, i, i + len("الدولة")))] == "والدولة"
    assert text[slice(*precise(text, i, i + len("الدولة")))] == "الدولة"
    assert is_partial_word(text, i, i + len("الدولة"))
    assert not is_partial_word(text, i - 1, i + len("الدولة"))


def test_hindi_ends_inside_conjunct_or_before_matra_snap_to_the_word():
    word = "कॉन्ट्रैक्टरों"
    i = HINDI.index(word)
    for k in range(1, len(word)):  # every end inside the word, before a matra, virama or inside a conjunct
        assert HINDI[slice(*clean_selection(HINDI, i, i + k))] == word, k
        assert HINDI[slice(*clean_selection(HINDI, i + k, i + len(word)))] == word, k
    j = HINDI.index("हफ्ते")
    assert HINDI[slice(*clean_selection(HINDI, j, j + 2))] == "हफ्ते"  # ends before the virama
    assert HINDI[slice(*_sel(HINDI, "इस हफ"))] == "इस हफ्ते"
    for joiner in ("\u200d", "\u200c"):  # ZWJ and ZWNJ belong to the word
        text = f"एक क्{joiner}षत्रिय दो"
        k = text.index("क्")
        assert text[slice(*clean_selection(text, k, k + 3))] == f"क्{joiner}षत्रिय"


def test_word_around_and_partial_word():
    assert word_around(ENGLISH, ENGLISH.index("Meta") + 2) == (ENGLISH.index("Meta"), ENGLISH.index("Meta") + 4)
    assert word_around(ENGLISH, ENGLISH.index("Meta")) is None  # at the edge
    assert word_around(ENGLISH, ENGLISH.index("(") + 1) is None
    i = ENGLISH.index("laid")
    assert is_partial_word(ENGLISH, i + 1, i + 4) and is_partial_word(ENGLISH, i, i + 3)
    assert not is_partial_word(ENGLISH, i, i + 4) and not is_partial_word(ENGLISH, 0, len(ENGLISH))
    long_token = "x " + "a" * 600 + " y"
    assert clean_selection(long_token, 100, 200) == (100, 200)  # too long to look at: left as selected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab 1.,'%$-\u2019", "ي", "\u064e", "ـ", "क", "\u094d", "\u200d", "😀"]),
               min_size=1, max_size=30), st.data())
def test_the_quick_partial_word_test_agrees_with_the_full_one(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    slow = word_around(text, start) is not None or word_around(text, end) is not None
    assert is_partial_word(text, start, end) == slow


def test_a_grapheme_edge_that_falls_back_inside_a_word_is_snapped_again():
    """Found by hypothesis: trimming split ".🏽" (a period with a skin-tone modifier), and putting
    the cluster back together moved the start inside the word "a.🏽a"."""
    text = "a.\U0001f3fda"
    s, e = clean_selection(text, 1, 2)
    assert (s, e) == (0, 4) and not is_partial_word(text, s, e)


def test_a_mark_after_a_symbol_is_no_clear_edge():
    """Found by hypothesis: a fatha after an emoji joined to digits by a ZWJ."""
    text = "1111\u200d\U0001f600\u064e"
    assert is_partial_word(text, 0, 6) == (word_around(text, 6) is not None)
