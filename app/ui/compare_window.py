"""The Compare view: one document as each coder and gold annotated it, side by side, scrolled
together, with the review items below and the adjudicator's decisions (accept a coder's
version, reject, accept all agreements, undo)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.changes import Change
from app.core.errors import AnnotaryError
from app.core.services.coders import GOLD
from app.core.services.gold_track import GoldConflict
from app.core.services.review import ReviewService
from app.core.services.review_data import MentionRow
from app.core.services.review_items import DocumentReview, ReviewItem
from app.ui.change_signals import ChangeSignals
from app.ui.compare_changes import counted, gold_only
from app.ui.compare_counter import ProjectCounter
from app.ui.highlights import Span
from app.ui.models.review_item_model import FILTERS, ReviewItemModel
from app.ui.reader import ReaderView

EMPHASIS = "#ffbf00"


class CompareWindow(QDialog):
    """Opened from Review → Compare coders. `run` is the main window's command wrapper: errors
    become messages and the main window redraws after each decision. The view follows the
    project's change channel: its own decisions, undo and redo here or in the main window, and
    coding as gold update it as they are committed."""

    openPlace = Signal(int, object, object)
    editGold = Signal(int)
    goToDocument = Signal(int)

    def __init__(self, service: ReviewService, document_id: int, title: str,
                 run: Callable[[Callable[[], object]], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-window")
        self.service = service
        self.document_id = document_id
        self._run = run
        self._syncing = False
        self._sized = False
        self._updating = False  # rows are being put in: the table's current row moves by itself
        self.review: DocumentReview = service.document_review(document_id)
        self.coders = self.review.coders
        self._gold_id = service.gold_coder_id()
        self._marks: dict[str, Counter[tuple[int, int]]] = {}
        self._counts = (0, 0, 0)  # unresolved, disagreements, agreed not yet in gold
        # Every change of the project is heard here, once, from the change channel: a decision
        # here or an undo in the main window updates just gold's side where the change says so.
        self._changes = ChangeSignals(service.project, self)
        self._changes.changed.connect(self._changed)
        # Deleted by Qt (with the main window) without being closed: stop listening all the same,
        # or the project would publish to a deleted object.
        self.destroyed.connect(lambda *_args, changes=self._changes: changes.detach())
        self._listening = True
        self._seen = service.project.changes.published
        # The project's counter is read once in a worker thread (it reads every document two or
        # more coders worked on), then kept up to date with this document's changes.
        self._per_document: dict[int, int] | None = None  # as the worker counted them
        self._counter = ProjectCounter(service.project, self)
        self._counter.counted.connect(self._project_counted)
        self.setWindowTitle(f"Compare — {title}")
        self.resize(1300, 850)
        self._build()
        self._show_review(None)
        self._counter.start()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("compare-summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.notice = QLabel()
        self.notice.setObjectName("compare-notice")
        layout.addWidget(self.notice)
        split = QSplitter(Qt.Orientation.Vertical)
        layout.addWidget(split, 1)
        self.columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns.setObjectName("compare-columns")
        self.readers: dict[str, ReaderView] = {}
        self.headers: dict[str, QLabel] = {}
        self._text = self.service.workspace.document_text(self.document_id)
        split.addWidget(self.columns)

        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.setObjectName("compare-filter")
        for key, (label, _) in FILTERS.items():
            self.filter.addItem(label, key)
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        self.accept_bar = QHBoxLayout()
        bar.addLayout(self.accept_bar)
        self.accept_buttons: dict[str, QPushButton] = {}
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Leave the selected item out of gold (counts as resolved)")
        self.reject_button.clicked.connect(lambda: self.reject_selected())
        self.accept_all_button = QPushButton("Accept all agreements")
        self.accept_all_button.setObjectName("accept-agreements")
        self.accept_all_button.clicked.connect(lambda: self.accept_agreements())
        self.edit_button = QPushButton("Edit gold…")
        self.edit_button.setToolTip("Code as “gold” in the main window: edit, delete or add gold annotations")
        self.edit_button.clicked.connect(lambda: self.editGold.emit(self.document_id))
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(lambda: self.undo())
        self.next_button = QPushButton("Next document with unresolved ›")
        self.next_button.setObjectName("next-unresolved")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(lambda: self._run(self.go_to_next_document))
        for button in (self.reject_button, self.accept_all_button, self.edit_button, self.undo_button,
                       self.next_button):
            bar.addWidget(button)
        below_layout.addLayout(bar)
        self.items = ReviewItemModel(self)
        self.table = QTableView()
        self.table.setObjectName("review-items")
        self.table.setModel(self.items)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(self._open_in_main)
        below_layout.addWidget(self.table, 1)
        split.addWidget(below)
        split.setSizes([560, 290])
        for keys, slot in ((QKeySequence.StandardKey.Undo, self.undo), (QKeySequence("Ctrl+Shift+Z"), self.redo),
                           (QKeySequence.StandardKey.Refresh, self.reload)):
            QShortcut(keys, self).activated.connect(slot)
        self._build_columns()

    def _build_columns(self) -> None:
        """A column and an Accept button per coder (and gold's column); again when the coders of
        the document change while the view is open (a coder taking turns on a shared file)."""
        for widget in [*(self.columns.widget(i) for i in range(self.columns.count())),
                       *self.accept_buttons.values()]:
            if widget is None:
                continue
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        self.readers, self.headers, self.accept_buttons = {}, {}, {}
        for name in [*self.coders, GOLD]:
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(2, 2, 2, 2)
            header = QLabel(name)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            reader = ReaderView()
            reader.setObjectName(f"compare-reader-{name}")
            reader.show_document(self._text)
            reader.verticalScrollBar().valueChanged.connect(lambda _v, src=name: self._sync_scroll(src))
            reader.spanClicked.connect(lambda mention_id, coder=name: self._span_clicked(coder, mention_id))
            box_layout.addWidget(header)
            box_layout.addWidget(reader, 1)
            self.columns.addWidget(box)
            self.readers[name] = reader
            self.headers[name] = header
        for name in self.coders:
            button = QPushButton(f"Accept {name}'s")
            button.setObjectName(f"accept-{name}")
            button.setToolTip(f"Take {name}'s version of the selected item into gold")
            button.clicked.connect(lambda _=False, coder=name: self.accept_selected(coder))
            self.accept_bar.addWidget(button)
            self.accept_buttons[name] = button

    # ------------------------------------------------------------ content

    def reload(self) -> None:
        """Re-read the review and every coder's layer; keep the selected item if it is still listed."""
        selected = self.selected_item()
        self.review = self.service.document_review(self.document_id)
        self._gold_id = self.service.gold_coder_id()
        if self.review.coders != self.coders:
            self.coders = self.review.coders
            self._build_columns()
        self._show_review(selected)

    def _show_review(self, selected: ReviewItem | None) -> None:
        self._seen = self.service.project.changes.published
        layers = self.review.mentions_by_coder()
        colors = {t.id: t.color for t in self.service.workspace.codebook.entity_types}
        self._marks = self._disagreeing()
        for name, reader in self.readers.items():
            self._draw_layer(name, layers.get(name, []), colors)
            reader.set_marks(list(self._marks[name].elements()))
        self.items.set_items(self.review.items, self.coders, self.filter.currentData() or "unresolved")
        if not self._sized:  # widths from the first rows only, once: measuring thousands of rows is slow
            self.table.horizontalHeader().setResizeContentsPrecision(40)
            self.table.resizeColumnsToContents()
            for col in range(self.items.columnCount()):
                self.table.setColumnWidth(col, min(self.table.columnWidth(col), 320))
            self._sized = True
        self._update_counts()
        row = self.items.row_of(selected.ref) if selected is not None else None
        if row is None and self.items.rowCount():
            row = 0
        if row is not None:
            self._select_row(row)
        else:
            self._show_item(None)

    def _draw_layer(self, name: str, mentions: list[MentionRow], colors: dict[int, str]) -> None:
        self.readers[name].set_spans([Span(m.id, m.start, m.end, colors.get(m.type_id, "#999999"))
                                      for m in mentions])
        self.headers[name].setText(f"<b>{name}</b> — {len(mentions)} mention(s)"
                                   + ("  (the adjudicated set)" if name == GOLD else ""))

    def _disagreeing(self) -> dict[str, Counter[tuple[int, int]]]:
        """Per column, the places of the unresolved mentions that coder made (marked red)."""
        marks: dict[str, Counter[tuple[int, int]]] = {name: Counter() for name in self.readers}
        for item in self.review.items:
            if item.kind == "mention" and item.unresolved:
                for coder in item.holders:
                    marks[coder][(item.start, item.end)] += 1  # type: ignore[index]
        return marks

    def _update_counts(self, counts: tuple[int, int, int] | None = None) -> None:
        """Show the review's counts (unresolved, disagreements, agreed not yet in gold), counted
        here unless the caller knows them."""
        if counts is None:
            totals = [0, 0, 0]
            for item in self.review.items:
                totals = [t + c for t, c in zip(totals, counted(item), strict=True)]
            counts = (totals[0], totals[1], totals[2])
        self._counts = counts
        self._update_summary()
        pending = counts[2]
        self.accept_all_button.setText(f"Accept all agreements ({pending})")
        self.accept_all_button.setEnabled(pending > 0)

    def _select_row(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(
            self.items.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    # ------------------------------------------------------------ following the project's changes

    def _changed(self, change: Change) -> None:
        """A committed change of the project (a decision here, an undo in the main window, coding
        as gold, an import): update what it touched of this document."""
        if not self.isVisible():  # closed, or not shown yet: re-read when shown again
            return
        if change.everything and self._per_document is not None:  # others' work (a server, an import): count again
            self._counter.start()
        if not change.touches(self.document_id):
            self._seen = self.service.project.changes.published  # still up to date
            return
        try:
            if self._gold_only(change):
                self.refresh_gold()
            else:
                self.reload()
        except AnnotaryError as exc:  # e.g. blind coding came on for this coder meanwhile
            self.notice.setText(str(exc))

    def _gold_only(self, change: Change) -> bool:
        if change.coder_id is not None and self._gold_id is None:  # gold came to be after the view opened
            self._gold_id = self.service.gold_coder_id()
        return gold_only(change, self._gold_id, self.review)

    def refresh_gold(self) -> None:
        """After gold (or a rejection) changed: read gold's layer again; only the items whose
        state changed are put in the table, only the columns whose marks changed are redrawn."""
        selected = self.selected_item()
        selected_row = self.table.currentIndex().row()
        before = self.review.items
        self.review, changed = self.service.regold(self.review)
        self._seen = self.service.project.changes.published
        colors = {t.id: t.color for t in self.service.workspace.codebook.entity_types}
        self._draw_layer(GOLD, self.review.mentions_of(GOLD), colors)
        touched: set[str] = set()
        counts = list(self._counts)
        for i in changed:
            for item, sign in ((before[i], -1), (self.review.items[i], 1)):
                counts = [c + sign * d for c, d in zip(counts, counted(item), strict=True)]
                if item.kind == "mention" and item.unresolved:
                    for coder in item.holders:
                        self._marks[coder][(item.start, item.end)] += sign  # type: ignore[index]
                        touched.add(coder)
        for coder in touched:
            self.readers[coder].set_marks(list((+self._marks[coder]).elements()))
        self._updating = True
        try:
            self.items.update_items(self.review.items, changed)
        finally:
            self._updating = False
        self._update_counts(tuple(counts))  # type: ignore[arg-type]
        row = self.items.row_of(selected.ref) if selected is not None else None
        if row is not None:  # still listed: the same place, its buttons as its state now says
            if row != self.table.currentIndex().row() or not self.table.selectionModel().isRowSelected(row):
                self._select_row(row)
            self._enable_buttons(self.items.row_at(row))
        elif self.items.rowCount():  # it left the list: on to the item that took its place
            self._select_row(min(max(selected_row, 0), self.items.rowCount() - 1))
        else:
            self._show_item(None)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after being closed: listen again, and re-read if anything changed meanwhile."""
        super().showEvent(event)
        if not self._listening:
            self._changes.attach(self.service.project)
            self._listening = True
        if self.review.basis is None or self.service.project.changes.published != self._seen:
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_listening()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._stop_listening()
        super().done(result)

    def _stop_listening(self) -> None:
        """A closed view is not updated (nor kept alive by the project's listeners), and lets go
        of its review and highlights: the main window keeps it until the next one replaces it."""
        self._changes.detach()
        self._listening = False
        if self.review.basis is None:
            return
        self.review = DocumentReview(self.document_id, self.coders)
        self._marks = {}
        self.items.set_items([], self.coders, self.filter.currentData() or "unresolved")
        for reader in self.readers.values():
            reader.set_spans([])
            reader.set_marks([])

    def _project_counted(self, per_document: dict[int, int]) -> None:
        self._per_document = dict(per_document)
        self._update_summary()

    def unresolved_by_document(self) -> dict[int, int] | None:
        """Unresolved disagreements per document (this one as it is now), or None while counting."""
        if self._per_document is None:
            return None
        counts = dict(self._per_document)
        if len(self.coders) >= 2:
            counts[self.document_id] = self._counts[0]
        return counts

    def project_counter(self) -> tuple[int, int] | None:
        """(unresolved, documents with any) in the project, or None while still counting."""
        counts = self.unresolved_by_document()
        if counts is None:
            return None
        return sum(counts.values()), sum(1 for c in counts.values() if c)

    def next_unresolved_document(self) -> int | None:
        """The next document (by id, wrapping round) with unresolved disagreements, not this one."""
        counts = self.unresolved_by_document() or {}
        waiting = sorted(d for d, c in counts.items() if c and d != self.document_id)
        return next((d for d in waiting if d > self.document_id), waiting[0] if waiting else None)

    def go_to_next_document(self) -> None:
        target = self.next_unresolved_document()
        if target is None:
            raise AnnotaryError("no other document has unresolved disagreements")
        self.goToDocument.emit(target)

    def _update_summary(self) -> None:
        counter = self.project_counter()
        project = "counting…" if counter is None else f"{counter[0]} unresolved in {counter[1]} document(s)"
        self.next_button.setEnabled(self.next_unresolved_document() is not None)
        unresolved, disagreements, pending = self._counts
        self.summary.setText(
            f"Coders: {', '.join(self.coders)}.  <b>Unresolved here: {unresolved}</b> of "
            f"{disagreements} disagreement(s); agreed, not yet in gold: {pending}.  "
            f"Project: {project}.  Red wavy text: a mention not every coder made exactly and gold has not "
            "settled yet. Select an item to see it in every column.")

    def selected_item(self) -> ReviewItem | None:
        if not hasattr(self, "table"):
            return None
        return self.items.row_at(self.table.currentIndex().row())

    def select_ref(self, ref: str) -> bool:
        row = self.items.row_of(ref)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.items.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def select_place(self, start: int, end: int) -> None:
        """Select the first listed item overlapping [start, end) (listing everything if the filter
        hides it); with none there, just show the place in every column."""
        for attempt in range(2):
            for row in range(self.items.rowCount()):
                item = self.items.row_at(row)
                if item is not None and item.start is not None and item.end is not None \
                        and item.start < end and start < item.end:
                    self.select_ref(item.ref)
                    return
            if attempt == 0:
                self.filter.setCurrentIndex(self.filter.findData("all"))
        for reader in self.readers.values():
            reader.emphasize([(start, end, EMPHASIS)])
        self._align_all(next(iter(self.readers)), start)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._updating:
            self._show_item(self.items.row_at(current.row()))

    def _enable_buttons(self, item: ReviewItem | None) -> None:
        for name, button in self.accept_buttons.items():
            button.setEnabled(item is not None and name in item.holders)
        self.reject_button.setEnabled(item is not None and item.gold != "rejected")

    def _show_item(self, item: ReviewItem | None) -> None:
        self._enable_buttons(item)
        if item is not None and item.places:  # a relation: its two ends
            ranges = [(start, end, EMPHASIS) for start, end in item.places]
        else:
            ranges = ([] if item is None or item.start is None or item.end is None
                      else [(item.start, item.end, EMPHASIS)])
        for reader in self.readers.values():
            reader.emphasize(ranges)
        if ranges:
            self._align_all(next(iter(self.readers)), ranges[0][0])

    # ------------------------------------------------------------ scrolling together

    def _sync_scroll(self, source: str) -> None:
        if self._syncing:
            return
        reader = self.readers[source]
        top = reader.position_map.to_code_point(reader.cursorForPosition(QPoint(4, 4)).position())
        self._align_all(source, top, at=reader.cursorRect(self._cursor_at(reader, top)).top())

    def _align_all(self, source: str, pos: int, at: int | None = None) -> None:
        """Scroll every reader so the character at `pos` sits at the same height (`at`, or a
        third down the screen)."""
        self._syncing = True
        try:
            for name, reader in self.readers.items():
                if name == source and at is not None:
                    continue
                target = at if at is not None else reader.viewport().height() // 3
                rect = reader.cursorRect(self._cursor_at(reader, pos))
                bar = reader.verticalScrollBar()
                bar.setValue(bar.value() + rect.top() - target)
        finally:
            self._syncing = False

    @staticmethod
    def _cursor_at(reader: ReaderView, pos: int) -> QTextCursor:
        cursor = reader.textCursor()
        cursor.setPosition(reader.position_map.to_utf16(pos))
        return cursor

    def _span_clicked(self, coder: str, mention_id: int) -> None:
        """A click on a highlight selects its review item (if the filter lists it)."""
        for item in self.review.items:
            if item.kind == "mention":
                holder = item.holders.get(coder)
                if holder is not None and holder.annotation_id == mention_id and self.select_ref(item.ref):
                    return

    # ------------------------------------------------------------ decisions

    def _decide(self, fn: Callable[[], object]) -> None:
        """Run a decision; the view updates itself from the change it publishes. One refused
        because someone settled gold meanwhile (`GoldConflict`, also when it refused an undo or
        redo) stored nothing: the view reads the document again, so what the message says is shown."""

        def decide() -> None:
            try:
                fn()
            except AnnotaryError as exc:
                if isinstance(exc, GoldConflict) or isinstance(exc.__cause__, GoldConflict):
                    self.reload()
                    self.notice.setText(str(exc))
                raise

        self._run(decide)

    def accept_selected(self, coder: str) -> None:
        item = self.selected_item()
        if item is not None:
            self._decide(lambda: self.service.accept(item, coder))

    def reject_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._decide(lambda: self.service.reject(item))

    def accept_agreements(self) -> None:
        def run() -> None:
            accepted, skipped = self.service.accept_agreements(self.document_id)
            self.notice.setText(f"Accepted {accepted} agreed annotation(s) into gold." + (
                f" {skipped} agreed event(s) left for you: they use a mention you rejected or settled otherwise."
                if skipped else ""))

        self._decide(run)

    def undo(self) -> None:
        history = self.service.workspace.history
        self._decide(lambda: self._history_step(self.service.workspace.undo, history.undo_label,
                                                history.undo_document, "undo"))

    def redo(self) -> None:
        history = self.service.workspace.history
        self._decide(lambda: self._history_step(self.service.workspace.redo, history.redo_label,
                                                history.redo_document, "redo"))

    def _history_step(self, step: Callable[[], object], label: str | None, document_id: int | None,
                      what: str) -> None:
        """Undo or redo here only what changed this document; the rest belongs to the main window."""
        if label is None:
            raise AnnotaryError(f"nothing to {what}")
        if document_id is not None and document_id != self.document_id:
            raise AnnotaryError(f"the next {what} ({label}) changes another document (id {document_id}); "
                                f"{what} it in the main window")
        step()

    def _open_in_main(self, index: QModelIndex) -> None:
        item = self.items.row_at(index.row())
        if item is not None:
            self.openPlace.emit(item.document_id, item.start, item.end)
