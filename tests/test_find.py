"""Find in a document (app/core/find.py): forgiving matching, exact code-point offsets."""

import unicodedata

from app.core.find import find_all


def texts(text, query):
    return [text[a:b] for a, b in find_all(text, query)]


def test_english_is_case_insensitive():
    text = "Meta laid off staff. META said meta-analysis was wrong."
    assert texts(text, "meta") == ["Meta", "META", "meta"]
    assert texts(text, "LAID OFF") == ["laid off"]
    assert find_all(text, "Meta")[0] == (0, 4)


def test_case_folding_that_changes_length_maps_back_to_the_original():
    text = "Die Straße, die STRASSE und Strasse"
    assert texts(text, "strasse") == ["Straße", "STRASSE", "Strasse"]
    assert texts(text, "STRAßE") == ["Straße", "STRASSE", "Strasse"]
    assert texts(text, "und") == ["und"]  # offsets after the folded ß are still exact


def test_arabic_without_harakat_finds_text_with_harakat_and_tatweel():
    text = "شركة ميتا تُجبر العمال، ثم تـجبر غيرهم؛ لا تجبر أحدًا."
    assert texts(text, "تجبر") == ["تُجبر", "تـجبر", "تجبر"]
    # the query's own diacritics and tatweel are ignored too
    assert texts(text, "تُجبر") == ["تُجبر", "تـجبر", "تجبر"]
    assert texts(text, "تـجـبـر") == ["تُجبر", "تـجبر", "تجبر"]
    assert texts(text, "احدا") == []  # hamza on alef is part of the letter, not a haraka
    assert texts(text, "أحدا") == ["أحدًا"]
    assert texts(text, "\u064f") == []  # a query of harakat only finds nothing


def test_arabic_hit_keeps_its_marks_and_drops_a_trailing_tatweel():
    text = "قالت: تسرّحـ العمال"
    (hit,) = find_all(text, "تسرح")
    assert text[hit[0]:hit[1]] == "تسرّح"  # the shadda inside stays, the tatweel after is left out


def test_hindi_matches_whole_graphemes_only():
    text = "कंपनी ने 700 कर्मचारियों को निकाला, कर देना"
    # "कर" is the start of "कर्म" (र्म is one cluster): no hit there, only the word "कर"
    hits = find_all(text, "कर")
    assert [text[a:b] for a, b in hits] == ["कर"]
    assert hits[0][0] == text.index("कर देना")
    assert texts(text, "कर्म") == ["कर्म"]
    assert texts(text, "कर्मचारियों") == ["कर्मचारियों"]
    for a, b in find_all(text, "क"):
        assert b == len(text) or not unicodedata.category(text[b]).startswith("M")  # never before a mark
        assert text[a:b] == "क"


def test_emoji_before_the_hit_counts_as_one_code_point():
    text = "Team 👩🏽‍💻 😀 at OpenAI, then openai again"
    hits = find_all(text, "openai")
    assert hits == [(text.index("OpenAI"), text.index("OpenAI") + 6), (text.index("openai"), text.index("openai") + 6)]
    assert hits[0][0] == 15  # code points, not UTF-16 units (19)
    assert texts(text, "😀") == ["😀"]
    assert texts(text, "👩") == []  # the start of an emoji ZWJ sequence is inside its cluster


def test_adjacent_and_overlapping_occurrences():
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]  # adjacent: both
    assert find_all("aaa", "aa") == [(0, 2)]  # overlapping: a hit consumes its text
    assert find_all("abab ABAB", "ab") == [(0, 2), (2, 4), (5, 7), (7, 9)]


def test_nfc_on_both_sides():
    decomposed = "Cafe\u0301 and caf\u00e9"
    assert texts(decomposed, "CAF\u00c9") == ["Cafe\u0301", "caf\u00e9"]
    assert texts(decomposed, "cafe\u0301") == ["Cafe\u0301", "caf\u00e9"]


def test_empty_query_or_text_has_no_hits():
    assert find_all("anything", "") == []
    assert find_all("", "x") == []
    assert find_all("no match here", "zebra") == []


def test_crlf_text_offsets():
    text = "line one\r\nLine two\r\nشركة"
    assert texts(text, "line") == ["line", "Line"]
    assert texts(text, "شركة") == ["شركة"]
