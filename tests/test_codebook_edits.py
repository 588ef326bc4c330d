"""Editing the codebook in the app: every edit is one undo entry, undo and redo restore it exactly
(ids included), in-use removals are refused with counts, merges move annotations and come back whole."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.codebook import (
    apply_codebook,
    codebook_to_dict,
    load_codebook,
    read_codebook,
    save_codebook,
)
from app.core.codebook.rows import read_rows
from app.core.errors import AnnotaryError, CodebookError
from app.core.models import (
    DocumentCodeValue,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    Relation,
)
from app.core.project import open_project
from app.core.services.codebook_edits import commands as cb
from app.core.services.workspace import Workspace


@pytest.fixture
def ws(linkless_project):
    return Workspace(linkless_project, "alice")


def ids(ws: Workspace) -> dict[str, int]:
    """Type, role, attribute, code and relation type ids by name ('Layoff', 'Layoff/Actor', 'attr:Modality',
    'code:tone', 'rel:Employs')."""
    book = ws.load_codebook()
    out = {t.name: t.id for t in book.entity_types}
    for t in book.event_types:
        out[t.name] = t.id
        out.update({f"{t.name}/{r.name}": r.id for r in t.roles})
    out.update({f"attr:{a.name}": a.id for a in book.event_attributes + book.mention_attributes})
    out.update({f"code:{c.name}": c.id for c in book.document_codes})
    out.update({f"rel:{r.name}": r.id for r in book.relation_types})
    return out


def state(project) -> dict:
    """Everything a codebook edit may touch, with ids, as a fresh connection sees it (so each
    step is proved committed)."""
    with open_project(project.path) as fresh, fresh.read() as s:
        rows = read_rows(s)
        return {
            "codebook": rows.tables,
            "links": rows.links,
            "relations": sorted(tuple(r) for r in s.execute(select(
                Relation.id, Relation.relation_type_id, Relation.source_mention_id, Relation.target_mention_id))),
            "mentions": sorted(tuple(r) for r in s.execute(select(Mention.id, Mention.entity_type_id, Mention.modified_at))),
            "events": sorted(tuple(r) for r in s.execute(select(Event.id, Event.event_type_id, Event.modified_at))),
            "arguments": sorted(tuple(r) for r in s.execute(select(EventArgument.id, EventArgument.role_id))),
            "mention_values": sorted(tuple(r) for r in s.execute(select(MentionAttributeValue.id, MentionAttributeValue.value))),
            "event_values": sorted(tuple(r) for r in s.execute(select(EventAttributeValue.id, EventAttributeValue.value))),
            "code_values": sorted(tuple(r) for r in s.execute(select(DocumentCodeValue.id, DocumentCodeValue.value))),
        }


def tag(ws: Workspace, doc: int, needle: str, type_name: str, nth: int = 0) -> int:
    text = ws.document_text(doc)
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return ws.tag(doc, text, start, start + len(needle), ids(ws)[type_name], precise=True).mention_id


def annotate(ws: Workspace) -> dict[str, int]:
    """A few annotations in two documents: Organization and Person mentions, a Departure event
    with two roles filled, Modality set, a mention attribute on a Person, document codes; relation
    types Employs (Organization → Person, Worker group) and Same as (symmetric, any types) with one
    Employs relation; the Policy of a Policy reversal accepts Reassignment events."""
    n = ids(ws)
    meta = tag(ws, 5, "Meta", "Organization")
    openai = tag(ws, 5, "OpenAI", "Organization")
    org1 = tag(ws, 1, ws.document_text(1).split()[0], "Organization")
    person = tag(ws, 5, "ألتمان", "Person")
    event = ws.create_event(5, n["Departure"]).event_id
    ws.add_argument(event, n["Departure/Affected"], person)
    ws.add_argument(event, n["Departure/Origin"], openai)
    ws.set_event_attribute(event, n["attr:Modality"], "reported")
    ws.set_document_code(5, n["code:tone"], "negative")
    named = cb.add_attribute(ws, "Named on the record", "mention", [], ["Person", "Location"])
    employs = cb.add_relation_type(ws, "Employs", "#aa3300", "Shift+E", "An organisation employs people.",
                                   [n["Organization"]], [n["Person"], n["Worker group"]])
    cb.add_relation_type(ws, "Same as", symmetric=True)
    relation = ws.create_relation(employs, openai, person).relation_id
    cb.set_role_accepts_events(ws, n["Policy reversal/Policy"], [n["Reassignment"]])
    ws.set_mention_attribute(person, named, "true")
    return {"meta": meta, "openai": openai, "org1": org1, "person": person, "event": event, "named": named,
            "employs": employs, "relation": relation}


# ------------------------------------------------------------------ each edit: do, undo, redo

EDITS = {
    "add entity type": lambda ws, n: cb.add_entity_type(ws, "Union", "#123456", "u", "A trade union."),
    "add Arabic entity type": lambda ws, n: cb.add_entity_type(ws, "نقابة"),
    "add event type": lambda ws, n: cb.add_event_type(ws, "Strike vote", None, "Shift+K"),
    "add role": lambda ws, n: cb.add_role(ws, n["Layoff"], "Reason", [n["Policy/Program"]], True, "Why."),
    "add event attribute": lambda ws, n: cb.add_attribute(ws, "Certainty", "event", ["high", "low"], ["Layoff"]),
    "add document code": lambda ws, n: cb.add_document_code(ws, "words", "ratio"),
    "rename entity type": lambda ws, n: cb.rename(ws, cb.ENTITY, n["Person"], "व्यक्ति"),
    "rename event type": lambda ws, n: cb.rename(ws, cb.EVENT, n["Layoff"], "Job cuts"),
    "rename role": lambda ws, n: cb.rename(ws, cb.ROLE, n["Layoff/Actor"], "Employer"),
    "rename attribute": lambda ws, n: cb.rename(ws, cb.ATTRIBUTE, n["attr:Modality"], "Factuality"),
    "rename code": lambda ws, n: cb.rename(ws, cb.CODE, n["code:tone"], "Tone"),
    "recolour": lambda ws, n: cb.recolour(ws, cb.EVENT, n["Layoff"], "#ABCDEF"),
    "set hotkey": lambda ws, n: cb.set_hotkey(ws, cb.ENTITY, n["Person"], "x"),
    "clear hotkey": lambda ws, n: cb.set_hotkey(ws, cb.EVENT, n["Layoff"], None),
    "define": lambda ws, n: cb.set_definition(ws, cb.ENTITY, n["Money"], "Any amount.\nWith currency."),
    "move type down": lambda ws, n: cb.move(ws, cb.ENTITY, n["Organization"], 1),
    "move role up": lambda ws, n: cb.move(ws, cb.ROLE, n["Layoff/Source"], -1),
    "move code up": lambda ws, n: cb.move(ws, cb.CODE, n["code:tone"], -1),
    "role accepts": lambda ws, n: cb.set_role_accepts(ws, n["Layoff/Actor"], [n["Organization"]]),
    "role accepts any": lambda ws, n: cb.set_role_accepts(ws, n["Layoff/Actor"], []),
    "role repeatable": lambda ws, n: cb.set_role_repeatable(ws, n["Layoff/Count"], True),
    "attribute values": lambda ws, n: cb.set_values(ws, cb.ATTRIBUTE, n["attr:Modality"],
                                                    ["asserted", "reported", "planned", "denied", "reversed", "hedged"]),
    "rename value": lambda ws, n: cb.rename_value(ws, cb.ATTRIBUTE, n["attr:Modality"], "reported", "attributed"),
    "rename code value": lambda ws, n: cb.rename_value(ws, cb.CODE, n["code:tone"], "negative", "critical"),
    "applies to": lambda ws, n: cb.set_applies_to(ws, n["attr:Modality"], ["Departure", "Layoff"]),
    "level": lambda ws, n: cb.set_level(ws, n["code:tone"], "nominal"),
    "remove unused type": lambda ws, n: cb.remove(ws, cb.ENTITY, n["Business area"]),
    "remove unused event type": lambda ws, n: cb.remove(ws, cb.EVENT, n["Labour action"]),
    "remove unused role": lambda ws, n: cb.remove(ws, cb.ROLE, n["Layoff/Share"]),
    "remove unused code": lambda ws, n: cb.remove(ws, cb.CODE, n["code:primary_topic"]),
    "merge entity type": lambda ws, n: cb.merge(ws, cb.ENTITY, n["Person"], n["Organization"]),
    "merge event type": lambda ws, n: cb.merge(ws, cb.EVENT, n["Departure"], n["Reassignment"]),
    "add relation type": lambda ws, n: cb.add_relation_type(ws, "Reports to", "#112233", "r", "Who reports to whom.",
                                                            [n["Person"]], [n["Person"], n["Job title"]], False),
    "add Hindi relation type": lambda ws, n: cb.add_relation_type(ws, "का हिस्सा", symmetric=True),
    "rename relation type": lambda ws, n: cb.rename(ws, cb.RELATION, n["rel:Employs"], "يوظف"),
    "recolour relation type": lambda ws, n: cb.recolour(ws, cb.RELATION, n["rel:Same as"], "#00AA00"),
    "set relation hotkey": lambda ws, n: cb.set_hotkey(ws, cb.RELATION, n["rel:Same as"], "g"),
    "clear relation hotkey": lambda ws, n: cb.set_hotkey(ws, cb.RELATION, n["rel:Employs"], None),
    "define relation type": lambda ws, n: cb.set_definition(ws, cb.RELATION, n["rel:Same as"], "Coreference."),
    "move relation type": lambda ws, n: cb.move(ws, cb.RELATION, n["rel:Employs"], 1),
    "relation source accepts": lambda ws, n: cb.set_relation_accepts(
        ws, n["rel:Employs"], "source", [n["Team/Unit"], n["Organization"]]),
    "relation target accepts any": lambda ws, n: cb.set_relation_accepts(ws, n["rel:Employs"], "target", []),
    "relation symmetric": lambda ws, n: cb.set_relation_symmetric(ws, n["rel:Employs"], True),
    "relation directed": lambda ws, n: cb.set_relation_symmetric(ws, n["rel:Same as"], False),
    "remove unused relation type": lambda ws, n: cb.remove(ws, cb.RELATION, n["rel:Same as"]),
    "role accepts events": lambda ws, n: cb.set_role_accepts_events(
        ws, n["Workplace policy/Policy"], [n["Layoff"], n["Policy reversal"]]),
    "role accepts no events": lambda ws, n: cb.set_role_accepts_events(ws, n["Policy reversal/Policy"], []),
    "remove event type a role accepts": lambda ws, n: cb.remove(ws, cb.EVENT, n["Reassignment"]),
    "remove role that accepts events": lambda ws, n: cb.remove(ws, cb.ROLE, n["Policy reversal/Policy"]),
    "remove entity type a relation accepts": lambda ws, n: cb.remove(ws, cb.ENTITY, n["Worker group"]),
    "merge event type a role accepts": lambda ws, n: cb.merge(ws, cb.EVENT, n["Reassignment"], n["Layoff"]),
    "merge entity type a relation accepts": lambda ws, n: cb.merge(ws, cb.ENTITY, n["Worker group"], n["Person"]),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_edit_undo_redo_restore_exactly(ws, name):
    annotate(ws)
    before = state(ws.project)
    EDITS[name](ws, ids(ws))
    after = state(ws.project)
    assert after != before
    assert ws.undo() is not None
    assert state(ws.project) == before
    assert ws.redo() is not None
    assert state(ws.project) == after  # the same ids: later history entries stay valid
    ws.undo()
    assert state(ws.project) == before


def test_each_edit_is_one_undo_entry_after_the_annotations(ws):
    annotate(ws)
    n = ids(ws)
    cb.rename(ws, cb.ENTITY, n["Organization"], "Organisation")
    cb.recolour(ws, cb.ENTITY, n["Organization"], "#000000")
    assert ws.history.undo_label == "recolour entity type Organisation"
    ws.undo()
    assert ws.history.undo_label == "rename entity type Organization to Organisation"
    ws.undo()
    assert ws.load_codebook().entity_type(n["Organization"]).name == "Organization"
    assert ws.history.undo_label == "set mention attribute"  # the annotation history is the same history


def test_added_items_take_their_place_and_names(ws):
    n = ids(ws)
    new = cb.add_entity_type(ws, "نقابة", hotkey="k")
    book = ws.load_codebook()
    assert book.entity_types[-1].id == new and book.entity_types[-1].name == "نقابة"
    assert book.entity_types[-1].hotkey == "k"
    assert book.entity_types[-1].color.startswith("#") and len(book.entity_types[-1].color) == 7
    role = cb.add_role(ws, n["Layoff"], "Union", [new])
    assert ws.load_codebook().event_type(n["Layoff"]).roles[-1] == ws.codebook.event_type(n["Layoff"]).roles[-1]
    assert ws.codebook.event_type(n["Layoff"]).roles[-1].id == role
    assert ws.codebook.event_type(n["Layoff"]).roles[-1].accepts == (new,)


def test_renaming_a_type_renames_it_where_attributes_apply(ws):
    annotate(ws)
    n = ids(ws)
    cb.rename(ws, cb.ENTITY, n["Person"], "Individual")
    named = next(a for a in ws.codebook.mention_attributes if a.name == "Named on the record")
    assert named.applies_to == ("Individual", "Location")


def test_move_reorders(ws):
    n = ids(ws)
    cb.move(ws, cb.ENTITY, n["Organization"], 1)
    assert [t.name for t in ws.codebook.entity_types][:2] == ["Person", "Organization"]
    with pytest.raises(CodebookError, match="already first"):
        cb.move(ws, cb.ENTITY, n["Person"], -1)


# ------------------------------------------------------------------ refusals

def refused(ws, fn, match):
    before, label = state(ws.project), ws.history.undo_label
    with pytest.raises(AnnotaryError, match=match):
        fn()
    assert state(ws.project) == before
    assert ws.history.undo_label == label  # nothing entered the history


def test_removing_a_type_in_use_is_refused_with_counts(ws):
    annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.remove(ws, cb.ENTITY, n["Organization"]),
            r"^Organization is used by 3 mentions in 2 documents \(and 36 event roles accept it\); "
            r"merge it into another type instead$")
    refused(ws, lambda: cb.remove(ws, cb.EVENT, n["Departure"]),
            r"^Departure is used by 1 event in 1 document; merge it into another type instead$")
    refused(ws, lambda: cb.remove(ws, cb.ROLE, n["Departure/Origin"]), r"filled in 1 event in 1 document")
    refused(ws, lambda: cb.remove(ws, cb.ATTRIBUTE, n["attr:Modality"]), r"set on 1 event in 1 document")
    refused(ws, lambda: cb.remove(ws, cb.CODE, n["code:tone"]), r"coded for 1 document")


def test_removing_a_used_value_is_refused_with_counts(ws):
    annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.set_values(ws, cb.ATTRIBUTE, n["attr:Modality"], ["asserted", "planned"]),
            r"the value 'reported' of Modality is set on 1 event in 1 document")
    refused(ws, lambda: cb.set_values(ws, cb.CODE, n["code:tone"], ["positive", "neutral"]),
            r"the value 'negative' of tone is used in 1 coding of 1 document")
    change = cb.add_document_code(ws, "change in staff", "interval")
    ws.set_document_code(5, change, "-300")
    refused(ws, lambda: cb.set_level(ws, change, "ratio"), r"change in staff holds '-300' in 1 coding of 1 document, "
            "which is not a valid ratio value")
    refused(ws, lambda: cb.set_applies_to(ws, n["attr:Modality"], ["Layoff"]),
            r"Modality is set on 1 Departure event in 1 document; it must keep applying to Departure")
    refused(ws, lambda: cb.set_role_accepts(ws, n["Departure/Origin"], [n["Team/Unit"]]),
            r"Organization mentions fill Origin in 1 event in 1 document")
    # unused values may go
    cb.set_values(ws, cb.ATTRIBUTE, n["attr:Modality"], ["asserted", "reported"])
    assert ws.codebook.event_attributes[0].values == ("asserted", "reported")


def test_hotkey_clashes_are_refused(ws):
    n = ids(ws)
    refused(ws, lambda: cb.set_hotkey(ws, cb.EVENT, n["Layoff"], "O"),
            r"the key o is already the hotkey of the entity type 'Organization'")
    refused(ws, lambda: cb.set_hotkey(ws, cb.ENTITY, n["Person"], "shift+l"), r"already the hotkey of the event type 'Layoff'")
    refused(ws, lambda: cb.add_entity_type(ws, "Union", hotkey="p"), r"already the hotkey of the entity type 'Person'")
    for key in ("Ctrl+O", "Alt+P", "F2", "Delete", "Shift+1", "oo"):
        refused(ws, lambda key=key: cb.set_hotkey(ws, cb.ENTITY, n["Person"], key), r"hotkey")
    cb.set_hotkey(ws, cb.EVENT, n["Layoff"], "shift+o")
    assert ws.codebook.event_type(n["Layoff"]).hotkey == "Shift+O"


def test_names_are_unique_casefolded_within_their_kind(ws):
    n = ids(ws)
    refused(ws, lambda: cb.add_entity_type(ws, "PERSON"), r"already a entity type named 'Person'|already an? entity type")
    refused(ws, lambda: cb.rename(ws, cb.EVENT, n["Departure"], "layoff"), r"already a event type named 'Layoff'|Layoff")
    refused(ws, lambda: cb.rename(ws, cb.ROLE, n["Layoff/Actor"], "AFFECTED"), r"'Affected'")
    refused(ws, lambda: cb.add_document_code(ws, "Tone", "ordinal", ["a"]), r"'tone'")
    refused(ws, lambda: cb.rename(ws, cb.ENTITY, n["Person"], "  "), r"needs a name")
    refused(ws, lambda: cb.recolour(ws, cb.ENTITY, n["Person"], "red"), r"#1f77b4")
    refused(ws, lambda: cb.set_values(ws, cb.CODE, n["code:tone"], ["a", "a"]), r"listed twice")
    refused(ws, lambda: cb.set_values(ws, cb.CODE, n["code:tone"], ["a", " "]), r"cannot be empty")
    # the same name in another kind, or in another event type's roles, is fine
    cb.add_event_type(ws, "Person")
    cb.rename(ws, cb.ROLE, n["Layoff/Actor"], "Origin")
    # a type's own name in other letter case is a rename
    cb.rename(ws, cb.ENTITY, n["Person"], "PERSON")
    assert ws.codebook.entity_type(n["Person"]).name == "PERSON"


def test_relation_type_refusals_protect_stored_relations_with_counts(ws):
    made = annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.remove(ws, cb.RELATION, n["rel:Employs"]),
            r"^Employs is used by 1 relation in 1 document; delete those relations first$")
    refused(ws, lambda: cb.set_relation_accepts(ws, n["rel:Employs"], "source", [n["Team/Unit"]]),
            r"^Organization mentions are the source of 1 Employs relation in 1 document; its source must keep "
            r"accepting Organization$")
    refused(ws, lambda: cb.set_relation_accepts(ws, n["rel:Employs"], "target", [n["Worker group"]]),
            r"^Person mentions are the target of 1 Employs relation")
    refused(ws, lambda: cb.set_relation_accepts(ws, n["rel:Employs"], "middle", []), r"source and a target")
    refused(ws, lambda: cb.add_relation_type(ws, "EMPLOYS"), r"already a relation type named 'Employs'")
    refused(ws, lambda: cb.rename(ws, cb.RELATION, n["rel:Same as"], "employs"), r"'Employs'")
    knows = cb.add_relation_type(ws, "Knows")
    ws.create_relation(knows, made["meta"], made["person"])
    ws.create_relation(knows, made["person"], made["meta"])
    refused(ws, lambda: cb.set_relation_symmetric(ws, knows, True),
            r"^Knows links 1 pair of mentions both ways in 1 document; a symmetric relation is stored once")
    # what stored relations still satisfy may change
    cb.set_relation_accepts(ws, n["rel:Employs"], "target", [n["Person"]])
    assert ws.codebook.relation_types[0].target_accepts == (n["Person"],)


def test_relation_type_hotkeys_never_clash_with_type_hotkeys(ws):
    annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.set_hotkey(ws, cb.RELATION, n["rel:Same as"], "O"),
            r"the key o is already the hotkey of the entity type 'Organization'")
    refused(ws, lambda: cb.add_relation_type(ws, "Rivals", hotkey="shift+l"), r"event type 'Layoff'")
    refused(ws, lambda: cb.set_hotkey(ws, cb.ENTITY, n["Person"], "Shift+E"),
            r"the key Shift\+E is already the hotkey of the relation type 'Employs'")
    refused(ws, lambda: cb.set_hotkey(ws, cb.RELATION, n["rel:Same as"], "shift+e"), r"relation type 'Employs'")
    refused(ws, lambda: cb.set_hotkey(ws, cb.RELATION, n["rel:Same as"], "Ctrl+E"), r"hotkey")


def test_removing_what_a_role_or_relation_end_accepts_alone_is_refused(ws):
    annotate(ws)
    n = ids(ws)
    cb.set_role_accepts(ws, n["Policy reversal/Policy"], [])  # now it takes Reassignment events only
    refused(ws, lambda: cb.remove(ws, cb.EVENT, n["Reassignment"]),
            r"^Reassignment events are all the role Policy of Policy reversal accepts; change what those roles "
            r"accept first")
    union = cb.add_entity_type(ws, "Union")
    cb.set_relation_accepts(ws, n["rel:Employs"], "target", [n["Person"], union])
    cb.set_relation_accepts(ws, n["rel:Same as"], "source", [union])
    refused(ws, lambda: cb.remove(ws, cb.ENTITY, union),
            r"^Union is the only type the source of the relation type Same as accepts; change what it accepts first")
    cb.set_relation_accepts(ws, n["rel:Same as"], "source", [])
    cb.remove(ws, cb.ENTITY, union)  # Employs' target still accepts Person
    assert ws.codebook.relation_types[0].target_accepts == (n["Person"],)


def test_a_role_taking_nested_events_keeps_accepting_what_fills_it(ws):
    annotate(ws)
    n = ids(ws)
    reversal = ws.create_event(5, n["Policy reversal"]).event_id
    reassign = ws.create_event(5, n["Reassignment"]).event_id
    ws.add_argument(reversal, n["Policy reversal/Policy"], argument_event_id=reassign)
    refused(ws, lambda: cb.set_role_accepts_events(ws, n["Policy reversal/Policy"], [n["Layoff"]]),
            r"^Reassignment events fill Policy in 1 event in 1 document; Policy must keep accepting Reassignment events$")
    refused(ws, lambda: cb.remove(ws, cb.ROLE, n["Policy reversal/Policy"]), r"filled in 1 event in 1 document")
    refused(ws, lambda: cb.merge(ws, cb.EVENT, n["Policy reversal"], n["Workplace policy"]),
            r"Policy reversal events hold 1 nested event in 1 document")
    cb.set_role_accepts_events(ws, n["Policy reversal/Policy"], [n["Reassignment"], n["Layoff"]])
    assert ws.codebook.event_type(n["Policy reversal"]).roles[2].accepts_events == (n["Layoff"], n["Reassignment"])


def test_merges_carry_what_relations_and_roles_accept_and_undo_restores_it(ws):
    annotate(ws)
    n = ids(ws)
    before = state(ws.project)
    cb.merge(ws, cb.ENTITY, n["Worker group"], n["Person"])
    cb.merge(ws, cb.ENTITY, n["Organization"], n["Team/Unit"])
    employs = ws.codebook.relation_types[0]
    assert employs.source_accepts == (n["Team/Unit"],) and employs.target_accepts == (n["Person"],)
    assert ws.relations(5)[0].summary().startswith("OpenAI")  # the relation is kept, its ends retyped
    cb.merge(ws, cb.EVENT, n["Reassignment"], n["Layoff"])
    policy = next(r for r in ws.codebook.event_type(n["Policy reversal"]).roles if r.name == "Policy")
    assert policy.accepts_events == (n["Layoff"],)
    for _ in range(3):
        ws.undo()
    assert state(ws.project) == before
    ws.load_codebook()
    assert ws.codebook.relation_types[0].target_accepts == (n["Person"], n["Worker group"])


def test_removing_the_only_accepted_type_is_refused(ws):
    n = ids(ws)
    refused(ws, lambda: cb.remove(ws, cb.ENTITY, n["Percentage"]), r"only type the role Share of Layoff accepts")


# ------------------------------------------------------------------ merges

def test_merge_entity_type_moves_mentions_and_undo_restores_each(ws):
    made = annotate(ws)
    n = ids(ws)
    before = state(ws.project)
    cb.merge(ws, cb.ENTITY, n["Person"], n["Organization"])
    types = {m.id: m.type_name for m in ws.mentions(5)}
    assert types[made["person"]] == "Organization" and types[made["meta"]] == "Organization"
    assert "Person" not in [t.name for t in ws.codebook.entity_types]
    actor = next(r for r in ws.codebook.event_type(n["Layoff"]).roles if r.name == "Affected")
    assert n["Person"] not in actor.accepts and n["Organization"] in actor.accepts
    # the attribute applied to Person and Location: now to Location only, so the Person's value went
    named = next(a for a in ws.codebook.mention_attributes if a.id == made["named"])
    assert named.applies_to == ("Location",)
    assert ws.mentions(5)[[m.id for m in ws.mentions(5)].index(made["person"])].attributes == ()
    # the event keeps its arguments (the role accepted Person, so it accepts Organization now)
    assert len(ws.events(5)[0].arguments) == 2
    ws.undo()
    ws.load_codebook()
    assert state(ws.project) == before
    assert {m.id: m.type_name for m in ws.mentions(5)}[made["person"]] == "Person"


def test_merge_into_a_type_where_an_attribute_applied_only_to_the_merged_one(ws):
    made = annotate(ws)
    n = ids(ws)
    cb.set_applies_to(ws, made["named"], ["Person"])
    cb.merge(ws, cb.ENTITY, n["Person"], n["Organization"])
    named = next(a for a in ws.codebook.mention_attributes if a.id == made["named"])
    assert named.applies_to == ("Organization",)  # not (): that would mean every type
    assert next(m for m in ws.mentions(5) if m.id == made["person"]).attributes == (("Named on the record", "true"),)


def test_merge_event_type_needs_roles_of_the_same_names(ws):
    made = annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.merge(ws, cb.EVENT, n["Departure"], n["Layoff"]),
            r"^cannot merge Departure into Layoff: Layoff has no role named Origin, which 1 event\(s\) fill")
    refused(ws, lambda: cb.merge(ws, cb.EVENT, n["Departure"], n["Departure"]), "into itself")
    cb.merge(ws, cb.EVENT, n["Departure"], n["Reassignment"])
    event = ws.events(5)[0]
    assert event.id == made["event"] and event.type_name == "Reassignment"
    assert {a.role for a in event.arguments} == {"Affected", "Origin"}
    assert event.attributes == {"Modality": "reported"}


def test_merge_event_type_refused_when_a_role_would_not_accept_the_mention(ws):
    annotate(ws)
    n = ids(ws)
    refused(ws, lambda: cb.merge(ws, cb.EVENT, n["Departure"], n["Hiring/Poaching offer"]),
            r"no role named Origin")
    cb.rename(ws, cb.ROLE, n["Departure/Origin"], "Target organization")
    cb.set_role_accepts(ws, n["Hiring/Poaching offer/Target organization"], [n["Team/Unit"]])
    refused(ws, lambda: cb.merge(ws, cb.EVENT, n["Departure"], n["Hiring/Poaching offer"]),
            r"Target organization of Hiring/Poaching offer does not accept Organization")


# ------------------------------------------------------------------ change channel, file, outside changes

def test_edits_publish_a_codebook_change(ws):
    annotate(ws)
    n = ids(ws)
    seen = []
    ws.project.changes.subscribe(seen.append)
    cb.rename(ws, cb.ENTITY, n["Person"], "Human")
    ws.undo()
    cb.merge(ws, cb.ENTITY, n["Person"], n["Organization"])
    assert [(c.source, c.codebook, c.everything) for c in seen] == [
        ("do", True, False), ("undo", True, False), ("do", True, True)]


def test_exported_after_edits_imports_as_the_same_codebook(ws, empty_project, tmp_path):
    annotate(ws)
    n = ids(ws)
    cb.add_entity_type(ws, "نقابة", "#00ff00", "k", "اتحاد العمال")
    cb.add_role(ws, n["Layoff"], "Union", [ids(ws)["نقابة"]], True)
    cb.rename(ws, cb.EVENT, n["Restructuring"], "पुनर्गठन")
    cb.move(ws, cb.EVENT, n["Restructuring"], -3)
    cb.set_values(ws, cb.ATTRIBUTE, n["attr:Modality"], ["reported", "asserted", "planned"])
    cb.merge(ws, cb.ENTITY, n["Person"], n["Organization"])
    cb.add_document_code(ws, "length", "interval")
    path = tmp_path / "edited.yaml"
    with ws.project.read() as s:
        edited = read_codebook(s)
    save_codebook(edited, path)
    with empty_project.uow() as s:
        apply_codebook(s, load_codebook(path), path)
    with empty_project.read() as s:
        assert codebook_to_dict(read_codebook(s)) == codebook_to_dict(edited)


def test_undo_is_refused_when_an_import_changed_the_rows_meanwhile(ws):
    n = ids(ws)
    cb.rename(ws, cb.ENTITY, n["Person"], "Human")
    with ws.project.uow() as s:  # another program renames it again, outside the history
        s.get(EntityType, n["Person"]).name = "Someone"
    before = state(ws.project)
    with pytest.raises(AnnotaryError, match="changed meanwhile"):
        ws.undo()
    assert state(ws.project) == before
