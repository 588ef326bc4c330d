"""Creating a mention or an event reads only the covered part of the stored text (the database
slices it): the stored text must still be exactly Python's slice of the document, in every script,
on SQLite and on PostgreSQL, and a span past the end is refused as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Document, DocumentStatus, Event, Mention
from app.core.services.documents import add_document
from app.core.services.workspace import Workspace

pytestmark = pytest.mark.both_backends

TEXTS = {
    "astral": "Emoji 😀👍🏽 then 𝒜𝓁𝓅𝒽𝒶 and 🇸🇦🇮🇳 flags, end.",
    "arabic": "قالت شركة ميتا (Meta) إنّ ٣٠٪ من الموظّفين سيُنقلون.",
    "hindi": "कंपनी ने 25% कर्मचारियों की छंटनी की — क्षत्रिय श्रृंखला।",
    "combining": "Cafe\u0301 and n\u0303 and Z\u0335\u0336 with e\u0301\u0302 marks.",
}


def _doc(project, text):
    with project.uow() as s:
        return add_document(s, text, "slicing.txt")[0].id


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_span_stores_the_python_slice(empty_project, name):
    text = TEXTS[name]
    ws = Workspace(empty_project, "alice")
    doc = _doc(empty_project, text)
    etype = ws.codebook.entity_types[0].id
    event_type = ws.codebook.event_types[0].id
    spans = [(i, j) for i in range(0, len(text), 3) for j in (i + 1, i + 2, len(text)) if j <= len(text)]
    made = [ws.history.run(_create_mention(ws, doc, etype, i, j)).mention_id for i, j in spans]
    events = [ws.create_event(doc, event_type).event_id]
    from app.core.services import history as h

    events += [ws.history.run(h.CreateEvent(doc, ws.coder_id, event_type, span)).event_id for span in spans[:5]]
    with empty_project.read() as s:
        stored = {m.id: (m.start, m.end, m.text) for m in s.scalars(select(Mention).where(Mention.id.in_(made)))}
        triggers = [(e.trigger_start, e.trigger_end, e.trigger_text)
                    for e in s.scalars(select(Event).where(Event.id.in_(events[1:])).order_by(Event.id))]
    assert sorted(stored.values()) == sorted((i, j, text[i:j]) for i, j in spans)
    assert triggers == [(i, j, text[i:j]) for i, j in spans[:5]]


def _create_mention(ws, doc, etype, start, end):
    from app.core.services import history as h

    return h.CreateMention(doc, ws.coder_id, etype, start, end)


@pytest.mark.parametrize("start, end, message", [(5, 500, "past the end of the text"), (-1, 3, "before the start"),
                                                 (4, 4, "empty"), (0, 10_000, r"past the end of the text \(\d+ ")])
def test_bad_spans_are_refused_and_nothing_is_stored(empty_project, start, end, message):
    ws = Workspace(empty_project, "alice")
    doc = _doc(empty_project, TEXTS["arabic"])
    from app.core.services import history as h

    with pytest.raises(AnnotaryError, match=message):
        ws.history.run(h.CreateMention(doc, ws.coder_id, ws.codebook.entity_types[0].id, start, end))
    with pytest.raises(AnnotaryError, match=message):
        ws.history.run(h.CreateEvent(doc, ws.coder_id, ws.codebook.event_types[0].id, (start, end)))
    with empty_project.read() as s:
        assert s.scalars(select(Mention)).all() == [] and s.scalars(select(Event)).all() == []
        assert s.scalars(select(DocumentStatus)).all() == []  # the document is not started by a refusal


def test_unknown_document_and_type_are_named(empty_project):
    ws = Workspace(empty_project, "alice")
    doc = _doc(empty_project, TEXTS["hindi"])
    from app.core.services import history as h

    with pytest.raises(AnnotaryError, match="no document with id 999"):
        ws.history.run(h.CreateMention(999, ws.coder_id, ws.codebook.entity_types[0].id, 0, 3))
    with pytest.raises(AnnotaryError, match="no entity type with id 999"):
        ws.history.run(h.CreateMention(doc, ws.coder_id, 999, 0, 3))
    with pytest.raises(AnnotaryError, match="no event type with id 999"):
        ws.history.run(h.CreateEvent(doc, ws.coder_id, 999, (0, 3)))


def test_first_annotation_starts_the_document_and_its_undo_unstarts_it(empty_project):
    ws = Workspace(empty_project, "alice")
    doc = _doc(empty_project, TEXTS["astral"])

    def status():
        with empty_project.read() as s:
            return s.scalars(select(DocumentStatus.status).where(DocumentStatus.document_id == doc)).all()

    ws.tag(doc, TEXTS["astral"], 0, 5, ws.codebook.entity_types[0].id)
    ws.create_event(doc, ws.codebook.event_types[0].id, TEXTS["astral"], (6, 8))
    assert status() == ["in_progress"]
    ws.undo()
    assert status() == ["in_progress"]  # the event was not the first annotation
    ws.undo()
    assert status() == []
    ws.redo()
    ws.redo()
    assert status() == ["in_progress"]
    with empty_project.read() as s:
        assert [m.text for m in s.scalars(select(Mention))] == ["Emoji"]


@pytest.mark.sqlite_only
def test_a_nul_before_the_span_still_stores_the_python_slice(empty_project):
    """SQLite's substr stops at a NUL character; the slice then comes from Python (a file project
    may hold NULs; a server refuses them at import)."""
    text = "before\x00after: ميتا 😀 here"
    ws = Workspace(empty_project, "alice")
    doc = _doc(empty_project, text)
    start = text.index("ميتا")
    etype = ws.codebook.entity_types[0].id
    ws.history.run(_create_mention(ws, doc, etype, start, start + 4))
    ws.history.run(_create_mention(ws, doc, etype, 2, 10))  # across the NUL
    with empty_project.read() as s:
        assert sorted((m.start, m.end, m.text) for m in s.scalars(select(Mention))) == sorted(
            [(start, start + 4, "ميتا"), (2, 10, text[2:10])])
        assert s.scalar(select(Document.chars)) == len(text)
