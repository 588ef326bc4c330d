"""Long work (imports, exports) off the GUI thread, with a progress dialog that can cancel.

While work runs in other threads, Python's cyclic garbage collector runs in the GUI thread only
(`WorkerThreads`): started by allocations, it runs in whichever thread allocates, and a Qt
object it frees there (a window or timer left in a reference cycle) is destroyed in the wrong
thread ("QObject::killTimer/startTimer: Timers cannot be stopped/started from another thread").
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

Progress = Callable[[int, int, str], None]
Task = Callable[[Progress, Callable[[], bool]], Any]


class WorkerThreads:
    """Work running in other threads for the GUI. While any runs, automatic garbage collection
    is off and the GUI thread collects on a timer instead (and once more when the last one ends).
    Register a piece of work before its thread starts, with a test of whether it still runs."""

    INTERVAL_MS = 250
    _running: ClassVar[dict[int, Callable[[], bool]]] = {}
    _next = 0
    _timer: QTimer | None = None
    _was_enabled = True

    @classmethod
    def started(cls, running: Callable[[], bool]) -> int:
        """In the GUI thread, before starting the work; returns the token for `ended`."""
        if not cls._running:
            cls._was_enabled = gc.isenabled()
            gc.disable()
            app = QApplication.instance()
            if cls._timer is None and app is not None:
                cls._timer = QTimer(app)
                cls._timer.timeout.connect(cls._tick)
            if cls._timer is not None:
                cls._timer.start(cls.INTERVAL_MS)
        cls._next += 1
        cls._running[cls._next] = running
        return cls._next

    @classmethod
    def ended(cls, token: int) -> None:
        """In the GUI thread, once the work is over (else the timer finds out)."""
        if cls._running.pop(token, None) is not None and not cls._running:
            cls._finish()

    @classmethod
    def _tick(cls) -> None:
        gc.collect(1)  # the young generations, as the collector would have done meanwhile
        for token, running in list(cls._running.items()):
            if not running():
                cls.ended(token)

    @classmethod
    def _finish(cls) -> None:
        if cls._timer is not None:
            cls._timer.stop()
        gc.collect(1)  # what the work left in cycles, here; the oldest generation as usual later
        if cls._was_enabled:
            gc.enable()


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
        if self.dialog.wasCanceled():  # hidden by Cancel: progress until the task stops must not show it again
            return
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
    result or re-raise its exception here. The GUI keeps handling events meanwhile. The dialog's
    Cancel makes `cancelled()` true: the task checks it (an import's progress callback raises
    then, see app.core.interchange.import_result.cancellable) and ends as it sees fit."""
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
    token = WorkerThreads.started(lambda: "result" not in relay.outcome and "error" not in relay.outcome)
    try:
        thread.start()
        loop.exec()
        thread.quit()
        thread.wait()
    finally:
        WorkerThreads.ended(token)
    dialog.reset()
    dialog.deleteLater()
    if "error" in relay.outcome:
        raise relay.outcome["error"]
    return relay.outcome.get("result")

