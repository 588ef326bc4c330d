"""What a coder already has in a document, as signatures an import compares against.

An imported annotation identical to one the coder already has in that document is not
stored again (importing the same file twice adds nothing). Identical annotations are
counted: a file with two identical events adds two to a document with none and one to a
document with one (so an export imports back exactly, duplicates included):

* a mention is identified by its entity type, span and attribute values (not its note);
* an event by its type, trigger span (or none), arguments (role and the argument
  mention's signature, or for a nested event the argument event's signature) and
  attribute values (not its note);
* a relation by its type and its ends' signatures; a relation of a transitive type
  (an equivalence) that links two mentions already equivalent is not stored either.

Typed notes and references are not part of a signature: those of a skipped annotation that
the stored one lacks are added to it (see `plan_store`), so a second import adds nothing.

Loading costs five indexed queries per document and coder, whatever the project holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.models import (
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    Relation,
)

Values = frozenset[tuple[int, str]]  # (attribute id, stored value)
MentionKey = tuple[int, int, int, Values]  # entity type id, start, end, attribute values
RelationKey = tuple[int, MentionKey, MentionKey]  # relation type id, source and target mention signatures
# type, trigger start and end, arguments, attribute values; an argument is (role id, ("m", mention key))
# or (role id, ("e", event key)): the event key nests (a nested event's signature holds its arguments')
EventKey = tuple[int, int | None, int | None, frozenset[tuple[int, tuple[str, object]]], Values]


@dataclass
class Existing:
    """The coder's annotations of one document: mention signature → the ids of the mentions that
    have it (highest first, so `pop()` takes the oldest), and the same for events."""

    mentions: dict[MentionKey, list[int]] = field(default_factory=dict)
    events: dict[EventKey, list[int]] = field(default_factory=dict)
    relations: dict[RelationKey, list[int]] = field(default_factory=dict)  # signature → ids, as for mentions
    links: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # relation type id → (source, target) ids


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

    for relation_id, type_id, source, target in session.execute(
        select(Relation.id, Relation.relation_type_id, Relation.source_mention_id, Relation.target_mention_id)
        .where(Relation.document_id == document_id, Relation.coder_id == coder_id).order_by(Relation.id.desc())
    ):
        if source in key_of and target in key_of:
            found.relations.setdefault((type_id, key_of[source], key_of[target]), []).append(relation_id)
        found.links.setdefault(type_id, []).append((source, target))

    events = session.execute(
        select(Event.id, Event.event_type_id, Event.trigger_start, Event.trigger_end)
        .where(Event.document_id == document_id, Event.coder_id == coder_id)
    ).all()
    if not events:
        return found
    arguments: dict[int, set[tuple[int, tuple[str, object]]]] = {}
    inner_events: dict[int, list[tuple[int, int]]] = {}  # event id → (role id, argument event id)
    for event_id, role_id, arg_mention, arg_event in session.execute(
        select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id,
               EventArgument.argument_event_id)
        .join(Event, Event.id == EventArgument.event_id)
        .where(Event.document_id == document_id, Event.coder_id == coder_id)
    ):
        if arg_mention is not None and arg_mention in key_of:
            arguments.setdefault(event_id, set()).add((role_id, ("m", key_of[arg_mention])))
        elif arg_event is not None:
            inner_events.setdefault(event_id, []).append((role_id, arg_event))
    event_values: dict[int, set[tuple[int, str]]] = {}
    for owner_id, attribute_id, value in session.execute(
        select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value)
        .join(Event, Event.id == EventAttributeValue.event_id)
        .where(Event.document_id == document_id, Event.coder_id == coder_id)
    ):
        event_values.setdefault(owner_id, set()).add((attribute_id, value))
    rows_by_id = {row[0]: row for row in events}
    event_key: dict[int, EventKey] = {}

    def signature(event_id: int) -> EventKey:
        """The signature of an event, its argument events' first. An argument event shared by
        several events (one also inside another) is still part of each one's signature; a cycle
        (which the services refuse) is cut where it closes."""
        stack = [(event_id, False)]
        open_: set[int] = set()  # expanded, not yet signed: the events on the path to the current one
        while stack:
            current, expanded = stack.pop()
            if current in event_key:
                continue
            if not expanded:
                open_.add(current)
                stack.append((current, True))
                stack += [(inner, False) for _, inner in inner_events.get(current, ())
                          if inner in rows_by_id and inner not in event_key and inner not in open_]
                continue
            open_.discard(current)
            _, type_id, start, end = rows_by_id[current]
            args = set(arguments.get(current, ()))
            args |= {(role_id, ("e", event_key[inner])) for role_id, inner in inner_events.get(current, ())
                     if inner in event_key}
            event_key[current] = (type_id, start, end, frozenset(args), frozenset(event_values.get(current, ())))
        return event_key[event_id]

    for event_id, *_ in sorted(events, reverse=True):
        found.events.setdefault(signature(event_id), []).append(event_id)
    return found
