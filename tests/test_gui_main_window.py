"""The real main window, offscreen: tagging with hotkeys, exact offsets, events, undo, import/export."""


import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt, QThread
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import select

from app.core.models import Document, Event, EventArgument, EventAttributeValue, Mention
from app.core.project import open_project
from app.core.services.documents import add_document
from app.core.services.projects import init_project
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    project = init_project(tmp_path / "gui.annotary")
    win = MainWindow(project, "alice", testing=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.close()


def stored(window, model=Mention):
    """What a separate connection reads from the file: proves the action was committed."""
    with open_project(window.project.path) as p, p.read() as s:
        return s.scalars(select(model).order_by(model.id)).all()


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.reader.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(window.reader, key, modifier)


def select_text(window, needle, lo_shift=0, hi_shift=0):
    text = window.reader.text
    i = text.index(needle)
    window.reader.select_cp(i + lo_shift, i + len(needle) + hi_shift)
    return i


def test_tag_in_arabic_document_with_hotkey(qtbot, window):
    window.open_document(4)  # شركة Scale AI تُلغي 700 وظيفة ...
    start = select_text(window, "مليار دولار")
    press(qtbot, window, "m")  # Money
    (m,) = stored(window)
    text = window.reader.text
    assert (m.start, m.end, m.text) == (start, start + len("مليار دولار"), "مليار دولار")
    assert text[m.start:m.end] == m.text
    assert window.pane.mention_model.rowCount() == 1
    assert window.doc_model.document_at(3).status == "in_progress"


def test_tag_after_emoji_and_trimmed_selection(qtbot, window):
    with window.project.uow() as s:
        doc, _ = add_document(s, "Team 👩🏽‍💻 😀 at شركة OpenAI\r\nلمدة أسبوع 🙂 end", "emoji.txt")
        doc_id = doc.id
    window.after_import()
    window.open_document(doc_id)
    text = window.reader.text
    i = text.index("OpenAI")
    window.reader.select_cp(i - 1, i + len("OpenAI"))  # the space before is trimmed
    press(qtbot, window, "o")
    j = text.index("أسبوع")
    window.reader.select_cp(j, j + len("أسبوع") + 1)
    press(qtbot, window, "d")
    mentions = stored(window)
    assert [(m.start, m.end, m.text) for m in mentions] == [
        (i, i + 6, "OpenAI"), (j, j + len("أسبوع"), "أسبوع"),
    ]
    with window.project.read() as s:
        stored_text = s.get(Document, doc_id).text
    for m in mentions:
        assert stored_text[m.start:m.end] == m.text
    # Qt's own position of the word is further right (4 astral characters before it)
    qt_start = window.reader.document().find("OpenAI").selectionStart()
    assert qt_start == i + 4 == window.reader.position_map.to_utf16(i)


def test_selection_snaps_to_devanagari_clusters(qtbot, window):
    window.open_document(3)
    word = "कॉन्ट्रैक्टरों"
    i = select_text(window, word, 1, -1)  # starts on the vowel sign, ends inside the last cluster
    press(qtbot, window, "w")
    (m,) = stored(window)
    assert (m.start, m.end, m.text) == (i, i + len(word), word)


def test_empty_selection_after_trimming_is_refused_with_a_message(qtbot, window):
    window.open_document(1)
    text = window.reader.text
    i = text.index(", ")
    window.reader.select_cp(i, i + 2)
    press(qtbot, window, "o")
    assert stored(window) == []
    assert "no text to tag" in window.last_error


def _type_id(window, name, events=False):
    types = window.workspace.codebook.event_types if events else window.workspace.codebook.entity_types
    return next(t.id for t in types if t.name == name)


def test_event_roles_modality_undo_redo(qtbot, window):
    window.open_document(5)
    for needle, key in (("Meta", "o"), ("OpenAI", "o")):
        select_text(window, needle)
        press(qtbot, window, key)
    select_text(window, "الصيد الجائر")
    press(qtbot, window, "H", Qt.KeyboardModifier.ShiftModifier)  # Hiring/Poaching offer
    (event,) = stored(window, Event)
    assert event.trigger_text == "الصيد الجائر"
    assert window.selected_event_id() == event.id
    form = window.pane.event_form
    combo = form.role_combos["Actor"]
    combo.activated.emit(combo.findText("Meta", Qt.MatchFlag.MatchStartsWith))
    combo = window.pane.event_form.role_combos["Target organization"]
    combo.activated.emit(combo.findText("OpenAI", Qt.MatchFlag.MatchStartsWith))
    modality = window.pane.event_form.attribute_combos["Modality"]
    modality.activated.emit(modality.findData("reported"))
    assert len(stored(window, EventArgument)) == 2
    assert [a.value for a in stored(window, EventAttributeValue)] == ["reported"]

    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)
    assert stored(window, EventAttributeValue) == []
    assert len(stored(window, EventArgument)) == 2
    window.undo()
    assert len(stored(window, EventArgument)) == 1
    press(qtbot, window, "Z", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(stored(window, EventArgument)) == 2
    assert stored(window, EventAttributeValue) == []
    assert "reported" not in window.pane.event_model.event_at(0).summary()


def test_role_refuses_wrong_type_with_message(qtbot, window):
    window.open_document(5)
    select_text(window, "ثمانية باحثين")
    press(qtbot, window, "q")
    select_text(window, "الصيد الجائر")
    window.create_event(_type_id(window, "Hiring/Poaching offer", events=True))
    combo = window.pane.event_form.role_combos["Actor"]
    assert combo.findText("ثمانية باحثين", Qt.MatchFlag.MatchContains) == -1  # only accepted types offered
    event_id = window.selected_event_id()
    role = next(r.id for r in window.workspace.codebook.event_type(_type_id(window, "Hiring/Poaching offer", True)).roles
                if r.name == "Actor")
    window.commands.start_pick(event_id, role)
    window.reader.spanClicked.emit(window._mentions[0].id)
    assert "accepts" in window.last_error
    assert stored(window, EventArgument) == []


def test_history_survives_switching_documents(qtbot, window):
    window.open_document(4)
    select_text(window, "Meta")
    press(qtbot, window, "o")
    window.open_document(2)
    window.undo()
    assert stored(window) == []
    assert window.document_id == 4  # the window shows the document the undo touched
    window.redo()
    assert [m.text for m in stored(window)] == ["Meta"]


def test_delete_and_retype_with_keyboard(qtbot, window):
    window.open_document(1)
    select_text(window, "Business Insider")
    press(qtbot, window, "p")
    cursor = window.reader.textCursor()
    cursor.clearSelection()
    window.reader.setTextCursor(cursor)
    window.select_mention(stored(window)[0].id)
    press(qtbot, window, "o")  # no text selected: retypes the selected mention
    assert stored(window)[0].entity_type_id == _type_id(window, "Organization")
    press(qtbot, window, Qt.Key.Key_Delete)
    assert stored(window) == []


def test_import_folder_and_export_workbook_through_gui_actions(qtbot, window, tmp_path):
    from app.ui import file_actions

    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("شركة Meta تعيد 7,000 موظف", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("Scale AI ने टीम को हटा दिया", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    outcomes = file_actions.import_documents(window, [folder])
    assert sorted(o.status for o in outcomes) == ["imported", "imported", "rejected"]
    assert window.doc_model.rowCount() == 7
    window.open_document(6)
    select_text(window, "Meta")
    press(qtbot, window, "o")
    target = tmp_path / "out.xlsx"
    file_actions.export_workbook(window, target)
    wb = openpyxl.load_workbook(target)
    rows = list(wb["Mentions"].iter_rows(values_only=True))
    header = rows[0]
    record = dict(zip(header, rows[1]))
    assert len(rows) == 2
    assert (record["document_id"], record["text"], record["type"], record["coder"]) == (6, "Meta", "Organization", "alice")
    assert record["start"] == "شركة Meta".index("Meta")


def test_import_brat_folder_through_gui_action_reports_progress(qtbot, window, tmp_path, monkeypatch):
    from pathlib import Path

    from app.ui import file_actions, tasks

    seen = []
    original = tasks.QProgressDialog.setValue
    gui_thread = QApplication.instance().thread()

    def spy(self, value):
        seen.append((value, self.maximum(), QThread.currentThread() == gui_thread))
        original(self, value)

    monkeypatch.setattr(tasks.QProgressDialog, "setValue", spy)
    source = Path(__file__).parent / "data" / "brat" / "arabic"
    reports = file_actions.import_annotations(window, "brat", source, "bob")
    assert [r.mentions for r in reports] == [10]
    assert seen and seen[-1][0] == seen[-1][1] > 1 and seen[-1][2]  # the dialog followed the import to its end
    assert all(in_gui_thread for *_, in_gui_thread in seen)  # never drawn from the worker thread
    assert window.doc_model.rowCount() == 5 + (reports[0].new_document)
    assert len(stored(window)) == 10


def test_keyboard_focus_stays_on_the_role_field_after_filling_it(qtbot, window):
    window.open_document(5)
    select_text(window, "Meta")
    press(qtbot, window, "o")
    select_text(window, "الصيد الجائر")
    press(qtbot, window, "H", Qt.KeyboardModifier.ShiftModifier)
    combo = window.pane.event_form.role_combos["Actor"]
    combo.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # keyboard choice of the first candidate mention
    QApplication.processEvents()
    assert [a.role for a in window.pane.event_model.event_at(0).arguments] == ["Actor"]
    assert QApplication.focusWidget().objectName() == "role-Actor"


def test_keyboard_only_selection_in_arabic_and_reopen(qtbot, window, tmp_path):
    window.open_document(5)
    text = window.reader.text
    i = text.index("OpenAI")
    window.reader.select_cp(i, i)  # caret before the word (as after a click or arrow keys)
    window.reader.setFocus()
    for _ in range(6):
        qtbot.keyClick(window.reader, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    start, end = window.reader.selection_cp()
    assert end - start >= 5  # arrow keys move visually; in this RTL paragraph they select backwards
    press(qtbot, window, "o")
    (m,) = stored(window)
    assert m.text == text[m.start:m.end]
    assert m.text.strip() == m.text and len(m.text) >= 1
    path = window.project.path
    window.close()
    again = MainWindow(open_project(path), "alice", testing=True)
    qtbot.addWidget(again)
    again.open_document(5)
    assert [x.text for x in again.pane.mention_model.mentions] == [m.text]
    assert again.doc_model.document_at(4).status == "in_progress"
    again.close()


def test_opening_a_project_of_the_previous_version_says_where_the_old_file_is(window, tmp_path):
    import shutil
    from pathlib import Path

    old = tmp_path / "coded-with-0.1.annotary"
    shutil.copyfile(Path(__file__).parent / "data" / "projects" / "schema-0002.annotary", old)
    window.open_project_path(old)
    backup = tmp_path / "coded-with-0.1.before-upgrade-from-0002.annotary"
    assert backup.is_file()
    assert window.last_notice is not None and str(backup) in window.last_notice
    assert str(backup) in window.statusBar().currentMessage()
    assert window.doc_model.rowCount() == 3  # the fixture's documents, English, Arabic and Hindi


def test_progress_counts_past_two_gigabytes_reach_the_dialog_scaled(window, monkeypatch):
    """Qt's signal carries C++ ints; byte counts of several GiB must not wrap around."""
    from app.ui import tasks

    seen = []
    original = tasks.QProgressDialog.setValue
    monkeypatch.setattr(tasks.QProgressDialog, "setValue",
                        lambda self, v: (seen.append((v, self.maximum())), original(self, v)))
    result = tasks.run_task(window, "Big", lambda progress, cancelled: (progress(3_000_000_000, 6_000_000_000), 7)[1])
    assert result == 7
    value, maximum = seen[-1]
    assert 0 < value < maximum and abs(value / maximum - 0.5) < 0.01


def test_the_done_checkbox_marks_the_document_done_and_back(qtbot, window):
    from app.core.models import DocumentStatus

    window.open_document(2)
    box = window.pane.codes_form.done
    box.click()
    assert window.last_error is None
    (status,) = stored(window, DocumentStatus)
    assert status.status == "done"
    window.pane.codes_form.done.click()
    (status,) = stored(window, DocumentStatus)
    assert status.status == "in_progress"
    assert window.workspace.history.undo_label is not None


def test_keyboard_shortcuts_list_every_key_and_zoom_works(qtbot, window):
    from app.ui.shortcuts import ShortcutsDialog, shortcut_rows

    rows = {what: key for key, what in shortcut_rows(window)}
    assert rows["Keyboard shortcuts"] == "F1" and rows["Mark done / not done"] == "Ctrl+D"
    assert "Tag as Organization" in rows and "New Layoff event" in rows  # the type hotkeys too
    from PySide6.QtWidgets import QTableView

    dialog = ShortcutsDialog(window)
    assert dialog.findChild(QTableView, "shortcuts").model().rowCount() == len(shortcut_rows(window))
    size = window.reader.font().pointSizeF()
    window.action_zoom_in.trigger()
    assert window.reader.font().pointSizeF() == size + 1
    for action in window.findChildren(type(window.action_zoom_in)):
        if action.text() == "&Normal size":
            action.trigger()
    assert window.reader.font().pointSizeF() == size


def test_deleting_a_mention_an_event_uses_says_so_and_undo_restores_both(qtbot, window):
    window.open_document(5)
    select_text(window, "Meta")
    press(qtbot, window, "o")
    select_text(window, "الصيد الجائر")
    press(qtbot, window, "H", Qt.KeyboardModifier.ShiftModifier)
    combo = window.pane.event_form.role_combos["Actor"]
    combo.activated.emit(combo.findText("Meta", Qt.MatchFlag.MatchStartsWith))
    assert len(stored(window, EventArgument)) == 1
    window.pane.tabs.setCurrentIndex(0)
    meta = next(m.id for m in stored(window) if m.text == "Meta")
    window.select_mention(meta)
    window._do(window.delete_selected)
    assert stored(window, EventArgument) == [] and [m.text for m in stored(window)] == []
    message = window.statusBar().currentMessage()
    assert "Actor of Hiring/Poaching offer" in message and "Ctrl+Z brings both back" in message
    window.undo()
    assert [m.text for m in stored(window)] == ["Meta"] and len(stored(window, EventArgument)) == 1


def test_document_titles_elide_in_the_middle_and_arabic_titles_read_right_to_left(window):
    model, view = window.doc_model, window.doc_view
    assert view.textElideMode() == Qt.TextElideMode.ElideMiddle
    rows = {model.document_at(r).language: r for r in range(model.rowCount())}
    arabic = model.index(rows["ar"], 0)
    english = model.index(rows["en"], 0)
    assert arabic.data().startswith("\u2067") and arabic.data().endswith("\u2069")
    assert arabic.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert not english.data().startswith("\u2067") and english.data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.document_at(rows["ar"]).title in arabic.data(Qt.ItemDataRole.ToolTipRole)


def test_role_choices_tell_apart_mentions_with_the_same_name(qtbot, window):
    text = ("Meta hired Ann in May.\nLater Meta poached Bob, a researcher at Meta Labs in London, "
            "while critics of Meta left the board.")
    with window.project.uow() as s:
        doc, _ = add_document(s, text, "four.txt")
        doc_id = doc.id
    window.after_import()
    window.open_document(doc_id)
    starts = [i for i in range(len(text)) if text.startswith("Meta", i)]
    assert len(starts) == 4
    for i in starts:
        window.reader.select_cp(i, i + 4)
        press(qtbot, window, "o")
    trigger = select_text(window, "poached")
    press(qtbot, window, "H", Qt.KeyboardModifier.ShiftModifier)
    (event,) = stored(window, Event)
    assert (event.trigger_start, event.trigger_end) == (trigger, trigger + len("poached"))
    id_at = {m.start: m.id for m in stored(window)}

    combo = window.pane.event_form.role_combos["Actor"]
    items = [combo.itemText(i) for i in range(1, combo.count())]
    assert len(set(items)) == 4  # no two choices read the same
    nearest_first = [starts[1], starts[2], starts[0], starts[3]]  # 1, 22, 30 and 70 characters away
    assert [combo.itemData(i) for i in range(1, combo.count())] == [id_at[s] for s in nearest_first]
    for item, start in zip(items, nearest_first):
        assert item.startswith("Meta (Organization) · ") and f" · {start} · " in item
    assert "…in May. Later Meta poached Bob, a…" in items[0]
    assert items[2].endswith(" · 0 · \u2068Meta hired Ann in…\u2069")  # the text starts with it

    chosen = starts[0]  # the third choice: not the nearest
    color = next(m.color for m in window._mentions if m.start == chosen)
    combo.highlighted.emit(3)  # hovered in the open list: outlined in the reader
    assert window.reader._emphasis == [(chosen, chosen + 4, color)]
    combo.showPopup()
    view = combo.view()
    view.setCurrentIndex(view.model().index(1, 0))  # the pointer moves to the nearest
    assert window.reader._emphasis == [(starts[1], starts[1] + 4, color)]
    combo.hidePopup()  # closed: the event's outline again
    assert window.reader._emphasis == [(trigger, trigger + len("poached"), event_color(window))]

    combo.activated.emit(3)
    (argument,) = stored(window, EventArgument)
    assert argument.mention_id == id_at[chosen]
    linked = [w.text() for w in window.pane.event_form.findChildren(QLabel) if w.text().startswith("• ")]
    assert linked == ["• " + items[2]]  # the linked mention reads as its choice did


def event_color(window):
    return window.pane.event_model.event_at(0).color


# Span precision: whole words by default, Alt keeps characters, no text drag ------------------


def _point(window, cp):
    """Viewport point just right of the caret position before code point `cp`."""
    cursor = QTextCursor(window.reader.document())
    cursor.setPosition(window.reader.position_map.to_utf16(cp))
    return window.reader.cursorRect(cursor).center() + QPoint(1, 0)


def _drag(qtbot, window, start, end, press_mod=Qt.KeyboardModifier.NoModifier,
          release_mod=Qt.KeyboardModifier.NoModifier):
    viewport = window.reader.viewport()
    a, b = _point(window, start), _point(window, end)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, press_mod, a)
    qtbot.mouseMove(viewport, (a + b) / 2)
    qtbot.mouseMove(viewport, b)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, release_mod, b)


def test_partial_word_selection_is_stored_as_whole_words(qtbot, window):
    window.open_document(1)  # English seed article
    text = window.reader.text
    i = text.index("\n\nMeta reverses") + 2
    window.reader.select_cp(i, i + 3)  # "Met"
    press(qtbot, window, "o")
    window.reader.select_cp(i + 3, i + len("Meta reverses dec"))  # "a reverses dec"
    press(qtbot, window, "c")
    mentions = stored(window)
    assert [(m.start, m.end, m.text) for m in mentions] == [
        (i, i + 4, "Meta"), (i, i + len("Meta reverses decision"), "Meta reverses decision")]
    model = window.pane.mention_model
    assert not any(model.partial_word(m) for m in model.mentions)
    assert {model.index(r, 1).data() for r in range(2)} == {"Meta", "Meta reverses decision"}


def test_alt_while_selecting_keeps_character_precision(qtbot, window):
    window.open_document(1)
    text = window.reader.text
    i = text.index("\n\nMeta reverses") + 2
    _drag(qtbot, window, i, i + 3, press_mod=Qt.KeyboardModifier.AltModifier)
    assert window.reader.selection_cp() == (i, i + 3) and window.reader.precise_selection
    press(qtbot, window, "o")
    (m,) = stored(window)
    assert (m.start, m.end, m.text) == (i, i + 3, "Met")
    model = window.pane.mention_model
    assert model.partial_word(model.mentions[0])
    assert model.index(0, 1).data() == "\u2702 Met"
    assert "inside a word" in model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    window.open_document(window.document_id)  # read back: computed again from the stored text and offsets
    assert window.pane.mention_model.partial_word(window.pane.mention_model.mentions[0])
    # Alt pressed only after the drag began (desktops that move windows on Alt+press) works too
    j = text.index("reverses", i)
    _drag(qtbot, window, j, j + 3, release_mod=Qt.KeyboardModifier.AltModifier)
    assert window.reader.selection_cp() == (j, j + 3) and window.reader.precise_selection
    # a plain drag afterwards snaps again
    _drag(qtbot, window, j, j + 3)
    assert not window.reader.precise_selection
    press(qtbot, window, "c")
    assert [(m.start, m.end) for m in stored(window)] == [(i, i + 3), (j, j + len("reverses"))]


def test_press_inside_selection_starts_a_new_selection(qtbot, window):
    window.open_document(1)
    text = window.reader.text
    i = text.index("\n\nMeta reverses decision") + 2
    window.reader.select_cp(i, i + len("Meta reverses decision"))
    j = text.index("reverses", i)
    _drag(qtbot, window, j + 2, j + len("reverses decision"))  # pressed inside the selection
    assert window.reader.selection_cp() == (j + 2, j + len("reverses decision"))


def test_arabic_mention_text_reads_right_to_left_in_the_table(qtbot, window):
    window.open_document(4)
    select_text(window, "14.3 مليار دولار")
    press(qtbot, window, "m")
    index = window.pane.mention_model.index(0, 1)
    assert index.data() == "\u206714.3 مليار دولار\u2069"
    assert index.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert stored(window)[0].text == "14.3 مليار دولار"  # what is stored and exported has no isolate


def test_the_reader_gets_half_the_width_at_1440(qtbot, tmp_path):
    """The palette's buttons wrap to the pane's width, so it no longer claims 640 px."""
    from app.core.services.projects import init_project
    from app.ui.main_window import MainWindow

    win = MainWindow(init_project(tmp_path / "w.annotary"), "alice", testing=True)
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    assert win.splitter.sizes()[1] >= 720
    buttons = win.pane.palette_widget.buttons.values()
    assert all(b.isVisible() and b.width() > 0 for b in buttons)  # every type still has its button on screen
    win.close()


def test_find_in_the_reader_counts_moves_and_closes(qtbot, window):
    from app.core.find import find_all

    window.open_document(1)  # "Meta reverses decision ..."
    window.reader.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(window.reader, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "meta")
    text = window.reader.text
    expected = [(i, i + 4) for i in range(len(text)) if text[i:i + 4].casefold() == "meta"]
    assert len(expected) > 2 and find_all(text, "meta") == expected
    assert bar.count_label.text() == f"1 of {len(expected)}"
    assert window.reader.selection_cp() == expected[0]
    assert window.reader.find_hits == expected  # every hit is outlined
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert window.reader.selection_cp() == expected[1]
    assert bar.count_label.text() == f"2 of {len(expected)}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # wraps to the last
    assert window.reader.selection_cp() == expected[-1]
    assert bar.count_label.text() == f"{len(expected)} of {len(expected)}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # and back to the first
    assert window.reader.selection_cp() == expected[0]
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert window.reader.find_hits == []
    assert window.reader.hasFocus()
    # the document filter moved to Ctrl+Shift+F
    qtbot.keyClick(window.reader, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.filter_box.hasFocus() and not bar.isVisible()


def test_find_without_diacritics_in_an_arabic_document(qtbot, window):
    window.open_document(5)  # شركة OpenAI تُجبر على إيقاف تشغيلها ...
    window.find_bar.open()
    for ch in "تجبر":  # typed one letter at a time (QTest cannot type Arabic keys)
        window.find_bar.field.insert(ch)
    start, end = window.reader.selection_cp()
    assert window.reader.text[start:end] == "تُجبر"
    assert window.find_bar.count_label.text().startswith("1 of ")
    # another document while the bar is open: searched again, nothing selected yet
    window.open_document(4)
    assert window.reader.find_hits == [] and window.find_bar.count_label.text() == "No matches"
    window.find_bar.field.setText("شركة")
    assert window.reader.find_hits and all(
        window.reader.text[a:b] == "شركة" for a, b in window.reader.find_hits)


# ---------------------------------------------------------------- mention attributes


def _with_mention_attributes(window):
    """The default codebook plus a Certainty choice (organisations and people) and a Negated flag (any type)."""
    from app.core.codebook import AttributeSpec, apply_codebook, load_codebook
    from app.core.paths import default_codebook_path

    spec = load_codebook(default_codebook_path())
    spec.attributes += [
        AttributeSpec("Certainty", target="mention", values=["certain", "uncertain"],
                      applies_to=["Organization", "Person"], definition="How sure the text is"),
        AttributeSpec("Negated", target="mention"),
    ]
    with window.project.uow() as session:
        apply_codebook(session, spec)
    window.after_import(codebook_may_change=True)


def _tag(qtbot, window, needle, key):
    select_text(window, needle)
    press(qtbot, window, key)
    cursor = window.reader.textCursor()
    cursor.clearSelection()
    window.reader.setTextCursor(cursor)
    return next(m for m in stored(window) if m.text == needle)


def _attribute_values(window):
    from app.core.models import Attribute, MentionAttributeValue

    with open_project(window.project.path) as p, p.read() as s:
        return sorted(s.execute(select(MentionAttributeValue.mention_id, Attribute.name, MentionAttributeValue.value)
                                .join(Attribute, Attribute.id == MentionAttributeValue.attribute_id)).all())


def _choose(qtbot, combo, text):
    """As the user does: focus the combo, pick an entry (its `activated` signal)."""
    combo.setFocus()
    i = combo.findText(text)
    assert i >= 0, text
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def test_mention_attributes_are_set_in_the_pane_one_undo_entry_each(qtbot, window):
    _with_mention_attributes(window)
    window.open_document(1)
    m = _tag(qtbot, window, "Business Insider", "o")
    form = window.pane.mention_form
    assert form.isVisible() and form.mention_id == m.id  # a new mention is selected, its form shown
    assert set(form.combos) == {"Certainty"} and set(form.checks) == {"Negated"}
    combo = form.combos["Certainty"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["—", "certain", "uncertain"]
    assert combo.currentText() == "—" and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    undo_before = len(window.workspace.history._undo)

    _choose(qtbot, combo, "uncertain")
    assert _attribute_values(window) == [(m.id, "Certainty", "uncertain")]
    assert len(window.workspace.history._undo) == undo_before + 1
    assert window.workspace.history.undo_label == "set mention attribute"
    assert form.combos["Certainty"].currentText() == "uncertain"  # the rebuilt form shows the value
    row = window.pane.mention_model.row_of(m.id)
    tip = window.pane.mention_model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Certainty: uncertain" in tip
    assert "Certainty: uncertain" in window.views.tooltip([s for s in window.views.spans() if s.id == m.id])

    _choose(qtbot, form.combos["Certainty"], "uncertain")  # the value it has: no command
    assert len(window.workspace.history._undo) == undo_before + 1

    form.checks["Negated"].click()
    assert _attribute_values(window) == [(m.id, "Certainty", "uncertain"), (m.id, "Negated", "true")]
    assert form.checks["Negated"].isChecked()
    assert len(window.workspace.history._undo) == undo_before + 2
    form.checks["Negated"].click()
    assert _attribute_values(window) == [(m.id, "Certainty", "uncertain")]
    assert not form.checks["Negated"].isChecked()

    window.reader.setFocus()
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)  # the flag comes back
    assert _attribute_values(window) == [(m.id, "Certainty", "uncertain"), (m.id, "Negated", "true")]
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)  # Certainty back to none
    assert _attribute_values(window) == []
    assert form.mention_id == m.id and form.combos["Certainty"].currentText() == "—"
    assert not form.checks["Negated"].isChecked()

    _choose(qtbot, form.combos["Certainty"], "—")  # already none: nothing happens
    assert _attribute_values(window) == []


def test_mention_form_shows_only_attributes_that_apply_and_follows_retyping(qtbot, window):
    _with_mention_attributes(window)
    window.open_document(1)
    org = _tag(qtbot, window, "Business Insider", "o")
    form = window.pane.mention_form
    _choose(qtbot, form.combos["Certainty"], "certain")
    form.checks["Negated"].click()
    window.select_mention(org.id)
    press(qtbot, window, "m")  # Money's key with no text selected: retypes the selected mention
    assert stored(window)[0].entity_type_id == _type_id(window, "Money")
    assert set(form.combos) == set() and set(form.checks) == {"Negated"}  # Certainty does not apply to Money
    assert _attribute_values(window) == [(org.id, "Negated", "true")]  # the inapplicable value was dropped
    window.reader.setFocus()
    press(qtbot, window, "z", Qt.KeyboardModifier.ControlModifier)  # undo the retype: both values back
    assert _attribute_values(window) == [(org.id, "Certainty", "certain"), (org.id, "Negated", "true")]
    assert form.combos["Certainty"].currentText() == "certain"

    # a click on a highlight selects its mention and shows its form
    window.pane.mention_view.clearSelection()
    window.pane.mention_view.setCurrentIndex(window.pane.mention_model.index(-1, -1))
    assert form.mention_id is None
    window.reader.spanClicked.emit(org.id)
    assert form.mention_id == org.id and set(form.combos) == {"Certainty"}


def test_alt_shift_arrows_select_with_character_precision_and_plain_shift_arrows_snap(qtbot, window):
    window.open_document(1)
    text = window.reader.text
    i = text.index("\n\nMeta reverses") + 2
    window.reader.setFocus()
    window.reader.select_cp(i, i)
    alt_shift = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
    for _ in range(3):
        qtbot.keyClick(window.reader, Qt.Key.Key_Right, alt_shift)
    assert window.reader.selection_cp() == (i, i + 3) and window.reader.precise_selection
    press(qtbot, window, "o")
    assert [(m.start, m.end) for m in stored(window)] == [(i, i + 3)]  # "Met", as selected
    j = text.index("reverses", i)
    caret = window.reader.textCursor()  # moved without select_cp, which would reset the precision itself
    caret.setPosition(window.reader.position_map.to_utf16(j))
    window.reader.setTextCursor(caret)
    assert window.reader.precise_selection  # still, from the Alt selection
    for _ in range(3):
        qtbot.keyClick(window.reader, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.reader.selection_cp() == (j, j + 3) and not window.reader.precise_selection
    press(qtbot, window, "c")
    assert (j, j + len("reverses")) in [(m.start, m.end) for m in stored(window)]  # snapped to the word
