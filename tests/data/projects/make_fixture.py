"""Write a small project with the Annotary version that is on PYTHONPATH (a fixture for upgrade tests).

Run it against the checkout whose schema the fixture should have, for example Annotary 0.1:

    git worktree add /tmp/old01 5b2af8b
    PYTHONPATH=/tmp/old01 /path/to/venv/bin/python tests/data/projects/make_fixture.py \
        tests/data/projects/schema-0002.annotary
    git worktree remove /tmp/old01

and against the current code (commit 897e950 for schema 0003) with PYTHONPATH=. . It uses only
services that every released version has, so it must keep working against old checkouts; never
import anything from this repository's tests. The content is what tests/test_upgrade_fixtures.py
checks after an upgrade: three documents (English with an emoji, Arabic, Hindi), coders alice, bob
and gold, mentions with an attribute, events with triggers, arguments and an attribute, document
codes and statuses.
"""

import sys
from pathlib import Path

from sqlalchemy import select

from app.core.models import Attribute, DocumentCode, EntityType, EventRole, EventType
from app.core.services import annotations as ann
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.projects import init_project

DOCS = [
    ("meta.txt", "Meta lays off 600 employees 😀 in its AI unit.\nThe cuts were reported by Business Insider."),
    ("ar.txt", "أعلنت شركة ميتا عن تسريح 600 موظف في قسم الذكاء الاصطناعي."),
    ("hi.txt", "मेटा ने 600 कर्मचारियों को नौकरी से निकाला।"),
]

# coder -> document file -> [(entity type, covered text)]; the first occurrence of the text is tagged
MENTIONS = {
    "alice": {
        "meta.txt": [("Organization", "Meta"), ("Quantity", "600 employees"), ("Team/Unit", "AI unit"),
                     ("Organization", "Business Insider")],
        "ar.txt": [("Organization", "ميتا"), ("Quantity", "600 موظف")],
    },
    "bob": {
        "meta.txt": [("Organization", "Meta"), ("Quantity", "600"), ("Organization", "Business Insider")],
        "hi.txt": [("Organization", "मेटा"), ("Quantity", "600 कर्मचारियों")],
    },
    "gold": {
        "meta.txt": [("Organization", "Meta")],
    },
}

# coder, document, event type, trigger text, [(role, argument text)], Modality
EVENTS = [
    ("alice", "meta.txt", "Layoff", "lays off",
     [("Actor", "Meta"), ("Count", "600 employees"), ("Affected", "AI unit"), ("Source", "Business Insider")],
     "reported"),
    ("bob", "meta.txt", "Layoff", "lays off", [("Actor", "Meta"), ("Count", "600")], "asserted"),
    ("alice", "ar.txt", "Layoff", "تسريح", [("Actor", "ميتا"), ("Count", "600 موظف")], None),
    ("bob", "hi.txt", "Layoff", None, [("Actor", "मेटा")], "asserted"),
]

# coder, document, code, value
CODES = [
    ("alice", "meta.txt", "primary_topic", "layoffs"),
    ("alice", "meta.txt", "tone", "negative"),
    ("bob", "meta.txt", "primary_topic", "layoffs"),
    ("bob", "meta.txt", "tone", "very negative"),
    ("alice", "ar.txt", "primary_topic", "layoffs"),
]

# coder, document, status (annotating already made the others in_progress)
STATUSES = [("alice", "meta.txt", "done"), ("bob", "hi.txt", "done"), ("bob", "ar.txt", "in_progress")]


def span(text: str, covered: str) -> tuple[int, int]:
    start = text.index(covered)
    return start, start + len(covered)


def review_tables(session, document_id: int) -> None:  # type: ignore[no-untyped-def]
    """Schema 0003 on: bob is an adjudicator, blind coding is off, one review item was rejected."""
    try:
        from app.core.models import Coder, GoldRejection, ProjectSetting
    except ImportError:  # before schema 0003
        return
    session.scalar(select(Coder).where(Coder.name == "bob")).role = "adjudicator"
    session.add(ProjectSetting(key="blind_coding", value="off"))
    session.add(GoldRejection(document_id=document_id, ref="code:1"))
    session.flush()


def main(out: Path) -> None:
    project = init_project(out, empty=True)
    try:
        with project.uow() as s:
            s.add(Attribute(name="Certainty", target="mention", values_json='["sure", "unsure"]',
                            applies_to_json="[]", position=10))
            docs = {name: add_document(s, text, name)[0] for name, text in DOCS}
            etypes = {t.name: t.id for t in s.scalars(select(EntityType))}
            coders = {name: get_or_create_coder(s, name).id for name in MENTIONS}
            mentions = {}
            for coder, per_doc in MENTIONS.items():
                for doc_name, items in per_doc.items():
                    doc = docs[doc_name]
                    for type_name, covered in items:
                        m = ann.create_mention(s, doc.id, coders[coder], etypes[type_name], *span(doc.text, covered))
                        mentions[coder, doc_name, covered] = m.id
            certainty = s.scalar(select(Attribute.id).where(Attribute.name == "Certainty"))
            ann.set_mention_attribute(s, mentions["alice", "meta.txt", "600 employees"], certainty, "sure")
            ann.set_mention_attribute(s, mentions["bob", "meta.txt", "600"], certainty, "unsure")
            modality = s.scalar(select(Attribute.id).where(Attribute.name == "Modality"))
            for coder, doc_name, type_name, trigger, args, mod in EVENTS:
                doc = docs[doc_name]
                etype = s.scalar(select(EventType).where(EventType.name == type_name))
                ev = ann.create_event(s, doc.id, coders[coder], etype.id,
                                      span(doc.text, trigger) if trigger else None)
                roles = {r.name: r.id for r in s.scalars(select(EventRole).where(EventRole.event_type_id == etype.id))}
                for role, covered in args:
                    ann.add_argument(s, ev.id, roles[role], mentions[coder, doc_name, covered])
                if mod:
                    ann.set_event_attribute(s, ev.id, modality, mod)
            codes = {c.name: c.id for c in s.scalars(select(DocumentCode))}
            for coder, doc_name, code, value in CODES:
                ann.set_document_code(s, docs[doc_name].id, coders[coder], codes[code], value)
            for coder, doc_name, status in STATUSES:
                ann.set_status(s, docs[doc_name].id, coders[coder], status)
            review_tables(s, docs["meta.txt"].id)
    finally:
        project.close()  # the last connection checkpoints and removes the -wal file


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixture.py OUT.annotary")
    main(Path(sys.argv[1]))
