"""Row snapshots, so a deleted annotation can come back with the same ids (undo).

A mention's, event's or relation's snapshot holds the rows that hang from it and go with it
(the database cascades): its typed notes and external references too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import (
    AnnotationNote,
    Base,
    Event,
    EventArgument,
    EventAttributeValue,
    ExternalReference,
    Mention,
    MentionAttributeValue,
    Relation,
)


@dataclass(frozen=True)
class Snapshot:
    """Rows in insertion order (parents first)."""

    rows: tuple[tuple[type[Base], dict[str, Any]], ...]


def _values(row: Base) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}


def _extras(session: Session, row: Base) -> list[tuple[type[Base], dict[str, Any]]]:
    """The typed notes and references of a mention, event or relation (they go with it)."""
    column = {Mention: "mention_id", Event: "event_id", Relation: "relation_id"}.get(type(row))
    if column is None:
        return []
    owner = row.id  # type: ignore[attr-defined]  # every owner model has an integer id
    out: list[tuple[type[Base], dict[str, Any]]] = [
        (AnnotationNote, _values(n)) for n in session.scalars(
            select(AnnotationNote).where(getattr(AnnotationNote, column) == owner).order_by(AnnotationNote.id))]
    if column != "relation_id":
        out += [(ExternalReference, _values(r)) for r in session.scalars(
            select(ExternalReference).where(getattr(ExternalReference, column) == owner)
            .order_by(ExternalReference.id))]
    return out


def snapshot_mention(session: Session, mention_id: int) -> Snapshot:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise AnnotaryError(f"no mention with id {mention_id}")
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Mention, _values(mention)), *_extras(session, mention)]
    for model, column in ((EventArgument, EventArgument.mention_id), (MentionAttributeValue, MentionAttributeValue.mention_id)):
        rows += [(model, _values(r)) for r in session.scalars(select(model).where(column == mention_id))]
    for relation in session.scalars(select(Relation).where(
            (Relation.source_mention_id == mention_id) | (Relation.target_mention_id == mention_id))
            .order_by(Relation.id)):
        rows += [(Relation, _values(relation)), *_extras(session, relation)]
    return Snapshot(tuple(rows))


def snapshot_event(session: Session, event_id: int) -> Snapshot:
    event = session.get(Event, event_id)
    if event is None:
        raise AnnotaryError(f"no event with id {event_id}")
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Event, _values(event)), *_extras(session, event)]
    rows += [(EventArgument, _values(a)) for a in event.arguments]
    rows += [(EventAttributeValue, _values(a)) for a in event.attributes]
    # the roles of other events that this event fills (nested events): deleted with it
    rows += [(EventArgument, _values(a)) for a in session.scalars(
        select(EventArgument).where(EventArgument.argument_event_id == event_id).order_by(EventArgument.id))]
    return Snapshot(tuple(rows))


def filled_roles(snapshot: Snapshot) -> set[int]:
    """Events whose roles a snapshot's event or mention filled (they change when it goes or comes back)."""
    owner = snapshot.rows[0][1]["id"]
    key = "argument_event_id" if snapshot.rows[0][0] is Event else "mention_id"
    return {v["event_id"] for m, v in snapshot.rows if m is EventArgument and v[key] == owner}


def _parents_exist(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    if model is EventArgument:
        filler = (session.get(Mention, values["mention_id"]) if values["mention_id"] is not None
                  else session.get(Event, values["argument_event_id"]))
        return session.get(Event, values["event_id"]) is not None and filler is not None
    if model is Relation:
        return all(session.get(Mention, values[k]) is not None for k in ("source_mention_id", "target_mention_id"))
    if model in (AnnotationNote, ExternalReference):
        owners = ((Mention, "mention_id"), (Event, "event_id"), (Relation, "relation_id"))
        return any(values.get(key) is not None and session.get(owner, values[key]) is not None
                   for owner, key in owners)
    return True


def snapshot_row(row: Base) -> Snapshot:
    """One row; a mention, event or relation with its typed notes and references (they go with it)."""
    session = Session.object_session(row)
    extras = _extras(session, row) if session is not None else []
    return Snapshot(((type(row), _values(row)), *extras))


def restore(session: Session, snapshot: Snapshot) -> None:
    """Insert the rows again with their ids. Rows whose parent is gone meanwhile are skipped."""
    for model, values in snapshot.rows:
        if not _parents_exist(session, model, values):
            continue
        if session.get(model, values["id"]) is None:
            session.add(model(**values))
            session.flush()
