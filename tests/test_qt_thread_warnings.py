"""Work done in other threads (run_task's worker, the Agreement computation, the Compare view's
project counter) never touches a Qt object of the GUI thread from there. The warning of the
issue ("QObject::startTimer: Timers cannot be started from another thread") comes from Qt
objects destroyed in a worker thread: Python's cyclic garbage collector, started by a task's
allocations, ran there and freed Qt objects left in reference cycles. Qt would warn, and may
crash."""

import time

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from app.core.project import open_project
from app.core.services.coders import set_role
from app.ui import review_actions
from app.ui.main_window import MainWindow
from app.ui.tasks import run_task
from team_coding import coded  # noqa: F401  (a fixture)

THREAD_WORDS = ("thread", "Timers cannot", "QBasicTimer", "QSocketNotifier", "different thread")


@pytest.fixture
def qt_messages():
    """Every message Qt prints while the test runs (its warnings go nowhere else)."""
    messages: list[str] = []

    def collect(mode, context, message):  # type: ignore[no-untyped-def]
        if mode != QtMsgType.QtDebugMsg:
            messages.append(message)

    previous = qInstallMessageHandler(collect)
    yield messages
    qInstallMessageHandler(previous)


def _thread_warnings(messages):
    return [m for m in messages if any(word in m for word in THREAD_WORDS)]


@pytest.fixture
def lead_window(qtbot, coded):
    project = open_project(coded)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    win.show()
    win.open_document(5)
    yield win
    win.close()


def test_run_task_with_progress_and_a_shown_dialog_warns_nothing(lead_window, qtbot, qt_messages):
    def task(progress, cancelled):
        for i in range(6):  # long enough for the progress dialog to show (after 300 ms)
            progress(i, 6, f"step {i}")
            time.sleep(0.08)
        return "done"

    def failing(progress, cancelled):
        progress(1, 2, "half")
        raise ValueError("boom")

    import gc

    assert run_task(lead_window, "Working…", task) == "done"
    with pytest.raises(ValueError, match="boom"):
        run_task(lead_window, "Working…", failing)
    assert gc.isenabled()  # collecting only in the GUI thread lasted as long as the tasks
    qtbot.wait(50)  # let anything posted meanwhile arrive
    assert _thread_warnings(qt_messages) == []


def test_agreement_and_the_compare_views_counter_warn_nothing(lead_window, qtbot, qt_messages):
    lead_window._do(lead_window.show_agreement)
    assert lead_window.last_error is None and lead_window.agreement_window.isVisible()
    lead_window._do(lambda: review_actions.show_compare(lead_window))
    compare = lead_window.compare_window
    qtbot.waitUntil(lambda: compare.project_counter() is not None, timeout=5000)
    compare.close()
    lead_window._do(lambda: review_actions.show_compare(lead_window))  # a second counter, the first view gone
    qtbot.waitUntil(lambda: lead_window.compare_window.project_counter() is not None, timeout=5000)
    qtbot.wait(50)
    assert _thread_warnings(qt_messages) == []


def test_the_collector_hears_a_timer_started_from_another_thread(qtbot, qt_messages):
    """The check above can fail: the very warning of the issue, provoked, is heard."""
    import threading

    from PySide6.QtCore import QTimer

    timer = QTimer()
    worker = threading.Thread(target=lambda: timer.start(1000))
    worker.start()
    worker.join()
    assert any("Timers cannot be started from another thread" in m for m in _thread_warnings(qt_messages))


def test_columns_replaced_while_a_worker_runs_are_destroyed_in_the_gui_thread(lead_window, qtbot, qt_messages):
    """A coder joins the document while the Compare view is open: its columns are built again.
    The old ones must not be left to Python's cyclic collector, which runs in whatever thread
    happens to allocate: in a worker thread it destroyed the old readers there."""
    import gc

    from app.core.services.workspace import Workspace

    lead_window._do(lambda: review_actions.show_compare(lead_window))
    compare = lead_window.compare_window
    qtbot.waitExposed(compare)
    compare.activateWindow()
    compare.readers["alice"].setFocus()
    carol = Workspace(lead_window.project, "carol")
    text = carol.document_text(5)
    k = text.index("OpenAI")
    carol.tag(5, text, k, k + 6, next(t.id for t in carol.codebook.entity_types if t.name == "Organization"))
    assert list(compare.readers) == ["alice", "bob", "carol", "gold"]
    run_task(lead_window, "Working…", lambda progress, cancelled: gc.collect())  # as a worker's allocations may
    qtbot.wait(50)
    assert _thread_warnings(qt_messages) == []


def test_garbage_holding_qt_objects_is_not_collected_in_a_worker_thread(lead_window, qtbot, qt_messages):
    """Python's cyclic collector runs in whichever thread happens to allocate. A Qt object left in
    a reference cycle (a closed window, a timer) must be destroyed in the GUI thread, not by a
    collection that a task's allocations start in the worker."""
    from PySide6.QtCore import QTimer

    def leave_garbage():
        timer = QTimer()
        timer.start(60_000)
        timer.itself = timer  # a cycle: only the cyclic collector frees it

    def task(progress, cancelled):
        junk = [[i] for i in range(300_000)]  # enough to start the collector, several times
        return len(junk)

    leave_garbage()
    assert run_task(lead_window, "Working…", task) == 300_000
    leave_garbage()
    lead_window._do(lambda: review_actions.show_compare(lead_window))  # its counter works in a thread too
    compare = lead_window.compare_window
    qtbot.waitUntil(lambda: compare.project_counter() is not None, timeout=5000)
    import gc

    qtbot.waitUntil(gc.isenabled, timeout=5000)  # the counter's thread has ended
    gc.collect()  # here, in the GUI thread
    qtbot.wait(50)
    assert _thread_warnings(qt_messages) == []
