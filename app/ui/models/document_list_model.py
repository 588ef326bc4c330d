"""The document list: loads rows page by page, so 50,000 documents open at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.core.changes import Change
from app.core.services.workspace import DocumentRow, Workspace
from app.core.text import is_rtl_text
from app.ui.models.row_table_model import RowTableModel

PAGE = 200
STATUS_LABELS = {"not_started": "not started", "in_progress": "in progress", "done": "done"}
COLUMNS = ("Title", "Lang", "Status", "Mentions", "Events")

Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(RowTableModel[DocumentRow]):
    COLUMNS = COLUMNS

    def __init__(self, workspace: Workspace, parent: Any = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._filter = ""
        self._rows: list[DocumentRow] = []
        self._total = 0
        self.reload()

    # -------------------------------------------------------------- loading

    def reload(self, filter_text: str | None = None) -> None:
        self.beginResetModel()
        if filter_text is not None:
            self._filter = filter_text.strip()
        self._total = self._ws.count_documents(self._filter)
        self._rows = self._ws.document_rows(0, PAGE, self._filter)
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        more = self._ws.document_rows(len(self._rows), PAGE, self._filter)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def set_workspace(self, workspace: Workspace) -> None:
        """Another project or coder: statuses and counts are theirs."""
        self._ws = workspace
        self.reload()

    def apply(self, change: Change) -> None:
        """Follow a change: documents added or removed reload the list, else the touched row is re-read."""
        if change.documents or change.everything:
            self.reload()
        elif change.document_id is not None:
            self.refresh_document(change.document_id)

    def refresh_document(self, document_id: int, fresh: DocumentRow | None = None) -> DocumentRow | None:
        """Re-read one row (status and counts change as the coder works); returns it."""
        fresh = fresh or self._ws.document_row(document_id)
        if fresh is not None:
            for i, row in enumerate(self._rows):
                if row.id == document_id:
                    self._rows[i] = fresh
                    self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                    break
        return fresh

    # -------------------------------------------------------------- access

    @property
    def total(self) -> int:
        return self._total

    def row_of(self, document_id: int) -> int | None:
        while True:
            for i, row in enumerate(self._rows):
                if row.id == document_id:
                    return i
            if not self.canFetchMore():
                return None
            self.fetchMore()

    def document_at(self, row: int) -> DocumentRow | None:
        return self.row_at(row)

    # -------------------------------------------------------------- Qt model

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            title = row.title
            if is_rtl_text(title):  # mostly Arabic letters: an isolate with a right-to-left base, even if it starts with "OpenAI"
                title = "\u2067" + title + "\u2069"
            return (title, row.language, STATUS_LABELS.get(row.status, row.status), row.mentions, row.events)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title}\n{row.language}, {row.chars} characters, document {row.id}"
        if role == Qt.ItemDataRole.TextAlignmentRole and (col >= 3 or (col == 0 and is_rtl_text(row.title))):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None
