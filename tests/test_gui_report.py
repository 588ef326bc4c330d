"""Review → Reliability report… writes the page in the background (the main window, offscreen)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog

from app.core.project import open_project
from app.core.services.agreement import agreement_report
from app.ui.main_window import MainWindow
from team_coding import coded  # noqa: F401  (a fixture)


def test_the_report_menu_writes_the_page(qtbot, coded, tmp_path, monkeypatch):
    window = MainWindow(open_project(coded), "alice", testing=True)
    qtbot.addWidget(window)
    target = tmp_path / "methods"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Web page (*.html)"))
    try:
        action = next(a for m in window.menuBar().actions() if m.text() == "&Review"
                      for a in m.menu().actions() if a.text().startswith("Reliability &report"))
        action.trigger()
        written = tmp_path / "methods.html"  # the extension added
        qtbot.waitUntil(written.exists, timeout=20000)
        assert window.last_error is None
        assert str(written) in window.statusBar().currentMessage()
        page = written.read_text(encoding="utf-8")
        embedded = page.split('id="agreement-json">', 1)[1].split("</script>", 1)[0]
        assert json.loads(embedded) == json.loads(json.dumps(agreement_report(window.project), ensure_ascii=False))
    finally:
        window.close()
