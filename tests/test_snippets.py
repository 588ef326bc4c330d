"""Context snippets that tell apart mentions with the same wording (app/core/snippets.py)."""

import pytest

from app.core.snippets import FSI, PDI, distance, mention_choice, snippet


def at(text, needle, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return i, i + len(needle)


def test_words_on_each_side_cut_at_word_boundaries():
    text = "Yesterday, after a long meeting,\nMeta laid off 10% of its staff in London."
    assert snippet(text, *at(text, "Meta")) == FSI + "…a long meeting, Meta laid off 10%…" + PDI


def test_no_ellipsis_at_the_ends_of_the_text():
    text = "  Meta hired Ann.\n"
    assert snippet(text, *at(text, "Meta")) == FSI + "Meta hired Ann." + PDI
    assert snippet(text, *at(text, "Ann")) == FSI + "Meta hired Ann." + PDI


def test_long_word_is_dropped_not_cut():
    text = "x " + "a" * 40 + " then Meta"
    assert snippet(text, *at(text, "Meta")) == FSI + "…then Meta" + PDI


def test_newlines_tabs_and_controls_become_single_spaces():
    text = "one\r\n\r\ntwo\tMeta\u2029three\x00four"
    assert snippet(text, *at(text, "Meta")) == FSI + "one two Meta three four" + PDI


def test_bidi_controls_of_the_document_cannot_break_the_isolate():
    text = "a \u202eb\u2069 Meta \u2066c d"
    s = snippet(text, *at(text, "Meta"))
    assert s == FSI + "a b Meta c d" + PDI
    assert s.count(PDI) == 1


def test_arabic_context():
    text = "وقد اتخذت شركة OpenAI خطوة غير عادية لحماية قوتها العاملة من قبل شركة Meta.\nمواجهة خسارة"
    s = snippet(text, *at(text, "Meta"))
    assert s == FSI + "…من قبل شركة Meta. مواجهة خسارة" + PDI
    s = snippet(text, *at(text, "خطوة"))
    assert s == FSI + "…اتخذت شركة OpenAI خطوة غير عادية لحماية…" + PDI


def test_hindi_context_keeps_vowel_signs():
    text = "निवेश दिया है, जो Meta के $14.3 बिलियन के निवेश"
    assert snippet(text, *at(text, "Meta")) == FSI + "…दिया है, जो Meta के $14.3 बिलियन…" + PDI
    run = "कर्मचारियों" * 10  # no spaces: a hard cut, never before a vowel sign or virama
    text = run + "X" + run
    s = snippet(text, *at(text, "X"))[1:-1].strip("…")
    left, right = s.split("X")
    assert run.endswith(left) and run.startswith(right)
    for part in (left, right):
        assert part[:1] not in "\u094d\u093f\u094b\u0940\u0902\u093e"  # no mark without its letter
        assert part[-1:] != "\u094d"


def test_emoji_offsets_are_code_points_and_sequences_stay_whole():
    text = "Team 👩🏽‍💻 😀 at Meta 🙂 today"
    start = text.index("Meta")
    assert start == 15  # code points, not UTF-16 units
    assert snippet(text, start, start + 4) == FSI + "…👩🏽‍💻 😀 at Meta 🙂 today" + PDI
    coder = "👩🏽‍💻"
    text = coder * 20 + "X" + coder * 20 + " 🇸🇦🇮🇳" * 1
    s = snippet(text, *at(text, "X"))
    left, right = s[2:].split("X")
    assert left == coder * 7  # 30 code points: seven whole sequences of four
    assert right.rstrip("…" + PDI) == coder * 7


def test_flags_are_not_split():
    text = "🇸🇦" * 20 + "X"
    left = snippet(text, *at(text, "X"))[2:].split("X")[0]
    assert left == "🇸🇦" * 15


def test_long_span_is_shortened():
    text = "Before it " + "word " * 30 + "after"
    start = text.index("word")
    s = snippet(text, start, start + 150)
    assert s.startswith(FSI + "Before it word word")
    assert s.endswith("word…" + PDI)
    assert len(s) < 80


def test_outside_the_text_is_refused():
    with pytest.raises(ValueError):
        snippet("abc", 2, 5)


def test_mention_choice_reads_name_type_position_context():
    text = "x " * 700 + "Meta laid off 10% of staff"
    start = text.index("Meta")
    assert mention_choice(text, start, start + 4, "Meta", "Organization") == (
        f"Meta (Organization) · 1,400 · {FSI}…x x x Meta laid off 10%…{PDI}"
    )
    text = "قالت شركة ميتا 700 موظف"
    start, end = at(text, "ميتا")
    assert mention_choice(text, start, end, "ميتا", "منظمة") == (
        f"{FSI}ميتا{PDI} ({FSI}منظمة{PDI}) · 10 · {FSI}قالت شركة ميتا 700 موظف{PDI}"
    )


def test_distance():
    assert distance(10, 14, 20, 25) == 6
    assert distance(30, 34, 20, 25) == 5
    assert distance(18, 22, 20, 25) == 0
