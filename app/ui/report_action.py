"""Review → Reliability report…: the page `annotary report` writes, made in the background and
opened in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from app.ui.file_actions import default_target, task_project
from app.ui.tasks import run_task

if TYPE_CHECKING:
    from app.ui.host import Host


def ask_report(window: Host) -> Path | None:
    """Ask where to write the report, write it, and open it in the browser (not when testing)."""
    name, _ = QFileDialog.getSaveFileName(window.window_widget(), "Reliability report", default_target(".html"),
                                          "Web page (*.html)")
    if not name:
        return None
    target = Path(name) if name.endswith(".html") else Path(name + ".html")
    return write_report_here(window, target, force=str(target) == name)  # the dialog asked about `name`


def write_report_here(window: Host, target: Path, force: bool) -> Path:
    from app.core.report.reliability import write_report

    opened = task_project(window)

    def task(progress: object, cancelled: object) -> Path:
        with opened() as project:
            return write_report(project, target, force=force)

    run_task(window.window_widget(), "Writing the reliability report…", task)
    window.statusBar().showMessage(f"Reliability report written to {target}", 15000)
    if not window.testing:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
    return target
