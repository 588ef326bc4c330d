"""Storing an import plan (brat, doccano) in bulk: a few executemany inserts per document.

Going through the annotation services costs a query and a flush per mention
(about 1 ms: 40,000 mentions took 42 s). Here the plan is checked once, then
each table gets one plain ``INSERT`` executemany with explicit ids. The checks the
services make are made here, explicitly, before anything is inserted:

* every label, role, argument type and attribute value is in the codebook
  (`check_plan`; a type name that passed is looked up by name, never guessed);
* every span (mention or trigger) lies within the document text, with
  start < end, and the stored covered text is exactly ``text[start:end]``;
* an argument is a mention of the same document and coder as its event (true by
  construction: both come from this plan), and an owner has each attribute once.

Annotations the coder already has in the document are not stored again (see
`existing`: a mention of the same type, span and attribute values; an event of the
same type, trigger, arguments (nested events compared by their own signature) and
attribute values; a relation of the same type between the same mentions, or for a transitive
type between mentions already equivalent), and the coder's status of the document is set even
when the plan is empty. Typed notes and external references are stored with their owner; those
of an owner already there are added when that owner lacks them (so a second import adds nothing).

Any refusal is an AnnotationInputError naming the file and line; the caller (one
savepoint per file or line) then rolls back everything of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError, AnnotationInputError
from app.core.interchange.common import (
    CodebookIndex,
    Plan,
    PlannedAttribute,
    PlannedEvent,
    PlannedMention,
    PlannedReference,
    StoredCounts,
    _attribute_value,
    _fail,
    check_plan,
    event_order,
)
from app.core.interchange.existing import EventKey, MentionKey, load_existing
from app.core.models import (
    AnnotationNote,
    Document,
    DocumentStatus,
    Event,
    EventArgument,
    EventAttributeValue,
    ExternalReference,
    Mention,
    MentionAttributeValue,
    Relation,
)
from app.core.models.base import utcnow
from app.core.services.annotations import set_document_code, set_status, touch_status
from app.core.validation import check_span, normalise_name


def covered_text(text: str, start: Any, end: Any, what: str, path: Path, line: int | None) -> str:
    """``text[start:end]`` of a valid span (the services' check), else an error naming file and line."""
    try:
        return check_span(text, start, end, what)
    except AnnotaryError as exc:
        raise _fail(path, line, exc.message) from None


def normalise_plan(plan: Plan, index: CodebookIndex) -> None:
    """Names as the codebook spells them: NFC (the form it stores), and a name that differs only
    in case is the codebook's name ("PERSON" from a corpus is "Person")."""
    def entity(name: str) -> str:
        return index.spelled(index.entity_types, normalise_name(name))

    def attribute(target: str, name: str) -> str:
        return index.spelled([n for t, n in index.attributes if t == target], normalise_name(name))

    for m in plan.mentions:
        m.type_name = entity(m.type_name)
        for a in m.attributes:
            a.name = attribute("mention", a.name)
    for ev in plan.events:
        ev.type_name = index.spelled(index.event_types, normalise_name(ev.type_name))
        for arg in ev.arguments:
            arg.role = index.spelled(index.roles.get(ev.type_name, {}), normalise_name(arg.role))
        for a in ev.attributes:
            a.name = attribute("event", a.name)
    for code in plan.codes:
        code.name = index.spelled(index.codes, normalise_name(code.name))


_CHUNK = 50_000  # rows per executemany, so a long import can tell how far it got


def _insert(session: Session, model: type, rows: list[dict[str, Any]],
            tick: Callable[[float], None] | None = None) -> list[int]:
    """Insert `rows` with one plain executemany; their new ids, in the order of `rows`.

    The ids are given explicitly, following the largest one in the table: the unit of
    work holds the write lock from its start (BEGIN IMMEDIATE), so no other writer can
    take them, and a plain executemany is about twice as fast as one with RETURNING.
    The timestamps are the same for the whole batch (one import, one moment)."""
    if not rows:
        return []
    conn = session.connection()
    table = model.__table__  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        # no write lock covers the table on a server, and a coder's connection sees only their own
        # rows (row-level security): the ids come from the table's sequence, never from max(id)
        ids = list(conn.execute(sql_text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                {"t": table.name, "n": len(rows)}).scalars())
    else:
        first = (conn.scalar(select(func.max(model.id))) or 0) + 1  # type: ignore[attr-defined]
        ids = list(range(first, first + len(rows)))
    now = utcnow()
    stamps = {name: now for name in ("created_at", "modified_at") if name in table.columns}
    for ident, row in zip(ids, rows, strict=True):
        row["id"] = ident
        row.update(stamps)
    for at in range(0, len(rows), _CHUNK):
        conn.execute(insert(model), rows[at:at + _CHUNK])
        if tick is not None:
            tick(min(at + _CHUNK, len(rows)) / len(rows))
    return ids


def _values(index: CodebookIndex, target: str, attributes: list[PlannedAttribute],
            path: Path) -> list[tuple[int, str]]:
    """(attribute id, stored value) of an owner's attributes, each given once (else refused)."""
    seen: set[str] = set()
    out = []
    for attr in attributes:
        if attr.name in seen:
            raise _fail(path, attr.line, f"attribute {attr.name} is given twice for one {target}")
        seen.add(attr.name)
        out.append((index.attributes[(target, attr.name)].id, _attribute_value(index, target, attr, path)))
    return out


def _value_rows(owner_key: str, owner_id: int, values: list[tuple[int, str]],
                rows: list[dict[str, Any]]) -> None:
    rows.extend({owner_key: owner_id, "attribute_id": attribute_id, "value": value} for attribute_id, value in values)


class _Groups:
    """Mentions linked, directly or through others, by relations of one transitive type
    (union-find over mention ids)."""

    def __init__(self, links: list[tuple[int, int]]) -> None:
        self.parent: dict[int, int] = {}
        for source, target in links:
            self.join(source, target)

    def find(self, mention: int) -> int:
        root = mention
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while mention != root:
            self.parent[mention], mention = root, self.parent.get(mention, root)
        return root

    def same(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _store_extras(session: Session, document_id: int, coder_id: int,
                  owners: list[tuple[str, int, list[tuple[str, str]], list[PlannedReference]]],
                  new_owners: set[tuple[str, int]], counts: StoredCounts) -> None:
    """Insert the typed notes and references of the plan's owners; an owner that was there
    before the import gets only those it lacks (compared as multisets)."""
    old = [(column, owner) for column, owner, notes, refs in owners
           if (notes or refs) and (column, owner) not in new_owners]
    had_notes: dict[tuple[str, int], Counter[tuple[str, str]]] = {}
    had_refs: dict[tuple[str, int], Counter[PlannedReference]] = {}
    if old:
        for column, model in (("mention_id", Mention), ("event_id", Event), ("relation_id", Relation)):
            mine = (model.document_id == document_id, model.coder_id == coder_id)
            for note in session.scalars(select(AnnotationNote).join(
                    model, model.id == getattr(AnnotationNote, column)).where(*mine)):
                had_notes.setdefault((column, getattr(note, column)), Counter())[(note.type, note.text)] += 1
            if column == "relation_id":
                continue
            for ref in session.scalars(select(ExternalReference).join(
                    model, model.id == getattr(ExternalReference, column)).where(*mine)):
                key = PlannedReference(ref.type, ref.resource, ref.identifier, ref.text)
                had_refs.setdefault((column, getattr(ref, column)), Counter())[key] += 1
    note_rows: list[dict[str, Any]] = []
    ref_rows: list[dict[str, Any]] = []
    for column, owner, notes, refs in owners:
        seen_notes = had_notes.get((column, owner), Counter())
        for kind, text in notes:
            if seen_notes[(kind, text)] > 0:
                seen_notes[(kind, text)] -= 1
                continue
            note_rows.append({"mention_id": None, "event_id": None, "relation_id": None, column: owner,
                              "type": kind, "text": text})
        seen_refs = had_refs.get((column, owner), Counter())
        for planned in refs:
            if seen_refs[planned] > 0:
                seen_refs[planned] -= 1
                continue
            ref_rows.append({"mention_id": None, "event_id": None, column: owner, "type": planned.type,
                             "resource": planned.resource, "identifier": planned.identifier, "text": planned.text})
    counts.notes += len(_insert(session, AnnotationNote, note_rows))
    counts.references = len(_insert(session, ExternalReference, ref_rows))


def store_plan(
    session: Session, index: CodebookIndex, plan: Plan, path: Path, document_id: int, coder_id: int,
    hint: str = "the codebook", tick: Callable[[float], None] | None = None,
    status: str | None = None, mark_status: bool = True,
) -> StoredCounts:
    """Check `plan` (codebook: `check_plan`; spans: `covered_text`), then insert it in bulk.

    A mention or event identical to one the coder already has in the document (see
    `existing`; each one there matches one of the plan) is not stored again: it is counted
    as skipped, and an event of the plan using such a mention uses the one stored.
    With `mark_status` the coder's status of the document is set to `status`
    ("in_progress" or "done"; None: in progress unless already marked), whether or not
    the plan holds anything (a coder who found nothing has coded the document too).
    `tick(fraction)` follows the mention rows, which are most of the work. The caller
    brings the search index up to date (`sync_search_index`) once, after its documents."""
    normalise_plan(plan, index)
    check_plan(index, plan, path, hint)
    document = session.get(Document, document_id)
    if document is None:
        raise _fail(path, None, f"no document with id {document_id}")
    text = document.text
    counts = StoredCounts()
    existing = load_existing(session, document_id, coder_id)

    signature: dict[str, MentionKey] = {}  # plan key → the mention's signature
    stored: dict[str, int] = {}  # plan key → the id of the mention it is (found or inserted)
    new_mentions: list[tuple[PlannedMention, list[tuple[int, str]]]] = []
    mention_rows = []
    for m in plan.mentions:
        type_id = index.entity_types[m.type_name].id
        covered = covered_text(text, m.start, m.end, "mention", path, m.line)
        values = _values(index, "mention", m.attributes, path)
        key = signature[m.key] = (type_id, m.start, m.end, frozenset(values))
        same = existing.mentions.get(key)
        if same:  # one the coder has, not yet matched to another of this plan
            stored[m.key] = same.pop()
            counts.skipped_mentions += 1
            continue
        new_mentions.append((m, values))
        mention_rows.append({
            "document_id": document_id, "coder_id": coder_id, "entity_type_id": type_id,
            "start": m.start, "end": m.end, "note": m.note, "text": covered,
        })
    event_rows = []
    new_events: list[tuple[PlannedEvent, list[tuple[int, str]]]] = []
    event_signature: dict[str, EventKey] = {}  # plan key → the event's signature
    stored_events: dict[str, int] = {}  # plan key → the id of an event found already there
    for ev in event_order(plan, path):  # nested events before the events they fill a role of
        roles = index.roles[ev.type_name]
        type_id = index.event_types[ev.type_name].id
        row: dict[str, Any] = {"document_id": document_id, "coder_id": coder_id, "event_type_id": type_id,
                               "note": ev.note, "trigger_start": None, "trigger_end": None, "trigger_text": None}
        trigger: tuple[int | None, int | None] = (None, None)
        if ev.trigger is not None:
            trigger = start, end = ev.trigger
            row.update(trigger_start=start, trigger_end=end,
                       trigger_text=covered_text(text, start, end, "trigger", path, ev.line))
        values = _values(index, "event", ev.attributes, path)
        arguments = frozenset(
            (roles[arg.role].id, ("e", event_signature[arg.mention_key]) if arg.event
             else ("m", signature[arg.mention_key]))
            for arg in ev.arguments)
        event_key: EventKey = (type_id, *trigger, arguments, frozenset(values))
        event_signature[ev.key] = event_key
        same_events = existing.events.get(event_key)
        if same_events:
            stored_events[ev.key] = same_events.pop()
            counts.skipped_events += 1
            continue
        new_events.append((ev, values))
        event_rows.append(row)

    mention_ids = _insert(session, Mention, mention_rows, tick)
    attribute_rows: list[dict[str, Any]] = []
    for (m, values), mention_id in zip(new_mentions, mention_ids):
        stored[m.key] = mention_id
        counts.notes += bool(m.note)
        counts.attributes += len(values)
        _value_rows("mention_id", mention_id, values, attribute_rows)
    counts.mentions = len(mention_ids)
    _insert(session, MentionAttributeValue, attribute_rows)

    event_ids = _insert(session, Event, event_rows)
    stored_events.update((ev.key, event_id) for (ev, _), event_id in zip(new_events, event_ids))
    argument_rows: list[dict[str, Any]] = []
    attribute_rows = []
    for (ev, values), event_id in zip(new_events, event_ids):
        counts.notes += bool(ev.note)
        roles = index.roles[ev.type_name]
        for arg in ev.arguments:
            argument_rows.append({
                "event_id": event_id, "role_id": roles[arg.role].id,
                "mention_id": None if arg.event else stored[arg.mention_key],
                "argument_event_id": stored_events[arg.mention_key] if arg.event else None,
            })
        counts.attributes += len(values)
        _value_rows("event_id", event_id, values, attribute_rows)
    counts.events = len(event_ids)
    _insert(session, EventArgument, argument_rows)
    _insert(session, EventAttributeValue, attribute_rows)

    relation_rows: list[dict[str, Any]] = []
    new_relations: list[str] = []
    stored_relations: dict[str, int] = {}  # plan key → the id of a relation found already there
    groups: dict[int, _Groups] = {}  # transitive type id → its groups of equivalent mentions
    for rel in plan.relations:
        rtype = index.relation_types[rel.type_name]
        source, target = stored[rel.source_key], stored[rel.target_key]
        if rtype.transitive:
            if rtype.id not in groups:
                groups[rtype.id] = _Groups(existing.links.get(rtype.id, []))
            if groups[rtype.id].same(source, target):  # already equivalent (stored, or earlier in the plan)
                counts.skipped_relations += 1
                continue
        else:
            rkey = (rtype.id, signature[rel.source_key], signature[rel.target_key])
            if rtype.symmetric and not existing.relations.get(rkey):  # B↔A is the A↔B already stored
                rkey = (rtype.id, signature[rel.target_key], signature[rel.source_key])
            if existing.relations.get(rkey):
                stored_relations[rel.key] = existing.relations[rkey].pop()
                counts.skipped_relations += 1
                continue
        if source == target:  # two mentions of the plan that are one stored mention
            raise _fail(path, rel.line, f"relation {rel.key} links a mention to itself")
        if rtype.transitive:
            groups[rtype.id].join(source, target)
        new_relations.append(rel.key)
        relation_rows.append({"document_id": document_id, "coder_id": coder_id, "relation_type_id": rtype.id,
                              "source_mention_id": source, "target_mention_id": target, "note": rel.note})
        counts.notes += bool(rel.note)
    relation_ids = _insert(session, Relation, relation_rows)
    counts.relations = len(relation_ids)
    stored_relations.update(zip(new_relations, relation_ids))
    new_owners = {("mention_id", i) for i in mention_ids} | {("event_id", i) for i in event_ids} | {
        ("relation_id", i) for i in relation_ids}
    owners: list[tuple[str, int, list[tuple[str, str]], list[PlannedReference]]] = [
        ("mention_id", stored[m.key], m.typed_notes, m.references) for m in plan.mentions]
    owners += [("event_id", stored_events[ev.key], ev.typed_notes, ev.references) for ev in plan.events]
    owners += [("relation_id", stored_relations[r.key], r.typed_notes, []) for r in plan.relations
               if r.key in stored_relations]
    _store_extras(session, document_id, coder_id, owners, new_owners, counts)

    for code in plan.codes:
        try:
            set_document_code(session, document_id, coder_id, index.codes[code.name].id, code.value)
        except AnnotaryError as exc:
            if isinstance(exc, AnnotationInputError):
                raise
            raise _fail(path, code.line, exc.message) from None
    if mark_status:
        if status is None:
            touch_status(session, document_id, coder_id)
        else:
            set_status(session, document_id, coder_id, status)
        session.flush()
        counts.status = session.scalar(
            select(DocumentStatus.status)
            .where(DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id)
        )
    return counts
