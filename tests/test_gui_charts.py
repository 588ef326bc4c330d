"""Review → Charts… on the real main window: the standard figures of a project two coders coded,
one coder or all, and Save all writing each figure with its CSV."""

import csv

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from app.core.analysis.counts import figure_tables
from app.core.project import open_project
from app.core.services.coders import set_role
from app.ui.charts_window import ChartsWindow
from app.ui.main_window import MainWindow
from team_coding import add_differences, coded  # noqa: F401  (a fixture)

STEMS = ["mentions_by_type_and_language", "events_by_type_and_modality", "top_mention_texts",
         "event_roles_filled", "agreement_by_type"]


def open_window(qtbot, path, coder):
    win = MainWindow(open_project(path), coder, testing=True)
    qtbot.addWidget(win)
    return win


def trigger(win, text):
    (action,) = [a for a in win.findChildren(QAction) if a.text() == text]
    action.trigger()


def charts_of(win) -> ChartsWindow:
    (charts,) = win.findChildren(ChartsWindow)
    return charts


def shown(charts):
    return [label.objectName() for label in charts.figures.findChildren(QLabel)
            if label.pixmap() is not None and not label.pixmap().isNull()]


@pytest.fixture
def lead_window(qtbot, coded):
    add_differences(coded)
    with open_project(coded) as project, project.uow() as s:
        set_role(s, "lead", "adjudicator")  # under blind coding only adjudicators see others' work
    win = open_window(qtbot, coded, "lead")
    yield win
    win.close()


def test_charts_show_every_figure_and_one_coder_s(qtbot, lead_window, coded):
    trigger(lead_window, "C&harts…")
    charts = charts_of(lead_window)
    assert [charts.coder.itemText(i) for i in range(charts.coder.count())] == [
        "All coders (gold left out)", "alice", "bob"]
    assert shown(charts) == STEMS
    charts.coder.setCurrentIndex(1)  # alice: no agreement figure
    assert shown(charts) == STEMS[:-1]
    assert all(t.title.endswith("coder alice") for t in charts.tables)
    charts.close()


def test_save_all_writes_each_figure_with_its_csv(qtbot, lead_window, coded, tmp_path):
    trigger(lead_window, "C&harts…")
    charts = charts_of(lead_window)
    written = charts.save_all(tmp_path / "out", "pdf")
    assert [p.name for p in written] == [f"{s}.{ext}" for s in STEMS for ext in ("pdf", "csv")]
    with open_project(coded) as project:
        tables = figure_tables(project)
    for table in tables:
        with open(tmp_path / "out" / f"{table.stem}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(table.columns)
        assert rows[1:] == [["" if v is None else str(v) for v in r] for r in table.rows]
    assert "saved 10 files" in charts.windowTitle()
    charts.close()


def test_a_blind_coder_sees_only_their_own_figures(qtbot, coded):
    win = open_window(qtbot, coded, "bob")
    trigger(win, "C&harts…")
    charts = charts_of(win)
    assert [charts.coder.itemText(i) for i in range(charts.coder.count())] == ["bob"]
    assert shown(charts) == STEMS[:-1]
    assert all("coder bob" in t.title for t in charts.tables)
    charts.close()
    win.close()
