"""What the desktop app sees of a project: plain read models and undoable actions.

Widgets call this; it opens units of work. Nothing here returns ORM objects, so no
widget ever holds a session or a lazy-loading object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.core.codebook import CodebookSpec, read_codebook
from app.core.errors import AnnotaryError
from app.core.models import (
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
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.project import Project
from app.core.search_index import text_matches
from app.core.services import history as h
from app.core.services.coders import get_or_create_coder
from app.core.spans import clean_selection, is_partial_word


@dataclass(frozen=True)
class DocumentRow:
    id: int
    title: str
    language: str
    direction: str
    chars: int
    status: str  # not_started, in_progress, done (for the current coder)
    mentions: int
    events: int


class MentionView(NamedTuple):
    """A mention as the app shows it (a tuple: thousands are made each time a document opens)."""

    id: int
    type_id: int
    type_name: str
    color: str
    start: int
    end: int
    text: str
    coder: str
    partial_word: bool | None = False
    """Starts or ends inside a word (tagged with Alt, or imported): computed from the
    document text, never stored. None: not computed here (`mentions(partial_words=False)`:
    the mention table computes it for the rows it shows)."""
    attributes: tuple[tuple[str, str], ...] = ()
    """(attribute name, value) pairs, in codebook order; a flag that is set has the value "true"."""

    def attribute(self, name: str) -> str | None:
        return next((v for n, v in self.attributes if n == name), None)


@dataclass(frozen=True)
class ArgumentView:
    """A filled role: by a mention (`mention_id`) or by another event (`argument_event_id`);
    `text` is the mention's text, or the event's type and trigger (see `event_label`)."""

    id: int
    role_id: int
    role: str
    mention_id: int | None
    text: str
    argument_event_id: int | None = None


def event_label(type_name: str, trigger_text: str | None) -> str:
    """How an event that fills a role is shown: its type, and its trigger in quotes."""
    return f"{type_name} “{trigger_text}”" if trigger_text else f"{type_name} (no trigger)"


@dataclass(frozen=True)
class RelationView:
    id: int
    type_id: int
    type_name: str
    color: str
    source_mention_id: int
    source_text: str
    target_mention_id: int
    target_text: str
    symmetric: bool
    note: str

    def summary(self) -> str:
        arrow = "↔" if self.symmetric else "→"
        return f"{self.source_text} {arrow} {self.target_text} ({self.type_name})"


@dataclass(frozen=True)
class EventView:
    id: int
    type_id: int
    type_name: str
    color: str
    trigger: tuple[int, int] | None
    trigger_text: str | None
    arguments: tuple[ArgumentView, ...]
    attributes: dict[str, str]  # attribute name -> value

    def summary(self) -> str:
        parts = [f"{a.role}: [{a.text}]" if a.argument_event_id is not None else f"{a.role}: {a.text}"
                 for a in self.arguments]
        parts += [f"{k}: {v}" for k, v in self.attributes.items()]
        trig = f" “{self.trigger_text}”" if self.trigger_text else ""
        return f"{self.type_name}{trig}" + (" — " + "; ".join(parts) if parts else "")


@dataclass(frozen=True)
class TypeInfo:
    id: int
    name: str
    color: str
    hotkey: str | None
    definition: str


@dataclass(frozen=True)
class RoleInfo:
    id: int
    name: str
    accepts: tuple[int, ...]  # entity type ids; empty (and no accepts_events) means any
    repeatable: bool
    definition: str
    accepts_events: tuple[int, ...] = ()  # event type ids whose events may fill the role


@dataclass(frozen=True)
class RelationTypeInfo(TypeInfo):
    source_accepts: tuple[int, ...] = ()  # entity type ids; empty means any
    target_accepts: tuple[int, ...] = ()
    symmetric: bool = False


@dataclass(frozen=True)
class EventTypeInfo(TypeInfo):
    roles: tuple[RoleInfo, ...] = ()


@dataclass(frozen=True)
class ChoiceInfo:
    id: int
    name: str
    values: tuple[str, ...]
    definition: str
    level: str = "nominal"
    applies_to: tuple[str, ...] = ()


@dataclass
class CodebookView:
    entity_types: list[TypeInfo] = field(default_factory=list)
    event_types: list[EventTypeInfo] = field(default_factory=list)
    event_attributes: list[ChoiceInfo] = field(default_factory=list)
    mention_attributes: list[ChoiceInfo] = field(default_factory=list)
    document_codes: list[ChoiceInfo] = field(default_factory=list)
    relation_types: list[RelationTypeInfo] = field(default_factory=list)

    def entity_type(self, type_id: int) -> TypeInfo:
        return next(t for t in self.entity_types if t.id == type_id)

    def event_type(self, type_id: int) -> EventTypeInfo:
        return next(t for t in self.event_types if t.id == type_id)


class Workspace:
    """One coder's working session on a project."""

    def __init__(self, project: Project, coder_name: str) -> None:
        self.project = project
        with project.uow() as session:
            coder = get_or_create_coder(session, coder_name)
            self.coder_id, self.coder_name, self.coder_role = coder.id, coder.name, coder.role
        self.history = h.History(project)
        self.codebook = self.load_codebook()

    # ------------------------------------------------------------ reading

    def load_codebook(self) -> CodebookView:
        with self.project.read() as s:
            view = CodebookView(
                entity_types=[
                    TypeInfo(t.id, t.name, t.color, t.hotkey, t.definition)
                    for t in s.scalars(select(EntityType).order_by(EntityType.position, EntityType.id))
                ],
            )
            for t in s.scalars(select(EventType).order_by(EventType.position, EventType.id)):
                roles = tuple(
                    RoleInfo(r.id, r.name, tuple(a.id for a in r.accepts), r.repeatable, r.definition,
                             tuple(e.id for e in r.accepts_events)) for r in t.roles
                )
                view.event_types.append(EventTypeInfo(t.id, t.name, t.color, t.hotkey, t.definition, roles))
            for rt in s.scalars(select(RelationType).order_by(RelationType.position, RelationType.id)):
                view.relation_types.append(RelationTypeInfo(
                    rt.id, rt.name, rt.color, rt.hotkey, rt.definition, tuple(a.id for a in rt.source_accepts),
                    tuple(a.id for a in rt.target_accepts), rt.symmetric))
            for a in s.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)):
                found = view.event_attributes if a.target == "event" else view.mention_attributes
                found.append(
                    ChoiceInfo(a.id, a.name, tuple(json.loads(a.values_json)), a.definition,
                               applies_to=tuple(json.loads(a.applies_to_json)))
                )
            for c in s.scalars(select(DocumentCode).order_by(DocumentCode.position)):
                view.document_codes.append(
                    ChoiceInfo(c.id, c.name, tuple(json.loads(c.values_json)), c.definition, level=c.level)
                )
        self.codebook = view
        return view

    def codebook_spec(self) -> CodebookSpec:
        with self.project.read() as s:
            return read_codebook(s)

    def count_documents(self, filter_text: str = "") -> int:
        with self.project.read() as s:
            return s.scalar(self._doc_filter(s, select(func.count()).select_from(Document), filter_text)) or 0

    @staticmethod
    def _doc_filter(session: Session, query: Select[Any], filter_text: str) -> Select[Any]:
        """Documents whose title or file name contains the filter text, whose language it names, or
        whose text contains it (folded as the reader's Find folds: see app/core/search_index.py)."""
        if filter_text:
            pattern = "%" + filter_text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                Document.title.like(pattern, escape="\\") | Document.filename.like(pattern, escape="\\")
                | (Document.language == filter_text.lower()) | text_matches(session, filter_text)
            )
        return query

    def document_rows(self, offset: int, limit: int, filter_text: str = "") -> list[DocumentRow]:
        """A page of the document list (no texts loaded), with this coder's status and counts."""
        with self.project.read() as s:
            ids_q = (self._doc_filter(s, select(Document.id), filter_text)
                     .order_by(Document.id).offset(offset).limit(limit))
            ids = list(s.scalars(ids_q))
            if not ids:
                return []
            docs = s.execute(
                select(Document.id, Document.title, Document.language, Document.direction, Document.chars)
                .where(Document.id.in_(ids)).order_by(Document.id)
            ).all()
            status = dict(s.execute(
                select(DocumentStatus.document_id, DocumentStatus.status)
                .where(DocumentStatus.document_id.in_(ids), DocumentStatus.coder_id == self.coder_id)
            ).all())
            mentions = dict(s.execute(
                select(Mention.document_id, func.count()).where(
                    Mention.document_id.in_(ids), Mention.coder_id == self.coder_id).group_by(Mention.document_id)
            ).all())
            events = dict(s.execute(
                select(Event.document_id, func.count()).where(
                    Event.document_id.in_(ids), Event.coder_id == self.coder_id).group_by(Event.document_id)
            ).all())
        return [
            DocumentRow(d.id, d.title, d.language, d.direction, d.chars, status.get(d.id, "not_started"),
                        mentions.get(d.id, 0), events.get(d.id, 0))
            for d in docs
        ]

    def document_row(self, document_id: int) -> DocumentRow | None:
        """One row of the list, in one query (this runs after every command; the text is not read)."""
        coder = self.coder_id
        status = select(DocumentStatus.status).where(
            DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder).scalar_subquery()
        nm = select(func.count()).where(Mention.document_id == document_id, Mention.coder_id == coder)
        ne = select(func.count()).where(Event.document_id == document_id, Event.coder_id == coder)
        with self.project.engine.connect() as conn:
            d = conn.execute(
                select(Document.id, Document.title, Document.language, Document.direction, Document.chars,
                       status, nm.scalar_subquery(), ne.scalar_subquery()).where(Document.id == document_id)
            ).first()
        if d is None:
            return None
        return DocumentRow(d[0], d[1], d[2], d[3], d[4], d[5] or "not_started", d[6] or 0, d[7] or 0)

    def document_text(self, document_id: int) -> str:
        with self.project.read() as s:
            text = s.scalar(select(Document.text).where(Document.id == document_id))
        if text is None:
            raise AnnotaryError(f"no document with id {document_id}")
        return text

    def mentions(self, document_id: int, coder: tuple[int, str] | None = None,
                 ids: Iterable[int] | None = None, text: str | None = None,
                 partial_words: bool = True) -> list[MentionView]:
        """This coder's mentions of a document (or, given `(id, name)`, another coder's); only
        those of `ids` if given (those still there). `text` is the document's, if at hand."""
        coder_id, coder_name = coder if coder is not None else (self.coder_id, self.coder_name)
        where = [Mention.document_id == document_id, Mention.coder_id == coder_id]
        if ids is not None:
            where.append(Mention.id.in_(list(ids)))
        # Core rows, not ORM objects: this runs on every document switch and every tag.
        with self.project.engine.connect() as conn:
            rows = conn.execute(
                select(Mention.id, Mention.entity_type_id, Mention.start, Mention.end, Mention.text)
                .where(*where).order_by(Mention.start, Mention.end.desc(), Mention.id)
            ).all()
            doc_text = text if text is not None or not rows else conn.scalar(
                select(Document.text).where(Document.id == document_id))
            values = conn.execute(
                select(MentionAttributeValue.mention_id, Attribute.name, MentionAttributeValue.value)
                .join(Attribute, Attribute.id == MentionAttributeValue.attribute_id)
                .join(Mention, Mention.id == MentionAttributeValue.mention_id)
                .where(*where)
                .order_by(Attribute.position, Attribute.id)
            ).all() if rows and self.codebook.mention_attributes else []
        by_mention: dict[int, list[tuple[str, str]]] = {}
        for mid, name, value in values:
            by_mention.setdefault(mid, []).append((name, value))
        types = {t.id: (t.name, t.color) for t in self.codebook.entity_types}
        return [
            MentionView(mid, tid, *types[tid], start, end, text, coder_name,
                        is_partial_word(doc_text or "", start, end) if partial_words else None,
                        tuple(by_mention.get(mid, ())))
            for mid, tid, start, end, text in rows
        ]

    def events(self, document_id: int) -> list[EventView]:
        with self.project.engine.connect() as conn:
            events = conn.execute(
                select(Event.id, Event.event_type_id, Event.trigger_start, Event.trigger_end, Event.trigger_text)
                .where(Event.document_id == document_id, Event.coder_id == self.coder_id)
                .order_by(Event.id)
            ).all()
            mine = select(Event.id).where(Event.document_id == document_id, Event.coder_id == self.coder_id)
            inner = Event.__table__.alias("inner_event")
            args = conn.execute(
                select(EventArgument.id, EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id,
                       EventRole.name, Mention.text, EventArgument.argument_event_id, EventType.name,
                       inner.c.trigger_text)
                .join(EventRole, EventRole.id == EventArgument.role_id)
                .outerjoin(Mention, Mention.id == EventArgument.mention_id)
                .outerjoin(inner, inner.c.id == EventArgument.argument_event_id)
                .outerjoin(EventType, EventType.id == inner.c.event_type_id)
                .where(EventArgument.event_id.in_(mine))
                .order_by(EventArgument.event_id, EventRole.position, EventArgument.id)
            ).all()
            attrs = conn.execute(
                select(EventAttributeValue.event_id, Attribute.name, EventAttributeValue.value)
                .join(Attribute, Attribute.id == EventAttributeValue.attribute_id)
                .where(EventAttributeValue.event_id.in_(mine))
                .order_by(Attribute.position)
            ).all()
        by_event: dict[int, list[ArgumentView]] = {}
        for arg_id, event_id, role_id, mention_id, role, text, inner_id, inner_type, inner_trigger in args:
            if inner_id is not None:
                text = event_label(inner_type, inner_trigger)
            by_event.setdefault(event_id, []).append(ArgumentView(arg_id, role_id, role, mention_id, text, inner_id))
        attr_map: dict[int, dict[str, str]] = {}
        for event_id, name, value in attrs:
            attr_map.setdefault(event_id, {})[name] = value
        types = {t.id: t for t in self.codebook.event_types}
        return [
            EventView(
                eid, type_id, types[type_id].name, types[type_id].color,
                (start, end) if start is not None and end is not None else None, trigger_text,
                tuple(by_event.get(eid, ())), attr_map.get(eid, {}),
            )
            for eid, type_id, start, end, trigger_text in events
        ]

    def relations(self, document_id: int) -> list[RelationView]:
        """The current coder's relations in the document, in the order they were made."""
        source, target = Mention.__table__.alias("source"), Mention.__table__.alias("target")
        with self.project.engine.connect() as conn:
            rows = conn.execute(
                select(Relation.id, Relation.relation_type_id, RelationType.name, RelationType.color,
                       Relation.source_mention_id, source.c.text, Relation.target_mention_id, target.c.text,
                       RelationType.symmetric, Relation.note)
                .join(RelationType, RelationType.id == Relation.relation_type_id)
                .join(source, source.c.id == Relation.source_mention_id)
                .join(target, target.c.id == Relation.target_mention_id)
                .where(Relation.document_id == document_id, Relation.coder_id == self.coder_id)
                .order_by(Relation.id)
            ).all()
        return [RelationView(*row) for row in rows]

    def document_codes(self, document_id: int) -> dict[int, str]:
        with self.project.read() as s:
            return dict(s.execute(
                select(DocumentCodeValue.code_id, DocumentCodeValue.value).where(
                    DocumentCodeValue.document_id == document_id, DocumentCodeValue.coder_id == self.coder_id)
            ).all())

    def coders(self) -> list[str]:
        with self.project.read() as s:
            return list(s.scalars(select(Coder.name).order_by(Coder.name)))

    # ------------------------------------------------------------ actions (undoable, committed)

    def tag(self, document_id: int, text: str, start: int, end: int, entity_type_id: int,
            precise: bool = False) -> h.CreateMention:
        """Tag a user's selection: trimmed and snapped to whole words before storing (to
        whole grapheme clusters only when `precise`: the user held Alt while selecting)."""
        s, e = clean_selection(text, start, end, whole_words=not precise)
        if s == e:
            raise AnnotaryError("the selection holds no text to tag (only spaces or punctuation)")
        return self.history.run(h.CreateMention(document_id, self.coder_id, entity_type_id, s, e))

    def delete_mention(self, mention_id: int) -> None:
        self.history.run(h.DeleteMention(mention_id))

    def retype_mention(self, mention_id: int, entity_type_id: int) -> None:
        self.history.run(h.RetypeMention(mention_id, entity_type_id))

    def create_event(self, document_id: int, event_type_id: int, text: str | None = None,
                     selection: tuple[int, int] | None = None, precise: bool = False) -> h.CreateEvent:
        trigger = None
        if selection is not None and text is not None and selection[0] != selection[1]:
            s, e = clean_selection(text, *selection, whole_words=not precise)
            trigger = (s, e) if s != e else None
        return self.history.run(h.CreateEvent(document_id, self.coder_id, event_type_id, trigger))

    def delete_event(self, event_id: int) -> None:
        self.history.run(h.DeleteEvent(event_id))

    def add_argument(self, event_id: int, role_id: int, mention_id: int | None = None,
                     argument_event_id: int | None = None) -> None:
        """Fill a role with a mention or, for a role that accepts events, with another event."""
        self.history.run(h.AddArgument(event_id, role_id, mention_id, argument_event_id))

    def create_relation(self, relation_type_id: int, source_mention_id: int,
                        target_mention_id: int) -> h.CreateRelation:
        return self.history.run(h.CreateRelation(relation_type_id, source_mention_id, target_mention_id))

    def delete_relation(self, relation_id: int) -> None:
        self.history.run(h.DeleteRelation(relation_id))

    def retype_relation(self, relation_id: int, relation_type_id: int) -> None:
        self.history.run(h.RetypeRelation(relation_id, relation_type_id))

    def remove_argument(self, argument_id: int) -> None:
        self.history.run(h.RemoveArgument(argument_id))

    def set_event_attribute(self, event_id: int, attribute_id: int, value: str | None) -> None:
        self.history.run(h.SetEventAttribute(event_id, attribute_id, value))

    def set_mention_attribute(self, mention_id: int, attribute_id: int, value: str | None) -> None:
        self.history.run(h.SetMentionAttribute(mention_id, attribute_id, value))

    def set_document_code(self, document_id: int, code_id: int, value: str | None) -> None:
        self.history.run(h.SetDocumentCode(document_id, self.coder_id, code_id, value))

    def set_done(self, document_id: int, done: bool) -> None:
        self.history.run(h.SetStatus(document_id, self.coder_id, "done" if done else "in_progress"))

    def undo(self) -> h.Action | None:
        return self.history.undo()

    def redo(self) -> h.Action | None:
        return self.history.redo()


def mentions_at(mentions: Iterable[MentionView], pos: int) -> list[MentionView]:
    """Mentions covering code point `pos`, innermost (shortest) first."""
    return sorted((m for m in mentions if m.start <= pos < m.end), key=lambda m: (m.end - m.start, m.id))
