"""First start, drag and drop, and errors shown to the user instead of crashing."""

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core.errors import AnnotaryError
from app.core.logfile import log_path
from app.core.services.projects import init_project
from app.ui import main as ui_main
from app.ui import settings
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(init_project(tmp_path / "w.annotary"), "alice", testing=True)
    qtbot.addWidget(win)
    yield win
    win.close()


def test_coder_name_is_asked_once_and_remembered(qtbot, monkeypatch):
    asked = []

    def fake_get_text(*args, **kwargs):
        asked.append(args)
        return "  Dana   K ", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_get_text))
    assert ui_main.ask_coder_name_once() == "Dana K"
    assert ui_main.ask_coder_name_once() == "Dana K"
    assert len(asked) == 1
    assert settings.coder_name() == "Dana K"


def test_dropping_a_folder_imports_it(window, tmp_path):
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "x.txt").write_text("Meta تعيد تعيين 7,000 موظف إلى فرق الذكاء الاصطناعي", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.doc_model.total == 6
    assert window.doc_model.document_at(5).language == "ar"


def test_unexpected_error_is_logged_and_shown_not_raised(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    window.testing = False

    def broken():
        raise RuntimeError("disk on fire")

    assert window._do(broken) is None
    assert shown and "disk on fire" in shown[0]
    assert "RuntimeError: disk on fire" in Path(log_path()).read_text(encoding="utf-8")


def test_user_mistake_is_a_message(window, monkeypatch):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))
    window.testing = False

    def mistake():
        raise AnnotaryError("select some text to tag first")

    window._do(mistake)
    assert warned == ["select some text to tag first"]


def test_shared_project_asks_who_is_coding_with_the_last_coder_first(qtbot, monkeypatch):
    offered = []

    def fake_get_item(parent, title, label, items, current, editable):
        offered.append((list(items), current, editable))
        return " bob ", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(fake_get_item))
    settings.set_coder_name("carol")
    assert ui_main.choose_coder(["alice", "carol"]) == "bob"
    assert offered == [(["carol", "alice"], 0, True)]
    assert settings.coder_name() == "bob"
    # one coder (or none) in the project: the remembered name, nothing asked
    assert ui_main.choose_coder(["bob"]) == "bob" and len(offered) == 1
    # given on the command line: used as it is
    assert ui_main.choose_coder(["alice", "bob"], preset="dana") == "dana" and len(offered) == 1
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a: ("", False)))
    assert ui_main.choose_coder(["alice", "bob"]) is None


def test_gold_is_not_a_name_to_start_under(qtbot, monkeypatch):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warned.append(a[2])))
    answers = iter([("gold", True), ("dana", True)])
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a: next(answers)))
    assert ui_main.choose_coder(["alice", "bob"]) == "dana"
    assert len(warned) == 1 and "adjudicated set" in warned[0]
    with pytest.raises(AnnotaryError, match="adjudicated set"):
        ui_main.choose_coder(["alice", "bob"], preset="gold")
    settings.set_coder_name("gold")  # remembered from an older version: asked again
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("erin", True)))
    assert ui_main.ask_coder_name_once() == "erin"


def test_the_coder_is_remembered_per_project(qtbot, monkeypatch, tmp_path):
    """The name typed for one project does not pre-fill another: each project offers its own last coder."""
    offered = []

    def fake_get_item(parent, title, label, items, current, editable):
        offered.append(list(items)[current])
        return list(items)[current], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(fake_get_item))
    first, second = str(tmp_path / "a.annotary"), str(tmp_path / "b.annotary")
    settings.set_project_coder(first, "alice")
    settings.set_project_coder(second, "bob")
    settings.set_coder_name("bob")  # the last name typed anywhere
    assert ui_main.choose_coder(["alice", "bob"], project_path=first) == "alice"
    assert ui_main.choose_coder(["alice", "bob"], project_path=second) == "bob"
    assert offered == ["alice", "bob"]
    assert ui_main.choose_coder(["alice"], project_path=first) == "alice"  # one coder: not asked
    assert len(offered) == 2


def test_restart_reopens_the_last_document_and_the_status_bar_keeps_the_coder(qtbot, tmp_path):
    from app.core.project import open_project
    from app.core.services.projects import init_project
    from app.ui.main_window import MainWindow

    path = tmp_path / "p.annotary"
    init_project(path).close()
    window = MainWindow(open_project(path), "alice", testing=True)
    qtbot.addWidget(window)
    window.open_document(4)
    window.statusBar().showMessage("something else", 1000)
    assert window.status_label.text().startswith("Coder: alice")
    window.close()
    again = MainWindow(open_project(path), "alice", testing=True)
    qtbot.addWidget(again)
    assert again.document_id == 4
    again.close()


def test_restart_reopens_the_reading_position_of_the_last_document(qtbot, tmp_path):
    from app.core.project import open_project
    from app.core.services.projects import init_project
    from app.ui.main_window import MainWindow

    path = tmp_path / "p.annotary"
    init_project(path).close()
    window = MainWindow(open_project(path), "alice", testing=True)
    qtbot.addWidget(window)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    window.open_document(5)  # the Arabic article: right to left
    text = window.reader.text
    target = text.index("\n", len(text) // 2) + 1  # a paragraph half way down
    window.reader.scroll_to_top(target)
    left_at = window.reader.top_cp()
    assert left_at > 0 and window.reader.verticalScrollBar().value() > 0
    window.close()
    again = MainWindow(open_project(path), "alice", testing=True)
    qtbot.addWidget(again)
    again.resize(1200, 700)
    again.show()
    qtbot.waitUntil(lambda: again.reader.verticalScrollBar().value() > 0)
    assert again.document_id == 5
    assert abs(again.reader.top_cp() - left_at) < 80  # the same line (the layout may differ by a few pixels)
    again.open_document(4)
    assert again.reader.verticalScrollBar().value() == 0  # another document opens at its top
    again.close()
