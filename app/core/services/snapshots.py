"""Row snapshots, so a deleted annotation can come back with the same ids (undo)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import (
    Base,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
)


@dataclass(frozen=True)
class Snapshot:
    """Rows in insertion order (parents first)."""

    rows: tuple[tuple[type[Base], dict[str, Any]], ...]


def _values(row: Base) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}


def snapshot_mention(session: Session, mention_id: int) -> Snapshot:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise AnnotaryError(f"no mention with id {mention_id}")
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Mention, _values(mention))]
    for model, column in ((EventArgument, EventArgument.mention_id), (MentionAttributeValue, MentionAttributeValue.mention_id)):
        rows += [(model, _values(r)) for r in session.scalars(select(model).where(column == mention_id))]
    return Snapshot(tuple(rows))


def snapshot_event(session: Session, event_id: int) -> Snapshot:
    event = session.get(Event, event_id)
    if event is None:
        raise AnnotaryError(f"no event with id {event_id}")
    rows: list[tuple[type[Base], dict[str, Any]]] = [(Event, _values(event))]
    rows += [(EventArgument, _values(a)) for a in event.arguments]
    rows += [(EventAttributeValue, _values(a)) for a in event.attributes]
    return Snapshot(tuple(rows))


def snapshot_row(row: Base) -> Snapshot:
    return Snapshot(((type(row), _values(row)),))


def restore(session: Session, snapshot: Snapshot) -> None:
    """Insert the rows again with their ids. Rows whose parent is gone meanwhile are skipped."""
    for model, values in snapshot.rows:
        if model is EventArgument and (
            session.get(Event, values["event_id"]) is None or session.get(Mention, values["mention_id"]) is None
        ):
            continue
        if session.get(model, values["id"]) is None:
            session.add(model(**values))
            session.flush()
