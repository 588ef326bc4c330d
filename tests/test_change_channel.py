"""The change channel: every committed command publishes once what it changed."""

import pytest

from app.core.changes import Change, ChangeHub
from app.core.services.workspace import Workspace


@pytest.fixture
def ws(seeded_project):
    ws = Workspace(seeded_project, "ana")
    seen: list[Change] = []
    seeded_project.changes.subscribe(seen.append)
    return ws, seen


def _first_type(ws):
    return ws.codebook.entity_types[0].id


def test_tagging_publishes_the_new_mention_once_and_undo_redo_the_same_rows(ws):
    ws, seen = ws
    text = ws.document_text(1)
    action = ws.tag(1, text, 0, 5, _first_type(ws))
    assert len(seen) == 1
    change = seen[0]
    assert (change.source, change.document_id, change.mentions) == ("do", 1, frozenset({action.mention_id}))
    assert change.status  # the first annotation starts the document
    ws.undo()
    ws.redo()
    assert [c.source for c in seen] == ["do", "undo", "redo"]
    assert {c.mentions for c in seen} == {frozenset({action.mention_id})}


def test_event_code_and_status_commands_say_what_they_touched(ws):
    ws, seen = ws
    event = ws.create_event(2, ws.codebook.event_types[0].id)
    code = ws.codebook.document_codes[0]
    ws.set_document_code(2, code.id, code.values[0])
    ws.set_done(2, True)
    assert [(c.document_id, c.events, c.codes, c.status) for c in seen] == [
        (2, frozenset({event.event_id}), False, True),
        (2, frozenset(), True, False),
        (2, frozenset(), False, True),
    ]
    assert not any(c.everything or c.codebook or c.documents for c in seen)


def test_a_refused_command_publishes_nothing(ws):
    ws, seen = ws
    with pytest.raises(Exception):  # noqa: B017 - any refusal: what matters is that nothing is published
        ws.add_argument(12345, 1, 1)
    assert seen == []


def test_unsubscribed_listeners_hear_nothing_more():
    hub = ChangeHub()
    heard: list[Change] = []
    stop = hub.subscribe(heard.append)
    hub.publish(Change())
    stop()
    hub.publish(Change())
    assert len(heard) == 1 and hub.published == 2


def test_a_change_touches_its_document_or_everything():
    assert Change(document_id=3).touches(3) and not Change(document_id=3).touches(4)
    assert Change(everything=True).touches(4) and not Change(everything=True).touches(None)
    with pytest.raises(ValueError):
        Change(source="typo")


def test_a_deleted_qt_listener_stops_listening(qtbot, seeded_project):
    import shiboken6

    from app.ui.change_signals import ChangeSignals

    signals = ChangeSignals(seeded_project)
    heard: list[Change] = []
    signals.changed.connect(heard.append)
    seeded_project.changes.publish(Change())
    shiboken6.delete(signals)  # as when its parent window is deleted
    seeded_project.changes.publish(Change())  # no "Signal source has been deleted" after a commit
    assert len(heard) == 1 and seeded_project.changes._listeners == []
