"""The text handed to matplotlib for a label: logical when matplotlib shapes (3.11, libraqm),
reshaped and in visual order when it does not (a renderer without shaping, simulated)."""

import arabic_reshaper
import pytest
from bidi import get_display
from matplotlib.text import Text

from app.core.analysis.counts import Table
from app.core.figures import figure_bytes, labels
from app.core.figures.draw import draw

MIXED = "ميتا (Meta)"
HINDI = "कर्मचारियों"
ROWS = (("Organization", "ar", MIXED, 5), ("Organization", "en", "Meta", 3), ("Worker group", "hi", HINDI, 2),
        ("Quantity", "ar", "ثمانية باحثين", 1))
TABLE = Table("top_mention_texts", "Most frequent texts", ("entity_type", "language", "text", "count"), ROWS)


def drawn_texts(table):
    """Every text the figure of `table` hands to matplotlib."""
    import matplotlib

    from app.core.figures.style import apply_rc

    with matplotlib.rc_context():
        apply_rc()
        return [t.get_text() for t in draw(table).findobj(Text)]


def test_matplotlib_3_11_shapes_itself():
    from matplotlib import ft2font

    assert labels.renderer_shapes() is True
    assert ft2font.__libraqm_version__


def test_a_shaping_renderer_gets_the_logical_text():
    texts = drawn_texts(TABLE)
    assert MIXED in texts and HINDI in texts and "ثمانية باحثين" in texts and "Meta" in texts


def test_a_renderer_without_shaping_gets_the_reshaped_visual_form(monkeypatch):
    monkeypatch.setattr(labels, "renderer_shapes", lambda: False)
    texts = drawn_texts(TABLE)
    visual = get_display(arabic_reshaper.reshape(MIXED))
    assert visual != MIXED and any("\ufb50" <= ch <= "\ufeff" for ch in visual)
    assert visual in texts and MIXED not in texts
    assert get_display(arabic_reshaper.reshape("ثمانية باحثين")) in texts
    # no Arabic in them: Hindi and English go as they are
    assert HINDI in texts and "Meta" in texts and "Organization" in texts
    assert TABLE.rows == ROWS  # the table itself stays logical


@pytest.mark.parametrize("shapes", [True, False])
def test_display_label_decides_from_the_renderer(monkeypatch, shapes):
    monkeypatch.setattr(labels, "renderer_shapes", lambda: shapes)
    assert labels.display_label(MIXED) == (MIXED if shapes else get_display(arabic_reshaper.reshape(MIXED)))
    assert labels.display_label(HINDI) == HINDI
    assert labels.display_label("Layoff") == "Layoff"


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_every_format_draws_with_the_noto_fonts(fmt, magic):
    from app.core.figures.style import font_family

    assert {"Noto Sans", "Noto Naskh Arabic", "Noto Sans Devanagari"} <= set(font_family())
    data = figure_bytes(TABLE, fmt)
    assert data.startswith(magic)
    if fmt == "svg":  # glyphs as paths, named by their font
        text = data.decode("utf-8")
        assert "NotoNaskhArabic" in text and "NotoSansDevanagari" in text


def test_an_empty_table_draws_a_note():
    texts = drawn_texts(Table("event_roles_filled", "Event roles", ("event_type", "role", "filled", "empty"), ()))
    assert "No annotations to show" in texts
