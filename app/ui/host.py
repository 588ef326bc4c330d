"""What the controllers (coding, file and review commands) may use of the window that hosts them.

They depend on this narrow interface, not on `MainWindow`: the type checker keeps them from
reaching into the window's widgets or private methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QStatusBar, QWidget

if TYPE_CHECKING:
    from app.core.project import Project
    from app.core.services.external_changes import ExternalChanges
    from app.core.services.workspace import Workspace
    from app.ui.coding_session import CodingSession


class Host(Protocol):
    """The window as a place to run commands and tell the user what happened."""

    testing: bool
    """No modal dialogs (an automated run)."""
    history_note: str | None
    external_changes: ExternalChanges | None

    @property
    def session(self) -> CodingSession: ...

    @property
    def project(self) -> Project: ...

    @property
    def workspace(self) -> Workspace: ...

    def statusBar(self) -> QStatusBar: ...

    def window_widget(self) -> QWidget:
        """The parent for dialogs."""
        ...

    def run(self, fn: Callable[[], object]) -> object:
        """Run a user command: a user mistake becomes a message, anything else is logged and shown."""
        ...

    def open_document(self, document_id: int) -> None: ...

    def require_document(self) -> int: ...

    def after_import(self, codebook_may_change: bool = False) -> None:
        """After an import or merge of this window's own (made on a connection of its own)."""
        ...
