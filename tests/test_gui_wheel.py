"""Stray wheel input stores nothing: combo boxes and spin boxes take the wheel only when focused,
and a form scrolled with the pointer over one of them still scrolls (the real main window)."""

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import inspect, select, text

from app.core.models import EventAttributeValue
from app.core.project import open_project
from app.core.services.projects import init_project
from app.ui import wheel_guard
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    project = init_project(tmp_path / "wheel.annotary")
    win = MainWindow(project, "alice", testing=True)
    qtbot.addWidget(win)
    win.resize(1100, 520)  # short enough that the event form has to scroll
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.close()


def everything_stored(window):
    """Every row of every table, read through a separate connection."""
    with open_project(window.project.path) as p, p.read() as s:
        names = sorted(inspect(s.get_bind()).get_table_names())
        return {name: sorted(map(repr, s.execute(text(f'SELECT * FROM "{name}"')).all())) for name in names}


def wheel(widget, notches=1):
    """A wheel event sent to the widget itself (negative notches scroll down). Qt does not pass a
    sent (not spontaneous) wheel event on to the parents: see ``real_wheel`` for that."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(
        pos, QPointF(widget.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget, event)
    return event


def under_pointer(widget):
    """Whether the widget's centre is visible on screen (a wheel there reaches it)."""
    if not widget.isVisible():
        return False
    top = widget.window()
    hit = top.childAt(widget.mapTo(top, widget.rect().center()))
    return hit is not None and (hit is widget or widget.isAncestorOf(hit))


def real_wheel(widget, notches=1):
    """A wheel notch from the window system with the pointer over the widget's centre: Qt picks
    the widget under the pointer, gives focus by the wheel where the focus policy says so, and
    passes an ignored event on to the parents."""
    top = widget.window()
    pos = widget.mapTo(top, widget.rect().center())
    assert under_pointer(widget)
    QTest.wheelEvent(top.windowHandle(), QPointF(pos), QPoint(0, 120 * notches))
    QApplication.processEvents()


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.reader.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(window.reader, key, modifier)


def select_text(window, needle):
    i = window.reader.text.index(needle)
    window.reader.select_cp(i, i + len(needle))


def event_with_mentions(qtbot, window):
    """Document 5 with Meta and OpenAI tagged, a Hiring/Poaching offer on "الصيد الجائر" selected."""
    window.open_document(5)
    for needle in ("Meta", "OpenAI"):
        select_text(window, needle)
        press(qtbot, window, "o")
    select_text(window, "الصيد الجائر")
    press(qtbot, window, "H", Qt.KeyboardModifier.ShiftModifier)
    assert window.selected_event_id() is not None
    window.reader.setFocus()  # the keyboard is in the reader, as while reading
    QApplication.processEvents()


def stored(window, model):
    with open_project(window.project.path) as p, p.read() as s:
        return s.scalars(select(model).order_by(model.id)).all()


def value_widgets(window):
    return window.findChildren(QComboBox) + window.findChildren(QAbstractSpinBox) + window.findChildren(QSlider)


def state(widget):
    if isinstance(widget, QComboBox):
        return widget.currentIndex(), widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    return widget.value()


def test_unfocused_combos_ignore_the_wheel_and_store_nothing(qtbot, window):
    event_with_mentions(qtbot, window)
    form = window.pane.event_form
    assert {"Actor", "Target organization"} <= set(form.role_combos)
    assert "Modality" in form.attribute_combos
    assert window.pane.codes_form.widgets  # document codes: some are combos
    widgets = value_widgets(window)
    names = {w.objectName() for w in widgets}
    assert {"role-Actor", "attribute-Modality"} <= names
    assert any(isinstance(w, QComboBox) and window.pane.codes_form.isAncestorOf(w) for w in widgets)

    for tab in range(window.pane.tabs.count()):  # each form filled once, as showing it does
        window.pane.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
    window.pane.tabs.setCurrentIndex(1)
    window.reader.setFocus()
    QApplication.processEvents()
    before = everything_stored(window)
    states = [state(w) for w in widgets]
    reached = 0  # wheel notches from the window system over a visible combo
    for tab in range(window.pane.tabs.count()):  # each form shown in turn (hidden ones too)
        window.pane.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        for widget in widgets:
            assert shiboken6.isValid(widget), "a form was rebuilt: a wheel notch stored something"
            assert not widget.hasFocus()
            for notches in (-1, 1, -1, -1, 2):
                wheel(widget, notches)
                if under_pointer(widget):
                    real_wheel(widget, notches)
                    reached += 1
            assert not widget.hasFocus(), widget.objectName()  # a notch gives no focus either
            assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus, widget.objectName()
    QApplication.processEvents()
    assert reached >= 10
    assert [state(w) for w in widgets] == states
    assert everything_stored(window) == before
    assert window.pane.event_form.role_combos["Actor"].currentIndex() == 0  # still "add a mention…"
    assert window.pane.event_form.attribute_combos["Modality"].currentData() is None


def test_a_focused_combo_still_takes_the_wheel(qtbot, window):
    event_with_mentions(qtbot, window)
    window.pane.tabs.setCurrentIndex(1)
    modality = window.pane.event_form.attribute_combos["Modality"]
    modality.setFocus()
    QApplication.processEvents()
    assert modality.hasFocus()
    if not under_pointer(modality):
        window.pane.event_form.parentWidget().parentWidget().ensureWidgetVisible(modality)
    real_wheel(modality, -1)
    # Qt's ordinary behaviour for the control being edited: the next value, stored (the form is
    # rebuilt with it, the keyboard staying on Modality)
    modality = window.pane.event_form.attribute_combos["Modality"]
    assert modality.currentIndex() == 1 and modality.hasFocus()
    assert [a.value for a in stored(window, EventAttributeValue)] == [modality.currentData()]


def test_the_event_form_scrolls_with_the_pointer_over_a_combo(qtbot, window):
    event_with_mentions(qtbot, window)
    window.pane.tabs.setCurrentIndex(1)
    form = window.pane.event_form
    scroll = next(a for a in window.findChildren(QScrollArea) if a.widget() is form)
    bar = scroll.verticalScrollBar()
    QApplication.processEvents()
    assert bar.maximum() > 0, "the form fits: nothing to scroll"
    bar.setValue(0)
    before = everything_stored(window)
    combo = next(c for c in form.findChildren(QComboBox) if under_pointer(c))
    index = combo.currentIndex()
    real_wheel(combo, -1)
    assert bar.value() > 0  # the scroll area took the notch
    assert combo.currentIndex() == index
    assert everything_stored(window) == before
    scrolled = bar.value()
    if under_pointer(combo):
        real_wheel(combo, 1)
        assert bar.value() < scrolled
    assert combo.currentIndex() == index
    assert everything_stored(window) == before


def test_widgets_built_later_are_covered_and_the_guard_is_installed_once(qtbot, window, tmp_path):
    guard = wheel_guard.installed()
    assert guard is not None
    other = MainWindow(init_project(tmp_path / "other.annotary"), "bob", testing=True)
    qtbot.addWidget(other)
    assert wheel_guard.install() is guard and wheel_guard.installed() is guard
    assert QApplication.instance().findChildren(wheel_guard.WheelGuard) == [guard]

    page = QWidget()  # a dialog made after the window: nothing done for it
    qtbot.addWidget(page)
    inner = QWidget()
    column = QVBoxLayout(inner)
    combo, spin = QComboBox(), QSpinBox()
    combo.addItems(["a", "b", "c"])
    spin.setRange(0, 10)
    column.addWidget(combo)
    column.addWidget(spin)
    column.addStretch(1)
    inner.setMinimumHeight(2000)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(inner)
    QVBoxLayout(page).addWidget(scroll)
    page.resize(250, 300)
    page.show()
    qtbot.waitExposed(page)
    for widget in (combo, spin):
        scroll.verticalScrollBar().setValue(0)
        wheel(widget, -1)
        real_wheel(widget, -1)
        assert not widget.hasFocus()
    assert (combo.currentIndex(), spin.value()) == (0, 0)
    assert scroll.verticalScrollBar().value() > 0
    scroll.verticalScrollBar().setValue(0)
    spin.setFocus()
    QApplication.processEvents()
    if spin.hasFocus():  # the test page may not be the active window
        real_wheel(spin, 1)
        assert spin.value() == 1
    other.close()
