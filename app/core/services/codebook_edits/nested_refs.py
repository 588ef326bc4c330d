"""Checks of codebook edits that protect stored data: what a role or a relation type may stop
accepting, or how a relation type may change, while stored arguments and relations rely on it.
Each refusal says how many annotations are in the way."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, aliased

from app.core.codebook.rows import (
    ENTITY,
    EVENT,
    RELATION,
    ROLE,
    ROLE_EVENTS,
    SOURCE_ACCEPTS,
    TARGET_ACCEPTS,
    CodebookRows,
)
from app.core.codebook.usage import Usage, plural, uses
from app.core.errors import CodebookError
from app.core.models import Event, EventArgument, Mention, Relation


def check_role_fillers(session: Session, rows: CodebookRows, role_id: int) -> None:
    """Every stored argument of the role is still accepted by it as `rows` define it: a mention of a
    type it accepts (any type when it accepts neither types nor events), an event of a type it accepts."""
    role = rows.get(ROLE, role_id)
    accepts, events = set(rows.accepted(role_id)), set(rows.linked(ROLE_EVENTS, role_id))
    takes_mentions = bool(accepts) or not events
    by_mention = (select(Mention.entity_type_id, func.count(), func.count(distinct(Event.document_id)))
                  .select_from(EventArgument).join(Event, Event.id == EventArgument.event_id)
                  .join(Mention, Mention.id == EventArgument.mention_id)
                  .where(EventArgument.role_id == role_id)
                  .group_by(Mention.entity_type_id).order_by(Mention.entity_type_id))
    for type_id, n, docs in session.execute(by_mention):
        if not takes_mentions or (accepts and type_id not in accepts):
            name = rows.get(ENTITY, type_id)["name"]
            raise CodebookError(f"{name} mentions fill {role['name']} in {uses(Usage(n, docs), 'event')}; "
                                f"{role['name']} must keep accepting {name}")
    filler = aliased(Event)
    by_event = (select(filler.event_type_id, func.count(), func.count(distinct(Event.document_id)))
                .select_from(EventArgument).join(Event, Event.id == EventArgument.event_id)
                .join(filler, filler.id == EventArgument.argument_event_id)
                .where(EventArgument.role_id == role_id)
                .group_by(filler.event_type_id).order_by(filler.event_type_id))
    for type_id, n, docs in session.execute(by_event):
        if type_id not in events:
            name = rows.get(EVENT, type_id)["name"]
            raise CodebookError(f"{name} events fill {role['name']} in {uses(Usage(n, docs), 'event')}; "
                                f"{role['name']} must keep accepting {name} events")


def nested_fillers(session: Session, role_ids: Iterable[int]) -> Usage:
    """Arguments of these roles that are events (nested events)."""
    count, docs = session.execute(
        select(func.count(), func.count(distinct(Event.document_id))).select_from(EventArgument)
        .join(Event, Event.id == EventArgument.event_id)
        .where(EventArgument.role_id.in_(list(role_ids)), EventArgument.argument_event_id.is_not(None))).one()
    return Usage(count or 0, docs or 0)


def check_relation_ends(session: Session, rows: CodebookRows, relation_type_id: int) -> None:
    """Every stored relation of the type still links mentions of types its ends accept."""
    rel = rows.get(RELATION, relation_type_id)
    for link, column, end in ((SOURCE_ACCEPTS, Relation.source_mention_id, "source"),
                              (TARGET_ACCEPTS, Relation.target_mention_id, "target")):
        accepted = set(rows.linked(link, relation_type_id))
        if not accepted:
            continue
        query = (select(Mention.entity_type_id, func.count(), func.count(distinct(Relation.document_id)))
                 .select_from(Relation).join(Mention, Mention.id == column)
                 .where(Relation.relation_type_id == relation_type_id)
                 .group_by(Mention.entity_type_id).order_by(Mention.entity_type_id))
        for type_id, n, docs in session.execute(query):
            if type_id not in accepted:
                name = rows.get(ENTITY, type_id)["name"]
                raise CodebookError(f"{name} mentions are the {end} of {plural(n, rel['name'] + ' relation')} in "
                                    f"{plural(docs, 'document')}; its {end} must keep accepting {name}")


def check_can_be_symmetric(session: Session, rows: CodebookRows, relation_type_id: int) -> None:
    """A symmetric type stores one relation per pair of mentions: refused while both directions are stored."""
    rel = rows.get(RELATION, relation_type_id)
    back = aliased(Relation)
    n, docs = session.execute(
        select(func.count(), func.count(distinct(Relation.document_id))).select_from(Relation)
        .join(back, (back.relation_type_id == Relation.relation_type_id)
              & (back.source_mention_id == Relation.target_mention_id)
              & (back.target_mention_id == Relation.source_mention_id) & (back.id > Relation.id))
        .where(Relation.relation_type_id == relation_type_id)).one()
    if n:
        raise CodebookError(f"{rel['name']} links {plural(n, 'pair')} of mentions both ways in "
                            f"{plural(docs, 'document')}; a symmetric relation is stored once per pair, so delete "
                            "one of each pair first")
