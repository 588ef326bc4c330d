"""File → Open team project: the address of a project on a PostgreSQL server, then its password
if the server asks for one.

The connection is first tried without a password (libpq may find one in PGPASSWORD or ~/.pgpass,
or the server may not ask). Only when the server asks is the user asked; the password is handed to
libpq through the project's engine (`open_project(..., password=...)`) and lives in memory only:
never in QSettings, a message or a log. The addresses remembered are the printable ones, which
never hold a password (an address with one is refused before anything is remembered).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.core.address import printable_address, server_url
from app.core.errors import AnnotaryError, ProjectError
from app.core.project import Project, open_project
from app.ui import settings

MAX_TRIES = 3

_NEEDS_PASSWORD = ("no password supplied", "password authentication failed")


def needs_password(exc: ProjectError) -> bool:
    """Whether the server refused the connection for want of a (right) password."""
    return any(marker in str(exc) for marker in _NEEDS_PASSWORD)


def ask_address(parent: QWidget | None) -> str | None:
    """The server address, offering the last ones used (None: cancelled)."""
    recent = settings.recent_servers()
    text, ok = QInputDialog.getItem(
        parent, "Open team project",
        "Address of the team project (postgresql://USER@HOST:PORT/DATABASE; no password in it):",
        recent or ["postgresql://"], 0, True)
    text = " ".join((text or "").split())
    if not ok or not text or text == "postgresql://":
        return None
    return text


def ask_password(parent: QWidget | None, address: str, wrong: bool) -> str | None:
    prompt = (f"The password for {address} was not accepted; try again:" if wrong
              else f"Password for {address}:")
    text, ok = QInputDialog.getText(parent, "Open team project", prompt, QLineEdit.EchoMode.Password)
    return text if ok else None


def open_server_project(address: str, parent: QWidget | None,
                        ask: Callable[[QWidget | None, str, bool], str | None] = ask_password) -> Project | None:
    """Open the server project at `address`, asking for the password only if the server wants one
    (None: the user cancelled). A refused address or a server error raises with its message."""
    url = server_url(address)  # refuses a password in the address before anything else
    shown = printable_address(url)
    try:
        project = open_project(shown)
    except ProjectError as exc:
        if not needs_password(exc):
            raise
        project = None
        for attempt in range(MAX_TRIES):
            password = ask(parent, shown, attempt > 0)
            if password is None:
                return None
            try:
                project = open_project(shown, password=password)
                break
            except ProjectError as again:
                if not needs_password(again):
                    raise
        if project is None:
            raise AnnotaryError(f"the server at {shown} did not accept the password") from None
    settings.add_recent_server(shown)
    return project
