"""Unitizing alpha (αu) in the Agreement window (pytest-qt, offscreen) and the workbook's Agreement sheet:
both show the numbers of the agreement report, for a project two coders coded."""

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.core.export.xlsx import export_xlsx
from app.core.project import open_project
from app.core.services.agreement import agreement_report
from app.ui.agreement_rows import UNITIZING, UNITIZING_COLUMNS, report_tables
from app.ui.agreement_window import AgreementWindow
from team_coding import add_differences, coded  # noqa: F401  (a fixture)

TYPES = ["Organization", "Person", "Quantity"]


@pytest.fixture
def report(coded):
    add_differences(coded)
    with open_project(coded) as project:
        return agreement_report(project)


def test_the_window_shows_unitizing_alpha_per_type(qtbot, report):
    window = AgreementWindow(report)
    qtbot.addWidget(window)
    view = window.tabs.findChild(QTableView, UNITIZING)
    assert window.tabs.tabText(window.tabs.indexOf(view)) == f"{UNITIZING} (4)"
    model = view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert tuple(headers) == UNITIZING_COLUMNS
    shown = {}
    for row in range(model.rowCount()):
        cells = {h: model.index(row, c) for c, h in enumerate(headers)}
        shown[cells["type"].data()] = {h: (i.data(), i.data(Qt.ItemDataRole.UserRole)) for h, i in cells.items()}
    assert sorted(shown) == ["(all types)", *TYPES]
    table = report["mentions"]["unitizing_alpha"]
    for type_name in TYPES:
        r, got = table[type_name], shown[type_name]
        assert got["alpha"] == (f"{r['alpha']:.3f}", r["alpha"])
        assert got["D_o (observed)"][1] == r["observed_disagreement"]
        assert got["D_e (expected)"][1] == r["expected_disagreement"]
        # D_o and D_e are tiny over a whole article: shown with their digits, not as 0.000
        assert got["D_o (observed)"][0] == f"{r['observed_disagreement']:.3e}"
        assert (got["coders"][0], got["length"][0]) == ("2", str(r["length"]))
        assert got["units"][1] == report["mentions"]["unitizing_notes"]["n_units"][type_name]
    overall = report["mentions"]["unitizing_notes"]["overall"]
    assert shown["(all types)"]["alpha"][1] == overall["alpha"]


def test_selecting_a_unitizing_row_lists_the_mention_disagreements_of_that_type(qtbot, report):
    window = AgreementWindow(report)
    qtbot.addWidget(window)
    view = window.tabs.findChild(QTableView, UNITIZING)
    window.tabs.setCurrentWidget(view)
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Person")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(model.index(row, 0)).center())
    listed = window.selected_proxy
    expected = [d for d in report["disagreements"] if d["kind"].startswith("mention") and d["type"] == "Person"]
    assert listed.rowCount() == len(expected) == 1
    assert window.selected_label.text() == "Disagreements: mentions of every pair, Person — 1"


def test_an_undefined_alpha_shows_n_a_with_its_reason(report):
    report["mentions"]["unitizing_alpha"]["Person"]["alpha"] = None
    report["mentions"]["unitizing_notes"]["undefined"]["Person"] = "expected disagreement is 0"
    table = report_tables(report)[UNITIZING]
    row = next(r for r in table.rows if r[0] == "Person")
    assert row[1] is None and row[-1] == "expected disagreement is 0"


def test_the_agreement_sheet_has_unitizing_alpha_rows(coded, report, tmp_path):
    out = tmp_path / "team.xlsx"
    with open_project(coded) as project:
        export_xlsx(project, out)
    ws = load_workbook(out)["Agreement"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    got = {(r["name"], r["metric"]): r for r in rows if str(r["metric"]).startswith("unitizing_")}
    notes = report["mentions"]["unitizing_notes"]
    for name, r in [("all types", notes["overall"]), *report["mentions"]["unitizing_alpha"].items()]:
        for key in ("alpha", "observed_disagreement", "expected_disagreement", "length"):
            cell = got[(name, f"unitizing_{key}")]
            assert cell["value"] == pytest.approx(r[key], rel=1e-12)
            assert cell["kind"] == "mentions" and cell["coders"] == "alice, bob"
    assert got[("Person", "unitizing_alpha")]["n_units"] == notes["n_units"]["Person"]
    assert "2 coders" in got[("Organization", "unitizing_alpha")]["note"]
    assert len(got) == 4 * 4
