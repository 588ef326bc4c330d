"""The current document's mentions, in text order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.services.document_state import MentionDelta
from app.core.services.workspace import MentionView
from app.core.spans import is_partial_word
from app.core.text import is_rtl_text
from app.core.validation import FLAG_VALUE
from app.ui.models.row_table_model import RowTableModel

COLUMNS = ("Type", "Text", "Start", "End")
PARTIAL_MARK = "\u2702 "  # ✂ before the text of a mention that starts or ends inside a word
PARTIAL_NOTE = "starts or ends inside a word (tagged with Alt held, or imported)"
Index = QModelIndex | QPersistentModelIndex


def attribute_note(m: MentionView) -> str:
    """The mention's attribute values for a tooltip ('' if none): a set flag by its name alone."""
    parts = [name if value == FLAG_VALUE else f"{name}: {value}" for name, value in m.attributes]
    return "\n" + "; ".join(parts) if parts else ""


class MentionTableModel(RowTableModel[MentionView]):
    COLUMNS = COLUMNS
    _text = ""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._partial: dict[tuple[int, int], bool] = {}

    def set_mentions(self, mentions: Sequence[MentionView], text: str | None = None) -> None:
        """`text`: the document's, to tell partial-word mentions whose `partial_word` was not computed."""
        self.beginResetModel()
        self._rows = list(mentions)
        if text is not None:
            self._text = text
        self._partial.clear()
        self.endResetModel()

    def partial_word(self, m: MentionView) -> bool:
        """Computed for the rows shown only (a few dozen, not the thousands of a long document)."""
        if m.partial_word is not None:
            return m.partial_word
        key = (m.start, m.end)
        if key not in self._partial:
            self._partial[key] = is_partial_word(self._text, m.start, m.end)
        return self._partial[key]

    def apply(self, delta: MentionDelta, mentions: Sequence[MentionView]) -> None:
        """Follow a change row by row (selection and scroll position stay with their mentions)."""
        for row in delta.removed:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        for row in delta.inserted:
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, mentions[row])
            self.endInsertRows()
        for mention_id in delta.updated:
            at = self.row_of(mention_id)
            if at is not None:
                self._rows[at] = mentions[at]
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))

    def mention_at(self, row: int) -> MentionView | None:
        return self.row_at(row)

    def row_of(self, mention_id: int) -> int | None:
        return next((i for i, m in enumerate(self._rows) if m.id == mention_id), None)

    @property
    def mentions(self) -> list[MentionView]:
        return self._rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 1:
                text = "\u2067" + m.text + "\u2069" if is_rtl_text(m.text) else m.text  # "14.3 مليار دولار" reads right to left
                return PARTIAL_MARK + text if self.partial_word(m) else text
            return (m.type_name, m.text, m.start, m.end)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1 and is_rtl_text(m.text):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return QColor(m.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{m.type_name} by {m.coder}: “{m.text}” ({m.start}–{m.end})" + attribute_note(m)
            return f"{tip}\n{PARTIAL_NOTE}" if self.partial_word(m) else tip
        if role == Qt.ItemDataRole.UserRole:
            return m.id
        return None
