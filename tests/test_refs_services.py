"""Typed notes and external references go with their mention, event or relation: deleted with
it, back with undo, carried along by a project merge (tests/data/brat/refs holds them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.export.xlsx import export_xlsx
from app.core.interchange.brat import import_brat
from app.core.models import (
    AnnotationNote,
    Event,
    ExternalReference,
    Mention,
    Relation,
    RelationType,
)
from app.core.project import open_project
from app.core.services import history as h
from app.core.services.merge import merge_project
from app.core.services.projects import init_project

REFS = Path(__file__).parent / "data" / "brat" / "refs"


def _extras(project) -> dict[str, list[tuple]]:
    """Every typed note and reference, with the text of what it is on (ids left out)."""
    with project.read() as s:
        def owner(row) -> str:
            if row.mention_id is not None:
                return "mention " + s.get_one(Mention, row.mention_id).text
            if row.event_id is not None:
                return "event " + (s.get_one(Event, row.event_id).trigger_text or "")
            relation = s.get_one(Relation, row.relation_id)
            return "relation " + s.get_one(Mention, relation.source_mention_id).text
        return {
            "notes": sorted((owner(n), n.type, n.text) for n in s.scalars(select(AnnotationNote))),
            "refs": sorted((owner(r), r.type, r.resource, r.identifier, r.text or "")
                           for r in s.scalars(select(ExternalReference))),
        }


@pytest.fixture
def refs_project(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(REFS, folder)
    project = init_project(tmp_path / "refs.annotary", empty=True)
    import_brat(project, folder, "alice")
    yield project
    project.close()


def _id(project, model, **where) -> int:
    with project.read() as s:
        return s.scalars(select(model.id).filter_by(**where)).one()


def test_deleting_a_mention_removes_its_notes_references_and_relations_notes_and_undo_restores_them(refs_project):
    before = _extras(refs_project)
    history = h.History(refs_project)
    mayor = _id(refs_project, Mention, text="mayor")  # the source of R1, which has a typed note
    lisbon = _id(refs_project, Mention, text="Lisbon")  # has a reference
    history.run(h.DeleteMention(mayor))
    history.run(h.DeleteMention(lisbon))
    after = _extras(refs_project)
    assert ("relation mayor", "Confidence", "high") not in after["notes"]
    assert not any(r[0] == "mention Lisbon" for r in after["refs"])
    assert ("mention Okafor", "Lemma", "okafor") in after["notes"]  # the others stay
    history.undo()
    history.undo()
    assert _extras(refs_project) == before
    history.redo()
    assert not any(r[0] == "mention mayor" or r[0] == "relation mayor" for r in _extras(refs_project)["notes"])


def test_deleting_an_event_removes_its_notes_and_references_and_undo_restores_them(refs_project):
    before = _extras(refs_project)
    history = h.History(refs_project)
    strike = _id(refs_project, Event, trigger_text="strike")
    meeting = _id(refs_project, Event, trigger_text="met")
    history.run(h.DeleteEvent(strike))
    history.run(h.DeleteEvent(meeting))
    after = _extras(refs_project)
    assert not any(n[0].startswith("event") for n in after["notes"] + after["refs"])
    history.undo()
    history.undo()
    assert _extras(refs_project) == before


def test_deleting_a_relation_removes_its_notes_and_undo_restores_them(refs_project):
    before = _extras(refs_project)
    history = h.History(refs_project)
    mayor = _id(refs_project, Mention, text="mayor")
    history.run(h.DeleteRelation(_id(refs_project, Relation, source_mention_id=mayor)))
    assert ("relation mayor", "Confidence", "high") not in _extras(refs_project)["notes"]
    history.undo()
    assert _extras(refs_project) == before
    with open_project(refs_project.path) as fresh:  # committed, as a fresh connection sees it
        assert _extras(fresh) == before


def test_merge_carries_notes_references_and_the_transitive_flag(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(REFS, folder)
    source = tmp_path / "alice.annotary"
    with init_project(source, empty=True) as alice:
        import_brat(alice, folder, "alice")
        expected = _extras(alice)
    assert expected["notes"] and expected["refs"]
    target = init_project(tmp_path / "lead.annotary", empty=True)
    try:
        report = merge_project(target, source, accept_codebook=True, import_missing=True)
        assert report.relations_added == 3
        assert _extras(target) == expected
        with target.read() as s:
            alias = s.scalars(select(RelationType).where(RelationType.name == "Alias")).one()
            assert alias.transitive and alias.symmetric
        again = merge_project(target, source)
        assert again.relations_added == 0 and _extras(target) == expected  # nothing twice
    finally:
        target.close()


def _sheet(wb, title: str) -> list[dict]:
    rows = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_workbook_shows_typed_notes_and_references(refs_project, tmp_path):
    out = tmp_path / "refs.xlsx"
    export_xlsx(refs_project, out)
    wb = load_workbook(out)
    mentions = {m["text"]: m for m in _sheet(wb, "Mentions")}
    assert mentions["Lisbon"]["external_refs"] == "Wikipedia:18145"
    assert mentions["Mara Okafor"]["external_refs"] == "Wikidata:Q000001"
    assert mentions["Okafor"]["notes"] == "Lemma: okafor" and mentions["Okafor"]["external_refs"] is None
    assert mentions["Mara Okafor"]["note"] == "full name"  # AnnotatorNotes stay in `note`
    events = {e["trigger_text"]: e for e in _sheet(wb, "Events")}
    assert events["met"]["notes"] == "Source: city hall press release; Lemma: meet"
    assert events["strike"]["external_refs"] == "Events:strike-porto"
    relations = {(r["type"], r["source_text"]): r for r in _sheet(wb, "Relations")}
    assert relations[("Mayor_of", "mayor")]["notes"] == "Confidence: high"
    assert relations[("Alias", "Mara Okafor")]["notes"] is None
