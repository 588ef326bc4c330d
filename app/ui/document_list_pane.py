"""The document list with its filter: follows the session's changes (counts, status, new documents)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.changes import Change
from app.core.services.workspace import DocumentRow
from app.ui.coding_session import CodingSession
from app.ui.models.document_list_model import DocumentListModel

FILTER_PAUSE_MS = 250
_ROWS = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


class DocumentListPane(QWidget):
    documentChosen = Signal(int)  # the user moved to another row

    def __init__(self, session: CodingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("document-filter")
        self.filter_box.setPlaceholderText("Filter documents (title, file name, language, text)")
        self.filter_box.setClearButtonEnabled(True)
        self.view = QTableView()
        self.view.setObjectName("documents")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # start and end of a long title stay visible
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.view)
        self.model = DocumentListModel(session.workspace, self)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        # The filter searches the documents' texts too (a few hundred ms in a 50,000-document project):
        # it runs once typing pauses, or at once on Enter.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_PAUSE_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_box.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_box.returnPressed.connect(self.apply_filter)
        session.changed.connect(self._changed)
        session.workspaceReplaced.connect(lambda: self.model.set_workspace(self.session.workspace))
        session.documentOpened.connect(self.show_current)

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.reload(self.filter_box.text())
        self.show_current()

    def _changed(self, change: Change) -> None:
        self.model.apply(change)
        if change.documents or change.everything:
            self.show_current()  # a reset clears the view's selection

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.document_at(current.row())
        if row is not None and row.id != self.session.document_id:
            self.documentChosen.emit(row.id)

    def show_current(self) -> None:
        """Select the open document's row (without choosing it again)."""
        doc = self.session.document_id
        row = self.model.row_of(doc) if doc is not None else None
        if row is not None and self.view.currentIndex().row() != row:
            self.view.selectionModel().setCurrentIndex(self.model.index(row, 0), _ROWS)  # no reopening:
            self.view.scrollTo(self.model.index(row, 0))

    def current_row(self) -> DocumentRow | None:
        doc = self.session.document_id
        row = self.model.row_of(doc) if doc is not None else None
        return self.model.document_at(row) if row is not None else None

    def neighbour(self, step: int) -> int | None:
        """The id of the document `step` rows away from the open one in the list (None: none)."""
        current = self.view.currentIndex().row()
        target = current + step
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        row = self.model.document_at(target)
        return row.id if row is not None else None
