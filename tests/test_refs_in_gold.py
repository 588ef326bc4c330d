"""Typed notes and external references (brat's # and N lines) go into gold with the mention,
event or relation accepted from a coder, and leave with undo; the forms read them through
`annotation_extras`; a merge reports a relation type whose transitive flag differs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.core.errors import AnnotaryError
from app.core.interchange.brat import import_brat
from app.core.models import (
    AnnotationNote,
    Coder,
    Event,
    ExternalReference,
    Mention,
    Relation,
    RelationType,
)
from app.core.services import history as h
from app.core.services.adjudication import AcceptEvent, AcceptMention, AcceptRelation
from app.core.services.annotation_extras import Extras, annotation_extras
from app.core.services.merge import merge_project
from app.core.services.projects import init_project

REFS = Path(__file__).parent / "data" / "brat" / "refs"


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


def _gold(project) -> dict[str, list[tuple]]:
    """Gold's typed notes and references, with what they are on, ids included (so a redo that
    brings them back is seen to bring the same rows)."""
    with project.read() as s:
        gold = s.scalars(select(Coder.id).where(Coder.name == "gold")).one_or_none()

        def owner(row) -> str | None:
            if row.mention_id is not None:
                m = s.get_one(Mention, row.mention_id)
                return f"mention {m.text}" if m.coder_id == gold else None
            if row.event_id is not None:
                e = s.get_one(Event, row.event_id)
                return f"event {e.trigger_text}" if e.coder_id == gold else None
            r = s.get_one(Relation, row.relation_id)
            return f"relation {s.get_one(Mention, r.source_mention_id).text}" if r.coder_id == gold else None
        notes = [(n.id, owner(n), n.type, n.text) for n in s.scalars(select(AnnotationNote))]
        refs = [(r.id, owner(r), r.type, r.resource, r.identifier, r.text) for r in s.scalars(select(ExternalReference))]
        return {"notes": sorted(n for n in notes if n[1] is not None),
                "refs": sorted(r for r in refs if r[1] is not None)}


def _without_ids(extras: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {k: sorted(row[1:] for row in v) for k, v in extras.items()}


def test_accepting_a_mention_into_gold_copies_its_references_and_notes_and_undo_removes_them(refs_project):
    history = h.History(refs_project)
    alice = _id(refs_project, Mention, text="Lisbon")
    history.run(AcceptMention(alice))
    history.run(AcceptMention(_id(refs_project, Mention, text="Okafor")))
    gold = _gold(refs_project)
    assert _without_ids(gold) == {
        "notes": [("mention Okafor", "Lemma", "okafor")],
        "refs": [("mention Lisbon", "Reference", "Wikipedia", "18145", "Lisbon")],
    }
    history.undo()
    assert _without_ids(_gold(refs_project))["notes"] == []
    history.undo()
    assert _gold(refs_project) == {"notes": [], "refs": []}
    history.redo()
    history.redo()
    assert _gold(refs_project) == gold  # the same rows again
    assert annotation_extras(refs_project, "mention", alice).references == ("Wikipedia:18145 — Lisbon",)


def test_accepting_an_event_copies_its_notes_and_its_new_argument_mentions_references(refs_project):
    history = h.History(refs_project)
    history.run(AcceptEvent(_id(refs_project, Event, trigger_text="met")))
    assert _without_ids(_gold(refs_project)) == {
        "notes": [("event met", "Lemma", "meet"), ("event met", "Source", "city hall press release")],
        "refs": [("mention Lisbon", "Reference", "Wikipedia", "18145", "Lisbon"),
                 ("mention Mara Okafor", "Reference", "Wikidata", "Q000001", "Mara Okafor")],
    }
    history.undo()
    assert _gold(refs_project) == {"notes": [], "refs": []}
    history.run(AcceptEvent(_id(refs_project, Event, trigger_text="strike")))
    assert _without_ids(_gold(refs_project))["refs"] == [
        ("event strike", "Reference", "Events", "strike-porto", "Porto strike"),
        ("mention Porto", "Reference", "GeoNames", "2735943", None)]


def test_accepting_a_relation_copies_its_typed_note_and_a_gold_mention_keeps_its_own(refs_project):
    history = h.History(refs_project)
    lisbon = _id(refs_project, Mention, text="Lisbon")
    history.run(AcceptMention(lisbon))  # gold has Lisbon already, with its reference (once)
    mayor = _id(refs_project, Mention, text="mayor")
    history.run(AcceptRelation(_id(refs_project, Relation, source_mention_id=mayor)))
    gold = _without_ids(_gold(refs_project))
    assert gold == {"notes": [("relation mayor", "Confidence", "high")],
                    "refs": [("mention Lisbon", "Reference", "Wikipedia", "18145", "Lisbon")]}
    history.undo()
    assert _without_ids(_gold(refs_project)) == {
        "notes": [], "refs": [("mention Lisbon", "Reference", "Wikipedia", "18145", "Lisbon")]}


def test_annotation_extras_lines_as_the_forms_show_them(refs_project):
    okafor = _id(refs_project, Mention, text="Mara Okafor")
    assert annotation_extras(refs_project, "mention", okafor) == Extras(("Wikidata:Q000001 — Mara Okafor",), ())
    porto = _id(refs_project, Mention, text="Porto")
    assert annotation_extras(refs_project, "mention", porto).references == ("GeoNames:2735943",)  # no text column
    assert annotation_extras(refs_project, "event", _id(refs_project, Event, trigger_text="met")).notes == (
        "Source: city hall press release", "Lemma: meet")
    mayor = _id(refs_project, Mention, text="mayor")
    relation = _id(refs_project, Relation, source_mention_id=mayor)
    assert annotation_extras(refs_project, "relation", relation) == Extras((), ("Confidence: high",))
    assert not annotation_extras(refs_project, "mention", mayor)  # none: the section stays hidden
    assert not annotation_extras(refs_project, "mention", 10_000)  # gone (deleted meanwhile)
    with pytest.raises(ValueError):
        annotation_extras(refs_project, "document", 1)


def test_a_merge_reports_a_relation_type_whose_transitive_flag_differs(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(REFS, folder)
    source = tmp_path / "alice.annotary"
    with init_project(source, empty=True) as alice:
        import_brat(alice, folder, "alice")
    target = init_project(tmp_path / "lead.annotary", empty=True)
    try:
        merge_project(target, source, accept_codebook=True, import_missing=True)
        with target.uow() as s:  # the lead's Alias is not an equivalence
            s.execute(update(RelationType).where(RelationType.name == "Alias").values(transitive=False))
        with pytest.raises(AnnotaryError, match=r"the codebooks differ: relation type 'Alias' is transitive "
                                                r"\(an equivalence\) in the other project but not here"):
            merge_project(target, source)
        report = merge_project(target, source, accept_codebook=True)
        assert any("'Alias' is transitive" in line for line in report.codebook_added)
        with target.read() as s:  # the lead's setting is kept
            assert not s.scalars(select(RelationType.transitive).where(RelationType.name == "Alias")).one()
    finally:
        target.close()
