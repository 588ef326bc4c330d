"""A relation type made transitive (an equivalence, brat's Equiv) in the codebook editor and its
edit commands: one undo entry, symmetric set with it, cleared with symmetric."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.errors import AnnotaryError
from app.core.project import open_project
from app.core.services.codebook_edits import commands as cb
from app.core.services.workspace import Workspace
from app.ui.codebook_editor import CodebookEditor


@pytest.fixture
def ws(seeded_project):
    return Workspace(seeded_project, "alice")


def flags(ws: Workspace, relation_type_id: int) -> tuple[bool, bool]:
    """(symmetric, transitive) as a fresh connection sees them (so each step is committed)."""
    with open_project(ws.project.path) as fresh:
        return (next(t.symmetric for t in Workspace(fresh, "alice").codebook.relation_types
                     if t.id == relation_type_id),
                cb.is_transitive(Workspace(fresh, "alice"), relation_type_id))


def person(ws: Workspace) -> int:
    return next(t.id for t in ws.codebook.entity_types if t.name == "Person")


def test_setting_transitive_sets_symmetric_in_one_undo_entry(ws):
    knows = cb.add_relation_type(ws, "Knows")
    cb.set_relation_transitive(ws, knows, True)
    assert flags(ws, knows) == (True, True)
    assert ws.history.undo_label == "make Knows an equivalence (transitive)"
    ws.history.undo()
    assert flags(ws, knows) == (False, False) and ws.history.undo_label == "add relation type Knows"
    ws.history.redo()
    assert flags(ws, knows) == (True, True)
    cb.set_relation_transitive(ws, knows, False)  # still symmetric, no longer an equivalence
    assert flags(ws, knows) == (True, False)
    cb.set_relation_transitive(ws, knows, True)
    cb.set_relation_symmetric(ws, knows, False)  # a directed type is no equivalence
    assert flags(ws, knows) == (False, False)
    ws.history.undo()
    assert flags(ws, knows) == (True, True)


def test_transitive_is_refused_as_symmetric_is_while_a_pair_is_linked_both_ways(ws):
    knows = cb.add_relation_type(ws, "Knows")
    text = ws.document_text(1)
    words = text.split()
    a = ws.tag(1, text, 0, len(words[0]), person(ws), precise=True).mention_id
    start = text.index(words[1])
    b = ws.tag(1, text, start, start + len(words[1]), person(ws), precise=True).mention_id
    ws.create_relation(knows, a, b)
    ws.create_relation(knows, b, a)
    label = ws.history.undo_label
    with pytest.raises(AnnotaryError, match=r"^Knows links 1 pair of mentions both ways in 1 document"):
        cb.set_relation_transitive(ws, knows, True)
    assert flags(ws, knows) == (False, False) and ws.history.undo_label == label


def test_the_editor_form_shows_and_sets_transitive(qtbot, ws):
    knows = cb.add_relation_type(ws, "Knows")
    editor = CodebookEditor(ws, lambda fn: fn())
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.select((cb.RELATION, knows))
    form = editor.form
    assert form.form.isRowVisible(form.transitive) and form.transitive.text().startswith("Transitive")
    assert not form.transitive.isChecked() and not form.symmetric.isChecked()
    qtbot.mouseClick(form.transitive, Qt.MouseButton.LeftButton)
    assert flags(ws, knows) == (True, True)
    assert form.transitive.isChecked() and form.symmetric.isChecked()  # the form shows what is stored
    editor.undo_button.click()
    assert not form.transitive.isChecked() and not form.symmetric.isChecked()
    editor.select((cb.ENTITY, person(ws)))
    assert not form.form.isRowVisible(form.transitive)  # a relation type's only
