"""Merging coders' copies: matched by text, coder identity kept, idempotent, codebook conflicts refused."""

import shutil

import pytest
import yaml
from sqlalchemy import func, select

from app.core.codebook import codebook_to_dict, load_codebook
from app.core.errors import AnnotaryError
from app.core.models import Coder, DocumentCodeValue, Event, EventArgument, Mention
from app.core.paths import default_codebook_path
from app.core.project import open_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace


def _code(path, coder, doc_id=5):
    with open_project(path) as project:
        ws = Workspace(project, coder)
        text = ws.document_text(doc_id)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        meta = ws.tag(doc_id, text, text.index("Meta"), text.index("Meta") + 4, types["Organization"]).mention_id
        count = text.index("ثمانية باحثين")
        eight = ws.tag(doc_id, text, count, count + len("ثمانية باحثين"), types["Quantity"]).mention_id
        poach = next(t for t in ws.codebook.event_types if t.name == "Hiring/Poaching offer")
        roles = {r.name: r.id for r in poach.roles}
        ev = ws.create_event(doc_id, poach.id).event_id
        ws.add_argument(ev, roles["Actor"], meta)
        ws.add_argument(ev, roles["Affected"], eight)
        ws.set_event_attribute(ev, ws.codebook.event_attributes[0].id, "reported")
        tone = next(c for c in ws.codebook.document_codes if c.name == "tone")
        ws.set_document_code(doc_id, tone.id, "negative")


def _counts(path):
    with open_project(path) as p, p.read() as s:
        return {
            "mentions": s.scalar(select(func.count()).select_from(Mention)),
            "events": s.scalar(select(func.count()).select_from(Event)),
            "args": s.scalar(select(func.count()).select_from(EventArgument)),
            "codes": s.scalar(select(func.count()).select_from(DocumentCodeValue)),
            "coders": sorted(s.scalars(select(Coder.name))),
        }


@pytest.fixture
def copies(tmp_path):
    lead = tmp_path / "lead.annotary"
    init_project(lead).close()
    alice = tmp_path / "alice-copy.annotary"
    bob = tmp_path / "renamed" / "bob.annotary"
    bob.parent.mkdir()
    shutil.copy(lead, alice)
    shutil.copy(lead, bob)
    _code(alice, "alice")
    _code(bob, "bob")
    return lead, alice, bob


def test_merge_keeps_coders_and_is_idempotent(copies):
    from app.core.services.merge import merge_project

    lead, alice, bob = copies
    with open_project(lead) as project:
        first = merge_project(project, alice)
        merge_project(project, bob)
        again = merge_project(project, alice)
    assert first.documents_matched == 5 and first.mentions_added == 2 and first.events_added == 1
    assert again.mentions_added == again.events_added == again.codes_added == 0
    assert again.skipped_identical == 4  # 2 mentions, 1 event, 1 code value
    assert _counts(lead) == {"mentions": 4, "events": 2, "args": 4, "codes": 2, "coders": ["alice", "bob"]}
    with open_project(lead) as p, p.read() as s:
        for m in s.scalars(select(Mention)):
            from app.core.models import Document

            assert s.get(Document, m.document_id).text[m.start:m.end] == m.text


def test_documents_matched_by_text_not_file_name(copies, tmp_path):
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    with open_project(alice) as p, p.uow() as s:
        from app.core.models import Document

        for d in s.scalars(select(Document)):
            d.filename = "renamed-" + d.filename
    with open_project(lead) as project:
        report = merge_project(project, alice)
    assert report.documents_matched == 5 and report.mentions_added == 2


def test_documents_only_in_the_other_project_are_reported_or_imported(copies, tmp_path):
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    other = tmp_path / "other.annotary"
    with init_project(other, empty=True) as p, p.uow() as s:
        from app.core.services.documents import add_document

        add_document(s, "Scale AI ने इस हफ्ते अपने Dallas ऑफिस की टीम को हटा दिया", "new.txt")
    with open_project(lead) as project:
        report = merge_project(project, other)
        assert report.documents_only_there and report.documents_imported == 0
        report = merge_project(project, other, import_missing=True)
        assert report.documents_imported == 1


def test_conflicting_codebook_is_refused_unless_accepted(copies, tmp_path):
    from app.core.codebook import apply_codebook
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    data["entity_types"].append({"name": "Union", "color": "#123456", "definition": "A trade union."})
    data["attributes"][0]["values"].append("rumoured")
    cb = tmp_path / "cb.yaml"
    cb.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with open_project(alice) as p, p.uow() as s:
        apply_codebook(s, load_codebook(cb))
    before = _counts(lead)
    with open_project(lead) as project:
        with pytest.raises(AnnotaryError, match="entity type 'Union' is missing.*other values \\(rumoured\\)"):
            merge_project(project, alice)
    assert _counts(lead) == before
    with open_project(lead) as project:
        report = merge_project(project, alice, accept_codebook=True)
        with project.read() as s:
            from app.core.codebook import read_codebook

            spec = read_codebook(s)
    assert spec.entity_type("Union") is not None and "rumoured" in spec.attribute("Modality").values
    assert report.mentions_added == 2


def test_merge_cli(copies, capsys):
    from app.cli import main

    lead, alice, bob = copies
    assert main(["merge", str(alice), "--project", str(lead)]) == 0
    out = capsys.readouterr().out
    assert "5 document(s) matched by text" in out and "coders: alice" in out
    assert main(["merge", str(lead), "--project", str(lead)]) == 1
    assert "into itself" in capsys.readouterr().err
