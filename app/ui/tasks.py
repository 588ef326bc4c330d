"""Long work (imports, exports) off the GUI thread, with a progress dialog that can cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
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

    def _progress(self, done: int, total: int, text: str = "") -> None:
        """The signal carries C++ ints: counts of bytes past 2**31 are scaled down first."""
        scale = max(1, total // 1_000_000_000 + 1) if total > 1_000_000_000 else 1
        self.progressed.emit(done // scale, total // scale, text)

    def run(self) -> None:
        try:
            result = self._task(self._progress, self._cancelled.is_set)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which shows it
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


class _Relay(QObject):
    """Lives in the GUI thread: the worker's signals reach its slots through the GUI thread's
    event loop (queued). Connected to plain Python functions instead, PySide6 ran them in the
    worker thread, which drew the progress dialog from there ("Timers cannot be stopped from
    another thread", and crashes on long imports)."""

    def __init__(self, dialog: QProgressDialog, title: str, loop: QEventLoop) -> None:
        super().__init__()
        self.dialog, self.title, self.loop = dialog, title, loop
        self.outcome: dict[str, Any] = {}

    @Slot(int, int, str)
    def progressed(self, done: int, total: int, text: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        if text:
            self.dialog.setLabelText(f"{self.title}\n{text}")

    @Slot(object)
    def finished(self, result: Any) -> None:
        self.outcome.setdefault("result", result)
        self.loop.quit()

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        self.outcome.setdefault("error", error)
        self.loop.quit()


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
    loop = QEventLoop()
    relay = _Relay(dialog, title, loop)
    worker.progressed.connect(relay.progressed)
    worker.finished.connect(relay.finished)
    worker.failed.connect(relay.failed)
    thread.started.connect(worker.run)
    thread.start()
    loop.exec()
    thread.quit()
    thread.wait()
    dialog.reset()
    dialog.deleteLater()
    if "error" in relay.outcome:
        raise relay.outcome["error"]
    return relay.outcome.get("result")

