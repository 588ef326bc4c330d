"""Filling an event's role with another event by a click, as with a mention: after Pick, a click on
the inner event's trigger in the reader, or on the event in the events list, fills the role (the
default codebook: a Policy reversal's Policy takes a Reassignment event)."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QToolButton

from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, seeded_project):
    win = MainWindow(seeded_project, "ana", testing=True)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    win.open_document(1)  # "Meta reverses decision to reassign employees to AI training roles"
    return win


def _etype(win, name):
    return next(t.id for t in win.workspace.codebook.event_types if t.name == name)


def _at(win, needle):
    i = win.reader.text.index(needle)
    return i, i + len(needle)


def _point(win, cp):
    cursor = QTextCursor(win.reader.document())
    cursor.setPosition(win.reader.position_map.to_utf16(cp))
    return win.reader.cursorRect(cursor).center() + QPoint(1, 0)


def _events(win):
    return {e.id: e for e in win.session.state.events}


def _reversal_and_reassignment(win):
    win.reader.select_cp(*_at(win, "reassign"))
    win.create_event(_etype(win, "Reassignment"))
    inner = win.selected_event_id()
    win.reader.select_cp(*_at(win, "reverses"))
    win.create_event(_etype(win, "Policy reversal"))
    outer = win.selected_event_id()
    win.reader.select_cp(0, 0)
    return outer, inner


def _click_pick(qtbot, win, role):
    pick = win.pane.event_form.findChild(QToolButton, f"pick-{role}")
    qtbot.mouseClick(pick, Qt.MouseButton.LeftButton)
    return win.statusBar().currentMessage()


def test_a_click_on_the_inner_events_trigger_fills_the_role(qtbot, window):
    outer, inner = _reversal_and_reassignment(window)
    message = _click_pick(qtbot, window, "Policy")
    assert "event's trigger" in message and "Policy" in message
    start, _end = _at(window, "reassign")
    qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=_point(window, start + 3))
    assert window.last_error is None
    (arg,) = _events(window)[outer].arguments
    assert (arg.role, arg.argument_event_id, arg.mention_id) == ("Policy", inner, None)
    assert window.selected_event_id() == outer  # still editing the reversal
    assert window.commands.pick is None and window.workspace.mentions(1) == []  # no mention made


def test_a_click_on_the_event_in_the_list_fills_the_role_and_keeps_the_event_edited(qtbot, window):
    outer, inner = _reversal_and_reassignment(window)
    _click_pick(qtbot, window, "Policy")
    view, model = window.pane.event_view, window.pane.event_model
    rect = view.visualRect(model.index(model.row_of(inner), 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.last_error is None
    assert [a.argument_event_id for a in _events(window)[outer].arguments] == [inner]
    assert window.selected_event_id() == outer
    window.run(window.undo)  # one undo entry: the role is empty again
    assert _events(window)[outer].arguments == ()


def test_an_event_the_role_does_not_take_is_refused_and_changes_nothing(qtbot, window):
    outer, inner = _reversal_and_reassignment(window)
    window.reader.select_cp(*_at(window, "AI training"))
    window.create_event(_etype(window, "Labour action"))
    other = window.selected_event_id()
    window.select_event(outer)
    _click_pick(qtbot, window, "Policy")
    view, model = window.pane.event_view, window.pane.event_model
    rect = view.visualRect(model.index(model.row_of(other), 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.last_error and "Labour action" in window.last_error
    assert _events(window)[outer].arguments == ()
    assert inner in _events(window)


def test_without_pick_a_click_on_a_trigger_does_nothing_to_the_roles(qtbot, window):
    _reversal_and_reassignment(window)
    start, _end = _at(window, "reassign")
    qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=_point(window, start + 3))
    assert all(not e.arguments for e in window.session.state.events)


def test_selecting_the_outer_event_outlines_the_inner_events_trigger(qtbot, window):
    outer, inner = _reversal_and_reassignment(window)
    policy = next(r.id for t in window.workspace.codebook.event_types if t.name == "Policy reversal"
                  for r in t.roles if r.name == "Policy")
    window.run(lambda: window.workspace.add_argument(outer, policy, argument_event_id=inner))
    window.select_event(outer)
    outlined = {(start, end) for start, end, _color in window.reader._emphasis}
    assert _at(window, "reverses") in outlined and _at(window, "reassign") in outlined
