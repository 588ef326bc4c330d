"""The views follow the change channel: a command made anywhere shows everywhere, row by row."""

import pytest
from PySide6.QtCore import Qt

from app.core.changes import everything
from app.core.project import open_project
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, seeded_project):
    path = seeded_project.path
    seeded_project.close()
    win = MainWindow(open_project(path), "ana", testing=True)
    qtbot.addWidget(win)
    win.open_document(1)
    return win


def _type(win, name):
    return next(t.id for t in win.workspace.codebook.entity_types if t.name == name)


def test_a_command_made_outside_the_window_shows_in_every_view(window):
    """No refresh is called: the reader, the mention table, the counts and the document list
    update themselves from the change the workspace published."""
    text = window.reader.text
    start = text.index("Meta is reversing")
    action = window.workspace.tag(1, text, start, start + 4, _type(window, "Organization"))
    assert [m.id for m in window.pane.mention_model.mentions] == [action.mention_id]
    assert action.mention_id in {s.id for s in window.reader.spans_between(0, len(text))}
    assert window.pane.tabs.tabText(0) == "Mentions (1)"
    row = window.doc_model.document_at(window.doc_model.row_of(1))
    assert (row.mentions, row.status) == (1, "in_progress")
    window.workspace.undo()
    assert window.pane.mention_model.mentions == [] and window.reader.spans_between(0, len(text)) == []
    assert window.doc_model.document_at(window.doc_model.row_of(1)).status == "not_started"


def test_tagging_inserts_one_row_and_never_resets_the_lists(window, qtbot):
    text = window.reader.text
    first = text.index("Meta is reversing")
    window.workspace.tag(1, text, first, first + 4, _type(window, "Organization"))
    resets, inserted = [], []
    window.pane.mention_model.modelReset.connect(lambda: resets.append(1))
    window.doc_model.modelReset.connect(lambda: resets.append(2))
    window.pane.mention_model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    window.reader.select_cp(0, 4)
    window.tag_selection(_type(window, "Person"))
    assert resets == [] and inserted == [(0, 0)] and window.last_error is None
    assert [m.start for m in window.pane.mention_model.mentions] == sorted(
        m.start for m in window.pane.mention_model.mentions)


def test_the_selected_mention_stays_selected_when_another_row_comes_and_goes(window):
    text = window.reader.text
    later = text.index("Meta is reversing")
    kept = window.workspace.tag(1, text, later, later + 4, _type(window, "Organization"))
    window.select_mention(kept.mention_id)
    other = window.workspace.tag(1, text, 0, 4, _type(window, "Person"))
    assert window.selected_mention_id() == kept.mention_id
    window.workspace.delete_mention(other.mention_id)
    assert window.selected_mention_id() == kept.mention_id


def test_a_change_of_everything_rereads_and_keeps_the_open_document(window):
    text = window.reader.text
    start = text.index("Meta is reversing")
    with window.project.uow() as s:  # as another program would: no change published
        from app.core.services.annotations import create_mention

        create_mention(s, 1, window.workspace.coder_id, _type(window, "Organization"), start, start + 4)
    assert window.pane.mention_model.mentions == []
    window.project.changes.publish(everything("outside"))
    assert window.document_id == 1 and len(window.pane.mention_model.mentions) == 1


def test_the_document_filter_finds_text_once_typing_pauses(window, qtbot):
    box = window.filter_box
    box.insert("مليار")  # typed (an input method gives it at once); in the Arabic articles' text, not in any title
    assert window.doc_model.rowCount() == 5  # nothing yet: one search when typing pauses
    qtbot.waitUntil(lambda: window.doc_model.rowCount() < 5, timeout=3000)
    found = {window.doc_model.document_at(r).language for r in range(window.doc_model.rowCount())}
    assert found == {"ar"}
    box.clear()
    box.insert("छंटनी")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter searches at once
    assert [window.doc_model.document_at(r).language for r in range(window.doc_model.rowCount())] == ["hi"]
    assert window.document_id == 1  # filtering never changes the open document
