"""Property test: nested events and relations survive a brat export and import unchanged.

Random texts in several scripts, random mentions, events whose roles are filled by mentions or by
other events, and relations (directed and symmetric) between mentions, stored in one project with
a codebook whose names brat cannot hold as they are, exported as brat and imported into a project
with the default codebook (the additions travel in annotation.conf). Compared independently of
ids: every mention, every event with its arguments (an argument event by its type and trigger) and
every relation (a symmetric one with its ends in either order).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.codebook import (
    CodebookSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.interchange.brat import export_brat, import_brat
from app.core.models import (
    Document,
    EntityType,
    Event,
    EventRole,
    EventType,
    Mention,
    Relation,
    RelationType,
)
from app.core.project import Project
from app.core.services.annotations import add_argument, create_event, create_mention
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.relations import create_relation
from test_interchange_roundtrip import fresh_project, text_strategy

EXTRA = CodebookSpec(
    event_types=[EventTypeSpec("Policy U-turn: full", "#abcdef", roles=[
        RoleSpec("What was undone", [], repeatable=True, accepts_events=["Layoff", "Reassignment"]),
        RoleSpec("Who / by", ["Organization"], repeatable=False),
    ])],
    relation_types=[
        RelationTypeSpec("Works for: staff", "#111111", source_accepts=["Person"], target_accepts=["Organization"]),
        RelationTypeSpec("Same as", "#222222", symmetric=True),
    ],
)
ENTITY_NAMES = ["Organization", "Person", "Quantity"]
@st.composite
def nested_documents(draw):
    text = draw(text_strategy)
    n = len(text)

    def span():
        start = draw(st.integers(0, n - 1))
        return start, draw(st.integers(start + 1, n))

    mentions = [(draw(st.sampled_from(ENTITY_NAMES)), span()) for _ in range(draw(st.integers(0, 6)))]
    orgs = [i for i, (t, _) in enumerate(mentions) if t == "Organization"]
    inner = []  # Layoff / Reassignment events: a trigger, maybe an Organization as Actor
    for _ in range(draw(st.integers(0, 3))):
        actor = draw(st.sampled_from(orgs)) if orgs and draw(st.booleans()) else None
        inner.append((draw(st.sampled_from(["Layoff", "Reassignment"])), span(), actor))
    outer = []  # U-turns: what they undo is some of the inner events
    for _ in range(draw(st.integers(0, 2))):
        undone = sorted(draw(st.sets(st.integers(0, len(inner) - 1), max_size=len(inner)))) if inner else []
        by = draw(st.sampled_from(orgs)) if orgs and draw(st.booleans()) else None
        outer.append((span() if draw(st.booleans()) or not (undone or by is not None) else None, undone, by))
    relations = set()
    for _ in range(draw(st.integers(0, 4)) if len(mentions) > 1 else 0):
        a, b = draw(st.integers(0, len(mentions) - 1)), draw(st.integers(0, len(mentions) - 1))
        if a == b:
            continue
        if mentions[a][0] == "Person" and mentions[b][0] == "Organization" and draw(st.booleans()):
            relations.add(("Works for: staff", a, b))
        elif ("Same as", b, a) not in relations:
            relations.add(("Same as", a, b))
    return text, mentions, inner, outer, sorted(relations)


def store(project: Project, case) -> None:
    text, mentions, inner, outer, relations = case
    with project.uow() as s:
        doc, _ = add_document(s, text, "generated.txt")
        who = get_or_create_coder(s, "alice").id
        etypes = {t.name: t.id for t in s.scalars(select(EntityType))}
        evtypes = {t.name: t for t in s.scalars(select(EventType))}
        rtypes = {t.name: t.id for t in s.scalars(select(RelationType))}
        stored = [create_mention(s, doc.id, who, etypes[t], *sp).id for t, sp in mentions]
        inner_ids = []
        for name, trigger, actor in inner:
            event = create_event(s, doc.id, who, evtypes[name].id, trigger)
            if actor is not None:
                role = next(r for r in evtypes[name].roles if r.name == "Actor")
                add_argument(s, event.id, role.id, stored[actor])
            inner_ids.append(event.id)
        uturn = evtypes["Policy U-turn: full"]
        roles = {r.name: r.id for r in uturn.roles}
        for trigger, undone, by in outer:
            event = create_event(s, doc.id, who, uturn.id, trigger)
            for i in undone:
                add_argument(s, event.id, roles["What was undone"], argument_event_id=inner_ids[i])
            if by is not None:
                add_argument(s, event.id, roles["Who / by"], stored[by])
        for name, a, b in relations:
            create_relation(s, rtypes[name], stored[a], stored[b])


def snapshot(project: Project) -> list:
    with project.read() as s:
        etypes = {t.id: t.name for t in s.scalars(select(EntityType))}
        evtypes = {t.id: t.name for t in s.scalars(select(EventType))}
        rtypes = {t.id: (t.name, t.symmetric) for t in s.scalars(select(RelationType))}
        roles = {r.id: r.name for r in s.scalars(select(EventRole))}
        (doc,) = s.scalars(select(Document))
        mentions = {m.id: (etypes[m.entity_type_id], m.start, m.end)
                    for m in s.scalars(select(Mention).where(Mention.document_id == doc.id))}
        events = {e.id: e for e in s.scalars(select(Event).where(Event.document_id == doc.id))}

        def head(e: Event) -> tuple:
            no_trigger = e.trigger_start is None  # sorts before every place
            return evtypes[e.event_type_id], no_trigger, e.trigger_start or 0, e.trigger_end or 0

        def argument(a) -> tuple:  # type: ignore[no-untyped-def]
            if a.mention_id is not None:
                return roles[a.role_id], "mention", mentions[a.mention_id]
            return roles[a.role_id], "event", head(events[a.argument_event_id])

        shown_events = sorted((head(e), tuple(sorted(argument(a) for a in e.arguments))) for e in events.values())
        shown_relations = []
        for r in s.scalars(select(Relation).where(Relation.document_id == doc.id)):
            name, symmetric = rtypes[r.relation_type_id]
            ends = [mentions[r.source_mention_id], mentions[r.target_mention_id]]
            shown_relations.append((name, *(sorted(ends) if symmetric else ends)))
        return [sorted(mentions.values()), shown_events, sorted(shown_relations)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_documents())
def test_nested_events_and_relations_survive_a_brat_round_trip(case):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = fresh_project(folder, "source", "nested", EXTRA)
        target = fresh_project(folder, "target", "default")
        try:
            store(source, case)
            summary = export_brat(source, folder / "brat")
            assert summary.warnings == []
            import_brat(target, folder / "brat", "bob")
            assert snapshot(target) == snapshot(source)
        finally:
            source.close()
            target.close()
