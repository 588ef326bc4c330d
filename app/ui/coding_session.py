"""The coder's session in the main window: the workspace, the open document and the changes.

It listens to the project's change channel once and turns each `Change` into signals the
views connect to in their constructors: nobody refreshes the window by hand. On a project
switch or a change of coder the same session carries on with a new workspace, so no
connection is ever made twice.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.changes import Change
from app.core.project import Project
from app.core.services.document_state import DocumentState, Update
from app.core.services.workspace import MentionView, Workspace
from app.ui.change_signals import ChangeSignals


class CodingSession(QObject):
    changed = Signal(object)  # every Change, after the codebook and the open document applied it
    documentUpdated = Signal(object)  # an Update of the open document
    documentOpened = Signal()  # another document (or none) is open: views show it afresh
    codebookChanged = Signal()  # types, roles, attributes or codes changed (or the workspace did)
    workspaceReplaced = Signal()  # another project or coder: every view re-reads

    def __init__(self, project: Project, coder: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.workspace = Workspace(project, coder)
        self.state = DocumentState(lambda: self.workspace)
        self.signals = ChangeSignals(project, self)
        self.signals.changed.connect(self._apply)

    # ------------------------------------------------------------ what is open

    @property
    def document_id(self) -> int | None:
        return self.state.document_id

    @property
    def text(self) -> str:
        return self.state.text

    @property
    def mentions(self) -> list[MentionView]:
        return self.state.mentions

    def open(self, document_id: int) -> None:
        self.state.open(document_id)
        self.documentOpened.emit()

    def close_document(self) -> None:
        self.state.close()
        self.documentOpened.emit()

    def replace_workspace(self, workspace: Workspace) -> None:
        """Another project or coder: the open document is re-read by the caller (or closed)."""
        if workspace.project is not self.project:
            self.project = workspace.project
            self.signals.attach(workspace.project)
        self.workspace = workspace
        self.state.close()
        self.workspaceReplaced.emit()
        self.codebookChanged.emit()

    # ------------------------------------------------------------ changes

    def _apply(self, change: Change) -> None:
        if change.codebook or change.everything:
            self.workspace.load_codebook()
            self.codebookChanged.emit()
        update: Update = self.state.apply(change)
        if update.closed:
            self.documentOpened.emit()
        elif update.reopened or update.mentions or update.events or update.relations or update.codes or update.status:
            self.documentUpdated.emit(update)
        self.changed.emit(change)
