"""The reader renders Arabic right-to-left and Hindi left-to-right, with fonts that cover both,
and converts Qt's UTF-16 positions to code points exactly."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument

from app.core.paths import seeds_dir
from app.core.services.projects import seed_metadata
from app.core.text import normalize_newlines
from app.ui.highlights import Span, segments
from app.ui.positions import PositionMap
from app.ui.reader import ReaderView


def seed_text(language_index):
    meta = seed_metadata()[language_index]
    return normalize_newlines((seeds_dir() / meta["file"]).read_text(encoding="utf-8"))


def _blocks(reader):
    block = reader.document().begin()
    while block.isValid():
        if block.text().strip():
            yield block
        block = block.next()


@pytest.fixture
def reader(qtbot):
    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_arabic_blocks_are_laid_out_right_to_left_and_right_aligned(reader):
    text = seed_text(3)  # Arabic: Scale AI 700 jobs
    reader.show_document(text)
    width = reader.document().textWidth()
    arabic_blocks = 0
    for block in _blocks(reader):
        if sum("\u0600" <= ch <= "\u06ff" for ch in block.text()) < len(block.text()) / 3:
            continue
        arabic_blocks += 1
        layout = block.layout()
        assert layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
        assert block.blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft
        first = layout.lineAt(0)
        margin = reader.document().documentMargin()
        # the first line ends at the right edge (right-aligned), whatever its length
        assert abs(first.naturalTextRect().right() - (width - 2 * margin)) < 2.0
    assert arabic_blocks >= 5


def test_arabic_paragraph_starting_with_latin_name_is_still_rtl(reader):
    reader.show_document("OpenAI تمنح جميع موظفيها إجازة لمدة أسبوع كامل\n123 شركة Meta\nMeta said 7,000 people.")
    directions = [b.layout().textOption().textDirection() for b in _blocks(reader)]
    assert directions == [Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.RightToLeft,
                          Qt.LayoutDirection.LeftToRight]


def test_hindi_blocks_are_left_to_right_and_fonts_cover_every_character(reader):
    text = seed_text(2)
    reader.show_document(text)
    for block in _blocks(reader):
        assert block.layout().textOption().textDirection() == Qt.LayoutDirection.LeftToRight
    families = reader.font().families()
    assert any("Devanagari" in f for f in families), families
    assert any("Arabic" in f for f in families), families
    metrics = [QFontMetrics(QFont(f)) for f in families]
    for text_ in (text, seed_text(4)):
        uncovered = {ch for ch in set(text_) if not ch.isspace() and ch not in "\u200c\u200d\u200e\u200f"
                     and not any(m.inFontUcs4(ord(ch)) for m in metrics)}
        assert not uncovered, f"no font for {sorted(uncovered)}"


def test_overlapping_mentions_are_all_visible():
    spans = [Span(1, 0, 10, "#ff0000"), Span(2, 3, 6, "#00ff00"), Span(3, 4, 5, "#0000ff")]
    segs = segments(spans)
    assert [(s.start, s.end, s.inner.id, [o.id for o in s.outer]) for s in segs] == [
        (0, 3, 1, []), (3, 4, 2, [1]), (4, 5, 3, [1, 2]), (5, 6, 2, [1]), (6, 10, 1, []),
    ]


def test_highlights_land_on_the_right_characters(reader):
    text = "Team 👩🏽‍💻 at شركة OpenAI 😀 and Meta"
    i, j = text.index("OpenAI"), text.index("Meta")
    reader.show_document(text, [Span(1, i, i + 6, "#1f77b4"), Span(2, j, j + 4, "#d62728")])
    doc = reader.document()
    found = doc.find("OpenAI")
    ranges = [(sel.cursor.selectionStart(), sel.cursor.selectionEnd(), sel.format.background().color().name())
              for sel in reader.extraSelections()]
    assert (found.selectionStart(), found.selectionEnd(), "#1f77b4") in ranges
    meta = doc.find("Meta")
    assert (meta.selectionStart(), meta.selectionEnd(), "#d62728") in ranges


pieces = st.lists(st.sampled_from(["a", " ", "\n", "ش", "ُ", "क्", "ॉ", "😀", "👩", "\u200d", "💻", "🇪🇬", "é"]),
                  max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(pieces)
def test_position_map_agrees_with_qt(text):
    pmap = PositionMap(text)
    doc = QTextDocument()
    doc.setPlainText(text)
    assert pmap.length_u16 == doc.characterCount() - 1
    for i, ch in enumerate(text):
        pos = pmap.to_utf16(i)
        assert pmap.to_code_point(pos) == i
        qt_char = doc.characterAt(pos)
        expected = "\u2029" if ch == "\n" else ch
        assert qt_char == expected[0] if ord(ch) <= 0xFFFF else 0xD800 <= ord(qt_char) <= 0xDBFF
        if ord(ch) > 0xFFFF:
            assert pmap.to_code_point(pos + 1) == i  # inside the surrogate pair: the character itself
    assert pmap.to_code_point(pmap.length_u16) == len(text)


def _naive_segments(spans, lo, hi):
    out = []
    for pos in range(lo, hi):
        cover = sorted((s for s in spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.id))
        if cover:
            key = (cover[0].id, tuple(s.id for s in reversed(cover[1:])))
            if out and out[-1][1] == pos and out[-1][2] == key:
                out[-1][1] = pos + 1
            else:
                out.append([pos, pos + 1, key])
    return [tuple(x) for x in out]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=12), st.integers(0, 10), st.integers(10, 40))
def test_segments_match_a_character_by_character_reference(raw, lo, hi):
    spans = [Span(i + 1, s, s + n, "#000000") for i, (s, n) in enumerate(raw)]
    got = [(g.start, g.end, (g.inner.id, tuple(o.id for o in g.outer))) for g in segments(spans, lo, hi)]
    assert got == _naive_segments(spans, lo, hi)


def test_only_paragraphs_on_screen_are_drawn_and_scrolling_draws_the_rest(reader, qtbot):
    paragraph = "شركة Meta تعيد تعيين 7,000 موظف إلى فرق الذكاء الاصطناعي في OpenAI.\n"
    text = paragraph * 400
    spans = [Span(i + 1, i * len(paragraph) + 5, i * len(paragraph) + 9, "#1f77b4") for i in range(400)]
    reader.show_document(text, spans)
    drawn = reader.extraSelections()
    assert 0 < len(drawn) < 100  # a screenful, not 400
    last = spans[-1]
    reader.verticalScrollBar().setValue(reader.verticalScrollBar().maximum())
    positions = {(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in reader.extraSelections()}
    assert (last.start, last.end) in positions
    assert text[last.start:last.end] == "Meta"
