"""The current document's mentions, in text order."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.services.workspace import MentionView

COLUMNS = ("Type", "Text", "Start", "End")
Index = QModelIndex | QPersistentModelIndex


class MentionTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MentionView] = []

    def set_mentions(self, mentions: Sequence[MentionView]) -> None:
        self.beginResetModel()
        self._rows = list(mentions)
        self.endResetModel()

    def insert_mention(self, row: int, mention: MentionView) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, mention)
        self.endInsertRows()

    def mention_at(self, row: int) -> MentionView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, mention_id: int) -> int | None:
        return next((i for i, m in enumerate(self._rows) if m.id == mention_id), None)

    @property
    def mentions(self) -> list[MentionView]:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (m.type_name, m.text, m.start, m.end)[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return QColor(m.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{m.type_name} by {m.coder}: “{m.text}” ({m.start}–{m.end})"
        if role == Qt.ItemDataRole.UserRole:
            return m.id
        return None
