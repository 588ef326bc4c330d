"""Creating, changing and deleting annotations, with the checks a coder relies on.

Each function works in the caller's session; callers wrap one user action in one
unit of work (`project.uow()`), so every action is one committed transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.core import validation
from app.core.errors import AnnotaryError
from app.core.models import (
    Attribute,
    Base,
    Document,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
    MentionAttributeValue,
    utcnow,
)
from app.core.validation import FLAG_VALUE, check_span  # noqa: F401 - callers import them from here

STATUSES = ("in_progress", "done")


_Row = TypeVar("_Row", bound=Base)


def _get(session: Session, model: type[_Row], ident: int, what: str) -> _Row:
    row = session.get(model, ident)
    if row is None:
        raise AnnotaryError(f"no {what} with id {ident}")
    return row


def touch_status(session: Session, document_id: int, coder_id: int) -> bool:
    """Mark the document started for the coder (in progress) unless it already is; whether it was not."""
    status = session.scalar(
        select(DocumentStatus.id).where(DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id)
    )
    if status is None:
        session.add(DocumentStatus(document_id=document_id, coder_id=coder_id, status="in_progress"))
    return status is None


def _require_document(session: Session, document_id: int) -> None:
    """The document exists (its text is not read: a long document is not sent for a check)."""
    if session.scalar(select(Document.id).where(Document.id == document_id)) is None:
        raise AnnotaryError(f"no document with id {document_id}")


@dataclass(frozen=True)
class _Place:
    covered: str | None
    """The text the span covers (None without a span)."""
    started: bool
    """The coder had already started the document (it has a status row)."""


def _place(session: Session, document_id: int, coder_id: int, kind: type[EntityType] | type[EventType],
           type_id: int, span: tuple[int, int] | None, what: str) -> _Place:
    """What creating an annotation checks, in one round trip to the database: the document and
    the type exist, the span lies in the text (only the covered part of the text is read), and
    whether the coder has started the document."""
    if span is not None:
        validation.check_span_shape(span[0], span[1], what)
    type_found = select(kind.id).where(kind.id == type_id).scalar_subquery()
    status = select(DocumentStatus.id).where(
        DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id).scalar_subquery()
    piece = func.substr(Document.text, span[0] + 1, span[1] - span[0]) if span is not None else Document.chars
    row = session.execute(select(type_found, status, piece).where(Document.id == document_id)).first()
    if row is None:
        raise AnnotaryError(f"no document with id {document_id}")
    if row[0] is None:
        raise AnnotaryError(f"no {'entity' if kind is EntityType else 'event'} type with id {type_id}")
    covered: str | None = None
    if span is not None:
        covered = row[2]
        if not isinstance(covered, str) or len(covered) != span[1] - span[0]:
            # past the end, or a text the database slices otherwise (e.g. SQLite stops at a NUL): Python decides
            covered = check_span(session.get_one(Document, document_id).text, span[0], span[1], what)
    return _Place(covered, row[1] is not None)


def create_mention(
    session: Session, document_id: int, coder_id: int, entity_type_id: int, start: int, end: int, note: str = ""
) -> Mention:
    return add_mention(session, document_id, coder_id, entity_type_id, start, end, note)[0]


def add_mention(
    session: Session, document_id: int, coder_id: int, entity_type_id: int, start: int, end: int, note: str = ""
) -> tuple[Mention, bool]:
    """A new mention, and whether it is the coder's first annotation in the document (which
    starts it: its status becomes in progress)."""
    place = _place(session, document_id, coder_id, EntityType, entity_type_id, (start, end), "mention")
    mention = Mention(
        document_id=document_id, coder_id=coder_id, entity_type_id=entity_type_id,
        start=start, end=end, text=place.covered, note=note,
    )
    session.add(mention)
    if not place.started:
        session.add(DocumentStatus(document_id=document_id, coder_id=coder_id, status="in_progress"))
    session.flush()
    return mention, not place.started


def delete_mention(session: Session, mention_id: int) -> None:
    session.delete(_get(session, Mention, mention_id, "mention"))
    session.flush()


def retype_mention(session: Session, mention_id: int, entity_type_id: int) -> Mention:
    mention = _get(session, Mention, mention_id, "mention")
    etype = _get(session, EntityType, entity_type_id, "entity type")
    for arg in session.scalars(select(EventArgument).where(EventArgument.mention_id == mention_id)):
        role = session.get(EventRole, arg.role_id)
        if role is not None and role.accepts and etype not in role.accepts:
            raise AnnotaryError(
                f"this mention is the {role.name} of an event, and {role.name} does not accept {etype.name}"
            )
    from app.core.services.relations import check_mention_type  # relations builds on this module

    check_mention_type(session, mention_id, etype)
    mention.entity_type_id = entity_type_id
    mention.modified_at = utcnow()
    session.flush()
    return mention


def create_event(
    session: Session, document_id: int, coder_id: int, event_type_id: int,
    trigger: tuple[int, int] | None = None, note: str = "",
) -> Event:
    return add_event(session, document_id, coder_id, event_type_id, trigger, note)[0]


def add_event(
    session: Session, document_id: int, coder_id: int, event_type_id: int,
    trigger: tuple[int, int] | None = None, note: str = "",
) -> tuple[Event, bool]:
    """A new event, and whether it is the coder's first annotation in the document."""
    place = _place(session, document_id, coder_id, EventType, event_type_id, trigger, "trigger")
    event = Event(document_id=document_id, coder_id=coder_id, event_type_id=event_type_id, note=note)
    if trigger is not None:
        event.trigger_text = place.covered
        event.trigger_start, event.trigger_end = trigger
    session.add(event)
    if not place.started:
        session.add(DocumentStatus(document_id=document_id, coder_id=coder_id, status="in_progress"))
    session.flush()
    return event, not place.started


def delete_event(session: Session, event_id: int) -> None:
    session.delete(_get(session, Event, event_id, "event"))
    session.flush()


def role_takes_mentions(role: EventRole) -> bool:
    """A role takes the mentions of the entity types it accepts, any mention when it accepts no
    type at all, and no mention when it accepts only event types (a nested event's role)."""
    return bool(role.accepts) or not role.accepts_events


def _accepted(role: EventRole) -> str:
    names = [t.name for t in role.accepts] + [f"{t.name} events" for t in role.accepts_events]
    return ", ".join(names)


def add_argument(session: Session, event_id: int, role_id: int, mention_id: int | None = None,
                 argument_event_id: int | None = None) -> EventArgument:
    """Fill a role of an event with a mention, or (`argument_event_id`) with another event."""
    if (mention_id is None) == (argument_event_id is None):
        raise AnnotaryError("an argument is either a mention or an event")
    event = _get(session, Event, event_id, "event")
    role = session.get(EventRole, role_id, options=[  # the role with what it accepts: one query
        joinedload(EventRole.event_type), joinedload(EventRole.accepts), joinedload(EventRole.accepts_events)])
    if role is None:
        raise AnnotaryError(f"no role with id {role_id}")
    if role.event_type_id != event.event_type_id:
        other = session.get_one(EventType, event.event_type_id)
        raise AnnotaryError(f"{other.name} events have no role {role.name!r}")
    etype = role.event_type
    filler: Mention | Event
    if mention_id is not None:
        filler = mention = _get(session, Mention, mention_id, "mention")
        what, shown = "mention", repr(mention.text)
        if not role_takes_mentions(role) or (role.accepts and mention.entity_type_id not in {t.id for t in role.accepts}):
            mtype = session.get_one(EntityType, mention.entity_type_id)
            raise AnnotaryError(f"{role.name} of {etype.name} accepts {_accepted(role)}, not {mtype.name}")
    else:
        filler = inner = _get(session, Event, known_id(argument_event_id), "event")
        itype = session.get_one(EventType, inner.event_type_id)
        what, shown = "event", f"this {itype.name} event"
        if inner.id == event.id:
            raise AnnotaryError("an event cannot be its own argument")
        if itype not in role.accepts_events:
            accepted = _accepted(role) or "any mention"
            raise AnnotaryError(f"{role.name} of {etype.name} accepts {accepted}, not {itype.name} events")
        if event.id in events_within(session, inner.id):
            raise AnnotaryError(f"this {itype.name} event already contains this {etype.name} event (as an "
                                "argument, directly or through others): an event cannot be its own argument")
    if filler.document_id != event.document_id:
        raise AnnotaryError(f"an argument must be {'an' if what == 'event' else 'a'} {what} in the same document "
                            "as its event")
    if filler.coder_id != event.coder_id:
        raise AnnotaryError(f"an argument must be {'an' if what == 'event' else 'a'} {what} by the same coder as "
                            "its event")
    existing = session.scalars(
        select(EventArgument).where(EventArgument.event_id == event_id, EventArgument.role_id == role_id)
    ).all()
    if any(a.mention_id == mention_id and a.argument_event_id == argument_event_id for a in existing):
        raise AnnotaryError(f"{shown} is already the {role.name} of this event")
    if existing and not role.repeatable:
        one = "one argument" if role.accepts_events and role_takes_mentions(role) else f"one {what}"
        raise AnnotaryError(f"{role.name} of {etype.name} takes {one} and is already filled")
    arg = EventArgument(event_id=event_id, role_id=role_id, mention_id=mention_id,
                        argument_event_id=argument_event_id)
    session.add(arg)
    event.modified_at = utcnow()
    session.flush()
    return arg


def known_id(ident: int | None) -> int:
    assert ident is not None
    return ident


def events_within(session: Session, event_id: int) -> set[int]:
    """The events that are arguments of `event_id`, directly or through other events."""
    found: set[int] = set()
    frontier = {event_id}
    while frontier:
        inner = set(session.scalars(select(EventArgument.argument_event_id).where(
            EventArgument.event_id.in_(frontier), EventArgument.argument_event_id.is_not(None))))
        frontier = {e for e in inner if e is not None} - found
        found |= frontier
    return found


def remove_argument(session: Session, argument_id: int) -> None:
    arg = _get(session, EventArgument, argument_id, "argument")
    event = session.get(Event, arg.event_id)
    session.delete(arg)
    if event is not None:
        event.modified_at = utcnow()
    session.flush()


def check_attribute_value(attr: Attribute, value: str) -> str:
    return validation.check_attribute_value(attr.name, json.loads(attr.values_json), value)


def _check_applies(attr: Attribute, type_name: str) -> None:
    applies = json.loads(attr.applies_to_json)
    if applies and type_name not in applies:
        raise AnnotaryError(f"{attr.name} does not apply to {type_name}")


def _store_value(session: Session, model: type, keys: dict[str, int], value: str | None) -> None:
    """Insert, update or (value None) delete the one row of `model` identified by `keys`."""
    row = session.scalar(select(model).filter_by(**keys))
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(model(**keys, value=value))
    else:
        row.value = value
        row.modified_at = utcnow()


def _set_attribute(session: Session, owner: Event | Mention, target: str, type_name: str,
                   attribute_id: int, value: str | None) -> None:
    attr = _get(session, Attribute, attribute_id, "attribute")
    if attr.target != target:
        other = "events" if target == "mention" else "mentions"
        raise AnnotaryError(f"{attr.name} is an attribute of {other}, not {target}s")
    if value is not None:
        _check_applies(attr, type_name)
        value = check_attribute_value(attr, value)
    model, key = (EventAttributeValue, "event_id") if target == "event" else (MentionAttributeValue, "mention_id")
    _store_value(session, model, {key: owner.id, "attribute_id": attribute_id}, value)
    owner.modified_at = utcnow()
    session.flush()


def set_event_attribute(session: Session, event_id: int, attribute_id: int, value: str | None) -> None:
    """Set (or with None, clear) an attribute of an event."""
    event = _get(session, Event, event_id, "event")
    _set_attribute(session, event, "event", session.get_one(EventType, event.event_type_id).name, attribute_id, value)


def inapplicable_mention_attributes(session: Session, mention_id: int) -> list[MentionAttributeValue]:
    """The mention's attribute values whose attribute does not apply to its (current) type."""
    mention = _get(session, Mention, mention_id, "mention")
    type_name = session.get_one(EntityType, mention.entity_type_id).name
    out = []
    for row in session.scalars(select(MentionAttributeValue).where(MentionAttributeValue.mention_id == mention_id)):
        applies = json.loads(session.get_one(Attribute, row.attribute_id).applies_to_json)
        if applies and type_name not in applies:
            out.append(row)
    return out


def set_mention_attribute(session: Session, mention_id: int, attribute_id: int, value: str | None) -> None:
    """Set (or with None, clear) an attribute of a mention."""
    mention = _get(session, Mention, mention_id, "mention")
    _set_attribute(session, mention, "mention", session.get_one(EntityType, mention.entity_type_id).name,
                   attribute_id, value)


def check_code_value(code: DocumentCode, value: str) -> str:
    return validation.check_code_value(code.name, code.level, json.loads(code.values_json), value)


def set_document_code(session: Session, document_id: int, coder_id: int, code_id: int, value: str | None) -> None:
    _require_document(session, document_id)
    code = _get(session, DocumentCode, code_id, "document code")
    if value is not None:
        value = check_code_value(code, value)
    keys = {"document_id": document_id, "coder_id": coder_id, "code_id": code_id}
    _store_value(session, DocumentCodeValue, keys, value)
    if value is not None:
        touch_status(session, document_id, coder_id)
    session.flush()


def set_status(session: Session, document_id: int, coder_id: int, status: str | None) -> None:
    """Mark a document in progress or done for a coder; None means not started."""
    if status is not None and status not in STATUSES:
        raise AnnotaryError(f"status must be one of {', '.join(STATUSES)}")
    _require_document(session, document_id)
    row = session.scalar(
        select(DocumentStatus).where(DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id)
    )
    if status is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(DocumentStatus(document_id=document_id, coder_id=coder_id, status=status))
    else:
        row.status = status
        row.modified_at = utcnow()
    session.flush()
