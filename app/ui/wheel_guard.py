"""Stray wheel input stores nothing: value widgets take the mouse wheel only once they have focus.

Qt lets a combo box, spin box or slider take wheel events while the pointer merely passes over it
(its default focus policy, ``Qt.WheelFocus``, even gives it focus on the first notch). Scrolling a
form then changes whatever the pointer crosses, and the form's handlers store the change.

One event filter on the application covers every such widget of every window and dialog,
including those built later (the codes form after a codebook change, the role rows of each
selected event, the Compare view, the Agreement window, input dialogs):

* when a widget is polished (before it is first shown) its ``WheelFocus`` policy becomes
  ``StrongFocus``: a click or Tab still focuses it, a wheel notch no longer does;
* a wheel event reaching such a widget while it does not have focus is ignored, so Qt passes it
  on to the parents: the scroll area that holds the form scrolls as if the widget were not there.

A focused widget keeps Qt's ordinary wheel behaviour.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QSlider,
    QWidget,
)

__all__ = ["GUARDED", "WheelGuard", "guard_widget", "install", "installed"]

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)  # widgets whose value a wheel notch changes

_WHEEL = QEvent.Type.Wheel
_POLISH = QEvent.Type.Polish


def guard_widget(widget: QWidget) -> None:
    """A wheel notch no longer gives this widget focus (a click or Tab still does)."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """Installed once on the application (see ``install``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wheel-guard")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == _WHEEL:
            if isinstance(watched, GUARDED):
                guard_widget(watched)  # a widget never polished (never shown) gets it here
                if not watched.hasFocus():
                    event.ignore()  # not accepted: Qt offers it to the parents (the scroll area)
                    return True  # and the widget's own wheelEvent never sees it
        elif kind == _POLISH and isinstance(watched, GUARDED):
            guard_widget(watched)
        return False


_guard: WheelGuard | None = None


def installed() -> WheelGuard | None:
    """The guard filtering the running application's events, if any."""
    app = QApplication.instance()
    if _guard is None or app is None or not shiboken6.isValid(_guard) or _guard.parent() is not app:
        return None
    return _guard


def install(app: QCoreApplication | None = None) -> WheelGuard:
    """Filter the application's events once; calling again (another main window) changes nothing."""
    global _guard
    app = app or QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("the wheel guard needs a QApplication")
    current = installed()
    if current is not None and current.parent() is app:
        return current
    _guard = WheelGuard(app)  # owned by the application: it lives exactly as long
    app.installEventFilter(_guard)
    # widgets made before the guard existed (startup dialogs, a window built earlier)
    for widget in app.allWidgets():
        if isinstance(widget, GUARDED):
            guard_widget(widget)
    return _guard
