"""The real main window importing annotations: the question about labels the codebook lacks
lists each with its kind, and the progress dialog's Cancel stops the import with nothing stored."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.core.codebook import read_codebook
from app.core.project import open_project
from app.core.services.projects import init_project
from app.ui import file_actions, tasks
from app.ui.main_window import MainWindow
from test_doccano_unknown_types import LINE


@pytest.fixture
def window(qtbot, tmp_path):
    project = init_project(tmp_path / "gui.annotary")
    win = MainWindow(project, "alice", testing=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def dump(window) -> str:
    con = sqlite3.connect(window.project.path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def answers(monkeypatch):
    """Every QMessageBox question asked (answered from `answers.reply`) and any other box shown."""
    class Answers:
        def __init__(self) -> None:
            self.reply = QMessageBox.StandardButton.Yes
            self.asked: list[str] = []
            self.shown: list[str] = []

    got = Answers()

    def question(parent, title, text, *args, **kwargs):
        got.asked.append(text)
        return got.reply

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda parent, title, text, *a, **k: got.shown.append(text)))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: got.shown.append(self.text()) or 0)
    return got


def test_unknown_labels_are_asked_about_with_their_kind_and_added_on_yes(window, answers, tmp_path):
    path = tmp_path / "relations.jsonl"
    path.write_text(json.dumps(LINE) + "\n", encoding="utf-8")
    reports = file_actions.import_annotations(window, "doccano", path, "bob")
    [question] = answers.asked
    assert "The file uses 4 labels the codebook does not have:" in question
    for line in ("• ORG (entity type)", "• Strike (event type)", "• Reversal (event type)",
                 "• Contracts with (relation type)"):
        assert line in question.split("\n")
    assert "--add-labels" not in question
    assert [(r.mentions, r.events, r.relations) for r in reports] == [(3, 2, 1)]
    with open_project(window.project.path) as p, p.read() as s:  # committed
        book = read_codebook(s)
        assert book.entity_type("ORG") and book.event_type("Strike") and book.relation_type("Contracts with")
    message = window.statusBar().currentMessage()
    assert "entity types added: ORG" in message and "event types added: Strike, Reversal" in message
    assert "relation types added: Contracts with" in message
    assert answers.shown == []


def test_an_unknown_relation_type_alone_is_asked_about_too(window, answers, tmp_path):
    path = tmp_path / "relations.jsonl"
    line = {"text": "Jo works for Acme.", "entities": [
        {"id": 1, "start_offset": 0, "end_offset": 2, "label": "Person"},
        {"id": 2, "start_offset": 13, "end_offset": 17, "label": "Organization"}],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "Contracts with"}]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    reports = file_actions.import_annotations(window, "doccano", path, "bob")
    assert answers.asked == ["The file uses 1 label the codebook does not have:\n• Contracts with (relation type)\n\n"
                             "Add it to the codebook as a relation type and import?"]
    assert reports[0].relations == 1


def test_no_to_the_question_imports_nothing(window, answers, tmp_path):
    path = tmp_path / "relations.jsonl"
    path.write_text(json.dumps(LINE) + "\n", encoding="utf-8")
    before = dump(window)
    answers.reply = QMessageBox.StandardButton.No
    assert file_actions.import_annotations(window, "doccano", path, "bob") is None
    assert len(answers.asked) == 1
    assert dump(window) == before
    assert window.statusBar().currentMessage() == "Nothing was imported from relations.jsonl"


def test_cancel_stops_the_import_and_nothing_is_imported(window, answers, tmp_path, monkeypatch):
    """Cancel is pressed on the progress dialog once it shows the first line stored; the worker
    waits until the press is seen, so its next progress call is the first after Cancel."""
    from app.core.interchange import doccano

    path = tmp_path / "many.jsonl"
    records = [{"text": f"Meta cut {100 + i} jobs.", "label": [[0, 4, "Organization"]]} for i in range(5)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pressed = threading.Event()
    original_set_value = tasks.QProgressDialog.setValue

    def set_value(dialog, value):
        original_set_value(dialog, value)
        if value >= 1 and not pressed.is_set():
            dialog.findChild(QPushButton).click()  # the dialog's Cancel button
            pressed.set()

    real_import = doccano.import_doccano

    def import_waiting_for_cancel(project, source, coder, progress, **options):
        def step(done, total):
            progress(done, total)
            if done == 1:
                assert pressed.wait(10)

        return real_import(project, source, coder, step, **options)

    monkeypatch.setattr(tasks.QProgressDialog, "setValue", set_value)
    monkeypatch.setattr(doccano, "import_doccano", import_waiting_for_cancel)
    before = dump(window)
    rows_before = window.doc_model.rowCount()
    assert file_actions.import_annotations(window, "doccano", path, "bob") is None
    assert pressed.is_set()
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was imported"
    assert answers.shown == [] and answers.asked == []  # no error dialog, no question
    assert dump(window) == before
    assert window.doc_model.rowCount() == rows_before
