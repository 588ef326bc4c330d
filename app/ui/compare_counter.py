"""The Compare view's project counter: the project's unresolved disagreements per document,
counted in a thread of its own on a connection of its own (it reads every document two or more
coders worked on), so the view is usable at once."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.core.project import open_project
from app.core.services.review import unresolved_per_document
from app.ui.tasks import WorkerThreads

log = logging.getLogger(__name__)


class ProjectCounter(QObject):
    """A child of the view: Qt deletes it with the view, in the GUI thread; the thread only emits."""

    counted = Signal(object)  # {document id: unresolved disagreements}

    def __init__(self, path: Path, parent: QObject) -> None:
        super().__init__(parent)
        self.path = path
        self.worker: threading.Thread | None = None

    def start(self) -> None:
        self.worker = threading.Thread(target=_count, args=(self.path, self.counted), name="annotary-project-counter",
                                       daemon=True)
        WorkerThreads.started(self.worker.is_alive)  # ended when the GUI thread's timer sees it has ended
        self.worker.start()


def _count(path: Path, counted: SignalInstance) -> None:
    try:
        with open_project(path) as project:
            counts = unresolved_per_document(project)
    except Exception:
        log.exception("counting the project's unresolved disagreements failed")
        return
    with contextlib.suppress(RuntimeError):  # the view was closed and deleted meanwhile
        counted.emit(counts)
