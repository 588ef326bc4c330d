"""Each command adds exactly one undo entry, also after switching project, coder, and importing."""

from PySide6.QtWidgets import QComboBox

from app.core.services.projects import init_project
from tests.test_gui_main_window import press, select_text, window  # noqa: F401 - the fixture


def undo_entries(window):
    return len(window.workspace.history._undo)


def set_tone(window, value):
    combo = window.pane.codes_form.findChild(QComboBox, "code-tone")
    combo.activated.emit(combo.findText(value))


def code_once_each(qtbot, window):
    window.open_document(1)
    start = undo_entries(window)
    set_tone(window, "negative")
    assert undo_entries(window) == start + 1
    window.pane.codes_form.done.click()
    assert undo_entries(window) == start + 2
    select_text(window, window.reader.text.split()[0])
    press(qtbot, window, "p")
    assert undo_entries(window) == start + 3


def test_one_entry_per_command_after_switching_project_coder_and_importing(qtbot, window, tmp_path):
    from app.ui import file_actions

    code_once_each(qtbot, window)
    other = tmp_path / "other.annotary"
    init_project(other).close()
    window.open_project_path(other)
    code_once_each(qtbot, window)
    window.set_coder("bob")
    code_once_each(qtbot, window)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Scale AI cuts 200 jobs.", encoding="utf-8")
    file_actions.import_documents(window, [tmp_path / "in"])
    window.open_project_path(tmp_path / "gui.annotary")
    code_once_each(qtbot, window)
