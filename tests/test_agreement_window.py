"""The Agreement window lists the disagreements of the selected row of a summary table, through the
real main window (Review → Agreement) on a project two coders coded with chosen differences."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.core.project import open_project
from app.core.services.agreement import agreement_report
from app.core.services.coders import set_role
from app.ui.agreement_rows import report_tables
from app.ui.main_window import MainWindow
from team_coding import add_differences, coded  # noqa: F401  (a fixture)


@pytest.fixture
def report(coded):
    add_differences(coded)
    with open_project(coded) as project:
        return agreement_report(project, include_unfinished=True)


@pytest.fixture
def window(qtbot, coded, report):
    project = open_project(coded)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")  # under blind coding only adjudicators see others' work
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    win.show_agreement()
    yield win
    win.agreement_window.close()
    win.close()


def _rows(view: QTableView) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _listed(dialog) -> list[tuple]:
    """The listed disagreements as (kind, type, coder_a, coder_b, text, value_a, value_b)."""
    return sorted((r[0], r[1], r[6], r[8], r[5], r[7], r[9]) for r in _rows(dialog.selected_view))


def _expected(report, keep) -> list[tuple]:
    return sorted((d["kind"], d["type"] or "", d["coder_a"], d["coder_b"], d["text"], d["value_a"], d["value_b"])
                  for d in report["disagreements"] if keep(d))


def _click_row(qtbot, dialog, tab: str, *cells: str) -> None:
    """Show `tab` and click the first row whose leading cells are `cells`."""
    view = dialog.tabs.findChild(QTableView, tab)
    dialog.tabs.setCurrentWidget(view)
    row = next(i for i, r in enumerate(_rows(view)) if tuple(r[:len(cells)]) == cells)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(row, 0)).center())


def test_selecting_a_code_lists_its_disagreements(qtbot, window, report):
    dialog = window.agreement_window
    assert len(_listed(dialog)) == len(report["disagreements"]) == 8  # all, until a row is chosen
    assert not dialog.show_all_button.isEnabled()
    _click_row(qtbot, dialog, "Document codes", "tone")
    assert _listed(dialog) == _expected(report, lambda d: d["code"] == "tone")
    assert _listed(dialog) == [("document code", "", "alice", "bob", "tone", "negative", "neutral")]
    assert dialog.selected_label.text() == "Disagreements: tone — 1"
    _click_row(qtbot, dialog, "Document codes", "primary_topic")
    assert [r[4] for r in _listed(dialog)] == ["primary_topic"]
    qtbot.mouseClick(dialog.show_all_button, Qt.MouseButton.LeftButton)
    assert len(_listed(dialog)) == 8 and dialog.selected_label.text().startswith("Disagreements: all — 8")


def test_selecting_a_mentions_row_lists_that_pair_and_type(qtbot, window, report):
    dialog = window.agreement_window
    mentions = dialog.tabs.findChild(QTableView, "Mentions")
    mentions.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # the rows are found through the sort
    for type_name in ("Organization", "Person", "Quantity"):
        _click_row(qtbot, dialog, "Mentions", "alice | bob", type_name)
        expected = _expected(report, lambda d: d["kind"] in ("mention", "mention span") and d["type"] == type_name  # noqa: B023 - run at once
                             and (d["coder_a"], d["coder_b"]) == ("alice", "bob"))
        assert _listed(dialog) == expected and len(expected) == 1
        assert dialog.selected_label.text() == f"Disagreements: mentions of alice | bob, {type_name} — 1"
    _click_row(qtbot, dialog, "Mentions", "alice | bob", "(all types)")
    assert {r[0] for r in _listed(dialog)} == {"mention", "mention span"} and len(_listed(dialog)) == 3
    _click_row(qtbot, dialog, "Events", "alice | bob")
    assert _listed(dialog) == _expected(report, lambda d: d["kind"].startswith("event"))
    assert {r[0] for r in _listed(dialog)} == {"event", "event attribute", "event role"}


def test_double_click_opens_the_document_at_that_place(qtbot, window, report):
    dialog = window.agreement_window
    _click_row(qtbot, dialog, "Events", "alice | bob")
    view = dialog.selected_view
    row = next(i for i, r in enumerate(_rows(view)) if r[0] == "event")
    layoff = next(d for d in report["disagreements"] if d["kind"] == "event")
    window.open_document(1)
    assert window.document_id == 1
    where = view.visualRect(view.model().index(row, 0)).center()
    with qtbot.waitSignal(dialog.openPlace, timeout=1000) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double click's first press
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [5, layoff["start"], layoff["end"]]
    assert window.document_id == 5
    assert window.reader._emphasis[0][:2] == (layoff["start"], layoff["end"])
    # the adjudicator also gets the Compare view, with the item at that place selected
    compare = window.compare_window
    item = compare.selected_item()
    assert compare.document_id == 5 and item.start < layoff["end"] and layoff["start"] < item.end


def test_every_summary_row_has_its_filter(report):
    tables = report_tables(report)
    for name in ("Document codes", "Mentions", "Events"):
        table = tables[name]
        assert len(table.filters) == len(table.rows) > 0
    # the filters of a table's rows cover each of its disagreements (the all-types row: all of them)
    mentions = tables["Mentions"]
    everything = next(f for r, f in zip(mentions.rows, mentions.filters) if r[1] == "(all types)")
    per_type = [f for r, f in zip(mentions.rows, mentions.filters) if r[1] != "(all types)"]
    for d in report["disagreements"]:
        if d["kind"].startswith("mention"):
            assert everything.accepts(d) and sum(f.accepts(d) for f in per_type) == 1


def test_the_window_compares_what_the_command_compares_and_says_so(window, coded, capsys):
    from PySide6.QtWidgets import QLabel

    from app.cli import main

    header = window.agreement_window.findChild(QLabel, "agreement-header").text()
    with open_project(coded) as project:
        default = agreement_report(project)
    assert f"Documents compared: {default['documents_compared']} (those every coder marked done)" in header
    assert main(["agreement", "--project", str(coded)]) == 0
    assert f"documents compared {default['documents_compared']} (marked done by every coder)" in capsys.readouterr().out


def test_the_window_says_when_its_figures_are_out_of_date_and_recomputes_them(window):
    dialog = window.agreement_window
    assert dialog.stale_bar.isHidden()
    window.open_document(1)
    text = window.reader.text
    start = text.index("Meta")
    organization = next(t.id for t in window.workspace.codebook.entity_types if t.name == "Organization")
    window.workspace.tag(1, text, start, start + 4, organization)  # lead codes: the figures may change
    assert not dialog.stale_bar.isHidden() and "tag mention" in dialog.stale_label.text()
    dialog.recompute.emit()
    assert window.agreement_window is not dialog and window.agreement_window.stale_bar.isHidden()
