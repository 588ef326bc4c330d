"""Merging a coder's copy and the Agreement window, through the real main window."""

import shutil

import pytest
from PySide6.QtCore import Qt

from app.core.project import open_project
from app.core.services.coders import set_role
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from app.ui import file_actions
from app.ui.main_window import MainWindow
from app.ui.tasks import run_task


def _code(path, coder, tone):
    with open_project(path) as project:
        ws = Workspace(project, coder)
        text = ws.document_text(5)
        org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
        i = text.index("OpenAI")
        ws.tag(5, text, i, i + 6, org)
        code = next(c for c in ws.codebook.document_codes if c.name == "tone")
        ws.set_document_code(5, code.id, tone)
        ws.set_done(5, True)


@pytest.fixture
def window(qtbot, tmp_path):
    lead = tmp_path / "lead.annotary"
    init_project(lead).close()
    for coder, tone in (("alice", "negative"), ("bob", "neutral")):
        shutil.copy(lead, tmp_path / f"{coder}.annotary")
        _code(tmp_path / f"{coder}.annotary", coder, tone)
    project = open_project(lead)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")  # under blind coding only adjudicators see others' work
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    yield win
    win.close()


def test_merge_copies_and_read_agreement(window, tmp_path):
    first = file_actions.merge_copy(window, tmp_path / "alice.annotary")
    file_actions.merge_copy(window, tmp_path / "bob.annotary")
    again = file_actions.merge_copy(window, tmp_path / "alice.annotary")
    assert first.mentions_added == 1 and again.mentions_added == 0
    window.show_agreement()
    dialog = window.agreement_window
    assert dialog.tabs.count() == 7  # codes, mentions, unitizing alpha, events, relations, disagreements, left out
    codes = dialog.tabs.widget(0).model()
    rows = {codes.index(r, 0).data(): [codes.index(r, c).data() for c in range(codes.columnCount())]
            for r in range(codes.rowCount())}
    assert rows["tone"][5] == "0.000"  # percent agreement: negative vs neutral
    mentions = dialog.tabs.widget(1).model()
    first_row = [mentions.index(0, c).data() for c in range(mentions.columnCount())]
    assert first_row[:3] == ["alice | bob", "(all types)", "1.000"]
    mentions.sort(2, Qt.SortOrder.DescendingOrder)  # sortable
    disagreements = dialog.tabs.widget(5)  # after Relations
    model = disagreements.model()
    assert model.rowCount() == 1 and model.index(0, 0).data() == "document code"  # tone differs
    window.open_document(1)
    disagreements.doubleClicked.emit(model.index(0, 0))
    assert window.document_id == 5
    dialog.close()


def test_run_task_reraises_errors(window):
    def task(progress, cancelled):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_task(window, "x", task)
