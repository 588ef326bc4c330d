"""The SQL behind each export sheet: Core selects whose rows are streamed, never ORM objects.

Every row query takes an optional coder id (only that coder's annotations) and
yields plain tuples in a stable order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    LargeBinary,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.core.models import (
    AnnotationNote,
    Attribute,
    Coder,
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
    ExternalReference,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
    relation_source_accepts,
    relation_target_accepts,
    role_accepts,
    role_accepts_events,
)

NOT_STARTED = "not_started"

_documents = Document.__table__
_coders = Coder.__table__
_status = DocumentStatus.__table__
_mentions = Mention.__table__
_events = Event.__table__
_arguments = EventArgument.__table__
_entity_types = EntityType.__table__
_event_types = EventType.__table__
_roles = EventRole.__table__
_attributes = Attribute.__table__
_codes = DocumentCode.__table__
_code_values = DocumentCodeValue.__table__
_event_attr_values = EventAttributeValue.__table__
_mention_attr_values = MentionAttributeValue.__table__
_relations = Relation.__table__
_relation_types = RelationType.__table__
_typed_notes = AnnotationNote.__table__
_references = ExternalReference.__table__


class _JoinedInOrder(FunctionElement[str]):
    """`joined_in_order(value, separator, order)`: the values of a group joined into one text in the
    order of `order`. SQLite's group_concat takes them as the owner column's index hands them over
    (the order they were stored); PostgreSQL's string_agg is told the order."""

    name = "joined_in_order"
    type = String()
    inherit_cache = True


@compiles(_JoinedInOrder)
def _joined_group_concat(element: _JoinedInOrder, compiler: Any, **kw: Any) -> str:
    value, separator, _order = list(element.clauses)
    return f"group_concat({compiler.process(value, **kw)}, {compiler.process(separator, **kw)})"


@compiles(_JoinedInOrder, "postgresql")
def _joined_string_agg(element: _JoinedInOrder, compiler: Any, **kw: Any) -> str:
    value, separator, order = list(element.clauses)
    return (f"string_agg({compiler.process(value, **kw)}, {compiler.process(separator, **kw)} "
            f"ORDER BY {compiler.process(order, **kw)})")


def typed_notes_cell(owner_column: str, owner_id: Any) -> Any:
    """An owner's typed notes in one cell, ``Lemma: word; Source: press release`` (None: none),
    in the order they were stored."""
    n = _typed_notes
    return (select(_JoinedInOrder(n.c.type + ": " + n.c.text, literal("; "), n.c.id))
            .where(n.c[owner_column] == owner_id).scalar_subquery())


def references_cell(owner_column: str, owner_id: Any) -> Any:
    """An owner's external references in one cell, ``Wikipedia:534366; UniProt:P12345`` (None: none)."""
    r = _references
    return (select(_JoinedInOrder(r.c.resource + ":" + r.c.identifier, literal("; "), r.c.id))
            .where(r.c[owner_column] == owner_id).scalar_subquery())


@dataclass(frozen=True)
class AttributeColumn:
    """An attribute exported as a column of the Mentions or Events sheet."""

    id: int
    name: str
    column: str


def snake_case(name: str) -> str:
    """`Modality` -> `modality`, `Is negated?` -> `is_negated`; never empty."""
    out = re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")
    return out or "attribute"


def attribute_columns(conn: Connection, target: str, taken: set[str]) -> list[AttributeColumn]:
    """The attributes of `target` ("event" or "mention") with unique snake_case column names."""
    used = set(taken)
    out = []
    stmt = (
        select(_attributes.c.id, _attributes.c.name)
        .where(_attributes.c.target == target)
        .order_by(_attributes.c.position, _attributes.c.id)
    )
    for attr_id, name in conn.execute(stmt):
        column = snake_case(name)
        if column in used:
            column = f"attr_{column}"
        base, n = column, 1
        while column in used:
            n += 1
            column = f"{base}_{n}"
        used.add(column)
        out.append(AttributeColumn(attr_id, name, column))
    return out


def stream(conn: Connection, stmt: Select[Any], chunk: int) -> Iterator[Sequence[Sequence[Any]]]:
    """The statement's rows in lists of at most `chunk` tuples, fetched as they are needed."""
    result = conn.execute(stmt.execution_options(yield_per=chunk))
    try:
        yield from result.partitions(chunk)
    finally:
        result.close()


def _count(conn: Connection, table: Any, where: ColumnElement[bool] | None = None) -> int:
    stmt = select(func.count()).select_from(table)
    if where is not None:
        stmt = stmt.where(where)
    return int(conn.scalar(stmt) or 0)


def row_counts(conn: Connection, coder_id: int | None) -> dict[str, int]:
    """Rows each data sheet will have (for progress and for the About sheet)."""
    by = (lambda col: col == coder_id) if coder_id is not None else (lambda col: None)
    return {
        "documents": _count(conn, _documents),
        "mentions": _count(conn, _mentions, by(_mentions.c.coder_id)),
        "events": _count(conn, _events, by(_events.c.coder_id)),
        "arguments": _count(
            conn, _arguments.join(_events, _arguments.c.event_id == _events.c.id), by(_events.c.coder_id)
        ),
        "relations": _count(conn, _relations, by(_relations.c.coder_id)),
        "codes": _count(conn, _code_values, by(_code_values.c.coder_id)),
    }


# Documents ----------------------------------------------------------------------------------

def document_statuses(conn: Connection) -> dict[int, str]:
    """Per document, every coder's status, e.g. "alice: done; bob: in_progress"."""
    stmt = (
        select(_status.c.document_id, _coders.c.name, _status.c.status)
        .join_from(_status, _coders, _status.c.coder_id == _coders.c.id)
        .order_by(_status.c.document_id, _coders.c.name)
    )
    out: dict[int, list[str]] = {}
    for doc_id, coder, status in conn.execute(stmt):
        out.setdefault(doc_id, []).append(f"{coder}: {status}")
    return {doc_id: "; ".join(items) for doc_id, items in out.items()}


def documents_query(coder_id: int | None) -> Select:
    """document_id, title, language, direction, filename, chars, sha256, status, text.

    The status is the coder's own with a coder, otherwise NULL (filled in from
    `document_statuses`)."""
    d = _documents
    if coder_id is None:
        return select(
            d.c.id, d.c.title, d.c.language, d.c.direction, d.c.filename, d.c.chars, d.c.sha256,
            null(), d.c.text,
        ).order_by(d.c.id)
    return (
        select(
            d.c.id, d.c.title, d.c.language, d.c.direction, d.c.filename, d.c.chars, d.c.sha256,
            func.coalesce(_status.c.status, NOT_STARTED), d.c.text,
        )
        .select_from(d)
        .outerjoin(_status, and_(_status.c.document_id == d.c.id, _status.c.coder_id == coder_id))
        .order_by(d.c.id)
    )


def long_texts_query(min_units: int) -> Select:
    """Id and text of every document that may be longer than `min_units` UTF-16 units.

    Compares the UTF-8 byte length, never smaller than the UTF-16 length (SQLite's
    length() of a text stops at a NUL character)."""
    return select(_documents.c.id, _documents.c.text).where(
        func.length(cast(_documents.c.text, LargeBinary)) > min_units
    )


# Annotations -------------------------------------------------------------------------------

def document_titles(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(_documents.c.id, _documents.c.title)).all())


class DocumentTexts:
    """The text of one document at a time, read when a different document is asked for
    (for rows that come in document order)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._id: int | None = None
        self._text = ""

    def get(self, document_id: int) -> str:
        if document_id != self._id:
            text = self.conn.scalar(select(_documents.c.text).where(_documents.c.id == document_id))
            self._id, self._text = document_id, text or ""
        return self._text


def mentions_query(coder_id: int | None, attrs: list[AttributeColumn], with_title: bool = True) -> Select:
    """mention_id, document_id, document_title, coder, type, start, end, text, created, note,
    notes (typed notes), external_refs, then one value per mention attribute.

    Without the title (`with_title=False`) the caller adds it from `document_titles`:
    one string per document instead of one per mention row is much less to read."""
    m = _mentions
    stmt = select(m.c.id, m.c.document_id)
    joined = m.join(_coders, m.c.coder_id == _coders.c.id).join(
        _entity_types, m.c.entity_type_id == _entity_types.c.id
    )
    if with_title:
        stmt = stmt.add_columns(_documents.c.title)
        joined = joined.join(_documents, m.c.document_id == _documents.c.id)
    stmt = stmt.add_columns(
        _coders.c.name, _entity_types.c.name, m.c.start, m.c.end, m.c.text, m.c.created_at, m.c.note,
        typed_notes_cell("mention_id", m.c.id), references_cell("mention_id", m.c.id),
    )
    for attr in attrs:
        v = _mention_attr_values.alias(f"mav_{attr.id}")
        joined = joined.outerjoin(v, and_(v.c.mention_id == m.c.id, v.c.attribute_id == attr.id))
        stmt = stmt.add_columns(v.c.value)
    stmt = stmt.select_from(joined)
    if coder_id is not None:
        stmt = stmt.where(m.c.coder_id == coder_id)
    return stmt.order_by(m.c.document_id, m.c.start, m.c.end, m.c.id)


def events_query(coder_id: int | None, attrs: list[AttributeColumn]) -> Select:
    """event_id, document_id, coder, type, trigger_start, trigger_end, trigger_text,
    one value per event attribute, created, note, notes (typed notes), external_refs."""
    e = _events
    joined = e.join(_coders, e.c.coder_id == _coders.c.id).join(
        _event_types, e.c.event_type_id == _event_types.c.id
    )
    values = []
    for attr in attrs:
        v = _event_attr_values.alias(f"eav_{attr.id}")
        joined = joined.outerjoin(v, and_(v.c.event_id == e.c.id, v.c.attribute_id == attr.id))
        values.append(v.c.value)
    stmt = select(
        e.c.id, e.c.document_id, _coders.c.name, _event_types.c.name,
        e.c.trigger_start, e.c.trigger_end, e.c.trigger_text, *values, e.c.created_at, e.c.note,
        typed_notes_cell("event_id", e.c.id), references_cell("event_id", e.c.id),
    ).select_from(joined)
    if coder_id is not None:
        stmt = stmt.where(e.c.coder_id == coder_id)
    return stmt.order_by(e.c.document_id, e.c.trigger_start, e.c.id)


def arguments_query(coder_id: int | None) -> Select:
    """event_id, role, mention_id, text, mention_type, argument_event_id. An argument that is an
    event (nested events) has no mention_id nor mention_type; its text is the event's type and
    trigger, as the app shows it (`Reassignment “reassign”`)."""
    a = _arguments
    inner = _events.alias("argument_event")
    inner_type = _event_types.alias("argument_event_type")
    text = case(
        (a.c.mention_id.is_not(None), _mentions.c.text),
        (inner.c.trigger_text.is_(None), inner_type.c.name + " (no trigger)"),
        else_=inner_type.c.name + " “" + inner.c.trigger_text + "”",
    )
    stmt = (
        select(a.c.event_id, _roles.c.name, a.c.mention_id, text, _entity_types.c.name, a.c.argument_event_id)
        .select_from(
            a.join(_events, a.c.event_id == _events.c.id)
            .join(_roles, a.c.role_id == _roles.c.id)
            .outerjoin(_mentions, a.c.mention_id == _mentions.c.id)
            .outerjoin(_entity_types, _mentions.c.entity_type_id == _entity_types.c.id)
            .outerjoin(inner, a.c.argument_event_id == inner.c.id)
            .outerjoin(inner_type, inner.c.event_type_id == inner_type.c.id)
        )
    )
    if coder_id is not None:
        stmt = stmt.where(_events.c.coder_id == coder_id)
    return stmt.order_by(a.c.event_id, _roles.c.position, _mentions.c.start, a.c.id)


def relations_query(coder_id: int | None) -> Select:
    """relation_id, document_id, coder, type, source_mention_id, source_text, source_start, source_end,
    target_mention_id, target_text, target_start, target_end, symmetric, created, note, notes (typed
    notes)."""
    r = _relations
    source, target = _mentions.alias("source"), _mentions.alias("target")
    stmt = (
        select(r.c.id, r.c.document_id, _coders.c.name, _relation_types.c.name,
               r.c.source_mention_id, source.c.text, source.c.start, source.c.end,
               r.c.target_mention_id, target.c.text, target.c.start, target.c.end,
               _relation_types.c.symmetric, r.c.created_at, r.c.note, typed_notes_cell("relation_id", r.c.id))
        .select_from(
            r.join(_coders, r.c.coder_id == _coders.c.id)
            .join(_relation_types, r.c.relation_type_id == _relation_types.c.id)
            .join(source, r.c.source_mention_id == source.c.id)
            .join(target, r.c.target_mention_id == target.c.id)
        )
    )
    if coder_id is not None:
        stmt = stmt.where(r.c.coder_id == coder_id)
    return stmt.order_by(r.c.document_id, source.c.start, r.c.id)


def codes_query(coder_id: int | None) -> Select:
    """document_id, coder, code, value, level (the level is not a column of the sheet)."""
    v = _code_values
    stmt = (
        select(v.c.document_id, _coders.c.name, _codes.c.name, v.c.value, _codes.c.level)
        .select_from(
            v.join(_coders, v.c.coder_id == _coders.c.id).join(_codes, v.c.code_id == _codes.c.id)
        )
    )
    if coder_id is not None:
        stmt = stmt.where(v.c.coder_id == coder_id)
    return stmt.order_by(v.c.document_id, _coders.c.name, _codes.c.position, _codes.c.id)


# Codebook ----------------------------------------------------------------------------------

CODEBOOK_COLUMNS = (
    "kind", "id", "name", "parent", "column", "target", "applies_to", "accepts", "repeatable",
    "level", "values", "color", "hotkey", "definition",
)
LIST_SEPARATOR = "; "


def codebook_rows(
    conn: Connection, mention_attrs: list[AttributeColumn], event_attrs: list[AttributeColumn]
) -> list[tuple[Any, ...]]:
    """One row per entity type, event type, role, attribute and document code (CODEBOOK_COLUMNS)."""
    rows: list[tuple[Any, ...]] = []
    et = _entity_types
    for id_, name, color, hotkey, definition in conn.execute(
        select(et.c.id, et.c.name, et.c.color, et.c.hotkey, et.c.definition).order_by(et.c.position, et.c.id)
    ):
        rows.append(("entity_type", id_, name, None, None, None, None, None, None, None, None,
                     color, hotkey, definition))

    accepts: dict[int, list[str]] = {}
    for role_id, type_name in conn.execute(
        select(role_accepts.c.role_id, et.c.name)
        .join_from(role_accepts, et, role_accepts.c.entity_type_id == et.c.id)
        .order_by(role_accepts.c.role_id, et.c.position, et.c.id)
    ):
        accepts.setdefault(role_id, []).append(type_name)
    for role_id, type_name in conn.execute(  # event types whose events fill the role (nested events)
        select(role_accepts_events.c.role_id, _event_types.c.name)
        .join_from(role_accepts_events, _event_types, role_accepts_events.c.event_type_id == _event_types.c.id)
        .order_by(role_accepts_events.c.role_id, _event_types.c.position, _event_types.c.id)
    ):
        accepts.setdefault(role_id, []).append(f"{type_name} (event)")
    roles: dict[int, list[tuple[Any, ...]]] = {}
    r = _roles
    for id_, event_type_id, name, repeatable, definition in conn.execute(
        select(r.c.id, r.c.event_type_id, r.c.name, r.c.repeatable, r.c.definition).order_by(r.c.position, r.c.id)
    ):
        roles.setdefault(event_type_id, []).append((id_, name, bool(repeatable), definition))
    ev = _event_types
    for id_, name, color, hotkey, definition in conn.execute(
        select(ev.c.id, ev.c.name, ev.c.color, ev.c.hotkey, ev.c.definition).order_by(ev.c.position, ev.c.id)
    ):
        rows.append(("event_type", id_, name, None, None, None, None, None, None, None, None,
                     color, hotkey, definition))
        for role_id, role_name, repeatable, role_definition in roles.get(id_, []):
            rows.append(("role", role_id, role_name, name, None, None, None,
                         LIST_SEPARATOR.join(accepts.get(role_id, [])), repeatable, None, None,
                         None, None, role_definition))

    columns = {a.id: a.column for a in mention_attrs + event_attrs}
    at = _attributes
    for id_, name, target, values_json, applies_json, definition in conn.execute(
        select(at.c.id, at.c.name, at.c.target, at.c.values_json, at.c.applies_to_json, at.c.definition)
        .order_by(at.c.position, at.c.id)
    ):
        values = json.loads(values_json) or ["true"]  # a yes/no flag is stored as "true"
        rows.append(("attribute", id_, name, None, columns.get(id_), target,
                     LIST_SEPARATOR.join(json.loads(applies_json)), None, None, None,
                     LIST_SEPARATOR.join(values), None, None, definition))

    rt = _relation_types
    ends: dict[tuple[int, str], list[str]] = {}
    for end, table in (("source", relation_source_accepts), ("target", relation_target_accepts)):
        for type_id, type_name in conn.execute(
            select(table.c.relation_type_id, et.c.name).join_from(table, et, table.c.entity_type_id == et.c.id)
            .order_by(table.c.relation_type_id, et.c.position, et.c.id)
        ):
            ends.setdefault((type_id, end), []).append(type_name)
    for id_, name, color, hotkey, definition, symmetric in conn.execute(
        select(rt.c.id, rt.c.name, rt.c.color, rt.c.hotkey, rt.c.definition, rt.c.symmetric)
        .order_by(rt.c.position, rt.c.id)
    ):
        accepted = " → ".join(f"{end}: {LIST_SEPARATOR.join(ends.get((id_, end), [])) or 'any'}"
                              for end in ("source", "target")) + (" (symmetric)" if symmetric else "")
        rows.append(("relation_type", id_, name, None, None, None, None, accepted,
                     None, None, None, color, hotkey, definition))

    c = _codes
    for id_, name, level, values_json, definition in conn.execute(
        select(c.c.id, c.c.name, c.c.level, c.c.values_json, c.c.definition).order_by(c.c.position, c.c.id)
    ):
        rows.append(("document_code", id_, name, None, None, None, None, None, None, level,
                     LIST_SEPARATOR.join(json.loads(values_json)), None, None, definition))
    return rows
