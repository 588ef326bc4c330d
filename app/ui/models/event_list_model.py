"""The current document's events, one line each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.services.workspace import EventView

Index = QModelIndex | QPersistentModelIndex


class EventListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[EventView] = []

    def set_events(self, events: Sequence[EventView]) -> None:
        self.beginResetModel()
        self._rows = list(events)
        self.endResetModel()

    def event_at(self, row: int) -> EventView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, event_id: int) -> int | None:
        return next((i for i, e in enumerate(self._rows) if e.id == event_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return e.summary()
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(e.color)
        if role == Qt.ItemDataRole.UserRole:
            return e.id
        return None
