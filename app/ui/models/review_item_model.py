"""The Compare view's table: one row per review item (mention, event, relation, code), a column
per coder, and gold's state."""

from __future__ import annotations

from bisect import bisect_left
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
    """The listed rows are the review's items the filter keeps, in the review's order. After a
    decision only the items whose state changed are put in (`update_items`): their rows change,
    or leave or join the list, so the view keeps its place and redraws only those rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.coders: list[str] = []
        self.COLUMNS = ("status", "kind", "place", "what")
        self._which = "unresolved"
        self._positions: list[int] = []  # each listed row's position in the review's items
        self._position_of: dict[str, int] = {}  # ref -> position in the review's items

    def set_items(self, items: list[ReviewItem], coders: list[str], which: str = "unresolved") -> None:
        self.beginResetModel()
        self.coders = list(coders)
        self.COLUMNS = ("status", "kind", "place", "what", *self.coders, "gold")
        self._which = which
        keep = FILTERS[which][1]
        self._positions = [i for i, item in enumerate(items) if keep(item)]
        self._rows = [items[i] for i in self._positions]
        self._position_of = {item.ref: i for i, item in enumerate(items)}
        self.endResetModel()

    def update_items(self, items: list[ReviewItem], changed: list[int]) -> None:
        """`items` is the review again, the same items in the same order, of which those at the
        `changed` positions are new: their rows are redrawn, or removed or inserted as the filter
        now says."""
        keep = FILTERS[self._which][1]
        for i in sorted(changed):
            item = items[i]
            row = bisect_left(self._positions, i)
            listed = row < len(self._positions) and self._positions[row] == i
            if listed and keep(item):
                self._rows[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            elif listed:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row], self._positions[row]
                self.endRemoveRows()
            elif keep(item):
                self.beginInsertRows(QModelIndex(), row, row)
                self._rows.insert(row, item)
                self._positions.insert(row, i)
                self.endInsertRows()

    def row_of(self, ref: str) -> int | None:
        i = self._position_of.get(ref)
        if i is None:
            return None
        row = bisect_left(self._positions, i)
        return row if row < len(self._positions) and self._positions[row] == i else None

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
            if item.places:  # a relation: both its ends
                return ", ".join(f"{start}–{end}" for start, end in item.places)
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
