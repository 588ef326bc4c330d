"""Long work (imports, exports) off the GUI thread, with a progress dialog that can cancel."""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QEventLoop, QObject, QThread, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

Progress = Callable[[int, int, str], None]
Task = Callable[[Progress, Callable[[], bool]], Any]


class _Worker(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, task: Task, cancelled: threading.Event) -> None:
        super().__init__()
        self._task = task
        self._cancelled = cancelled

    def run(self) -> None:
        try:
            result = self._task(lambda done, total, text="": self.progressed.emit(done, total, text),
                                self._cancelled.is_set)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which shows it
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


def run_task(parent: QWidget | None, title: str, task: Task) -> Any:
    """Run `task(progress, cancelled)` in a thread while a progress dialog shows; return its
    result or re-raise its exception here. The GUI keeps handling events meanwhile."""
    cancelled = threading.Event()
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Annotary")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.canceled.connect(cancelled.set)
    thread = QThread()
    worker = _Worker(task, cancelled)
    worker.moveToThread(thread)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def on_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if text:
            dialog.setLabelText(f"{title}\n{text}")

    worker.progressed.connect(on_progress)
    worker.finished.connect(lambda r: (outcome.setdefault("result", r), loop.quit()))
    worker.failed.connect(lambda e: (outcome.setdefault("error", e), loop.quit()))
    thread.started.connect(worker.run)
    thread.start()
    loop.exec()
    thread.quit()
    thread.wait()
    dialog.reset()
    dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
