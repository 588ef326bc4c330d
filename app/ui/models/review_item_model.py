"""The Compare view's table: one row per review item, a column per coder, and gold's state."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.services.review_items import ReviewItem
from app.ui.models.row_table_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex

FILTERS = {
    "unresolved": ("Unresolved disagreements", lambda item: item.unresolved),
    "disagreements": ("All disagreements", lambda item: item.disagreement),
    "pending": ("Agreed, not yet in gold", lambda item: item.agreed and not item.gold),
    "all": ("Everything", lambda item: True),
}
STATUS_COLORS = {"unresolved": "#fde2e2", "agreed": "#e3f4e1", "agreed, in gold": "#cfeccc"}


class ReviewItemModel(RowTableModel[ReviewItem]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.coders: list[str] = []
        self.COLUMNS = ("status", "kind", "place", "what")

    def set_items(self, items: list[ReviewItem], coders: list[str], which: str = "unresolved") -> None:
        self.beginResetModel()
        self.coders = list(coders)
        self.COLUMNS = ("status", "kind", "place", "what", *self.coders, "gold")
        keep = FILTERS[which][1]
        self._rows = [item for item in items if keep(item)]
        self.endResetModel()

    def row_of(self, ref: str) -> int | None:
        return next((i for i, item in enumerate(self._rows) if item.ref == ref), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(item, col)
        if role == Qt.ItemDataRole.BackgroundRole and col == 0:
            color = STATUS_COLORS.get(item.status)
            return QBrush(QColor(color)) if color else None
        return None

    def _text(self, item: ReviewItem, col: int) -> str:
        if col == 0:
            return item.status
        if col == 1:
            return item.kind
        if col == 2:
            return "" if item.start is None else f"{item.start}–{item.end}"
        if col == 3:
            return item.description
        if col == len(self.COLUMNS) - 1:
            return item.gold_description if item.gold != "rejected" else "(rejected)"
        coder = self.coders[col - 4]
        holder = item.holders.get(coder)
        if item.kind == "code":
            return holder.value if holder is not None and holder.value is not None else "—"
        if holder is not None:
            return "✓ this"
        return item.elsewhere.get(coder) or "—"
