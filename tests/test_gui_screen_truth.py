"""The reader never shows what is not stored: after undo, redo and delete its pixels equal a
fresh rendering of the stored state (English and Arabic)."""

import pytest
from PySide6.QtWidgets import QApplication

from tests.test_gui_main_window import press, select_text, window  # noqa: F401 - the fixture


def pixels(window):
    window.reader.setTextCursor(window.reader.cursorForPosition(window.reader.viewport().rect().topLeft()))
    window.reader.clearFocus()
    QApplication.processEvents()
    return window.reader.viewport().grab().toImage()


def fresh(window):
    """The same document opened again from the file: what the screen must look like."""
    doc = window.document_id
    window.open_document(1 if doc != 1 else 2)
    window.open_document(doc)
    return pixels(window)


@pytest.mark.parametrize("doc, word_index", [(1, 2), (4, 2)])  # English; Arabic (شركة Scale AI ...)
def test_after_undo_redo_and_delete_the_reader_shows_the_stored_state(qtbot, window, doc, word_index):
    window.open_document(doc)
    before = fresh(window)
    word = window.reader.text.split()[word_index]
    select_text(window, word)
    press(qtbot, window, "o")
    tagged = fresh(window)
    assert tagged != before  # the highlight is drawn: the comparison can fail
    window.open_document(doc)
    select_text(window, word)
    window.action_undo.trigger()  # undo of a tag done in an earlier visit: redo it, then test
    window.action_redo.trigger()
    window.pane.mention_view.selectRow(0)  # selecting a mention outlines it in the reader
    QApplication.processEvents()
    window.action_undo.trigger()
    assert window.pane.mention_model.rowCount() == 0
    assert pixels(window) == before
    window.action_redo.trigger()
    assert pixels(window) == fresh(window) == tagged
    window.pane.mention_view.selectRow(0)
    window.reader.setFocus()
    window._do(window.delete_selected)
    assert window.pane.mention_model.rowCount() == 0
    assert pixels(window) == before
