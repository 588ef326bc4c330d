"""The main window: documents, the reader and the annotation pane, and the commands between them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.errors import AnnotaryError
from app.core.project import Project, open_project
from app.core.services.coders import GOLD, check_personal_name
from app.core.services.external_changes import ExternalChanges, OutsideChange
from app.core.services.projects import init_project, open_for_command
from app.core.services.workspace import EventView, MentionView, Workspace
from app.core.spans import is_partial_word
from app.ui import file_actions, review_actions, settings, shortcuts, wheel_guard
from app.ui.annotation_pane import AnnotationPane
from app.ui.errors import show_unexpected, show_user_error
from app.ui.external_refresh import forget_history, notice_external_changes
from app.ui.find_bar import reader_with_find_bar
from app.ui.highlights import Span
from app.ui.models.document_list_model import DocumentListModel
from app.ui.models.mention_table_model import attribute_note
from app.ui.reader import ReaderView
from app.ui.tasks import run_task


class MainWindow(QMainWindow):
    def __init__(self, project: Project, coder: str, testing: bool = False) -> None:
        super().__init__()
        self.testing = testing  # no modal summaries that would block an automated run
        self.setObjectName("main-window")
        self.setAcceptDrops(True)
        self.project = project
        self.workspace = Workspace(project, coder)
        self.document_id: int | None = None
        self._mentions: list[MentionView] = []
        self._events: list[EventView] = []
        self._pick: tuple[int, int] | None = None
        self._span_cache: tuple[list[MentionView], list[Span]] | None = None
        self._type_actions: list[QAction] = []
        self.compare_window = None  # the open Compare view, if any
        self.coder_before_gold: str | None = None  # while coding as gold: who to return to
        self.external_changes: ExternalChanges | None = self._watch(project)  # commits by other programs
        self.history_note: str | None = None  # why the undo history is empty, if it was cleared
        self.last_notice: str | None = None  # the last information shown to the user (upgrade, ...)
        self._busy = 0  # inside a user command: its own writes are not another program's
        wheel_guard.install()  # combo boxes and spin boxes ignore the wheel unless focused
        self._build()
        self.status_label = QLabel()
        self.status_label.setObjectName("status-coder")
        self.statusBar().addPermanentWidget(self.status_label)
        self._build_menus()
        self._bind_workspace()
        self._restore_layout()
        self._open_first_document()

    # ================================================================ layout

    def _build(self) -> None:
        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("document-filter")
        self.filter_box.setPlaceholderText("Filter documents (title, file name, language)")
        self.filter_box.setClearButtonEnabled(True)
        self.doc_view = QTableView()
        self.doc_view.setObjectName("documents")
        self.doc_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.doc_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.doc_view.verticalHeader().hide()
        self.doc_view.setWordWrap(False)
        self.doc_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # start and end of a long title stay visible
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.filter_box)
        left_layout.addWidget(self.doc_view)

        self.reader = ReaderView()
        self.reader.tooltip_for = self._tooltip
        reader_panel, self.find_bar = reader_with_find_bar(self.reader)
        self.pane = AnnotationPane()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(reader_panel)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([320, 730, 390])  # at 1440 px the reader gets half the width
        self.setCentralWidget(self.splitter)
        self.resize(1400, 860)

        self.filter_box.textChanged.connect(self._filter_documents)
        self.reader.spanClicked.connect(self._span_clicked)
        self.pane.palette_widget.entityTypeChosen.connect(self.tag_selection)
        self.pane.palette_widget.eventTypeChosen.connect(self.create_event)
        self.pane.mention_view.customContextMenuRequested.connect(self._mention_menu)
        form = self.pane.event_form
        form.addArgument.connect(lambda e, r, m: self._do(lambda: self.workspace.add_argument(e, r, m)))
        form.removeArgument.connect(lambda a: self._do(lambda: self.workspace.remove_argument(a)))
        form.setAttribute.connect(lambda e, a, v: self._do(lambda: self.workspace.set_event_attribute(e, a, v)))
        form.deleteEvent.connect(lambda e: self._do(lambda: self.workspace.delete_event(e)))
        form.pickRole.connect(self._start_pick)
        self.pane.mention_form.setAttribute.connect(
            lambda m, a, v: self._do(lambda: self.workspace.set_mention_attribute(m, a, v)))
        form.mentionHovered.connect(self._outline_mention)
        form.hoverEnded.connect(lambda: self._outline_event(self.pane.event_model.event_at(
            self.pane.event_view.currentIndex().row())))
        codes = self.pane.codes_form
        codes.codeChanged.connect(
            lambda c, v: self._do(lambda: self.workspace.set_document_code(self._require_document(), c, v))
        )
        codes.doneChanged.connect(lambda done: self._do(lambda: self.workspace.set_done(self._require_document(), done)))

    def _bind_workspace(self) -> None:
        """(Re)connect the views to the current workspace (after start or a project switch)."""
        self.doc_model = DocumentListModel(self.workspace, self)
        self.doc_view.setModel(self.doc_model)
        header = self.doc_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.doc_view.selectionModel().currentRowChanged.connect(self._document_row_changed)
        self.pane.mention_view.selectionModel().currentRowChanged.connect(self._mention_row_changed)
        self.pane.event_view.selectionModel().currentRowChanged.connect(self._event_row_changed)
        self._install_type_shortcuts()
        self.pane.palette_widget.set_codebook(self.workspace.codebook)
        self.pane.codes_form.set_codebook(self.workspace.codebook)  # its signals stay connected (_build)
        self._update_title()

    def _install_type_shortcuts(self) -> None:
        """Type hotkeys work while the reader or the mention list has focus (not in text fields)."""
        for action in self._type_actions:
            for widget in (self.reader, self.pane.mention_view):
                widget.removeAction(action)
            action.deleteLater()
        self._type_actions = []
        entries: list[tuple[str, str, Callable[[], None]]] = []
        for t in self.workspace.codebook.entity_types:
            if t.hotkey:
                entries.append((t.hotkey, f"Tag as {t.name}",
                                lambda key=t.hotkey, name=t.name: self._hotkey(key, name, "entity")))
        for t in self.workspace.codebook.event_types:
            if t.hotkey:
                entries.append((t.hotkey, f"New {t.name} event",
                                lambda key=t.hotkey, name=t.name: self._hotkey(key, name, "event")))
        for key, text, slot in entries:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, run=slot: run())
            for widget in (self.reader, self.pane.mention_view):
                widget.addAction(action)
            self._type_actions.append(action)

    def _hotkey(self, key: str, name: str, kind: str) -> None:
        """A type's hotkey: first what another program changed (the codebook may have changed
        under the key), then the type that has the key now, if it is still the one the user saw."""
        self._do(lambda: notice_external_changes(self))
        types = self.workspace.codebook.entity_types if kind == "entity" else self.workspace.codebook.event_types
        current = next((t for t in types if t.hotkey == key), None)
        if current is None or current.name != name:
            now = f"it now stands for {current.name}" if current is not None else "no type has it now"
            self._do(lambda: (_ for _ in ()).throw(AnnotaryError(
                f"the codebook was changed by another program: the key {key} was {name}, {now}; "
                "nothing was tagged")))
            return
        if kind == "entity":
            self.tag_selection(current.id)
        else:
            self.create_event(current.id)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._add(file_menu, "&New project…", self.new_project, QKeySequence.StandardKey.New)
        self._add(file_menu, "&Open project…", self.ask_open_project, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.action_import = self._add(file_menu, "&Import documents…",
                                       lambda: file_actions.ask_import_documents(self), "Ctrl+I")
        self._add(file_menu, "Import a &folder…", lambda: file_actions.ask_import_documents(self, folder=True))
        ann = file_menu.addMenu("Import &annotations")
        self._add(ann, "brat folder…", lambda: file_actions.ask_import_annotations(self, "brat"))
        self._add(ann, "doccano JSONL…", lambda: file_actions.ask_import_annotations(self, "doccano"))
        exp = file_menu.addMenu("&Export")
        self.action_export = self._add(exp, "Excel workbook…", lambda: file_actions.ask_export(self, "xlsx"), "Ctrl+E")
        self._add(exp, "Excel workbook, gold set only…", lambda: file_actions.ask_export(self, "xlsx", coder=GOLD))
        self._add(exp, "brat folder…", lambda: file_actions.ask_export(self, "brat"))
        self._add(exp, "doccano JSONL…", lambda: file_actions.ask_export(self, "doccano"))
        cb = file_menu.addMenu("&Codebook")
        self._add(cb, "Import codebook…", lambda: file_actions.ask_codebook_import(self))
        self._add(cb, "Export codebook…", lambda: file_actions.ask_codebook_export(self))
        file_menu.addSeparator()
        self._add(file_menu, "&Merge a coder's copy…", lambda: file_actions.ask_merge(self))
        file_menu.addSeparator()
        self._add(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self.action_undo = self._add(edit, "&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.action_redo = self._add(edit, "&Redo", self.redo, "Ctrl+Shift+Z")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addSeparator()
        self.action_delete = self._add(edit, "&Delete selected annotation", self.delete_selected)
        self.action_delete.setShortcuts([QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.action_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for widget in (self.reader, self.pane.mention_view, self.pane.event_view):
            widget.addAction(self.action_delete)
        edit.addSeparator()
        self._add(edit, "&Settings: coder name…", self.ask_coder_name)

        doc = bar.addMenu("&Document")
        self._add(doc, "&Next document", lambda: self.step_document(1), "Ctrl+PgDown")
        self._add(doc, "&Previous document", lambda: self.step_document(-1), "Ctrl+PgUp")
        self._add(doc, "Mark &done / not done", self.toggle_done, "Ctrl+D")
        self._add(doc, "Go to the &reader", lambda: self.reader.setFocus(), "Ctrl+1")
        self._add(doc, "Go to the &events", lambda: (self.pane.tabs.setCurrentIndex(1),
                                                        self.pane.event_view.setFocus()), "Ctrl+2")
        self._add(doc, "Go to the document &codes", lambda: self.pane.tabs.setCurrentIndex(2), "Ctrl+3")
        self._add(doc, "&Find in this document", self.find_bar.open, QKeySequence.StandardKey.Find)
        self._add(doc, "&Filter documents by title (Ctrl+F now finds in the text)",
                  lambda: self.filter_box.setFocus(), "Ctrl+Shift+F")

        review = bar.addMenu("&Review")
        self._add(review, "&Agreement…", self.show_agreement)
        self.action_compare = self._add(review, "&Compare coders on this document…",
                                        lambda: review_actions.show_compare(self), "Ctrl+K")
        self._add(review, "Code as &gold (edit the adjudicated set)",
                  lambda: review_actions.edit_gold(self, self._require_document()))
        self._add(review, "&Stop coding as gold", lambda: review_actions.stop_gold(self))
        review.addSeparator()
        self.action_blind = QAction("&Blind coding (coders see only their own annotations)", self)
        self.action_blind.setCheckable(True)
        self.action_blind.triggered.connect(
            lambda checked: self._do(lambda: review_actions.set_blind_coding(self, checked)))
        review.addAction(self.action_blind)
        review.aboutToShow.connect(lambda: review_actions.sync_blind_action(self))
        self._add(review, "Coders and &roles…", lambda: review_actions.ask_role(self))

        view = bar.addMenu("&View")
        self.action_zoom_in = self._add(view, "Zoom &in", lambda: shortcuts.zoom(self.reader, 1), "Ctrl+=")
        self.action_zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self._add(view, "Zoom &out", lambda: shortcuts.zoom(self.reader, -1), "Ctrl+-")
        self._add(view, "&Normal size", lambda: shortcuts.zoom(self.reader, 0), "Ctrl+0")

        help_menu = bar.addMenu("&Help")
        self._add(help_menu, "&Keyboard shortcuts", lambda: shortcuts.ShortcutsDialog(self).exec(), "F1")
        self._add(help_menu, "&About Annotary", self.about)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.addAction(self.action_import)
        toolbar.addAction(self.action_export)
        toolbar.addSeparator()
        toolbar.addAction(self.action_undo)
        toolbar.addAction(self.action_redo)
        self.workspace.history.on_change = self._update_undo_actions
        self._update_undo_actions()
        QApplication.instance().applicationStateChanged.connect(self._application_state_changed)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: self._do(slot))
        menu.addAction(action)
        return action

    # ================================================================ running user actions

    def _do(self, fn: Callable[[], object]) -> object:
        """Run a user command; a user mistake becomes a message, anything else is logged and shown.
        What another program changed is shown first."""
        outer = self._busy == 0
        self._busy += 1
        try:
            return self._do_now(fn, notice=outer)
        finally:
            self._busy -= 1
            # Nothing is acknowledged here: the window's own commits acknowledge themselves
            # (Project.after_write), so a program that wrote while this command waited in a
            # dialog is still seen at the next look.

    @staticmethod
    def _watch(project: Project) -> ExternalChanges:
        """Watch the project for other programs' commits. Every write of this window checks, once it
        holds the write lock, that nobody wrote since the window last looked (else it is refused and
        the window shows the new state), and takes its own commit as seen right after it."""
        watch = ExternalChanges(project)
        project.write_guard = watch.refuse_if_changed
        project.after_write = watch.acknowledge
        return watch

    def _do_now(self, fn: Callable[[], object], notice: bool) -> object:
        try:
            if notice:
                notice_external_changes(self)
            result = fn()
        except OutsideChange as exc:  # another program wrote while this command waited for the lock
            self._refused_by_outside_change(exc)
            return None
        except AnnotaryError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            if not self.testing:
                show_user_error(self, str(exc))
            self.last_error = str(exc)
            self.refresh()
            return None
        except Exception as exc:
            if self.testing:
                raise
            show_unexpected(exc, self)
            self.refresh()
            return None
        self.last_error = None
        self.refresh()
        return result

    def _require_document(self) -> int:
        if self.document_id is None:
            raise AnnotaryError("open a document first")
        return self.document_id

    # ================================================================ documents

    def _filter_documents(self, text: str) -> None:
        self.doc_model.reload(text)

    def _document_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.doc_model.document_at(current.row())
        if row is not None and row.id != self.document_id:
            self.open_document(row.id)

    def open_document(self, document_id: int) -> None:
        self.document_id = document_id
        self._pick = None
        text = self.workspace.document_text(document_id)
        self._mentions = self.workspace.mentions(document_id)
        self.reader.show_document(text, self._spans())
        self.reader.moveCursor(self.reader.textCursor().MoveOperation.Start)
        self._refresh_pane()
        row = self.doc_model.row_of(document_id)
        if row is not None and self.doc_view.currentIndex().row() != row:
            self.doc_view.selectionModel().setCurrentIndex(
                self.doc_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_title()
        settings.set_last_document(str(self.project.path), document_id)

    def _open_first_document(self) -> None:
        """The document this project was last left on (on this machine), else the first one."""
        last = settings.last_document(str(self.project.path))
        if last is not None and self.workspace.document_row(last) is not None:
            self.open_document(last)
        elif self.doc_model.rowCount():
            self.open_document(self.doc_model.document_at(0).id)
        else:
            self.reader.show_document("")

    def step_document(self, step: int) -> None:
        current = self.doc_view.currentIndex().row()
        target = current + step
        if target >= self.doc_model.rowCount() and self.doc_model.canFetchMore():
            self.doc_model.fetchMore()
        row = self.doc_model.document_at(target)
        if row is not None:
            self.open_document(row.id)

    def toggle_done(self) -> None:
        doc = self._require_document()
        row = self.workspace.document_row(doc)
        self.workspace.set_done(doc, row is None or row.status != "done")
        self.refresh()

    def after_import(self, codebook_may_change: bool = False) -> None:
        """After this window's own import or merge (run on a connection of its own): re-read."""
        self.workspace.history.touch()
        if codebook_may_change:
            self._reload_codebook()
        self._reload_documents()
        watch = self.external_changes
        if watch is not None:
            outside = watch.take_outside_seen() or watch.pending()  # another program wrote meanwhile
            watch.acknowledge()
            if outside:
                forget_history(self)

    def reload_all(self) -> None:
        """Re-read all that another program may have changed: the codebook, the document list and
        the open document's annotations. The open document and the selections stay if they still exist."""
        self._reload_codebook()
        self._reload_documents()

    def _reload_codebook(self) -> None:
        self.workspace.load_codebook()
        self._install_type_shortcuts()
        self.pane.palette_widget.set_codebook(self.workspace.codebook)
        self.pane.codes_form.set_codebook(self.workspace.codebook)

    def _reload_documents(self) -> None:
        current = self.document_id
        self.doc_model.reload()
        if current is not None and self.workspace.document_row(current) is None:
            current = self.document_id = None  # deleted meanwhile
        if current is None:
            if self.doc_model.rowCount():
                self.open_document(self.doc_model.document_at(0).id)
            else:
                self._show_no_document()
            return
        self.refresh()
        row = self.doc_model.row_of(current)
        if row is not None:  # the reset cleared the list's selection
            self.doc_view.selectionModel().setCurrentIndex(
                self.doc_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_title()

    def _show_no_document(self) -> None:
        self.document_id = None
        self._mentions, self._events = [], []
        self.reader.show_document("")
        self.pane.mention_model.set_mentions([])
        self.pane.event_model.set_events([])
        self.pane.set_counts(0, 0)
        self._update_title()

    # ================================================================ annotations

    def _spans(self) -> list[Span]:
        """Highlight spans of the current mentions (rebuilt only when the mention list is replaced)."""
        if self._span_cache is None or self._span_cache[0] is not self._mentions:
            self._span_cache = (self._mentions, [Span(m.id, m.start, m.end, m.color) for m in self._mentions])
        return self._span_cache[1]

    def refresh(self, changed: tuple[int, int] | None = None, full: bool = False) -> None:
        """Re-read the current document's annotations and redraw (only `changed` if given)."""
        if self.document_id is None:
            return
        self._mentions = self.workspace.mentions(self.document_id)
        if full:
            self.reader.show_document(self.reader.text, self._spans())
        else:
            self.reader.set_spans(self._spans(), changed)
        self._refresh_pane()

    def _refresh_pane(self) -> None:
        doc = self.document_id
        selected_mention = self.selected_mention_id()
        selected_event = self.selected_event_id()
        self._events = self.workspace.events(doc)
        self.pane.mention_model.set_mentions(self._mentions)
        self.pane.event_model.set_events(self._events)
        self.pane.set_counts(len(self._mentions), len(self._events))
        selected = [(model, ident) for model, ident in (
            (self.pane.mention_model, selected_mention), (self.pane.event_model, selected_event)) if ident is not None]
        if selected and not any(model.row_of(ident) is not None for model, ident in selected):
            self.reader.emphasize([])  # the outlined mention or event is gone (undo, delete): no ghost outline
        row = self.doc_model.refresh_document(doc)
        self.pane.codes_form.show_values(self.workspace.codebook, self.workspace.document_codes(doc),
                                         row is not None and row.status == "done")
        if selected_mention is not None:
            self.select_mention(selected_mention, emphasize=False)
        self.pane.mention_form.show_mention(  # also when the mention is gone or its type changed
            self.pane.mention_model.mention_at(self.pane.mention_view.currentIndex().row()), self.workspace.codebook)
        if selected_event is not None and self.pane.event_model.row_of(selected_event) is not None:
            self.select_event(selected_event)
        else:
            self.pane.event_form.show_event(None, self.workspace.codebook, self._mentions)

    def selected_mention_id(self) -> int | None:
        m = self.pane.mention_model.mention_at(self.pane.mention_view.currentIndex().row())
        return m.id if m is not None else None

    def selected_event_id(self) -> int | None:
        e = self.pane.event_model.event_at(self.pane.event_view.currentIndex().row())
        return e.id if e is not None else None

    def tag_selection(self, entity_type_id: int) -> None:
        """Tag the reader's selection; with no selection, retype the selected mention."""
        doc = self._require_document()
        start, end = self.reader.selection_cp()
        if start == end:
            mention_id = self.selected_mention_id()
            if mention_id is None:
                self._do(lambda: (_ for _ in ()).throw(AnnotaryError("select some text to tag first")))
                return
            self._do(lambda: self.workspace.retype_mention(mention_id, entity_type_id))
            return
        notice_external_changes(self)
        precise = self.reader.precise_selection  # Alt held while selecting: no snapping to words
        action = self._run(lambda: self.workspace.tag(doc, self.reader.text, start, end, entity_type_id, precise))
        if action is None:
            return
        # Only this mention changed: add it to the lists and redraw its range, no full reload.
        etype = self.workspace.codebook.entity_type(entity_type_id)
        mention = MentionView(action.mention_id, etype.id, etype.name, etype.color, action.start, action.end,
                              self.reader.text[action.start:action.end], self.workspace.coder_name,
                              is_partial_word(self.reader.text, action.start, action.end))
        row = bisect_left(self._mentions, _mention_key(mention), key=_mention_key)
        spans = self._spans()
        self._mentions.insert(row, mention)
        spans.insert(row, Span(mention.id, mention.start, mention.end, mention.color))
        self.reader.set_spans(spans, changed=(action.start, action.end))
        self.pane.mention_model.insert_mention(row, mention)
        self.pane.set_counts(len(self._mentions), len(self._events))
        self.doc_model.refresh_document(doc)
        cursor = self.reader.textCursor()
        cursor.clearSelection()
        self.reader.setTextCursor(cursor)
        self.select_mention(action.mention_id, emphasize=False)
        event_id = self.selected_event_id()
        if event_id is not None and self.pane.tabs.currentIndex() == 1:
            self.select_event(event_id)  # the new mention may fill one of its roles

    def create_event(self, event_type_id: int) -> None:
        doc = self._require_document()
        selection = self.reader.selection_cp()
        precise = self.reader.precise_selection
        action = self._run(lambda: self.workspace.create_event(doc, event_type_id, self.reader.text, selection,
                                                               precise))
        if action is None:
            return
        self.refresh()
        self.pane.tabs.setCurrentIndex(1)
        self.select_event(action.event_id)

    def _refused_by_outside_change(self, exc: OutsideChange) -> None:
        """Show the project as another program left it (clearing the history), then say why the
        action was not made."""
        notice_external_changes(self)
        self.statusBar().showMessage(str(exc), 8000)
        if not self.testing:
            show_user_error(self, str(exc))
        self.last_error = str(exc)

    def _run(self, fn: Callable[[], object]) -> object:
        """Like _do, but the caller refreshes (to redraw only what changed)."""
        try:
            return fn()
        except OutsideChange as exc:
            self._refused_by_outside_change(exc)
            return None
        except AnnotaryError as exc:
            self.last_error = str(exc)
            self.statusBar().showMessage(str(exc), 8000)
            if not self.testing:
                show_user_error(self, str(exc))
            return None

    def delete_selected(self) -> None:
        if self.pane.tabs.currentIndex() == 1 and self.selected_event_id() is not None:
            self.workspace.delete_event(self.selected_event_id())
            return
        mention_id = self.selected_mention_id()
        if mention_id is None:
            raise AnnotaryError("select a mention (or an event) to delete")
        uses = [(e.type_name, a.role) for e in self._events for a in e.arguments if a.mention_id == mention_id]
        self.workspace.delete_mention(mention_id)
        if uses:  # the event keeps going without it: say so (undo brings both back)
            roles = "; ".join(f"{role} of {event}" for event, role in uses)
            self.statusBar().showMessage(f"Deleted the mention and its place in {len(uses)} event role(s) "
                                         f"({roles}); Ctrl+Z brings both back", 10000)

    def select_mention(self, mention_id: int, emphasize: bool = True) -> None:
        row = self.pane.mention_model.row_of(mention_id)
        if row is None:
            return
        view = self.pane.mention_view
        view.selectionModel().setCurrentIndex(
            self.pane.mention_model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(self.pane.mention_model.index(row, 0))
        if emphasize:
            m = self.pane.mention_model.mention_at(row)
            self.reader.emphasize([(m.start, m.end, m.color)])

    def select_event(self, event_id: int) -> None:
        row = self.pane.event_model.row_of(event_id)
        if row is None:
            return
        self.pane.event_view.selectionModel().setCurrentIndex(
            self.pane.event_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._show_event(self.pane.event_model.event_at(row))

    def _mention_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        m = self.pane.mention_model.mention_at(current.row())
        self.pane.mention_form.show_mention(m, self.workspace.codebook)
        if m is not None:
            self.reader.emphasize([(m.start, m.end, m.color)])

    def _event_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_event(self.pane.event_model.event_at(current.row()))

    def _show_event(self, event: EventView | None) -> None:
        self.pane.event_form.show_event(event, self.workspace.codebook, self._mentions, self.reader.text)
        self._outline_event(event)

    def _outline_mention(self, mention_id: int) -> None:
        """Outline one mention (hovered among a role's choices)."""
        m = next((m for m in self._mentions if m.id == mention_id), None)
        if m is not None:
            self.reader.emphasize([(m.start, m.end, m.color)])

    def _outline_event(self, event: EventView | None) -> None:
        if event is None:
            return
        by_id = {m.id: m for m in self._mentions}
        ranges = [(event.trigger[0], event.trigger[1], event.color)] if event.trigger else []
        ranges += [(by_id[a.mention_id].start, by_id[a.mention_id].end, by_id[a.mention_id].color)
                   for a in event.arguments if a.mention_id in by_id]
        self.reader.emphasize(ranges)

    def _start_pick(self, event_id: int, role_id: int) -> None:
        self._pick = (event_id, role_id)
        self.statusBar().showMessage("Click a highlighted mention in the reader to fill the role (Esc cancels)")
        self.reader.setFocus()

    def _span_clicked(self, mention_id: int) -> None:
        if self._pick is not None:
            event_id, role_id = self._pick
            self._pick = None
            self.statusBar().clearMessage()
            self._do(lambda: self.workspace.add_argument(event_id, role_id, mention_id))
            return
        self.pane.tabs.setCurrentIndex(0)
        self.select_mention(mention_id)

    def _mention_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        mention_id = self.selected_mention_id()
        if mention_id is None:
            return
        menu = QMenu(self)
        retype = menu.addMenu("Change type to")
        for t in self.workspace.codebook.entity_types:
            retype.addAction(t.name, lambda tid=t.id: self._do(lambda: self.workspace.retype_mention(mention_id, tid)))
        menu.addAction("Delete", lambda: self._do(lambda: self.workspace.delete_mention(mention_id)))
        menu.exec(self.pane.mention_view.viewport().mapToGlobal(pos))

    def _tooltip(self, spans: list[Span]) -> str:
        by_id = {m.id: m for m in self._mentions}
        lines = []
        for s in spans:
            m = by_id.get(s.id)
            if m is not None:
                lines.append(f"{m.type_name} — “{m.text}” (by {m.coder})" + attribute_note(m))
        return "\n".join(lines)

    # ================================================================ review

    def show_agreement(self) -> None:
        from app.core.services.agreement import agreement_report
        from app.core.services.review import ReviewService
        from app.ui.agreement_window import AgreementWindow

        ReviewService(self.workspace).require_review()  # its disagreements show the other coders' work
        path = self.project.path

        def task(progress, cancelled):  # type: ignore[no-untyped-def]
            with open_project(path) as project:
                # the same default as `annotary agreement`: documents every coder marked done
                return agreement_report(project)

        report = run_task(self, "Computing agreement…", task)
        self.agreement_window = AgreementWindow(report, self)
        self.agreement_window.openPlace.connect(
            lambda doc, start, end: self._do(lambda: review_actions.open_disagreement(self, doc, start, end)))
        self.agreement_window.show()

    def open_place(self, document_id: int, start: int | None, end: int | None) -> None:
        """Show a document, and a place in it if given (from the Agreement window)."""
        self.open_document(document_id)
        if start is not None and end is not None:
            self.reader.emphasize([(start, end, "#ffbf00")])

    # ================================================================ undo

    def undo(self) -> None:
        notice_external_changes(self)  # may clear the history: its ids may be stale
        self._after_history(self.workspace.undo())

    def redo(self) -> None:
        notice_external_changes(self)
        self._after_history(self.workspace.redo())

    def _after_history(self, action) -> None:  # type: ignore[no-untyped-def]
        if action is None:
            if self.history_note is not None:
                raise AnnotaryError(self.history_note)
            self.statusBar().showMessage("Nothing to undo or redo", 3000)
            return
        if action.document_id is not None and action.document_id != self.document_id:
            self.open_document(action.document_id)
        else:
            self.refresh()
        self.statusBar().showMessage(f"Done: {action.label}", 3000)

    def _update_undo_actions(self) -> None:
        """After every change through the history: its writes are this window's own."""
        h = self.workspace.history
        if h.undo_label is not None or h.redo_label is not None:
            self.history_note = None
        self.action_undo.setEnabled(h.undo_label is not None)
        self.action_undo.setText(f"&Undo {h.undo_label}" if h.undo_label else "&Undo")
        self.action_redo.setEnabled(h.redo_label is not None)
        self.action_redo.setText(f"&Redo {h.redo_label}" if h.redo_label else "&Redo")

    # ================================================================ project and settings

    def switch_project(self, project: Project) -> None:
        if self.compare_window is not None:
            self.compare_window.close()
            self.compare_window = None
        old = self.project
        self.project = project
        if self.external_changes is not None:
            self.external_changes.close()
        self.external_changes = self._watch(project)
        self.history_note = None
        self.workspace = Workspace(project, self.workspace.coder_name)
        self.workspace.history.on_change = self._update_undo_actions
        self._update_undo_actions()
        old.close()
        self.document_id = None
        self._bind_workspace()
        settings.add_recent_project(str(project.path))
        self._open_first_document()

    def new_project(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New project", "project.annotary", "Annotary project (*.annotary)")
        if name:
            path = Path(name if name.endswith(".annotary") else name + ".annotary")
            self.switch_project(init_project(path, empty=True))

    def ask_open_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Annotary project (*.annotary);;All (*)")
        if name:
            self.open_project_path(Path(name))

    def open_project_path(self, path: Path) -> None:
        project = open_project(path)
        self.switch_project(project)
        self.tell_about_upgrade(project)

    def tell_about_upgrade(self, project: Project) -> None:
        """A project made by an older Annotary was upgraded: say so, and where its old file is."""
        if project.backup_path is None:
            return
        self.last_notice = (f"{project.path.name} was made by an older Annotary and has been upgraded. "
                            f"The file as it was is kept as {project.backup_path}.")
        self.statusBar().showMessage(self.last_notice, 30000)
        if not self.testing:
            QMessageBox.information(self, "Annotary", self.last_notice)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in settings.recent_projects():
            self.recent_menu.addAction(path, lambda p=path: self._do(lambda: self.open_project_path(Path(p))))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def ask_coder_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Coder", "Your name (recorded with every annotation):",
                                        text=self.workspace.coder_name)
        if ok and name.strip():
            self.set_coder(name.strip())

    def set_coder(self, name: str, remember: bool = True) -> None:
        """Work as another coder; the undo history carries over (actions name their own coder).
        A name the user chooses (`remember`) must be a person's, not gold's."""
        if remember:
            check_personal_name(name)
        history = self.workspace.history
        self.workspace = Workspace(self.project, name)  # may add the coder: a write of its own
        self.workspace.history = history
        if remember:
            settings.set_coder_name(self.workspace.coder_name)
            settings.set_project_coder(str(self.project.path), self.workspace.coder_name)
        if self.compare_window is not None:
            self.compare_window.service.workspace = self.workspace
        self.workspace.history.on_change = self._update_undo_actions
        self._update_undo_actions()
        current = self.document_id
        self.document_id = None
        self._bind_workspace()
        if current is not None:
            self.open_document(current)

    def about(self) -> None:
        QMessageBox.about(
            self, "About Annotary",
            f"<b>Annotary {__version__}</b><br>Annotation of entity mentions, events and document codes in "
            f"multilingual news.<br>Project: {self.project.path}<br>Coder: {self.workspace.coder_name}",
        )

    def _update_title(self) -> None:
        title = f"Annotary — {self.project.path.name} — {self.workspace.coder_name}"
        current = self.doc_view.currentIndex().row()
        row = self.doc_model.document_at(current) if self.document_id is not None else None
        if row is not None and row.id == self.document_id:
            title = f"{row.title[:60]} — {title}"
        self.setWindowTitle(title)
        role = " (adjudicator)" if self.workspace.coder_role == "adjudicator" else ""
        who = f"Coder: {self.workspace.coder_name}{role}   Project: {self.project.path}"
        self.status_label.setText(who)  # always shown, whatever message passes on the left

    # ================================================================ window events

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self._activated()
        return super().event(event)

    def _application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self._activated()

    def _activated(self) -> None:
        """Coming back to the app (e.g. from a terminal that ran `annotary import`): show what changed.
        Not while a command of this window runs (its dialogs activate and deactivate the window)."""
        if self._busy:
            return
        self._busy += 1
        try:
            notice_external_changes(self)
        except AnnotaryError as exc:
            self.statusBar().showMessage(str(exc), 8000)
        except Exception as exc:
            if self.testing:
                raise
            show_unexpected(exc, self)
        finally:
            self._busy -= 1

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self._do(lambda: file_actions.import_documents(self, paths))

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Escape and self._pick is not None:
            self._pick = None
            self.statusBar().showMessage("Role picking cancelled", 3000)
            return
        super().keyPressEvent(event)

    def _restore_layout(self) -> None:
        geometry = settings.load_bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.load_bytes("window/state")
        if state is not None:
            self.restoreState(state)
        split = settings.load_bytes("window/splitter")
        if split is not None:
            self.splitter.restoreState(split)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_bytes("window/geometry", self.saveGeometry())
        settings.save_bytes("window/state", self.saveState())
        settings.save_bytes("window/splitter", self.splitter.saveState())
        if self.external_changes is not None:
            QApplication.instance().applicationStateChanged.disconnect(self._application_state_changed)
            self.external_changes.close()
            self.external_changes = None
        self.project.close()
        super().closeEvent(event)


def _mention_key(m: MentionView) -> tuple[int, int, int]:
    """The order of the mention list (as the workspace returns it): by start, longer first."""
    return m.start, -m.end, m.id


def open_startup_project(path: str | None) -> Project:
    return open_for_command(path)
