"""Undo and redo: every step is committed, ids survive, deleted rows come back whole."""

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import (
    Attribute,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventType,
    Mention,
)
from app.core.project import open_project
from app.core.services import history as h
from app.core.services.coders import get_or_create_coder

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL


@pytest.fixture
def ctx(seeded_project):
    with seeded_project.uow() as s:
        coder = get_or_create_coder(s, "alice").id
        types = {t.name: t.id for t in s.scalars(select(EntityType))}
        poach = s.scalar(select(EventType).where(EventType.name == "Hiring/Poaching offer"))
        roles = {r.name: r.id for r in poach.roles}
        modality = s.scalar(select(Attribute.id).where(Attribute.name == "Modality"))
        doc = s.get(__import__("app.core.models", fromlist=["Document"]).Document, 5)
        text = doc.text
    return dict(p=seeded_project, coder=coder, types=types, poach=poach.id, roles=roles, modality=modality,
                text=text, history=h.History(seeded_project))


def state(project):
    """What a fresh connection sees: proves each step was committed."""
    with open_project(project.address) as fresh, fresh.read() as s:
        return {
            "mentions": sorted((m.id, m.text) for m in s.scalars(select(Mention))),
            "events": sorted(e.id for e in s.scalars(select(Event))),
            "args": sorted((a.event_id, a.role_id, a.mention_id) for a in s.scalars(select(EventArgument))),
            "attrs": sorted((a.event_id, a.value) for a in s.scalars(select(EventAttributeValue))),
        }


def tag(ctx, needle, type_name):
    start = ctx["text"].index(needle)
    return ctx["history"].run(h.CreateMention(5, ctx["coder"], ctx["types"][type_name], start, start + len(needle)))


def test_event_with_roles_undo_twice_redo_once(ctx):
    hist, p = ctx["history"], ctx["p"]
    meta = tag(ctx, "Meta", "Organization").mention_id
    openai = tag(ctx, "OpenAI", "Organization").mention_id
    ev = hist.run(h.CreateEvent(5, ctx["coder"], ctx["poach"])).event_id
    hist.run(h.AddArgument(ev, ctx["roles"]["Actor"], meta))
    hist.run(h.AddArgument(ev, ctx["roles"]["Target organization"], openai))
    hist.run(h.SetEventAttribute(ev, ctx["modality"], "reported"))
    full = state(p)
    assert full["attrs"] == [(ev, "reported")] and len(full["args"]) == 2

    assert hist.undo().label == "set attribute"
    assert state(p)["attrs"] == [] and len(state(p)["args"]) == 2
    hist.undo()
    after_two = state(p)
    assert after_two["args"] == [(ev, ctx["roles"]["Actor"], meta)]
    hist.redo()
    assert len(state(p)["args"]) == 2 and state(p)["attrs"] == []
    assert hist.redo_label == "set attribute"
    hist.redo()
    assert state(p) == full


def test_undo_create_then_redo_keeps_the_id(ctx):
    hist = ctx["history"]
    action = tag(ctx, "OpenAI", "Organization")
    mid = action.mention_id
    hist.undo()
    assert state(ctx["p"])["mentions"] == []
    hist.redo()
    assert state(ctx["p"])["mentions"] == [(mid, "OpenAI")]


def test_undo_delete_restores_arguments_and_attributes(ctx):
    hist = ctx["history"]
    meta = tag(ctx, "Meta", "Organization").mention_id
    ev = hist.run(h.CreateEvent(5, ctx["coder"], ctx["poach"])).event_id
    hist.run(h.AddArgument(ev, ctx["roles"]["Actor"], meta))
    hist.run(h.SetEventAttribute(ev, ctx["modality"], "reported"))
    before = state(ctx["p"])
    hist.run(h.DeleteMention(meta))
    assert state(ctx["p"])["args"] == []
    hist.undo()
    assert state(ctx["p"]) == before
    hist.run(h.DeleteEvent(ev))
    assert state(ctx["p"])["events"] == [] and state(ctx["p"])["attrs"] == []
    hist.undo()
    assert state(ctx["p"]) == before


def test_retype_codes_status_undo(ctx, seeded_project):
    from app.core.models import DocumentCode, DocumentCodeValue, DocumentStatus

    hist = ctx["history"]
    mid = tag(ctx, "Meta", "Organization").mention_id
    hist.run(h.RetypeMention(mid, ctx["types"]["Person"]))
    with seeded_project.read() as s:
        tone = s.scalar(select(DocumentCode.id).where(DocumentCode.name == "tone"))
    hist.run(h.SetDocumentCode(5, ctx["coder"], tone, "negative"))
    hist.run(h.SetDocumentCode(5, ctx["coder"], tone, "neutral"))
    hist.run(h.SetStatus(5, ctx["coder"], "done"))
    hist.undo()
    hist.undo()
    with seeded_project.read() as s:
        assert s.scalar(select(DocumentCodeValue.value)) == "negative"
        assert s.scalar(select(DocumentStatus.status)) == "in_progress"
    hist.undo()
    hist.undo()
    with seeded_project.read() as s:
        assert s.scalar(select(DocumentCodeValue.value)) is None
        assert s.get(Mention, mid).entity_type_id == ctx["types"]["Organization"]


def test_a_refused_action_changes_nothing_and_is_not_recorded(ctx):
    hist = ctx["history"]
    count = tag(ctx, "ثمانية", "Quantity").mention_id  # eight researchers
    ev = hist.run(h.CreateEvent(5, ctx["coder"], ctx["poach"])).event_id
    before = state(ctx["p"])
    with pytest.raises(AnnotaryError, match="accepts"):
        hist.run(h.AddArgument(ev, ctx["roles"]["Actor"], count))
    assert state(ctx["p"]) == before
    assert hist.undo_label == "create event"


def test_undoing_a_coders_first_annotation_leaves_the_document_not_started(ctx):
    """Otherwise the coder would count as having worked on it (agreement, review) after undo."""
    from app.core.models import DocumentCode, DocumentStatus

    def status():
        with open_project(ctx["p"].address) as fresh, fresh.read() as s:
            return s.scalar(select(DocumentStatus.status).where(DocumentStatus.document_id == 5,
                                                              DocumentStatus.coder_id == ctx["coder"]))

    history = ctx["history"]
    tag(ctx, "OpenAI", "Organization")
    assert status() == "in_progress"
    history.undo()
    assert status() is None
    history.redo()
    assert status() == "in_progress"
    history.undo()
    history.run(h.CreateEvent(5, ctx["coder"], ctx["poach"]))
    history.undo()
    assert status() is None
    with ctx["p"].read() as s:
        tone = s.scalar(select(DocumentCode.id).where(DocumentCode.name == "tone"))
    history.run(h.SetDocumentCode(5, ctx["coder"], tone, "neutral"))
    tag(ctx, "Meta", "Organization")
    history.undo()
    assert status() == "in_progress"  # the code value is still there
    history.undo()
    assert status() is None


def test_retyping_drops_attribute_values_that_no_longer_apply_and_undo_restores_them(ctx):
    from app.core.models import MentionAttributeValue

    with ctx["p"].uow() as s:
        named = Attribute(name="named", target="mention", values_json="[]", applies_to_json='["Person"]')
        s.add(named)
        s.flush()
        named_id = named.id
    history = ctx["history"]
    mention = tag(ctx, "Meta", "Person").mention_id
    history.run(h.SetMentionAttribute(mention, named_id, "true"))

    def values():
        with open_project(ctx["p"].address) as fresh, fresh.read() as s:
            return s.execute(select(MentionAttributeValue.attribute_id, MentionAttributeValue.value)
                             .where(MentionAttributeValue.mention_id == mention)).all()

    history.run(h.RetypeMention(mention, ctx["types"]["Organization"]))
    assert values() == []
    history.undo()
    assert values() == [(named_id, "true")]
    history.redo()
    assert values() == []
