"""What a coder already has in a document, as signatures an import compares against.

An imported annotation identical to one the coder already has in that document is not
stored again (importing the same file twice adds nothing). Identical annotations are
counted: a file with two identical events adds two to a document with none and one to a
document with one (so an export imports back exactly, duplicates included):

* a mention is identified by its entity type, span and attribute values (not its note);
* an event by its type, trigger span (or none), arguments (role and the argument
  mention's signature) and attribute values (not its note).

Loading costs five indexed queries per document and coder, whatever the project holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.models import (
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
)

Values = frozenset[tuple[int, str]]  # (attribute id, stored value)
MentionKey = tuple[int, int, int, Values]  # entity type id, start, end, attribute values
EventKey = tuple[int, int | None, int | None, frozenset[tuple[int, MentionKey]], Values]


@dataclass
class Existing:
    """The coder's annotations of one document: mention signature → the ids of the mentions that
    have it (highest first, so `pop()` takes the oldest), and how many events have each signature."""

    mentions: dict[MentionKey, list[int]] = field(default_factory=dict)
    events: Counter[EventKey] = field(default_factory=Counter)


def load_existing(session: Session, document_id: int, coder_id: int) -> Existing:
    found = Existing()
    rows = session.execute(
        select(Mention.id, Mention.entity_type_id, Mention.start, Mention.end)
        .where(Mention.document_id == document_id, Mention.coder_id == coder_id)
    ).all()
    values: dict[int, set[tuple[int, str]]] = {}
    if rows:
        for mention_id, attribute_id, value in session.execute(
            select(MentionAttributeValue.mention_id, MentionAttributeValue.attribute_id, MentionAttributeValue.value)
            .join(Mention, Mention.id == MentionAttributeValue.mention_id)
            .where(Mention.document_id == document_id, Mention.coder_id == coder_id)
        ):
            values.setdefault(mention_id, set()).add((attribute_id, value))
    key_of: dict[int, MentionKey] = {}
    for mention_id, type_id, start, end in sorted(rows, reverse=True):
        key = (type_id, start, end, frozenset(values.get(mention_id, ())))
        key_of[mention_id] = key
        found.mentions.setdefault(key, []).append(mention_id)

    events = session.execute(
        select(Event.id, Event.event_type_id, Event.trigger_start, Event.trigger_end)
        .where(Event.document_id == document_id, Event.coder_id == coder_id)
    ).all()
    if not events:
        return found
    arguments: dict[int, set[tuple[int, MentionKey]]] = {}
    for event_id, role_id, arg_mention in session.execute(
        select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id)
        .join(Event, Event.id == EventArgument.event_id)
        .where(Event.document_id == document_id, Event.coder_id == coder_id,
               EventArgument.mention_id.is_not(None))  # roles filled by events: not imported yet
    ):
        if arg_mention is not None and arg_mention in key_of:
            arguments.setdefault(event_id, set()).add((role_id, key_of[arg_mention]))
    event_values: dict[int, set[tuple[int, str]]] = {}
    for owner_id, attribute_id, value in session.execute(
        select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value)
        .join(Event, Event.id == EventAttributeValue.event_id)
        .where(Event.document_id == document_id, Event.coder_id == coder_id)
    ):
        event_values.setdefault(owner_id, set()).add((attribute_id, value))
    for event_id, event_type_id, trigger_start, trigger_end in events:
        found.events[(event_type_id, trigger_start, trigger_end, frozenset(arguments.get(event_id, ())),
                      frozenset(event_values.get(event_id, ())))] += 1
    return found
