"""The codebook editor: edits through its form are single undo entries, it follows undo from
anywhere, refusals are shown as the window shows them and leave the form as stored."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.errors import AnnotaryError
from app.core.services.codebook_edits import commands as cb
from app.core.services.workspace import Workspace
from app.ui.codebook_editor import CodebookEditor
from app.ui.codebook_editor import tree as tree_mod


@pytest.fixture
def ws(linkless_project):
    return Workspace(linkless_project, "alice")


@pytest.fixture
def shown(qtbot, ws):
    messages: list[str] = []

    def run(fn):  # as the main window's runner: a user mistake becomes a message
        try:
            return fn()
        except AnnotaryError as exc:
            messages.append(str(exc))
            return None

    editor = CodebookEditor(ws, run)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor, messages


def type_id(ws, name):
    return next(t.id for t in ws.load_codebook().entity_types if t.name == name)


def tree_names(editor, kind="entity"):
    head = tree_mod.find(editor.model, ("kind", kind))
    return [head.child(r).text().split("   [")[0] for r in range(head.rowCount())]


def type_into(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    if text.isascii():
        qtbot.keyClicks(field, text)
    else:  # as an input method enters Arabic (QTest has no keys for it)
        field.insert(text)


def test_rename_through_the_form_is_one_undo_entry_and_undo_shows_again(qtbot, ws, shown):
    editor, messages = shown
    org = type_id(ws, "Organization")
    assert editor.select((cb.ENTITY, org))
    assert editor.form.name.text() == "Organization"
    label = ws.history.undo_label
    type_into(qtbot, editor.form.name, "Organisation")
    assert ws.history.undo_label == label  # typing commits nothing
    qtbot.keyClick(editor.form.name, Qt.Key.Key_Return)
    assert ws.codebook.entity_type(org).name == "Organisation"
    assert ws.history.undo_label == "rename entity type Organization to Organisation"
    assert tree_names(editor)[0] == "Organisation"
    editor.form.hotkey.setFocus()  # leaving the field after Return commits nothing more
    assert ws.history.undo_label == "rename entity type Organization to Organisation"
    qtbot.mouseClick(editor.undo_button, Qt.MouseButton.LeftButton)
    assert ws.codebook.entity_type(org).name == "Organization"
    assert editor.form.name.text() == "Organization" and tree_names(editor)[0] == "Organization"
    assert editor.current_key() == (cb.ENTITY, org)
    assert not messages


def test_an_undo_from_elsewhere_shows_in_the_open_editor(ws, shown):
    editor, _ = shown
    person = type_id(ws, "Person")
    editor.select((cb.ENTITY, person))
    cb.recolour(ws, cb.ENTITY, person, "#00ff00")
    assert editor.form.color.color == "#00ff00"
    ws.undo()  # as Ctrl+Z in the main window does
    assert editor.form.color.color == "#d62728"


def test_added_type_appears_selected_and_takes_an_arabic_name(qtbot, ws, shown):
    editor, messages = shown
    editor.add("entity")
    assert tree_names(editor)[-1] == "New entity type"
    new = editor.current_key()
    assert new[0] == cb.ENTITY and editor.form.name.text() == "New entity type"
    type_into(qtbot, editor.form.name, "نقابة العمال")
    qtbot.keyClick(editor.form.name, Qt.Key.Key_Return)
    assert tree_names(editor)[-1] == "نقابة العمال"
    assert ws.codebook.entity_type(new[1]).name == "نقابة العمال"
    editor.commit(ws.undo)
    editor.commit(ws.undo)
    assert "New entity type" not in tree_names(editor) and "نقابة العمال" not in tree_names(editor)
    assert not messages


def test_removal_in_use_is_refused_with_its_message_and_nothing_changes(ws, shown):
    editor, messages = shown
    org = type_id(ws, "Organization")
    text = ws.document_text(5)
    for needle, doc in (("Meta", 5), ("OpenAI", 5)):
        start = text.index(needle)
        ws.tag(doc, text, start, start + len(needle), org, precise=True)
    editor.select((cb.ENTITY, org))
    assert editor.form.usage.text() == "Used by 2 mentions in 1 document"
    editor.remove_button.click()
    assert messages == [("Organization is used by 2 mentions in 1 document (and 36 event roles accept it); "
                         "merge it into another type instead")]
    assert "Organization" in tree_names(editor) and editor.current_key() == (cb.ENTITY, org)
    assert ws.history.undo_label == "tag mention"


def test_a_refused_edit_puts_the_stored_value_back_in_the_form(qtbot, ws, shown):
    editor, messages = shown
    editor.select((cb.ENTITY, type_id(ws, "Person")))
    type_into(qtbot, editor.form.hotkey, "o")
    qtbot.keyClick(editor.form.hotkey, Qt.Key.Key_Return)
    assert messages == ["the key o is already the hotkey of the entity type 'Organization'; clear it there first"]
    assert editor.form.hotkey.text() == "p"


def test_merge_into_moves_mentions_and_undo_brings_them_back(ws, shown):
    editor, messages = shown
    org, person = type_id(ws, "Organization"), type_id(ws, "Person")
    text = ws.document_text(5)
    start = text.index("ألتمان")
    mention = ws.tag(5, text, start, start + len("ألتمان"), person, precise=True).mention_id
    editor.select((cb.ENTITY, person))
    editor.merge_into(org)
    assert "Person" not in tree_names(editor)
    assert editor.current_key() == (cb.ENTITY, org)
    assert {m.id: m.type_name for m in ws.mentions(5)}[mention] == "Organization"
    editor.undo_button.click()
    assert "Person" in tree_names(editor)
    assert {m.id: m.type_name for m in ws.mentions(5)}[mention] == "Person"
    assert not messages


def test_role_accepts_and_values_commit_once_each(qtbot, ws, shown):
    editor, messages = shown
    layoff = next(t for t in ws.codebook.event_types if t.name == "Layoff")
    actor = layoff.roles[0]
    editor.select((cb.ROLE, actor.id))
    editor.form.accepts.set_checked(type_id(ws, "Location"), True)
    assert ws.history.undo_label == "change what Actor accepts"
    assert type_id(ws, "Location") in ws.codebook.event_type(layoff.id).roles[0].accepts
    modality = ws.codebook.event_attributes[0]
    editor.select((cb.ATTRIBUTE, modality.id))
    editor.form.values.setFocus()
    editor.form.values.moveCursor(editor.form.values.textCursor().MoveOperation.End)
    qtbot.keyClick(editor.form.values, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.form.values, "hedged")
    assert ws.history.undo_label == "change what Actor accepts"  # still typing
    editor.form.name.setFocus()
    assert ws.codebook.event_attributes[0].values[-1] == "hedged"
    assert ws.history.undo_label == "change the values of Modality"
    assert not messages


def test_the_main_windows_undo_undoes_a_merge_made_in_the_editor(qtbot, seeded_project):
    from app.ui.main_window import MainWindow

    window = MainWindow(seeded_project, "alice", testing=True)
    qtbot.addWidget(window)
    ws = window.workspace
    editor = CodebookEditor(ws, window._do, window)
    org, person = type_id(ws, "Organization"), type_id(ws, "Person")
    text = ws.document_text(5)
    start = text.index("ألتمان")
    mention = ws.tag(5, text, start, start + len("ألتمان"), person, precise=True).mention_id
    editor.select((cb.ENTITY, person))
    editor.merge_into(org)
    assert window.workspace.codebook.entity_types[1].name != "Person"
    window.action_undo.trigger()  # Ctrl+Z in the main window
    assert "Person" in tree_names(editor)
    assert window.workspace.codebook.entity_type(person).name == "Person"
    assert {m.id: m.type_name for m in window.workspace.mentions(5)}[mention] == "Person"
    window.action_redo.trigger()
    assert "Person" not in tree_names(editor)
    assert {m.id: m.type_name for m in window.workspace.mentions(5)}[mention] == "Organization"


def test_a_definition_is_kept_when_the_user_clicks_another_item(qtbot, ws, shown):
    editor, messages = shown
    money, date = type_id(ws, "Money"), type_id(ws, "Date")
    editor.select((cb.ENTITY, money))
    editor.form.definition.setFocus()
    editor.form.definition.selectAll()
    qtbot.keyClicks(editor.form.definition, "Any amount of money.")
    date_item = tree_mod.find(editor.model, (cb.ENTITY, date))
    rect = editor.tree.visualRect(date_item.index())
    qtbot.mouseClick(editor.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ws.codebook.entity_type(money).definition == "Any amount of money."
    assert editor.current_key() == (cb.ENTITY, date)
    assert editor.form.name.text() == "Date"
    assert ws.history.undo_label == "define entity type Money"
    assert not messages


def test_move_buttons_reorder_within_the_kind(ws, shown):
    editor, _ = shown
    editor.select((cb.ENTITY, type_id(ws, "Organization")))
    assert not editor.up_button.isEnabled() and editor.down_button.isEnabled()
    editor.down_button.click()
    assert tree_names(editor)[:2] == ["Person", "Organization"]
    assert editor.up_button.isEnabled()
    layoff = next(t for t in ws.codebook.event_types if t.name == "Layoff")
    editor.select((cb.ROLE, layoff.roles[-1].id))
    assert not editor.down_button.isEnabled()
    editor.up_button.click()
    assert [r.name for r in ws.codebook.event_type(layoff.id).roles][-2:] == ["Source", "Location"]


def test_edit_codebook_in_the_menu_and_the_window_follows_every_edit(qtbot, seeded_project):
    """Edit → Codebook… opens the editor; a rename and a new hotkey show at once in the palette and
    the type keys of the main window, and the window's Ctrl+Z takes them back."""
    from app.ui.main_window import MainWindow

    window = MainWindow(seeded_project, "alice", testing=True)
    qtbot.addWidget(window)
    window.action_codebook.trigger()
    editor = window.codebook_editor
    assert editor is not None and editor.isVisible()
    ws = window.workspace
    org = type_id(ws, "Organization")
    editor.select((cb.ENTITY, org))
    type_into(qtbot, editor.form.name, "شركة")
    qtbot.keyClick(editor.form.name, Qt.Key.Key_Return)
    palette = window.pane.palette_widget
    assert "entity:شركة" in palette.buttons and "entity:Organization" not in palette.buttons
    from PySide6.QtWidgets import QPushButton

    shown = [b.text() for b in palette.findChildren(QPushButton) if not b.isHidden()]
    assert not any(t.startswith("Organization") for t in shown)  # the old button is gone from the screen at once
    assert sum(t.startswith("شركة") for t in shown) == 1
    assert "Tag as شركة" in [a.text() for a in window.commands.type_actions]
    window.open_document(5)
    text = window.reader.text
    i = text.index("OpenAI")
    window.reader.select_cp(i, i + 6)
    key = next(a for a in window.commands.type_actions if a.text() == "Tag as شركة")
    assert key.shortcut().toString() == "O"
    key.trigger()  # the type's key still tags, under its new name
    assert [(m.type_name, m.text) for m in window.pane.mention_model.mentions] == [("شركة", "OpenAI")]
    window.action_undo.trigger()  # the tag
    window.action_undo.trigger()  # the rename
    assert "entity:Organization" in palette.buttons and "entity:شركة" not in palette.buttons
    assert editor.form.name.text() == "Organization"
    window.close()
    assert window.codebook_editor is None or not window.codebook_editor.isVisible()


def test_an_arabic_definition_reads_right_to_left_in_the_form(ws, shown):
    editor, _ = shown
    money = type_id(ws, "Money")
    cb.set_definition(ws, cb.ENTITY, money, "مبلغ من المال\nAny amount")
    editor.select((cb.ENTITY, money))
    block = editor.form.definition.document().begin()
    assert block.blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert block.next().blockFormat().layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_a_relation_type_added_through_the_editor_and_its_form(qtbot, ws, shown):
    editor, messages = shown
    editor.add("relation")
    new = editor.current_key()
    assert new[0] == cb.RELATION and tree_names(editor, "relation") == ["New relation type  →"]
    form = editor.form
    assert not form.form.isRowVisible(form.accepts) and form.form.isRowVisible(form.source)
    type_into(qtbot, form.name, "Employs")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    type_into(qtbot, form.hotkey, "Shift+E")
    qtbot.keyClick(form.hotkey, Qt.Key.Key_Return)
    form.source.set_checked(type_id(ws, "Organization"), True)
    form.target.set_checked(type_id(ws, "Person"), True)
    form.target.set_checked(type_id(ws, "Worker group"), True)
    assert ws.history.undo_label == "change what the target of Employs accepts"
    form.symmetric.click()
    rel = ws.codebook.relation_types[0]
    assert (rel.id, rel.name, rel.hotkey, rel.symmetric) == (new[1], "Employs", "Shift+E", True)
    assert rel.source_accepts == (type_id(ws, "Organization"),)
    assert rel.target_accepts == (type_id(ws, "Person"), type_id(ws, "Worker group"))
    assert tree_names(editor, "relation") == ["Employs  ↔"]
    assert editor.current_key() == new and form.symmetric.isChecked()
    assert form.source.checked() == [type_id(ws, "Organization")]
    # its hotkey is taken for the types too, and the refusal leaves the form as stored
    editor.select((cb.ENTITY, type_id(ws, "Person")))
    type_into(qtbot, form.hotkey, "Shift+E")
    qtbot.keyClick(form.hotkey, Qt.Key.Key_Return)
    assert messages == ["the key Shift+E is already the hotkey of the relation type 'Employs'; clear it there first"]
    assert form.hotkey.text() == "p"
    editor.select(new)
    for _ in range(6):  # symmetric, two targets, source, hotkey, name
        editor.undo_button.click()
    assert tree_names(editor, "relation") == ["New relation type  →"]
    assert form.target.checked() == [] and not form.symmetric.isChecked()
    editor.undo_button.click()
    assert tree_names(editor, "relation") == [] and ws.codebook.relation_types == []


def test_a_role_form_ticks_the_events_it_accepts(ws, shown):
    editor, messages = shown
    reversal = next(t for t in ws.codebook.event_types if t.name == "Policy reversal")
    reassignment = next(t for t in ws.codebook.event_types if t.name == "Reassignment")
    policy = next(r for r in reversal.roles if r.name == "Policy")
    editor.select((cb.ROLE, policy.id))
    assert editor.form.form.isRowVisible(editor.form.accepts_events) and editor.form.accepts_events.checked() == []
    editor.form.accepts_events.set_checked(reassignment.id, True)
    assert ws.history.undo_label == "change which events Policy accepts"
    assert ws.codebook.event_type(reversal.id).roles[2].accepts_events == (reassignment.id,)
    editor.select((cb.EVENT, reassignment.id))
    editor.remove_button.click()  # unused: it goes, and the role forgets it; undo brings both back
    assert ws.codebook.event_type(reversal.id).roles[2].accepts_events == ()
    editor.undo_button.click()
    editor.select((cb.ROLE, policy.id))
    assert editor.form.accepts_events.checked() == [reassignment.id]
    assert not messages
