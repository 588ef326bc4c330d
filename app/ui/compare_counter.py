"""The Compare view's project counter: the project's unresolved disagreements per document,
counted in a thread of its own on a connection of its own (it reads every document two or more
coders worked on), so the view is usable at once."""

from __future__ import annotations

import contextlib
import logging
import threading

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.core.project import Project
from app.core.services.review import unresolved_per_document
from app.ui.tasks import WorkerThreads
from app.ui.worker_project import worker_project

log = logging.getLogger(__name__)


class ProjectCounter(QObject):
    """A child of the view: Qt deletes it with the view, in the GUI thread; the thread only emits."""

    counted = Signal(object)  # {document id: unresolved disagreements}

    def __init__(self, project: Project, parent: QObject) -> None:
        super().__init__(parent)
        self.project = project
        self.worker: threading.Thread | None = None

    def start(self) -> None:
        self.worker = threading.Thread(target=_count, args=(self.project, self.counted), name="annotary-project-counter",
                                       daemon=True)
        WorkerThreads.started(self.worker.is_alive)  # ended when the GUI thread's timer sees it has ended
        self.worker.start()


def _count(window_project: Project, counted: SignalInstance) -> None:
    try:
        with worker_project(window_project) as project:
            counts = unresolved_per_document(project)
    except Exception:
        log.exception("counting the project's unresolved disagreements failed")
        return
    with contextlib.suppress(RuntimeError):  # the view was closed and deleted meanwhile
        counted.emit(counts)
