"""When the server poll cannot reach the server, the window says so in its status bar and keeps
trying; when the server answers again it says so and goes on showing others' work (no dialog,
no stopped poll)."""

from sqlalchemy.exc import OperationalError

import app.ui.main_window as main_window
from app.ui.main_window import MainWindow


def test_a_lost_server_is_said_and_tried_again(qtbot, seeded_project, monkeypatch):
    window = MainWindow(seeded_project, "ana", testing=True)
    qtbot.addWidget(window)
    window.server_poll.start()
    answers = iter(["down", "down", "up"])

    def notice(_host):
        if next(answers) == "down":
            raise OperationalError("SELECT 1", {}, Exception("connection to server at \"db\" failed: refused"))
        return True

    monkeypatch.setattr(main_window, "notice_external_changes", notice)
    assert window.poll_outside() is False
    assert "cannot be reached (connection to server at \"db\" failed: refused)" in window.statusBar().currentMessage()
    assert window.poll_outside() is False and window.server_poll.isActive()  # still trying
    assert window.poll_outside() is True
    assert window.statusBar().currentMessage() == "Connected to the server again"
    assert window.server_poll.isActive()
