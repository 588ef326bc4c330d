"""The main window shows what another program (`annotary import` in a terminal) changed in its
project when it is next activated, and its undo history never touches rows it does not know."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import EntityType, Mention
from app.core.project import open_project
from app.core.services.annotations import create_mention, delete_mention
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.ui.external_refresh import HISTORY_CLEARED
from tests.test_gui_main_window import press, select_text, window  # noqa: F401 - the fixture

REPO = Path(__file__).resolve().parent.parent


def activate(window):
    """What Qt sends when the user comes back to the window."""
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))


def titles(window):
    return [window.doc_model.document_at(r).title for r in range(window.doc_model.rowCount())]


def elsewhere(window):
    """The same project file opened by another program."""
    return open_project(window.project.path)


def test_new_document_and_annotations_appear_on_activation(window):
    window.open_document(2)
    before = window.doc_model.rowCount()
    text = window.reader.text
    with elsewhere(window) as other, other.uow() as s:
        doc, _ = add_document(s, "Neue Meldung aus dem Terminal.", "terminal.txt")
        doc.title = "From the terminal"
        alice = get_or_create_coder(s, "alice")
        person = s.scalar(select(EntityType).where(EntityType.name == "Person"))
        start = text.index(text.split()[0])
        mention_id = create_mention(s, 2, alice.id, person.id, start, start + len(text.split()[0])).id
    assert window.doc_model.rowCount() == before  # nothing is polled behind the user's back
    activate(window)
    assert window.doc_model.rowCount() == before + 1
    assert "From the terminal" in titles(window)
    assert window.document_id == 2  # the open document stays open ...
    assert window.doc_view.currentIndex().row() == window.doc_model.row_of(2)  # ... and selected
    assert window.pane.mention_model.row_of(mention_id) is not None
    assert mention_id in {span.id for span in window.views.spans()}  # highlighted in the reader
    assert window.doc_model.document_at(1).mentions == 1


def test_selection_is_kept_when_it_still_exists(qtbot, window):
    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    (mine,) = window._mentions
    window.select_mention(mine.id)
    with elsewhere(window) as other, other.uow() as s:
        add_document(s, "Another one.", "another.txt")
    activate(window)
    assert window.selected_mention_id() == mine.id
    assert window.document_id == 1


def test_changed_codebook_appears_on_activation(window):
    with elsewhere(window) as other, other.uow() as s:
        s.add(EntityType(name="Weapon", color="#123456", hotkey=None, definition="an arm", position=99))
    activate(window)
    assert "Weapon" in [t.name for t in window.workspace.codebook.entity_types]
    assert window.pane.palette_widget.findChild(QPushButton, "palette-entity-Weapon") is not None


def test_open_document_deleted_elsewhere_gives_way_to_the_first(window):
    with elsewhere(window) as other, other.uow() as s:
        doc, _ = add_document(s, "Short-lived.", "gone.txt")
        doc_id = doc.id
    activate(window)
    window.open_document(doc_id)
    with elsewhere(window) as other, other.uow() as s:
        s.delete(s.get(type(doc), doc_id))
    activate(window)
    assert window.document_id == window.doc_model.document_at(0).id
    assert "Short-lived" not in window.reader.text


def test_own_changes_keep_the_undo_history(qtbot, window):
    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    activate(window)  # the tag was this window's own write
    assert window.workspace.history.undo_label == "tag mention"
    window.undo()
    assert window._mentions == []


def test_undo_refuses_after_another_program_reused_the_id(qtbot, window):
    """Undo of 'tag' deletes the mention by id. Another program deleted that mention and its id went
    to a mention of its own: undoing now would delete someone else's work. It must refuse."""
    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    (mine,) = window._mentions
    with elsewhere(window) as other, other.uow() as s:
        delete_mention(s, mine.id)
        bob = get_or_create_coder(s, "bob")
        theirs = create_mention(s, 1, bob.id, mine.type_id, mine.start, mine.end)
        s.flush()
        assert theirs.id == mine.id  # SQLite gave the free id to the new row
    # The window is still active: the user presses Undo at once.
    window.action_undo.trigger()
    assert window.last_error == HISTORY_CLEARED
    assert not window.action_undo.isEnabled()
    with elsewhere(window) as other, other.read() as s:
        (kept,) = s.scalars(select(Mention)).all()
        assert kept.coder_id == bob.id
    with pytest.raises(AnnotaryError, match="changed by another program"):
        window.undo()  # called directly, the same refusal
    window.open_document(2)  # new work makes a new history
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    assert window.history_note is None
    window.action_undo.trigger()
    assert window.last_error is None


def test_a_real_annotary_import_in_another_process(window, tmp_path):
    window.open_document(3)
    source = tmp_path / "wire.txt"
    source.write_text("Eilmeldung: eine Fusion.\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "app", "import", str(source), "--project", str(window.project.path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wire" not in " ".join(titles(window))
    activate(window)
    assert any("wire" in t or "Eilmeldung" in t for t in titles(window))
    assert window.document_id == 3
    last = window.doc_model.document_at(window.doc_model.rowCount() - 1)
    window.open_document(last.id)
    assert window.reader.text.startswith("Eilmeldung: eine Fusion.")


def test_a_document_code_is_set_once(window):
    """One choice in the codes form is one action (its signal was connected again on each reload)."""
    window.open_document(1)
    window.after_import(codebook_may_change=True)
    activate(window)
    combo = next(w for w in window.pane.codes_form.widgets.values() if isinstance(w, QComboBox))
    combo.activated.emit(1)
    assert window.workspace.history.undo_label == "set document code"
    window.undo()
    assert window.workspace.history.undo_label is None


def test_coming_back_to_the_application_also_counts(window):
    """From a child window (e.g. Compare) the main window is not activated, the application is."""
    from PySide6.QtCore import Qt

    before = window.doc_model.rowCount()
    with elsewhere(window) as other, other.uow() as s:
        add_document(s, "Noch eine Meldung.", "more.txt")
    QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert window.doc_model.rowCount() == before + 1


def test_reading_elsewhere_changes_nothing(window):
    """`annotary documents` in a terminal only reads: the undo history stays."""
    window.open_document(1)
    window.workspace.set_done(1, True)
    with elsewhere(window) as other, other.read() as s:
        s.scalars(select(Mention)).all()
    activate(window)
    assert window.workspace.history.undo_label is not None


def test_a_write_made_while_the_window_waits_for_the_lock_refuses_its_action(qtbot, window):
    """Another program holds the write lock, deletes alice's mention and gives its id to bob's, then
    commits while the window's tag waits for the lock. The tag is refused, the window shows the new
    state and its history is cleared, so no undo can delete bob's mention."""
    import sqlite3
    import threading
    import time

    window.open_document(1)
    words = window.reader.text.split()
    select_text(window, words[0])
    press(qtbot, window, "p")
    with open_project(window.project.path) as p, p.read() as s:
        (mine,) = s.scalars(select(Mention)).all()
    locked = threading.Event()

    def other_program():
        db = sqlite3.connect(window.project.path, isolation_level=None, timeout=10)
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM mentions WHERE id = ?", (mine.id,))
        db.execute("INSERT INTO coders (name, role, created_at) VALUES ('bob', 'coder', '2026-01-01 00:00:00')")
        db.execute("INSERT INTO mentions (id, document_id, coder_id, entity_type_id, start, \"end\", text, note,"
                   " created_at, modified_at) SELECT ?, document_id, (SELECT id FROM coders WHERE name = 'bob'),"
                   " entity_type_id, start, \"end\", text, '', created_at, modified_at FROM (SELECT ? AS document_id,"
                   " ? AS entity_type_id, ? AS start, ? AS \"end\", ? AS text, '2026-01-01 00:00:00' AS created_at,"
                   " '2026-01-01 00:00:00' AS modified_at)",
                   (mine.id, mine.document_id, mine.entity_type_id, mine.start, mine.end, mine.text))
        locked.set()
        time.sleep(1.0)
        db.execute("COMMIT")
        db.close()

    holder = threading.Thread(target=other_program)
    holder.start()
    assert locked.wait(10)
    select_text(window, words[3])
    press(qtbot, window, "o")  # waits for the lock, then finds the other program's commit
    holder.join()
    assert window.last_error is not None and "another program changed the project" in window.last_error
    assert stored_with_coders(window) == [(mine.id, "bob")]  # the tag was not made
    assert window.workspace.history.undo_label is None
    window.action_undo.trigger()
    assert stored_with_coders(window) == [(mine.id, "bob")]


def stored_with_coders(window):
    from app.core.models import Coder

    with open_project(window.project.path) as p, p.read() as s:
        return s.execute(select(Mention.id, Coder.name).join(Coder, Coder.id == Mention.coder_id)).all()


def test_a_hotkey_whose_type_another_program_changed_tags_nothing(qtbot, window):
    from app.core.codebook import apply_codebook, read_codebook

    window.open_document(1)
    with elsewhere(window) as other, other.uow() as s:
        spec = read_codebook(s)
        spec.entity_types = [t for t in spec.entity_types if t.name != "Business area"]
        for t in spec.entity_types:
            if t.name == "Location":
                t.hotkey = "b"
        for e in spec.event_types:
            for r in e.roles:
                r.accepts = [a for a in r.accepts if a != "Business area"]
        apply_codebook(s, spec)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "b")  # the user still sees "Business area [b]" in the palette
    assert window.last_error is not None and "the key b was Business area" in window.last_error
    with open_project(window.project.path) as p, p.read() as s:
        assert s.scalars(select(Mention)).all() == []
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "b")  # the palette now says Location [b]
    with open_project(window.project.path) as p, p.read() as s:
        (m,) = s.scalars(select(Mention)).all()
        assert s.get(EntityType, m.entity_type_id).name == "Location"


def test_another_programs_write_during_a_gui_import_clears_the_history(qtbot, window, tmp_path):
    """The import runs on a connection of its own; a write of another program seen by it is not
    taken for the window's own, so undo cannot touch rows whose ids may have been reused."""
    from app.ui import file_actions

    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    assert window.workspace.history.undo_label == "tag mention"
    with elsewhere(window) as other, other.uow() as s:  # e.g. `annotary merge` in a terminal
        add_document(s, "Eine Meldung aus dem Terminal.", "terminal.txt")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Scale AI cuts 200 jobs.", encoding="utf-8")
    outcomes = file_actions.import_documents(window, [tmp_path / "in"])
    assert [o.status for o in outcomes] == ["imported"]
    assert window.workspace.history.undo_label is None
    assert window.history_note == HISTORY_CLEARED


def test_the_windows_own_gui_import_keeps_the_history(qtbot, window, tmp_path):
    from app.ui import file_actions

    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"{i}.txt").write_text(f"Scale AI cuts {i} jobs.", encoding="utf-8")
    file_actions.import_documents(window, [tmp_path / "in"])
    assert window.workspace.history.undo_label == "tag mention"


def test_a_write_made_while_a_command_waits_in_a_dialog_is_still_seen(qtbot, window):
    """The command (say File → Export, its save dialog open) must not take another program's
    commit for its own: the next look shows it and clears the undo history."""
    window.open_document(1)
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    before = window.doc_model.rowCount()

    def command_with_a_dialog_open():
        with elsewhere(window) as other, other.uow() as s:  # `annotary import` in a terminal meanwhile
            add_document(s, "Neue Meldung, während der Dialog offen war.", "dialog.txt")

    window._do(command_with_a_dialog_open)
    activate(window)
    assert window.doc_model.rowCount() == before + 1
    assert window.workspace.history.undo_label is None and window.history_note == HISTORY_CLEARED
