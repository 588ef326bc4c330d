"""Help → Keyboard shortcuts (F1): every key of the window, read from its actions, so the list
cannot fall behind the menus; and the reader's zoom."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(key, what it does) for every action of the window and its widgets that has a shortcut."""
    rows: dict[tuple[str, str], None] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString(QKeySequence.SequenceFormat.NativeText)
            if text:
                rows[(text, action.text().replace("&", ""))] = None
    return sorted(rows, key=lambda r: (r[1].casefold(), r[0]))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        model = QStandardItemModel(len(rows), 2, self)
        model.setHorizontalHeaderLabels(["Key", "Does"])
        for i, (key, what) in enumerate(rows):
            model.setItem(i, 0, QStandardItem(key))
            model.setItem(i, 1, QStandardItem(what))
        table = QTableView(self)
        table.setObjectName("shortcuts")
        table.setModel(model)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnToContents(0)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        self.resize(560, 640)


def zoom(reader: QWidget, step: int) -> None:
    """Bigger (step > 0), smaller, or back to the reading size (step 0)."""
    font = reader.font()
    base = getattr(reader, "_base_point_size", None)
    if base is None:
        base = reader._base_point_size = font.pointSizeF()  # type: ignore[attr-defined]
    size = base if step == 0 else min(72.0, max(6.0, font.pointSizeF() + step))
    font.setPointSizeF(size)
    reader.setFont(font)
