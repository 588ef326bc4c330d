"""The Charts window: the project's standard figures (app.core.figures), one coder or all, and
"Save all…" to write every figure with its CSV into a folder.

The figures are drawn by matplotlib's Agg renderer into PNG bytes in a worker thread and shown
as pixmaps: no matplotlib widget, no pyplot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.write_target import TargetExists
from app.ui.tasks import run_task
from app.ui.worker_project import worker_project

if TYPE_CHECKING:
    from app.core.analysis.counts import Table
    from app.core.project import Project

SHOWN_SCALE = 1.5
"""The figures are drawn at 150 dpi and shown at 100 logical dpi (sharp on high-density screens)."""


class ChartsWindow(QWidget):
    def __init__(self, project: Project, choices: list[tuple[str, str | None]], run: Callable[[Callable[[], object]], object],
                 testing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Charts")
        self.resize(980, 760)
        self._project, self._run, self._testing = project, run, testing
        self.tables: list[Table] = []

        self.coder = QComboBox()
        for text, name in choices:
            self.coder.addItem(text, name)
        self.coder.currentIndexChanged.connect(lambda _i: self._run(self.refresh))
        self.format = QComboBox()
        self.format.addItems(["png", "svg", "pdf"])
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(lambda: self._run(self.refresh))
        save = QPushButton("Save all…")
        save.setObjectName("save_all")
        save.clicked.connect(lambda: self._run(self.ask_save_all))
        top = QHBoxLayout()
        top.addWidget(QLabel("Annotations of"))
        top.addWidget(self.coder, 1)
        top.addWidget(refresh)
        top.addStretch()
        top.addWidget(QLabel("Save as"))
        top.addWidget(self.format)
        top.addWidget(save)

        self.figures = QWidget()
        self.figures_layout = QVBoxLayout(self.figures)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.figures)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def chosen_coder(self) -> str | None:
        name: str | None = self.coder.currentData()
        return name

    def refresh(self) -> None:
        """Draw the figures of the chosen coder(s) again, from the project as it is now."""
        from app.core.analysis.counts import figure_tables
        from app.core.figures import figure_bytes

        coder, project = self.chosen_coder(), self._project

        def task(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            with worker_project(project) as own:
                tables = figure_tables(own, coder)
            drawn = []
            for i, table in enumerate(tables):
                progress(i, len(tables), table.stem)
                drawn.append((table, figure_bytes(table, "png")))
            return drawn

        drawn = run_task(self, "Drawing the figures…", task)
        while self.figures_layout.count():
            item = self.figures_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from the window now, deleted when Qt is ready
                widget.deleteLater()
        self.tables = [table for table, _ in drawn]
        for table, png in drawn:
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            pixmap.setDevicePixelRatio(SHOWN_SCALE)
            label = QLabel()
            label.setObjectName(table.stem)
            label.setPixmap(pixmap)
            label.setToolTip(f"{table.stem}: {len(table.rows)} row(s) in {table.stem}.csv")
            self.figures_layout.addWidget(label)
        self.figures_layout.addStretch()

    def ask_save_all(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the figures and their CSVs into")
        if folder:
            self.save_all(Path(folder))

    def save_all(self, folder: Path, fmt: str | None = None, force: bool = False) -> list[Path]:
        """Write every figure and its CSV into `folder`; asks before replacing files (unless testing)."""
        from app.core.figures import render_figures

        fmt = fmt or self.format.currentText()
        coder, project = self.chosen_coder(), self._project

        def task(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            with worker_project(project) as own:
                return render_figures(own, folder, coder=coder, fmt=fmt, force=force)

        try:
            written: list[Path] = run_task(self, "Saving the figures…", task)
        except TargetExists as exc:
            if self._testing or force:
                raise
            answer = QMessageBox.question(self, "Replace files?", f"{exc}\n\nReplace them?")
            if answer != QMessageBox.StandardButton.Yes:
                return []
            return self.save_all(folder, fmt, force=True)
        self.setWindowTitle(f"Charts — saved {len(written)} files in {folder}")
        return written
