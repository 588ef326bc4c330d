"""Errors in the GUI: user mistakes as a clear message, unexpected ones logged and shown."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import AnnotaryError
from app.core.logfile import log_exception
from app.core.project_damage import damage_of

_parent: QWidget | None = None


def show_user_error(parent: QWidget | None, message: str, title: str = "Annotary") -> None:
    QMessageBox.warning(parent, title, message)


def show_unexpected(exc: BaseException, parent: QWidget | None = None) -> None:
    path = log_exception(exc)
    damage = damage_of(exc)
    if damage is not None:  # SQLite found a broken page only now: not a bug, the file needs its backup
        show_user_error(parent or _parent, f"The project file is damaged ({damage}). Your last action was not "
                        "saved. Close Annotary and restore the project from a backup copy."
                        + (f" Details were written to {path}." if path is not None else ""))
        return
    box = QMessageBox(parent or _parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Annotary: unexpected error")
    box.setText(f"Something went wrong: {type(exc).__name__}: {exc}\n\nYour work up to the last action is saved.")
    if path is not None:
        box.setInformativeText(f"Details were written to {path}")
    box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    box.exec()


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if isinstance(exc, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if isinstance(exc, AnnotaryError):
        show_user_error(_parent, str(exc))
        return
    show_unexpected(exc)


def install_excepthook(parent: QWidget | None) -> None:
    """Exceptions escaping Qt slots reach sys.excepthook; show them instead of dying silently."""
    global _parent
    _parent = parent
    sys.excepthook = _hook
