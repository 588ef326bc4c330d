"""The open document follows the change channel incrementally and ends equal to a fresh read."""

import random

import pytest

from app.core.errors import AnnotaryError
from app.core.services.document_state import DocumentState
from app.core.services.workspace import Workspace


@pytest.fixture
def state(seeded_project):
    ws = Workspace(seeded_project, "ana")
    state = DocumentState(lambda: ws)
    state.open(1)
    updates = []
    seeded_project.changes.subscribe(lambda c: updates.append(state.apply(c)))
    return ws, state, updates


def fresh(ws, doc):
    return ws.mentions(doc, partial_words=False), ws.events(doc)


def replay_rows(before, delta, after):
    """Apply the delta to the old list of ids the way a Qt model does; it must give the new list."""
    rows = [m.id for m in before]
    for row in delta.removed:
        del rows[row]
    for row in delta.inserted:
        rows.insert(row, after[row].id)
    return rows


def test_random_commands_keep_the_state_equal_to_a_fresh_read(state):
    ws, state, updates = state
    rng = random.Random(7)
    text = state.text
    types = [t.id for t in ws.codebook.entity_types]
    for _ in range(60):
        before, heard = list(state.mentions), len(updates)
        choice = rng.random()
        if choice < 0.5 or not state.mentions:
            a = rng.randrange(0, len(text) - 20)
            try:
                ws.tag(1, text, a, a + rng.randrange(1, 20), rng.choice(types))
            except AnnotaryError:  # a selection of only spaces or punctuation
                continue
        elif choice < 0.65:
            ws.delete_mention(rng.choice(state.mentions).id)
        elif choice < 0.8:
            ws.retype_mention(rng.choice(state.mentions).id, rng.choice(types))
        elif choice < 0.9:
            ws.undo()
        else:
            ws.redo()
        if len(updates) == heard:  # nothing to undo or redo
            continue
        delta = updates[-1].mentions
        assert delta is not None
        assert replay_rows(before, delta, state.mentions) == [m.id for m in state.mentions]
        assert (state.mentions, state.events) == fresh(ws, 1)
        for m in state.mentions:
            assert text[m.start:m.end] == m.text


def test_changes_of_another_document_leave_the_open_one_alone(state):
    ws, state, updates = state
    ws.tag(2, ws.document_text(2), 0, 6, ws.codebook.entity_types[0].id)
    assert updates[-1].mentions is None and not updates[-1].events and state.mentions == []


def test_an_event_change_rereads_the_events_only(state):
    ws, state, updates = state
    action = ws.create_event(1, ws.codebook.event_types[0].id)
    assert updates[-1].events and updates[-1].mentions is None
    assert [e.id for e in state.events] == [action.event_id]
