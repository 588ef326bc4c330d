"""The change channel in Qt: re-emits the project's `ChangeHub` as a signal.

Views connect to `changed` once, in their constructors, and update themselves from each
`Change`; on a project switch the window re-attaches the same object to the new project,
so no connection is made twice. A change published from a worker thread reaches the views
in the GUI thread (Qt queues signals across threads).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Signal

from app.core.changes import Change
from app.core.project import Project


class ChangeSignals(QObject):
    changed = Signal(object)  # a Change

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = None
        if project is not None:
            self.attach(project)

    def attach(self, project: Project) -> None:
        """Listen to this project (only): the previous one is left."""
        self.detach()
        self._unsubscribe = project.changes.subscribe(self._publish)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _publish(self, change: Change) -> None:
        if not shiboken6.isValid(self):  # deleted with its parent (a closed window): stop listening
            self.detach()
            return
        self.changed.emit(change)
