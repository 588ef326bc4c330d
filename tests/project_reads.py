"""Reading back what a project holds, for the interchange tests."""

from sqlalchemy import func, select

from app.core.models import (
    Attribute,
    Base,
    Document,
    EntityType,
    Event,
    EventRole,
    EventType,
    Mention,
)


def row_counts(project) -> dict[str, int]:
    with project.read() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables}


def mentions_of(project, doc_id: int) -> list[tuple[str, int, int, str]]:
    with project.read() as s:
        doc = s.get(Document, doc_id)
        out = []
        for m in s.scalars(select(Mention).where(Mention.document_id == doc_id).order_by(Mention.start, Mention.id)):
            assert m.text == doc.text[m.start:m.end]
            out.append((s.get(EntityType, m.entity_type_id).name, m.start, m.end, m.text))
        return out


def events_of(project, doc_id: int) -> list[tuple]:
    """(type, trigger text, sorted (role, argument text), sorted attributes, note) per event."""
    with project.read() as s:
        out = []
        for e in s.scalars(select(Event).where(Event.document_id == doc_id).order_by(Event.id)):
            args = sorted((s.get(EventRole, a.role_id).name, s.get(Mention, a.mention_id).text) for a in e.arguments)
            attrs = sorted((s.get(Attribute, v.attribute_id).name, v.value) for v in e.attributes)
            out.append((s.get(EventType, e.event_type_id).name, e.trigger_text, args, attrs, e.note))
        return out
