"""What the brat and doccano interchange modules share.

* `FileReport` and `ExportSummary`, the results the CLI and GUI show;
* `OffsetMap`, which carries offsets into a text as found on disk (with a BOM,
  ``\\r\\n`` or lone ``\\r``) over to the stored, normalised text;
* `CodebookIndex` and `check_plan`, which check planned annotations against the
  codebook, turning every refusal into an `AnnotationInputError` that names file
  and line (`plan_store.store_plan` then stores them in bulk);
* helpers for exports: safe file names, atomic writes, a deterministic colour
  for new codebook types, and loading one coder's annotations of a document.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.errors import AnnotaryError, AnnotationInputError
from app.core.models import (
    AnnotationNote,
    Attribute,
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    Event,
    EventRole,
    EventType,
    ExternalReference,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.services.annotations import FLAG_VALUE
from app.core.text import normalize_newlines
from app.core.validation import check_attribute_value, name_key

# --------------------------------------------------------------------------- results


@dataclass
class FileReport:
    """What one imported document (a brat .txt/.ann pair, a doccano JSONL line) gave.

    `new_document` is True when the text was added to the project, False when it
    was already there (same SHA-256 of the normalised text) and the annotations
    were attached to that document.
    """

    path: Path
    document_id: int
    new_document: bool
    mentions: int = 0
    events: int = 0
    attributes: int = 0
    notes: int = 0
    line: int | None = None  # the JSONL line (doccano); None for brat
    messages: list[str] = field(default_factory=list)
    skipped_mentions: int = 0  # identical to one the coder already had in the document: not stored again
    skipped_events: int = 0
    coder_status: str | None = None  # the coder's status of the document after the import (None: not set)
    relations: int = 0
    skipped_relations: int = 0
    references: int = 0  # external references (brat N lines) stored

    @property
    def status(self) -> str:
        return "new" if self.new_document else "attached"

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        text = (
            f"{where}\tdocument {self.document_id} ({self.status})\t"
            f"{self.mentions} mention(s), {self.events} event(s), "
            f"{self.attributes} attribute value(s), {self.notes} note(s)"
        )
        if self.relations or self.skipped_relations:
            text += f", {self.relations} relation(s)"
            if self.skipped_relations:
                text += f" ({self.skipped_relations} already there)"
        if self.references:
            text += f", {self.references} reference(s)"
        if self.skipped_mentions or self.skipped_events:
            text += (f", skipped {self.skipped_mentions} mention(s) and {self.skipped_events} event(s) "
                     "already there")
        if self.coder_status is not None:
            text += f"\tcoder's status: {self.coder_status.replace('_', ' ')}"
        for message in self.messages:
            text += f"\n  {message}"
        return text


@dataclass
class ExportSummary:
    """What an export wrote: the files, how many documents and annotations, and warnings."""

    path: Path
    documents: int = 0
    mentions: int = 0
    events: int = 0
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"{self.path}: {self.documents} document(s), {self.mentions} mention(s), "
            f"{self.events} event(s) in {len(self.files)} file(s)"
        )
        for warning in self.warnings:
            text += f"\n  warning: {warning}"
        return text


# --------------------------------------------------------------------------- offsets


class OffsetMap:
    """Offsets into `raw` (a decoded file, BOM and line breaks as on disk) → offsets
    into `text`, the normalised text Annotary stores (`normalize_newlines`).

    Normalisation removes a leading BOM and the ``\\n`` of every ``\\r\\n``; a lone
    ``\\r`` becomes ``\\n`` (same length). A raw offset maps to the number of stored
    characters produced by ``raw[:offset]``. An offset between the ``\\r`` and the
    ``\\n`` of one line break has no counterpart and is refused by `check`.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = normalize_newlines(raw)
        removed: list[int] = [0] if raw.startswith("\ufeff") else []
        if "\r" in raw:
            start = 0
            while True:
                i = raw.find("\r\n", start)
                if i < 0:
                    break
                removed.append(i + 1)
                start = i + 2
        self._removed = removed
        self._split_points = set(removed[1:] if raw.startswith("\ufeff") else removed)

    def __len__(self) -> int:
        return len(self.raw)

    def to_text(self, offset: int) -> int:
        return offset - bisect.bisect_left(self._removed, offset)

    def check(self, start: object, end: object) -> str | None:
        """None when `start`-`end` is a valid span of `raw`, else the reason it is not."""
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) \
                or not isinstance(end, int):
            return f"offsets must be whole numbers, not {start!r} and {end!r}"
        if start < 0 or end > len(self.raw):
            return f"span {start}-{end} lies outside the text (0-{len(self.raw)} characters)"
        if end <= start:
            return f"span {start}-{end} is empty or reversed (end must be greater than start)"
        for offset in (start, end):
            if offset in self._split_points:
                return f"offset {offset} falls between the \\r and \\n of a line break"
        if self.to_text(end) <= self.to_text(start):
            return f"span {start}-{end} covers only a byte-order mark"
        return None

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.to_text(start), self.to_text(end)


def same_covered_text(claimed: str, actual: str) -> bool:
    """Whether the text an annotation file gives for a span matches the text there.

    Compared after newline normalisation; a line break in the text may appear as a
    space in the annotation file (a line-based format cannot hold it).
    """
    a = normalize_newlines(claimed)
    b = normalize_newlines(actual)
    return a == b or a == b.replace("\n", " ")


# --------------------------------------------------------------------------- codebook


PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#469990", "#9a6324", "#800000", "#808000", "#000075", "#aaffc3", "#dcbeff",
)


def palette_color(name: str) -> str:
    """A colour for a new codebook type: the same name always gets the same colour."""
    return PALETTE[zlib.crc32(name.encode("utf-8")) % len(PALETTE)]


class CodebookIndex:
    """The stored codebook, by name, for checking and storing imported annotations."""

    def __init__(self, session: Session) -> None:
        self.entity_types: dict[str, EntityType] = {t.name: t for t in session.scalars(select(EntityType))}
        self.event_types: dict[str, EventType] = {
            t.name: t
            for t in session.scalars(
                select(EventType).options(selectinload(EventType.roles).selectinload(EventRole.accepts),
                                          selectinload(EventType.roles).selectinload(EventRole.accepts_events))
            )
        }
        self.roles: dict[str, dict[str, EventRole]] = {
            name: {r.name: r for r in t.roles} for name, t in self.event_types.items()
        }
        self.relation_types: dict[str, RelationType] = {
            t.name: t for t in session.scalars(
                select(RelationType).options(selectinload(RelationType.source_accepts),
                                             selectinload(RelationType.target_accepts)))
        }
        self.attributes: dict[tuple[str, str], Attribute] = {
            (a.target, a.name): a for a in session.scalars(select(Attribute))
        }
        self.codes: dict[str, DocumentCode] = {c.name: c for c in session.scalars(select(DocumentCode))}

    @staticmethod
    def spelled(names: Iterable[str], name: str) -> str:
        """`name` as the codebook spells it: the same name, else the one name equal to it up to
        case and Unicode form ("PERSON" is "Person"); else `name` unchanged (reported later)."""
        names = list(names)
        if name in names:
            return name
        key = name_key(name)
        similar = [n for n in names if name_key(n) == key]
        return similar[0] if len(similar) == 1 else name

    def attribute_values(self, target: str, name: str) -> list[str]:
        return json.loads(self.attributes[(target, name)].values_json)


# --------------------------------------------------------------------------- import plans


@dataclass
class PlannedAttribute:
    name: str
    value: str | None  # None: written without a value (a yes/no flag)
    line: int | None


@dataclass(frozen=True)
class PlannedReference:
    """An external reference (brat ``N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama``)."""

    type: str
    resource: str
    identifier: str
    text: str | None  # None: no text column


@dataclass
class PlannedMention:
    key: str
    type_name: str
    start: int  # offsets into the stored (normalised) text
    end: int
    line: int | None
    note: str = ""
    attributes: list[PlannedAttribute] = field(default_factory=list)
    typed_notes: list[tuple[str, str]] = field(default_factory=list)  # (note type, text), not AnnotatorNotes
    references: list[PlannedReference] = field(default_factory=list)


@dataclass
class PlannedArgument:
    role: str
    mention_key: str  # the key of a planned mention, or (with `event`) of a planned event (a nested event)
    line: int | None
    event: bool = False


@dataclass
class PlannedEvent:
    key: str
    type_name: str
    trigger: tuple[int, int] | None
    line: int | None
    note: str = ""
    arguments: list[PlannedArgument] = field(default_factory=list)
    attributes: list[PlannedAttribute] = field(default_factory=list)
    typed_notes: list[tuple[str, str]] = field(default_factory=list)
    references: list[PlannedReference] = field(default_factory=list)


@dataclass
class PlannedRelation:
    key: str
    type_name: str
    source_key: str  # keys of planned mentions
    target_key: str
    line: int | None
    note: str = ""
    typed_notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PlannedCode:
    name: str
    value: str
    line: int | None


@dataclass
class Plan:
    mentions: list[PlannedMention] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    codes: list[PlannedCode] = field(default_factory=list)
    relations: list[PlannedRelation] = field(default_factory=list)


@dataclass
class StoredCounts:
    mentions: int = 0
    events: int = 0
    attributes: int = 0
    notes: int = 0
    skipped_mentions: int = 0  # identical to one the coder already had there
    skipped_events: int = 0
    status: str | None = None  # the coder's status of the document afterwards
    relations: int = 0
    skipped_relations: int = 0
    references: int = 0


def _fail(path: Path, line: int | None, reason: str) -> AnnotationInputError:
    return AnnotationInputError(str(path), line, reason)


def _attribute_value(index: CodebookIndex, target: str, attr: PlannedAttribute, path: Path) -> str:
    """The value as stored (the services' check: a listed value after NFC, or a flag)."""
    values = index.attribute_values(target, attr.name)
    if attr.value is None:
        if values:
            raise _fail(path, attr.line, f"{attr.name} needs a value ({', '.join(values)})")
        return FLAG_VALUE
    try:
        return check_attribute_value(attr.name, values, attr.value)
    except AnnotaryError as exc:
        raise _fail(path, attr.line, exc.message) from None


def check_plan(index: CodebookIndex, plan: Plan, path: Path, hint: str = "the codebook") -> None:
    """Refuse, naming file and line, any label, role, argument type or attribute value
    the codebook does not allow. `hint` says where labels may be defined."""
    mention_types: dict[str, str] = {}
    for m in plan.mentions:
        if m.type_name not in index.entity_types:
            what = "an event type used as an entity" if m.type_name in index.event_types else "unknown"
            raise _fail(path, m.line, f"entity type {m.type_name!r} is {what}: not an entity type in {hint}")
        mention_types[m.key] = m.type_name
        _check_attributes(index, "mention", m.type_name, m.attributes, path, hint)
    event_types = {ev.key: ev.type_name for ev in plan.events}
    for ev in plan.events:
        if ev.type_name not in index.event_types:
            raise _fail(path, ev.line, f"event type {ev.type_name!r} is not an event type in {hint}")
        roles = index.roles[ev.type_name]
        filled: dict[str, list[tuple[bool, str]]] = {}
        for arg in ev.arguments:
            role = roles.get(arg.role)
            if role is None:
                known = ", ".join(roles) or "none"
                raise _fail(path, arg.line, f"{ev.type_name} events have no role {arg.role!r} (roles: {known})")
            accepted = [t.name for t in role.accepts] + [f"{t.name} events" for t in role.accepts_events]
            if arg.event:
                if arg.mention_key not in event_types:
                    raise _fail(path, arg.line, f"argument {arg.mention_key} is not an event")
                if arg.mention_key == ev.key:
                    raise _fail(path, arg.line, f"{ev.key} cannot be its own argument")
                itype = event_types[arg.mention_key]
                if itype not in [t.name for t in role.accepts_events]:
                    raise _fail(
                        path, arg.line,
                        f"{arg.role} of {ev.type_name} accepts {', '.join(accepted) or 'any mention'}, "
                        f"not {itype} events ({arg.mention_key})",
                    )
            else:
                if arg.mention_key not in mention_types:
                    raise _fail(path, arg.line, f"argument {arg.mention_key} is not an entity mention")
                mtype = mention_types[arg.mention_key]
                if (role.accepts or role.accepts_events) and mtype not in [t.name for t in role.accepts]:
                    raise _fail(
                        path, arg.line,
                        f"{arg.role} of {ev.type_name} accepts {', '.join(accepted)}, not {mtype} ({arg.mention_key})",
                    )
            taken = filled.setdefault(arg.role, [])
            if (arg.event, arg.mention_key) in taken:
                raise _fail(path, arg.line, f"{arg.mention_key} is given twice as the {arg.role} of one event")
            if taken and not role.repeatable:
                raise _fail(path, arg.line, f"{arg.role} of {ev.type_name} takes one argument, not several")
            taken.append((arg.event, arg.mention_key))
        _check_attributes(index, "event", ev.type_name, ev.attributes, path, hint)
    event_order(plan, path)
    _check_relations(index, plan, mention_types, path, hint)
    for code in plan.codes:
        if code.name not in index.codes:
            raise _fail(path, code.line, f"unknown document code {code.name!r}: not in {hint}")


def _check_relations(index: CodebookIndex, plan: Plan, mention_types: dict[str, str], path: Path,
                     hint: str) -> None:
    """Each relation has a relation type, links two different mentions its type accepts, once."""
    seen: set[tuple[str, str, str]] = set()
    for rel in plan.relations:
        rtype = index.relation_types.get(rel.type_name)
        if rtype is None:
            raise _fail(path, rel.line, f"relation type {rel.type_name!r} is not a relation type in {hint}")
        for end, key, accepts in (("source", rel.source_key, rtype.source_accepts),
                                  ("target", rel.target_key, rtype.target_accepts)):
            if key not in mention_types:
                raise _fail(path, rel.line, f"the {end} {key} of relation {rel.key} is not an entity mention")
            names = [t.name for t in accepts]
            if names and mention_types[key] not in names:
                raise _fail(path, rel.line, f"the {end} of {rel.type_name} accepts {', '.join(names)}, "
                                            f"not {mention_types[key]} ({key})")
        if rel.source_key == rel.target_key:
            raise _fail(path, rel.line, f"relation {rel.key} links {rel.source_key} to itself")
        pairs = [(rel.type_name, rel.source_key, rel.target_key)]
        if rtype.symmetric:
            pairs.append((rel.type_name, rel.target_key, rel.source_key))
        if any(p in seen for p in pairs):
            raise _fail(path, rel.line, f"{rel.source_key} and {rel.target_key} are linked as {rel.type_name} twice")
        seen.add(pairs[0])


def event_order(plan: Plan, path: Path) -> list[PlannedEvent]:
    """The plan's events, each after the events that fill its roles (nested events); a cycle (an
    event that is, directly or through others, its own argument) is refused, naming its line."""
    by_key = {ev.key: ev for ev in plan.events}
    order: list[PlannedEvent] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done
    for root in plan.events:
        if state.get(root.key):
            continue
        stack: list[tuple[PlannedEvent, int]] = [(root, 0)]
        state[root.key] = 1
        while stack:
            ev, at = stack.pop()
            inner = [a for a in ev.arguments if a.event and a.mention_key in by_key]
            if at < len(inner):
                stack.append((ev, at + 1))
                arg = inner[at]
                if state.get(arg.mention_key) == 1:
                    raise _fail(path, arg.line, f"{ev.key} is, through its {arg.role} {arg.mention_key}, its own "
                                                "argument: an event cannot contain itself")
                if not state.get(arg.mention_key):
                    state[arg.mention_key] = 1
                    stack.append((by_key[arg.mention_key], 0))
                continue
            state[ev.key] = 2
            order.append(ev)
    return order


def _check_attributes(index: CodebookIndex, target: str, type_name: str, attributes: list[PlannedAttribute],
                      path: Path, hint: str) -> None:
    """Each attribute of a mention or event is defined, has a valid value and applies to its type."""
    for attr in attributes:
        key = (target, attr.name)
        if key not in index.attributes:
            raise _fail(path, attr.line, f"unknown attribute {attr.name!r} of {target}s: not in {hint}")
        _attribute_value(index, target, attr, path)
        applies = json.loads(index.attributes[key].applies_to_json)
        if applies and type_name not in applies:
            raise _fail(path, attr.line, f"{attr.name} does not apply to {type_name} {target}s")


# --------------------------------------------------------------------------- exports


@dataclass
class MentionOut:
    id: int
    type_name: str
    start: int
    end: int
    text: str
    note: str
    attributes: list[tuple[str, str]]  # (attribute name, value); flags have value FLAG_VALUE
    typed_notes: list[tuple[str, str]] = field(default_factory=list)  # (note type, text)
    references: list[PlannedReference] = field(default_factory=list)


@dataclass
class EventOut:
    id: int
    type_name: str
    trigger: tuple[int, int] | None
    note: str
    arguments: list[tuple[str, int]]  # (role name, mention id), in role order
    attributes: list[tuple[str, str]]
    event_arguments: list[tuple[str, int]] = field(default_factory=list)  # (role name, event id): nested events
    typed_notes: list[tuple[str, str]] = field(default_factory=list)
    references: list[PlannedReference] = field(default_factory=list)


@dataclass
class RelationOut:
    id: int
    type_name: str
    source: int  # mention ids
    target: int
    note: str
    typed_notes: list[tuple[str, str]] = field(default_factory=list)
    transitive: bool = False  # of an equivalence type (brat writes its groups as `*` lines)


@dataclass
class CodedDocument:
    """One coder's annotations of one document (coder None: nobody annotated it)."""

    document: Document
    coder: Coder | None
    mentions: list[MentionOut]
    events: list[EventOut]
    codes: list[tuple[str, str]]
    relations: list[RelationOut] = field(default_factory=list)


def coded_documents(session: Session, coder: Coder | None, include_unannotated: bool) -> list[CodedDocument]:
    """Every (document, coder) with annotations, in document then coder-name order.

    A coder "annotated" a document when they made a mention, an event or a document
    code value there. With `coder` given, only that coder's work; with
    `include_unannotated`, documents nobody annotated come with coder None.
    """
    pairs: set[tuple[int, int]] = set()
    for model in (Mention, Event, DocumentCodeValue):
        query = select(model.document_id, model.coder_id).distinct()
        if coder is not None:
            query = query.where(model.coder_id == coder.id)
        pairs.update((row[0], row[1]) for row in session.execute(query))
    coders = {c.id: c for c in session.scalars(select(Coder))}
    by_doc: dict[int, list[Coder]] = {}
    for doc_id, coder_id in pairs:
        by_doc.setdefault(doc_id, []).append(coders[coder_id])
    entity_names = {t.id: t.name for t in session.scalars(select(EntityType))}
    event_types = {t.id: t for t in session.scalars(select(EventType).options(selectinload(EventType.roles)))}
    roles = {r.id: r for t in event_types.values() for r in t.roles}
    attributes = {a.id: a for a in session.scalars(select(Attribute))}
    codes = {c.id: c for c in session.scalars(select(DocumentCode))}
    out: list[CodedDocument] = []
    for doc in session.scalars(select(Document).order_by(Document.id)):
        doc_coders = sorted(by_doc.get(doc.id, []), key=lambda c: (c.name, c.id))
        if not doc_coders:
            if include_unannotated and coder is None:
                out.append(CodedDocument(doc, None, [], [], []))
            continue
        for who in doc_coders:
            out.append(_load(session, doc, who, entity_names, event_types, roles, attributes, codes))
    return out


def _load(session: Session, doc: Document, coder: Coder, entity_names: dict[int, str],
          event_types: dict[int, EventType], roles: dict[int, EventRole], attributes: dict[int, Attribute],
          codes: dict[int, DocumentCode]) -> CodedDocument:
    mention_rows = session.scalars(
        select(Mention).where(Mention.document_id == doc.id, Mention.coder_id == coder.id)
        .order_by(Mention.start, Mention.end, Mention.id)
    ).all()
    mention_attrs: dict[int, list[tuple[str, str]]] = {}
    if mention_rows:
        for row in session.scalars(
            select(MentionAttributeValue)
            .where(MentionAttributeValue.mention_id.in_([m.id for m in mention_rows]))
            .order_by(MentionAttributeValue.id)
        ):
            mention_attrs.setdefault(row.mention_id, []).append((attributes[row.attribute_id].name, row.value))
    mentions = [
        MentionOut(m.id, entity_names[m.entity_type_id], m.start, m.end, m.text, m.note or "",
                   mention_attrs.get(m.id, []))
        for m in mention_rows
    ]
    event_rows = session.scalars(
        select(Event).where(Event.document_id == doc.id, Event.coder_id == coder.id)
        .options(selectinload(Event.arguments), selectinload(Event.attributes))
        .order_by(Event.trigger_start.is_(None), Event.trigger_start, Event.trigger_end, Event.id)
    ).all()
    events = []
    for e in event_rows:
        args = sorted(e.arguments, key=lambda a: (roles[a.role_id].position, a.id))
        events.append(EventOut(
            e.id, event_types[e.event_type_id].name,
            # both set or both NULL (CHECK trigger_span)
            (e.trigger_start, e.trigger_end) if e.trigger_start is not None and e.trigger_end is not None else None,
            e.note or "",
            [(roles[a.role_id].name, a.mention_id) for a in args if a.mention_id is not None],
            [(attributes[v.attribute_id].name, v.value) for v in e.attributes],
            [(roles[a.role_id].name, a.argument_event_id) for a in args if a.argument_event_id is not None],
        ))
    code_rows = session.scalars(
        select(DocumentCodeValue).where(DocumentCodeValue.document_id == doc.id, DocumentCodeValue.coder_id == coder.id)
        .order_by(DocumentCodeValue.id)
    ).all()
    relation_types = {t.id: t for t in session.scalars(select(RelationType))}
    relations = [
        RelationOut(r.id, relation_types[r.relation_type_id].name, r.source_mention_id, r.target_mention_id,
                    r.note or "", transitive=relation_types[r.relation_type_id].transitive)
        for r in session.scalars(select(Relation).where(Relation.document_id == doc.id, Relation.coder_id == coder.id)
                                 .order_by(Relation.id))
    ]
    _add_extras(session, doc.id, coder.id, mentions, events, relations)
    return CodedDocument(doc, coder, mentions, events, [(codes[c.code_id].name, c.value) for c in code_rows],
                         relations)


def _add_extras(session: Session, document_id: int, coder_id: int, mentions: list[MentionOut],
                events: list[EventOut], relations: list[RelationOut]) -> None:
    """Fill in the typed notes and external references of one coder's annotations of a document
    (in the order stored): a query per kind of owner, joined on the owner's document and coder."""
    owners: list[tuple[str, type[Mention] | type[Event] | type[Relation],
                       dict[int, MentionOut] | dict[int, EventOut] | dict[int, RelationOut]]] = [
        ("mention_id", Mention, {m.id: m for m in mentions}), ("event_id", Event, {e.id: e for e in events}),
        ("relation_id", Relation, {r.id: r for r in relations})]
    for column, model, by_id in owners:
        if not by_id:
            continue
        mine = (model.document_id == document_id, model.coder_id == coder_id)
        for note in session.scalars(select(AnnotationNote).join(model, model.id == getattr(AnnotationNote, column))
                                    .where(*mine).order_by(AnnotationNote.id)):
            by_id[getattr(note, column)].typed_notes.append((note.type, note.text))
        if column == "relation_id":
            continue
        for ref in session.scalars(select(ExternalReference)
                                   .join(model, model.id == getattr(ExternalReference, column))
                                   .where(*mine).order_by(ExternalReference.id)):
            owner = by_id[getattr(ref, column)]
            assert not isinstance(owner, RelationOut)
            owner.references.append(PlannedReference(ref.type, ref.resource, ref.identifier, ref.text))


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def ascii_slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII letters and digits joined by '-', at most `limit` characters;
    '' when nothing ASCII is left (an Arabic or Hindi title)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_DROP.sub("-", folded).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


def document_basename(doc: Document) -> str:
    """`0003_scale-ai-lays-off` or just `0003` for a title with no ASCII letters."""
    slug = ascii_slug(doc.title or "")
    return f"{doc.id:04d}_{slug}" if slug else f"{doc.id:04d}"


def coder_labels(coders: list[Coder]) -> dict[int, str]:
    """A short, safe, distinct file-name part per coder (`alice`, else `coder7`)."""
    labels: dict[int, str] = {}
    used: set[str] = set()
    for coder in coders:
        label = ascii_slug(coder.name, 24) or f"coder{coder.id}"
        if label in used:
            label = f"{label}-{coder.id}"
        used.add(label)
        labels[coder.id] = label
    return labels


def write_atomic(path: Path, text: str, force: bool = False, project: Path | None = None) -> None:
    """Write UTF-8 text (no BOM, newlines as given) via a temporary file beside `path`;
    an existing `path` is replaced only with `force` (see app.core.write_target)."""
    from app.core.write_target import write_text_file

    write_text_file(Path(path), text, force=force, project=project)
