"""doccano JSONL interchange of relations between mentions and of nested events (an event's
role filled by another event): export, import into a fresh project, import again."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.codebook import (
    CodebookSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
    apply_codebook,
    merge_codebooks,
    read_codebook,
)
from app.core.errors import AnnotationInputError
from app.core.interchange.doccano import export_doccano, import_doccano
from app.core.models import (
    EntityType,
    Event,
    EventArgument,
    EventRole,
    EventType,
    Mention,
    Relation,
    RelationType,
)
from app.core.services.annotations import add_argument, create_event, create_mention
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.projects import init_project
from app.core.services.relations import create_relation
from project_reads import row_counts

DATA = Path(__file__).parent / "data" / "doccano"
TEXT = "IL-10 expression is induced by TNF, which binds IL-10R in Menlo Park."
EXTRA = CodebookSpec(
    entity_types=[EntityTypeSpec("Protein", "#1f77b4"), EntityTypeSpec("Place", "#ff7f0e")],
    event_types=[
        EventTypeSpec("Gene_expression", "#2ca02c", roles=[RoleSpec("Theme", accepts=["Protein"])]),
        EventTypeSpec("Positive_regulation", "#d62728", roles=[
            RoleSpec("Theme", accepts=["Protein"], accepts_events=["Gene_expression"]),
            RoleSpec("Cause", accepts=["Protein"], accepts_events=["Gene_expression"]),
        ]),
    ],
    relation_types=[RelationTypeSpec("Binds", "#9467bd", source_accepts=["Protein"], target_accepts=["Protein"]),
                    RelationTypeSpec("Located_in", "#8c564b")],
)


def _project(tmp_path: Path, name: str, relation_types: bool = True):
    project = init_project(tmp_path / f"{name}.annotary", empty=True)
    extra = EXTRA if relation_types else CodebookSpec(entity_types=EXTRA.entity_types,
                                                      event_types=EXTRA.event_types)
    with project.uow() as s:
        apply_codebook(s, merge_codebooks(read_codebook(s), extra))
    return project


def _annotate(project) -> None:
    """IL-10 expression (Gene_expression) is the Theme of "induced" (Positive_regulation, Cause TNF);
    a trigger-less Positive_regulation has the same expression as its Cause; TNF binds IL-10R,
    which (and TNF) is located in Menlo Park."""
    with project.uow() as s:
        who = get_or_create_coder(s, "alice")
        doc, _ = add_document(s, TEXT, "doc.txt")
        etype = {t.name: t.id for t in s.scalars(select(EntityType))}
        evtype = {t.name: t.id for t in s.scalars(select(EventType))}
        role = {(s.get_one(EventType, r.event_type_id).name, r.name): r.id for r in s.scalars(select(EventRole))}
        rtype = {t.name: t.id for t in s.scalars(select(RelationType))}

        def mention(type_name: str, word: str) -> int:
            start = TEXT.index(word)
            return create_mention(s, doc.id, who.id, etype[type_name], start, start + len(word)).id

        il10, tnf, receptor, place = (mention("Protein", "IL-10"), mention("Protein", "TNF"),
                                      mention("Protein", "IL-10R"), mention("Place", "Menlo Park"))
        start = TEXT.index("expression")
        expression = create_event(s, doc.id, who.id, evtype["Gene_expression"], (start, start + 10)).id
        add_argument(s, expression, role[("Gene_expression", "Theme")], mention_id=il10)
        start = TEXT.index("induced")
        induced = create_event(s, doc.id, who.id, evtype["Positive_regulation"], (start, start + 7)).id
        add_argument(s, induced, role[("Positive_regulation", "Theme")], argument_event_id=expression)
        add_argument(s, induced, role[("Positive_regulation", "Cause")], mention_id=tnf)
        bare = create_event(s, doc.id, who.id, evtype["Positive_regulation"]).id
        add_argument(s, bare, role[("Positive_regulation", "Cause")], argument_event_id=expression)
        create_relation(s, rtype["Binds"], tnf, receptor, note="in vitro")
        create_relation(s, rtype["Located_in"], receptor, place)
        create_relation(s, rtype["Located_in"], tnf, place)


def _relations(project) -> Counter:
    """(type, (source text, start, end), (target text, start, end), note) of every relation."""
    with project.read() as s:
        out = Counter()
        for r in s.scalars(select(Relation)):
            src, tgt = s.get_one(Mention, r.source_mention_id), s.get_one(Mention, r.target_mention_id)
            out[(s.get_one(RelationType, r.relation_type_id).name, (src.text, src.start, src.end),
                 (tgt.text, tgt.start, tgt.end), r.note)] += 1
        return out


def _nested(project) -> Counter:
    """(outer event type, role, inner event type, inner trigger) of every role filled by an event."""
    with project.read() as s:
        out = Counter()
        for arg in s.scalars(select(EventArgument).where(EventArgument.argument_event_id.is_not(None))):
            outer, inner = s.get_one(Event, arg.event_id), s.get_one(Event, arg.argument_event_id)
            out[(s.get_one(EventType, outer.event_type_id).name, s.get_one(EventRole, arg.role_id).name,
                 s.get_one(EventType, inner.event_type_id).name, inner.trigger_text)] += 1
        return out


@pytest.fixture
def exported(tmp_path):
    source = _project(tmp_path, "source")
    _annotate(source)
    path = tmp_path / "out.jsonl"
    export_doccano(source, path)
    yield source, path
    source.close()


def test_export_writes_relations_and_nested_arguments(exported):
    _source, path = exported
    [record] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    label = {e["id"]: (e["label"], record["text"][e["start_offset"]:e["end_offset"]]) for e in record["entities"]}
    relations = {(r["type"], label[r["from_id"]][1], label[r["to_id"]][1]) for r in record["relations"]}
    assert ("Binds", "TNF", "IL-10R") in relations and ("Located_in", "IL-10R", "Menlo Park") in relations
    assert ("Theme", "induced", "expression") in relations  # the trigger → nested trigger arc doccano shows
    by_id = {ev["id"]: ev for ev in record["events"]}
    nested = sorted((ev["type"], arg["role"], by_id[arg["event_id"]]["type"])
                    for ev in record["events"] for arg in ev["arguments"] if "event_id" in arg)
    assert nested == [("Positive_regulation", "Cause", "Gene_expression"),
                      ("Positive_regulation", "Theme", "Gene_expression")]
    [detail] = record["relation_details"]
    assert detail["note"] == "in vitro"


def test_export_then_import_gives_the_same_relations_and_nested_events(exported, tmp_path):
    source, path = exported
    target = _project(tmp_path, "target")
    try:
        [report] = import_doccano(target, path, "bob")
        assert (report.mentions, report.events, report.relations) == (4, 3, 3)
        assert _relations(target) == _relations(source) and sum(_relations(target).values()) == 3
        assert _nested(target) == _nested(source) == Counter({
            ("Positive_regulation", "Theme", "Gene_expression", "expression"): 1,
            ("Positive_regulation", "Cause", "Gene_expression", "expression"): 1})
        assert any("relation(s) ignored" in m for m in report.messages)  # the trigger arcs, not the relations
    finally:
        target.close()


def test_importing_again_adds_nothing(exported, tmp_path):
    source, path = exported
    target = _project(tmp_path, "target")
    try:
        import_doccano(target, path, "bob")
        before = row_counts(target)
        [again] = import_doccano(target, path, "bob")
        assert (again.mentions, again.events, again.relations) == (0, 0, 0)
        assert (again.skipped_mentions, again.skipped_events, again.skipped_relations) == (4, 3, 3)
        assert row_counts(target) == before
        # the source coder's own export imported back into the source adds nothing either
        [same] = import_doccano(source, path, "alice")
        assert (same.relations, same.events, same.skipped_relations) == (0, 0, 3)
    finally:
        target.close()


def test_unknown_relation_type_is_refused_naming_the_codebook_fix(exported, tmp_path):
    _source, path = exported
    target = _project(tmp_path, "target", relation_types=False)
    try:
        with pytest.raises(AnnotationInputError) as info:
            import_doccano(target, path, "bob")
        assert info.value.line == 1
        assert "unknown relation type 'Binds'" in info.value.reason
        assert "relation types" in info.value.reason and "--add-labels" in info.value.reason
        assert row_counts(target)["relations"] == 0 and row_counts(target)["events"] == 0
    finally:
        target.close()


def test_add_labels_adds_the_relation_types(exported, tmp_path):
    source, path = exported
    target = _project(tmp_path, "target", relation_types=False)
    try:
        [report] = import_doccano(target, path, "bob", add_labels=True)
        assert report.relations == 3
        assert "relation type(s) added to the codebook: Binds, Located_in" in report.messages
        assert _relations(target) == _relations(source)
    finally:
        target.close()


def test_real_doccano_relation_extraction_file(empty_project):
    with pytest.raises(AnnotationInputError):
        import_doccano(empty_project, DATA / "real" / "relation_extraction.jsonl", "alice")
    [report] = import_doccano(empty_project, DATA / "real" / "relation_extraction.jsonl", "alice", add_labels=True)
    assert report.relations == 3
    assert Counter((t, s[0], g[0]) for t, s, g, _ in _relations(empty_project)) == Counter({
        ("foundedAt", "Google", "September 4, 1998"): 1, ("foundedBy", "Google", "Larry Page"): 1,
        ("foundedBy", "Google", "Sergey Brin"): 1})


def test_a_nested_argument_naming_no_event_is_refused(tmp_path):
    project = _project(tmp_path, "p")
    line = {"text": TEXT, "entities": [], "events": [
        {"id": 1, "type": "Positive_regulation", "trigger_id": None, "arguments": [{"role": "Theme", "event_id": 7}]}]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    try:
        with pytest.raises(AnnotationInputError, match="unknown event_id 7"):
            import_doccano(project, path, "alice")
    finally:
        project.close()
