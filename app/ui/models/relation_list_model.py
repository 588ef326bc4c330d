"""The current document's relations, one line each: source → target (type)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.services.workspace import RelationView
from app.core.text import is_rtl_text

Index = QModelIndex | QPersistentModelIndex


def _isolated(text: str) -> str:
    """A right-to-left mention text inside a left-to-right line keeps its own order."""
    return "\u2067" + text + "\u2069" if is_rtl_text(text) else "\u2068" + text + "\u2069"


class RelationListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RelationView] = []

    def set_relations(self, relations: Sequence[RelationView]) -> None:
        self.beginResetModel()
        self._rows = list(relations)
        self.endResetModel()

    @property
    def relations(self) -> list[RelationView]:
        return self._rows

    def relation_at(self, row: int) -> RelationView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, relation_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == relation_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            arrow = "↔" if r.symmetric else "→"
            return f"{_isolated(r.source_text)} {arrow} {_isolated(r.target_text)}  ({r.type_name})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.summary() + (f"\n{r.note}" if r.note else "")
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(r.color)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
