"""The numbers of the standard figures, one `Table` per figure, counted by SQL from the project.

Whose annotations count (said in every table's title):

* ``coder=None``: the work of every coder except ``gold`` (the adjudicated set), summed. With
  several coders each coder's annotations count: a mention two coders both marked counts
  twice. That is the coded dataset as the coders left it; for one adjudicated dataset ask for
  ``coder="gold"``, for one person's work their name.
* ``coder=NAME``: only that coder's annotations (``gold`` included, by name).

Every annotation in the project counts, whatever its document's status (done or in progress).
Agreement per type (`agreement_by_type`) is the exception: it compares, as ``annotary
agreement`` does, the coders who worked (all but gold) on the documents every one of them marked
done; it is left out when a coder is chosen or fewer than two coders worked.

Rows hold the stored, logical text (never reshaped for display); the CSV written beside each
figure is exactly `Table.columns` then `Table.rows`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.core.models import (
    Attribute,
    Coder,
    Document,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
)
from app.core.project import Project
from app.core.services.coders import GOLD, find_coder

TOP_N = 10
"""How many mention texts `top_mention_texts` keeps per entity type."""
MODALITY = "Modality"
"""The event attribute `events_by_type_and_modality` counts (the default codebook's)."""
NO_VALUE = "(none)"


@dataclass(frozen=True)
class Table:
    stem: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


def figure_tables(project: Project, coder: str | None = None) -> list[Table]:
    """One Table per standard figure, in the order a report shows them (see the module docstring)."""
    with project.read() as s:
        coder_ids, whose = _coders(s, coder)
        tables = [
            _mentions_by_type_and_language(s, coder_ids, whose),
            _events_by_type_and_modality(s, coder_ids, whose),
            _top_mention_texts(s, coder_ids, whose),
            _event_roles_filled(s, coder_ids, whose),
        ]
    if coder is None:
        from app.core.analysis.agreement_by_type import agreement_by_type

        table = agreement_by_type(project)
        if table is not None:
            tables.append(table)
    return tables


def _coders(s: Session, coder: str | None) -> tuple[list[int], str]:
    """The ids of the coders whose annotations count, and how a title names them."""
    if coder is not None:
        found = find_coder(s, coder)
        return [found.id], f"coder {found.name}"
    rows = s.execute(select(Coder.id, Coder.name).where(Coder.name != GOLD).order_by(Coder.name)).all()
    with_work = set(s.scalars(select(Mention.coder_id).distinct())) | set(s.scalars(select(Event.coder_id).distinct()))
    names = [n for i, n in rows if i in with_work]
    if len(names) > 1:
        whose = f"all {len(names)} coders ({', '.join(names)}; gold left out), each coder's annotations counted"
    elif names:
        whose = f"coder {names[0]} (the only coder with annotations; gold left out)"
    else:
        whose = "no annotations yet (gold left out)"
    return [i for i, _ in rows], whose


def _mentions_by_type_and_language(s: Session, coder_ids: list[int], whose: str) -> Table:
    rows = s.execute(
        select(EntityType.name, Document.language, func.count(Mention.id))
        .join(Mention, Mention.entity_type_id == EntityType.id)
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.coder_id.in_(coder_ids))
        .group_by(EntityType.id, EntityType.name, EntityType.position, Document.language)
        .order_by(EntityType.position, EntityType.name, Document.language)
    ).all()
    return Table("mentions_by_type_and_language", f"Mentions by entity type and document language — {whose}",
                 ("entity_type", "language", "count"), tuple(tuple(r) for r in rows))


def _events_by_type_and_modality(s: Session, coder_ids: list[int], whose: str) -> Table:
    modality = s.scalar(select(Attribute.id).where(Attribute.target == "event", Attribute.name == MODALITY))
    found = s.execute(
        select(EventType.position, EventType.name, EventAttributeValue.value, func.count(Event.id))
        .join(Event, Event.event_type_id == EventType.id)
        .outerjoin(EventAttributeValue, and_(EventAttributeValue.event_id == Event.id,
                                             EventAttributeValue.attribute_id == modality))
        .where(Event.coder_id.in_(coder_ids))
        .group_by(EventType.id, EventType.position, EventType.name, EventAttributeValue.value)
    ).all()
    rows = sorted((position, name, NO_VALUE if value is None else value, count)
                  for position, name, value, count in found)
    return Table("events_by_type_and_modality",
                 f"Events by event type and {MODALITY} ({NO_VALUE} = not set) — {whose}",
                 ("event_type", "modality", "count"), tuple(r[1:] for r in rows))


def _top_mention_texts(s: Session, coder_ids: list[int], whose: str) -> Table:
    n = func.count(Mention.id)
    rows = s.execute(
        select(EntityType.name, Document.language, Mention.text, n)
        .join(Mention, Mention.entity_type_id == EntityType.id)
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.coder_id.in_(coder_ids))
        .group_by(EntityType.id, EntityType.name, EntityType.position, Document.language, Mention.text)
        .order_by(EntityType.position, EntityType.name, n.desc(), Document.language, Mention.text)
    ).all()
    kept: list[tuple[object, ...]] = []
    per_type: dict[str, int] = {}
    for type_name, language, text, count in rows:
        if per_type.get(type_name, 0) < TOP_N:
            per_type[type_name] = per_type.get(type_name, 0) + 1
            kept.append((type_name, language, text, count))
    return Table("top_mention_texts",
                 f"The {TOP_N} most frequent mention texts per entity type (exact text, per document "
                 f"language; ties by language, then text) — {whose}",
                 ("entity_type", "language", "text", "count"), tuple(kept))


def _event_roles_filled(s: Session, coder_ids: list[int], whose: str) -> Table:
    """Per event type that has events and each of its roles: events with at least one argument in
    the role (filled) and without (empty); filled + empty = the type's events."""
    totals = dict(s.execute(
        select(Event.event_type_id, func.count(Event.id)).where(Event.coder_id.in_(coder_ids))
        .group_by(Event.event_type_id)).all())
    filled = {(t, r): n for t, r, n in s.execute(
        select(Event.event_type_id, EventArgument.role_id, func.count(func.distinct(Event.id)))
        .join(EventArgument, EventArgument.event_id == Event.id)
        .where(Event.coder_id.in_(coder_ids))
        .group_by(Event.event_type_id, EventArgument.role_id))}
    rows: list[tuple[object, ...]] = []
    for type_id, type_name, role_id, role_name in s.execute(
        select(EventType.id, EventType.name, EventRole.id, EventRole.name)
        .join(EventRole, EventRole.event_type_id == EventType.id)
        .order_by(EventType.position, EventType.name, EventRole.position, EventRole.name)
    ):
        if type_id in totals:
            got = filled.get((type_id, role_id), 0)
            rows.append((type_name, role_name, got, totals[type_id] - got))
    return Table("event_roles_filled",
                 f"Event roles filled (at least one argument) and empty, per event — {whose}",
                 ("event_type", "role", "filled", "empty"), tuple(rows))


def coders_with_work(project: Project) -> list[str]:
    """The coders (gold included) who made mentions or events, by name: the choices of one coder's figures."""
    with project.read() as s:
        ids = set(s.scalars(select(Mention.coder_id).distinct())) | set(s.scalars(select(Event.coder_id).distinct()))
        return [name for i, name in s.execute(select(Coder.id, Coder.name).order_by(Coder.name)) if i in ids]
