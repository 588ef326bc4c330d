"""A doccano import names every label the codebook lacks with its kind, and --add-labels adds
each as what it is: span labels as entity types, the types of Annotary's events as event types
(with the roles their events use), relation types as relation types."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import select

from app.core.codebook import read_codebook
from app.core.interchange.doccano import import_doccano
from app.core.interchange.import_result import ImportRefused
from app.core.models import Event, EventType, Relation

TEXT = "Acme staff walked out; Acme later reversed it. Jo works for Acme."
LINE = {
    "text": TEXT,
    "entities": [
        {"id": 1, "start_offset": 0, "end_offset": 4, "label": "ORG"},
        {"id": 2, "start_offset": 11, "end_offset": 21, "label": "Strike"},
        {"id": 3, "start_offset": 34, "end_offset": 42, "label": "Reversal"},
        {"id": 4, "start_offset": 47, "end_offset": 49, "label": "Person"},
        {"id": 5, "start_offset": 60, "end_offset": 64, "label": "ORG"},
    ],
    "relations": [{"id": 1, "from_id": 4, "to_id": 5, "type": "Contracts with"}],
    "events": [
        {"id": 1, "type": "Strike", "trigger_id": 2, "arguments": [{"role": "Striker", "entity_id": 1}]},
        {"id": 2, "type": "Reversal", "trigger_id": 3, "arguments": [
            {"role": "Undoes", "event_id": 1}, {"role": "Undoes", "entity_id": 5}]},
    ],
}


def write(tmp_path, *records) -> object:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def dump(project) -> str:
    con = sqlite3.connect(project.path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def test_refusal_names_every_unknown_label_with_its_kind(seeded_project, tmp_path):
    path = write(tmp_path, LINE)
    before = dump(seeded_project)
    with pytest.raises(ImportRefused) as info:
        import_doccano(seeded_project, path, "alice")
    assert info.value.unknown == [("ORG", "entity type"), ("Strike", "event type"), ("Reversal", "event type"),
                                  ("Contracts with", "relation type")]
    assert info.value.unknown_labels == ["ORG"]  # a trigger's label is its event's type, not an entity type
    assert ("the file uses 4 labels the codebook does not have: ORG (entity type), Strike, Reversal (event types), "
            "Contracts with (relation type); --add-labels adds them") in str(info.value)
    assert dump(seeded_project) == before


def test_only_span_labels_read_as_before(seeded_project, tmp_path):
    path = write(tmp_path, {"text": "Acme", "label": [[0, 4, "ORG"]]})
    with pytest.raises(ImportRefused) as info:
        import_doccano(seeded_project, path, "alice")
    assert info.value.unknown == [("ORG", "entity type")]
    assert "the file uses 1 label the codebook does not have: ORG; --add-labels adds them as entity types" \
        in str(info.value)


def test_add_labels_adds_each_label_as_its_kind(seeded_project, tmp_path):
    path = write(tmp_path, LINE)
    result = import_doccano(seeded_project, path, "alice", add_labels=True)
    assert (result.added_types, result.added_event_types, result.added_relation_types) == (
        ["ORG"], ["Strike", "Reversal"], ["Contracts with"])
    [report] = result
    assert (report.mentions, report.events, report.relations) == (3, 2, 1)
    with seeded_project.read() as s:
        book = read_codebook(s)
        assert book.entity_type("ORG") is not None and book.entity_type("Strike") is None
        strike, reversal = book.event_type("Strike"), book.event_type("Reversal")
        assert [(r.name, r.accepts, r.accepts_events, r.repeatable) for r in strike.roles] == [
            ("Striker", [], [], True)]  # filled by mentions only: any mention
        assert [(r.name, r.accepts, r.accepts_events) for r in reversal.roles] == [
            ("Undoes", ["ORG"], ["Strike"])]  # filled by an event and an ORG mention
        assert book.relation_type("Contracts with") is not None
        names = {t.id: t.name for t in s.scalars(select(EventType))}
        events = {names[e.event_type_id]: e
                  for e in s.scalars(select(Event).where(Event.document_id == report.document_id))}
        assert sorted(a.argument_event_id for a in events["Reversal"].arguments if a.argument_event_id) == [
            events["Strike"].id]
        assert s.scalar(select(Relation.note).where(Relation.document_id == report.document_id)) == ""
    again = import_doccano(seeded_project, path, "alice")  # now the codebook has them: nothing new
    assert (again[0].mentions, again[0].events, again[0].relations) == (0, 0, 0)
