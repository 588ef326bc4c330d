"""The main window: a shell that assembles the document list, the reader and the annotation pane.

What is shown follows the change channel (`CodingSession`, `DocumentViews`, `DocumentListPane`);
the coder's commands are in `CodingCommands`, the File and Review menus' in `file_actions` and
`review_actions`, the menus themselves in `menus`. The window runs commands (`run`), opens
documents and projects, and keeps the undo actions and the status bar up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QWidget,
)
from sqlalchemy.exc import OperationalError

from app import __version__
from app.core.address import is_server_address
from app.core.changes import Change
from app.core.errors import AnnotaryError
from app.core.project import Project, open_project
from app.core.server.identity import coder_for
from app.core.services.coders import check_personal_name
from app.core.services.external_changes import ExternalChanges, OutsideChange
from app.core.services.projects import init_project, open_for_command
from app.core.services.workspace import MentionView, Workspace
from app.ui import file_actions, review_actions, settings, wheel_guard
from app.ui.annotation_pane import AnnotationPane
from app.ui.coding_commands import CodingCommands
from app.ui.coding_session import CodingSession
from app.ui.document_list_pane import DocumentListPane
from app.ui.document_views import DocumentViews
from app.ui.errors import show_unexpected, show_user_error
from app.ui.external_refresh import forget_history, notice_external_changes
from app.ui.find_bar import reader_with_find_bar
from app.ui.menus import build_menus
from app.ui.models.document_list_model import DocumentListModel
from app.ui.reader import ReaderView
from app.ui.server_login import ask_address, open_server_project
from app.ui.tasks import run_task
from app.ui.worker_project import worker_project

SERVER_POLL_MS = 3000


class MainWindow(QMainWindow):
    recent_menu: QMenu
    action_import: QAction
    action_export: QAction
    action_undo: QAction
    action_redo: QAction
    action_delete: QAction
    action_codebook: QAction
    action_compare: QAction
    action_blind: QAction
    action_zoom_in: QAction
    action_relation: QAction

    def __init__(self, project: Project, coder: str, testing: bool = False) -> None:
        super().__init__()
        self.testing = testing  # no modal summaries that would block an automated run
        self.setObjectName("main-window")
        self.setAcceptDrops(True)
        self.compare_window: Any = None  # the open Compare view, if any
        self.agreement_window: Any = None
        self.codebook_editor: Any = None
        self.coder_before_gold: str | None = None  # while coding as gold: who to return to
        self.history_note: str | None = None  # why the undo history is empty, if it was cleared
        self.last_notice: str | None = None  # the last information shown to the user (upgrade, ...)
        self.last_error: str | None = None
        self._position_to_restore = 0  # where to scroll the first document once the window shows
        self._busy = 0  # inside a user command: its own writes are not another program's
        self._server_lost = False  # the server poll could not reach the server (it keeps trying)
        wheel_guard.install()  # combo boxes and spin boxes ignore the wheel unless focused
        self.session = CodingSession(project, coder, self)
        self.external_changes: ExternalChanges | None = self._watch(project)  # commits by other programs
        self.server_poll = QTimer(self)  # on a server, others' commits are looked for every few seconds
        self.server_poll.setInterval(SERVER_POLL_MS)
        self.server_poll.timeout.connect(self.poll_outside)

        self.documents = DocumentListPane(self.session)
        self.reader = ReaderView()
        reader_panel, self.find_bar = reader_with_find_bar(self.reader)
        self.pane = AnnotationPane()
        self.views = DocumentViews(self.session, self.reader, self.pane, self)
        self.commands = CodingCommands(self, self.views, self.reader, self.pane)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(reader_panel)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([320, 730, 390])  # at 1440 px the reader gets half the width
        self.setCentralWidget(self.splitter)
        self.resize(1400, 860)
        self.status_label = QLabel()
        self.status_label.setObjectName("status-coder")
        self.statusBar().addPermanentWidget(self.status_label)
        build_menus(self)

        self.documents.documentChosen.connect(lambda doc: self.run(lambda: self.open_document(doc)))
        self.session.changed.connect(self._changed)
        self.session.documentOpened.connect(self._update_title)
        self.session.workspaceReplaced.connect(self._update_title)
        self.session.workspace.history.on_change = self._update_undo_actions
        self._update_undo_actions()
        _application().applicationStateChanged.connect(self._application_state_changed)
        self._restore_layout()
        self._open_first_document()
        self._follow_server()

    # ================================================================ what the controllers see (Host)

    @property
    def project(self) -> Project:
        return self.session.project

    @property
    def workspace(self) -> Workspace:
        return self.session.workspace

    @property
    def document_id(self) -> int | None:
        return self.session.document_id

    @property
    def doc_model(self) -> DocumentListModel:
        return self.documents.model

    @property
    def doc_view(self) -> QTableView:
        return self.documents.view

    @property
    def filter_box(self) -> QLineEdit:
        return self.documents.filter_box

    @property
    def _mentions(self) -> list[MentionView]:
        return self.session.mentions

    def window_widget(self) -> QWidget:
        return self

    def require_document(self) -> int:
        if self.document_id is None:
            raise AnnotaryError("open a document first")
        return self.document_id

    _require_document = require_document

    def tag_selection(self, entity_type_id: int) -> None:
        self.run(lambda: self.commands.tag_selection(entity_type_id))

    def create_event(self, event_type_id: int) -> None:
        self.run(lambda: self.commands.create_event(event_type_id))

    def delete_selected(self) -> None:
        self.commands.delete_selected()

    def undo(self) -> None:
        self.commands.undo()

    def redo(self) -> None:
        self.commands.redo()

    def select_mention(self, mention_id: int, emphasize: bool = True) -> None:
        self.views.select_mention(mention_id, emphasize)

    def select_event(self, event_id: int) -> None:
        self.views.select_event(event_id)

    def selected_mention_id(self) -> int | None:
        m = self.views.selected_mention()
        return m.id if m is not None else None

    def selected_event_id(self) -> int | None:
        e = self.views.selected_event()
        return e.id if e is not None else None

    # ================================================================ running user actions

    def run(self, fn: Callable[[], object]) -> object:
        """Run a user command; a user mistake becomes a message, anything else is logged and shown.
        What another program changed is shown first. The views follow from the change channel."""
        outer = self._busy == 0
        self._busy += 1
        try:
            if outer and not self.project.on_server:  # a server is polled (`poll_outside`)
                notice_external_changes(self)
            result = fn()
        except OutsideChange as exc:  # another program wrote while this command waited for the lock
            self._refused(exc, notice=True)
            return None
        except AnnotaryError as exc:
            self._refused(exc)
            return None
        except Exception as exc:
            if self.testing:
                raise
            show_unexpected(exc, self)
            self.views.show_forms()
            return None
        finally:
            self._busy -= 1
            # Nothing is acknowledged here: the window's own commits acknowledge themselves
            # (Project.after_write), so a program that wrote while this command waited in a
            # dialog is still seen at the next look.
        if outer:
            self.last_error = None
        return result

    _do = run

    def _refused(self, exc: AnnotaryError, notice: bool = False) -> None:
        """Nothing was stored: say why, and put the controls back to what is stored (a combo the user
        changed shows the stored value again). An outside change is shown first (clearing the history)."""
        if notice:
            notice_external_changes(self)
        self.statusBar().showMessage(str(exc), 8000)
        self.last_error = str(exc)
        self.views.show_forms()
        if not self.testing:
            show_user_error(self, str(exc))

    @staticmethod
    def _watch(project: Project) -> ExternalChanges:
        """Watch the project for other programs' commits. Every write of this window checks, once it
        holds the write lock, that nobody wrote since the window last looked (else it is refused and
        the window shows the new state), and takes its own commit as seen right after it. On a
        server others write all the time and each write is its own transaction, so a write is not
        refused: what others wrote before it is noted and shown at the next poll."""
        watch = ExternalChanges(project)
        project.write_guard = watch.note_if_changed if project.on_server else watch.refuse_if_changed
        project.after_write = watch.acknowledge
        return watch

    def _follow_server(self) -> None:
        """Poll a server project for others' commits while it is open (a file is looked at when the
        window is activated and before each command)."""
        if self.project.on_server:
            self.server_poll.start()
        else:
            self.server_poll.stop()

    def poll_outside(self) -> bool:
        """Show what others committed since the last look (the server poll's tick); True if anything.
        Not while a command of this window runs."""
        if self._busy or self.external_changes is None:
            return False
        self._busy += 1
        try:
            noticed = notice_external_changes(self)
            if self._server_lost:
                self._server_lost = False
                self.statusBar().showMessage("Connected to the server again", 8000)
            return noticed
        except AnnotaryError as exc:
            self.statusBar().showMessage(str(exc), 8000)
        except OperationalError as exc:  # the server went away or the network dropped: keep trying
            self._server_lost = True
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
            self.statusBar().showMessage(f"The server cannot be reached ({reason}); trying again every "
                                         f"{SERVER_POLL_MS // 1000} s. What you saved is kept on the server.")
        except Exception as exc:
            if self.testing:
                raise
            self.server_poll.stop()  # e.g. the server went away: one message, not one every few seconds
            show_unexpected(exc, self)
        finally:
            self._busy -= 1
        return False

    def _changed(self, change: Change) -> None:
        if change.everything or change.documents:
            if self.document_id is None and self.doc_model.rowCount():
                self.open_document(self.doc_model.document_at(0).id)  # type: ignore[union-attr]
            self._update_title()  # a title or the coder's role may have changed

    # ================================================================ documents

    def open_document(self, document_id: int) -> None:
        self._remember_position()
        self.commands.pick = None
        self.session.open(document_id)
        settings.set_last_document(self.project.address, document_id)

    def _remember_position(self) -> None:
        """Where the coder is reading in the open document, for the next time it opens after a restart."""
        if self.document_id is not None:
            settings.set_reading_position(self.project.address, self.document_id, self.reader.top_cp())

    def _open_first_document(self) -> None:
        """The document this project was last left on (on this machine), else the first one."""
        last = settings.last_document(self.project.address)
        if last is not None and self.workspace.document_row(last) is not None:
            self.open_document(last)
            self._position_to_restore = settings.reading_position(self.project.address, last)
            if self.isVisible():
                self._restore_position()
        elif self.doc_model.rowCount():
            self.open_document(self.doc_model.document_at(0).id)  # type: ignore[union-attr]
        else:
            self.session.close_document()

    def _restore_position(self) -> None:
        """Once the window has its size (the layout of the text depends on the width)."""
        if self._position_to_restore:
            self.reader.scroll_to_top(self._position_to_restore)
        self._position_to_restore = 0

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._position_to_restore:
            QTimer.singleShot(0, self._restore_position)

    def step_document(self, step: int) -> None:
        target = self.documents.neighbour(step)
        if target is not None:
            self.open_document(target)

    def toggle_done(self) -> None:
        self.commands.toggle_done()

    def after_import(self, codebook_may_change: bool = False) -> None:
        """After this window's own import or merge (run on a connection of its own): every view re-reads."""
        watch = self.external_changes
        outside = False
        if watch is not None:
            outside = watch.take_outside_seen() or watch.pending()  # another program wrote meanwhile
            watch.acknowledge()
        self.workspace.history.touch()  # publishes: anything may have changed
        if outside and not self.project.on_server:  # on a server others' rows never take this window's ids
            forget_history(self)

    # ================================================================ review

    def show_agreement(self) -> None:
        from app.core.services.agreement import agreement_report
        from app.core.services.review import ReviewService
        from app.ui.agreement_window import AgreementWindow

        ReviewService(self.workspace).require_review()  # its disagreements show the other coders' work
        window_project = self.project

        def task(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            with worker_project(window_project) as project:
                # the same default as `annotary agreement`: documents every coder marked done
                return agreement_report(project)

        report = run_task(self, "Computing agreement…", task)
        if self.agreement_window is not None:  # the figures of now replace the older ones
            self.agreement_window.close()
            self.agreement_window.deleteLater()
        self.agreement_window = AgreementWindow(report, self, self.project)
        self.agreement_window.openPlace.connect(
            lambda doc, start, end: self.run(lambda: review_actions.open_disagreement(self, doc, start, end)))
        self.agreement_window.recompute.connect(lambda: self.run(self.show_agreement))
        self.agreement_window.show()

    def open_place(self, document_id: int, start: int | None, end: int | None) -> None:
        """Show a document, and a place in it if given (from the Agreement window)."""
        self.open_document(document_id)
        if start is not None and end is not None:
            self.reader.emphasize([(start, end, "#ffbf00")])

    def go_to_events(self) -> None:
        self.pane.tabs.setCurrentIndex(1)
        self.pane.event_view.setFocus()

    def show_codebook_editor(self) -> None:
        from app.ui.codebook_editor import CodebookEditor

        if self.codebook_editor is None:
            self.codebook_editor = CodebookEditor(self.workspace, self.run, self)
            self.codebook_editor.finished.connect(lambda _=0: setattr(self, "codebook_editor", None))
        self.codebook_editor.show()
        self.codebook_editor.raise_()

    # ================================================================ undo

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
        self._remember_position()
        for window in (self.compare_window, self.codebook_editor, self.agreement_window):
            if window is not None:  # they show the project being left
                window.close()
                window.deleteLater()
        self.compare_window = self.codebook_editor = self.agreement_window = None
        old = self.project
        if not old.on_server:  # the name coded under in that file, for when it is opened again
            settings.set_project_coder(old.address, self.coder_before_gold or self.workspace.coder_name)
        if self.external_changes is not None:
            self.external_changes.close()
        self.external_changes = self._watch(project)
        self.history_note = None
        coder = self._coder_in(project)
        self.coder_before_gold = None
        workspace = Workspace(project, coder)
        workspace.history.on_change = self._update_undo_actions
        self.session.replace_workspace(workspace)
        self._update_undo_actions()
        old.close()
        settings.add_recent_project(project.address)
        settings.set_project_coder(project.address, coder)
        self._open_first_document()
        self._follow_server()

    def _coder_in(self, project: Project) -> str:
        """Who codes in the project being opened: on a server the login role; in a file the coder
        who last worked in it here, else the one coding now (unless that was a server login)."""
        if project.on_server:
            return coder_for(project, None)
        last = settings.project_coder(project.address)
        if last:
            return last
        if self.project.on_server:
            return settings.coder_name() or self.workspace.coder_name
        return self.workspace.coder_name

    def new_project(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New project", "project.annotary", "Annotary project (*.annotary)")
        if name:
            path = Path(name if name.endswith(".annotary") else name + ".annotary")
            self.switch_project(init_project(path, empty=True))

    def ask_open_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Annotary project (*.annotary);;All (*)")
        if name:
            self.open_project_path(Path(name))

    def ask_open_team_project(self) -> None:
        address = ask_address(self)
        if address:
            self.open_project_path(address)

    def open_project_path(self, path: Path | str) -> None:
        """Open a project file, or a team project at a server address (asking its password if the
        server wants one)."""
        if is_server_address(path):
            project = open_server_project(str(path), self)
            if project is None:
                return
        else:
            project = open_project(Path(path))
        self.switch_project(project)
        self.tell_about_upgrade(project)

    def tell_about_upgrade(self, project: Project) -> None:
        """A project made by an older Annotary was upgraded: say so, and where its old file is (a
        server keeps no copy: its administrator backs the database up)."""
        if project.backup_path is not None:
            self.last_notice = (f"{project.path.name} was made by an older Annotary and has been upgraded. "
                                f"The file as it was is kept as {project.backup_path}.")
        elif project.on_server and project.upgraded_from is not None:
            self.last_notice = (f"The team project {project.address} was made by an older Annotary and has been "
                                f"upgraded (from schema {project.upgraded_from}). Its database on the server keeps "
                                "no copy of the old version: a backup is made with pg_dump before upgrading. "
                                "Everyone on the team needs this Annotary or a newer one from now on.")
        else:
            return
        self.statusBar().showMessage(self.last_notice, 30000)
        if not self.testing:
            QMessageBox.information(self, "Annotary", self.last_notice)

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in settings.recent_projects():
            self.recent_menu.addAction(path, self._opener(path))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _opener(self, path: str) -> Callable[[], None]:
        return lambda: self._run_none(lambda: self.open_project_path(path))

    def _run_none(self, fn: Callable[[], object]) -> None:
        self.run(fn)

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
            if self.project.on_server:
                name = coder_for(self.project, name)  # another name than the login is refused
        history = self.workspace.history
        workspace = Workspace(self.project, name)  # may add the coder: a write of its own
        workspace.history = history
        if remember and not self.project.on_server:  # a login is not the name to code under in files
            settings.set_coder_name(workspace.coder_name)
            settings.set_project_coder(self.project.address, workspace.coder_name)
        if self.compare_window is not None:
            self.compare_window.service.workspace = workspace
        current = self.document_id
        self.session.replace_workspace(workspace)
        self._update_undo_actions()
        if current is not None:
            self.open_document(current)
        else:
            self.session.close_document()

    def about(self) -> None:
        QMessageBox.about(
            self, "About Annotary",
            f"<b>Annotary {__version__}</b><br>Annotation of entity mentions, events and document codes in "
            f"multilingual news.<br>Project: {self.project.address}<br>Coder: {self.workspace.coder_name}",
        )

    def _update_title(self, *_: object) -> None:
        title = f"Annotary — {project_name(self.project)} — {self.workspace.coder_name}"
        row = self.documents.current_row()
        if row is not None:
            title = f"{row.title[:60]} — {title}"
        if title != self.windowTitle():
            self.setWindowTitle(title)
        role = " (adjudicator)" if self.workspace.coder_role == "adjudicator" else ""
        where = " (server)" if self.project.on_server else ""
        who = f"Coder: {self.workspace.coder_name}{role}{where}   Project: {self.project.address}"
        if who != self.status_label.text():
            self.status_label.setText(who)  # always shown, whatever message passes on the left

    update_title = _update_title

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
            self.run(lambda: file_actions.import_documents(self, paths))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.commands.cancel_pick():
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
        self._remember_position()
        for window in (self.compare_window, self.codebook_editor, self.agreement_window):
            if window is not None:  # they work on the project this window is about to close
                window.close()
        settings.save_bytes("window/geometry", self.saveGeometry())
        settings.save_bytes("window/state", self.saveState())
        settings.save_bytes("window/splitter", self.splitter.saveState())
        settings.sync()
        self.server_poll.stop()
        if self.external_changes is not None:
            _application().applicationStateChanged.disconnect(self._application_state_changed)
            self.external_changes.close()
            self.external_changes = None
        self.session.signals.detach()
        self.project.close()
        super().closeEvent(event)


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "the main window needs a QApplication"
    return app


def project_name(project: Project) -> str:
    """The project as a window title names it: the file's name, or the database and its server."""
    if project.server is not None:
        return f"{project.server.database} on {project.server.host or 'localhost'}"
    return project.path.name


def open_startup_project(path: str | None) -> Project:
    return open_for_command(path)

