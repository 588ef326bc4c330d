"""How much of the stored annotations a codebook item carries, for refusals and the editor's notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.core.models import (
    DocumentCodeValue,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    Relation,
)


@dataclass(frozen=True)
class Usage:
    count: int
    documents: int

    def __bool__(self) -> bool:
        return self.count > 0


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def uses(usage: Usage, noun: str) -> str:
    """'212 mentions in 5 documents'."""
    return f"{plural(usage.count, noun)} in {plural(usage.documents, 'document')}"


def _usage(session: Session, document: Any, *where: Any, base: Any = None, joins: tuple[Any, ...] = ()) -> Usage:
    query = select(func.count(), func.count(distinct(document)))
    if base is not None:
        query = query.select_from(base)
    for target, on in joins:
        query = query.join(target, on)
    count, documents = session.execute(query.where(*where)).one()
    return Usage(count or 0, documents or 0)


def mentions_of_type(session: Session, type_id: int) -> Usage:
    return _usage(session, Mention.document_id, Mention.entity_type_id == type_id)


def events_of_type(session: Session, type_id: int) -> Usage:
    return _usage(session, Event.document_id, Event.event_type_id == type_id)


def arguments_of_role(session: Session, role_id: int, *where: Any) -> Usage:
    return _usage(session, Event.document_id, EventArgument.role_id == role_id, *where, base=EventArgument,
                  joins=((Event, Event.id == EventArgument.event_id), (Mention, Mention.id == EventArgument.mention_id)))


def fillers_of_role(session: Session, role_id: int, *where: Any) -> Usage:
    """Arguments of a role, mentions and (nested) events alike."""
    return _usage(session, Event.document_id, EventArgument.role_id == role_id, *where, base=EventArgument,
                  joins=((Event, Event.id == EventArgument.event_id),))


def relations_of_type(session: Session, type_id: int, *where: Any) -> Usage:
    return _usage(session, Relation.document_id, Relation.relation_type_id == type_id, *where)


def attribute_values(session: Session, attribute_id: int, target: str, *where: Any) -> Usage:
    if target == "event":
        return _usage(session, Event.document_id, EventAttributeValue.attribute_id == attribute_id, *where,
                      base=EventAttributeValue, joins=((Event, Event.id == EventAttributeValue.event_id),))
    return _usage(session, Mention.document_id, MentionAttributeValue.attribute_id == attribute_id, *where,
                  joins=((Mention, Mention.id == MentionAttributeValue.mention_id),))


def code_values(session: Session, code_id: int, *where: Any) -> Usage:
    return _usage(session, DocumentCodeValue.document_id, DocumentCodeValue.code_id == code_id, *where)


def stored_attribute_values(session: Session, attribute_id: int, target: str) -> list[tuple[str, int, int]]:
    """(value, type id of the annotation, document id) of every stored value of an attribute."""
    if target == "event":
        query = (select(EventAttributeValue.value, Event.event_type_id, Event.document_id)
                 .join(Event, Event.id == EventAttributeValue.event_id)
                 .where(EventAttributeValue.attribute_id == attribute_id))
    else:
        query = (select(MentionAttributeValue.value, Mention.entity_type_id, Mention.document_id)
                 .join(Mention, Mention.id == MentionAttributeValue.mention_id)
                 .where(MentionAttributeValue.attribute_id == attribute_id))
    return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]


def stored_code_values(session: Session, code_id: int) -> list[tuple[str, int]]:
    """(value, document id) of every stored value of a document code."""
    query = select(DocumentCodeValue.value, DocumentCodeValue.document_id).where(DocumentCodeValue.code_id == code_id)
    return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]
