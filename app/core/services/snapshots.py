"""Row snapshots, so a deleted annotation can come back with the same ids (undo).

A mention's, event's or relation's snapshot holds the rows that hang from it and go with it
(the database cascades): its typed notes and external references too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
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


def _hold(session: Session, row: Base) -> None:
    """Keep the row for the rest of the unit of work (the session holds loaded rows weakly): the
    delete that follows a snapshot then finds it without reading it again."""
    session.info.setdefault("held", []).append(row)


def _present(session: Session, *queries: Select[Any]) -> list[bool]:
    """Which of these queries find rows, asked in one round trip (an undo of a fresh annotation
    usually has nothing hanging from it, and then needs no more queries)."""
    row = session.execute(select(*(exists(q).label(f"q{i}") for i, q in enumerate(queries)))).one()
    return [bool(v) for v in row]


def _extras(session: Session, row: Base, present: tuple[bool, bool] = (True, True)) -> list[tuple[type[Base], dict[str, Any]]]:
    """The typed notes and references of a mention, event or relation (they go with it); `present`
    says which of the two are known to be there."""
    column = {Mention: "mention_id", Event: "event_id", Relation: "relation_id"}.get(type(row))
    if column is None:
        return []
    owner = row.id  # type: ignore[attr-defined]  # every owner model has an integer id
    out: list[tuple[type[Base], dict[str, Any]]] = []
    if present[0]:
        out += [(AnnotationNote, _values(n)) for n in session.scalars(
            select(AnnotationNote).where(getattr(AnnotationNote, column) == owner).order_by(AnnotationNote.id))]
    if column != "relation_id" and present[1]:
        out += [(ExternalReference, _values(r)) for r in session.scalars(
            select(ExternalReference).where(getattr(ExternalReference, column) == owner)
            .order_by(ExternalReference.id))]
    return out


def snapshot_mention(session: Session, mention_id: int) -> Snapshot:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise AnnotaryError(f"no mention with id {mention_id}")
    _hold(session, mention)
    linked = (Relation.source_mention_id == mention_id) | (Relation.target_mention_id == mention_id)
    notes, refs, arguments, values, relations = _present(
        session, select(AnnotationNote.id).where(AnnotationNote.mention_id == mention_id),
        select(ExternalReference.id).where(ExternalReference.mention_id == mention_id),
        select(EventArgument.id).where(EventArgument.mention_id == mention_id),
        select(MentionAttributeValue.id).where(MentionAttributeValue.mention_id == mention_id),
        select(Relation.id).where(linked))
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Mention, _values(mention)), *_extras(session, mention, (notes, refs))]
    for model, column, there in ((EventArgument, EventArgument.mention_id, arguments),
                                 (MentionAttributeValue, MentionAttributeValue.mention_id, values)):
        if there:
            rows += [(model, _values(r)) for r in session.scalars(select(model).where(column == mention_id).order_by(model.id))]
    if relations:
        for relation in session.scalars(select(Relation).where(linked).order_by(Relation.id)):
            rows += [(Relation, _values(relation)), *_extras(session, relation)]
    return Snapshot(tuple(rows))


def snapshot_event(session: Session, event_id: int) -> Snapshot:
    event = session.get(Event, event_id)
    if event is None:
        raise AnnotaryError(f"no event with id {event_id}")
    _hold(session, event)
    notes, refs, arguments, values, fills = _present(
        session, select(AnnotationNote.id).where(AnnotationNote.event_id == event_id),
        select(ExternalReference.id).where(ExternalReference.event_id == event_id),
        select(EventArgument.id).where(EventArgument.event_id == event_id),
        select(EventAttributeValue.id).where(EventAttributeValue.event_id == event_id),
        select(EventArgument.id).where(EventArgument.argument_event_id == event_id))
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Event, _values(event)), *_extras(session, event, (notes, refs))]
    if arguments:
        rows += [(EventArgument, _values(a)) for a in event.arguments]
    if values:
        rows += [(EventAttributeValue, _values(a)) for a in event.attributes]
    if fills:  # the roles of other events that this event fills (nested events): deleted with it
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
