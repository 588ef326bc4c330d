"""Whether every row of a project means what it says (run on the other project before a merge).

Runs after the structural check (tables, types, references are sound), so rows load
cleanly; here the content is checked with the same rules every other door uses.
The first problem is raised as `<table> row <id>: <what is wrong>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import validation
from app.core.codebook import CodebookSpec, read_codebook
from app.core.decoding import check_document_text, check_encoding
from app.core.errors import AnnotaryError
from app.core.models import (
    CODER_ROLES,
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
from app.core.services.annotations import STATUSES
from app.core.services.coders import clean_coder_name
from app.core.text import normalize_newlines, sha256_text


def row_error(table: str, ident: object, problem: str) -> AnnotaryError:
    return AnnotaryError(f"{table} row {ident}: {problem}")


def check_rows(session: Session) -> None:
    """Raise the first row that breaks a rule, as one line."""
    texts = _check_documents(session)
    _check_codebook(session)
    for coder in session.scalars(select(Coder).order_by(Coder.id)):
        try:  # a name stored in another Unicode form (by an older Annotary) is fine: it is matched as NFC
            clean_coder_name(coder.name)
        except AnnotaryError as exc:
            raise row_error("coders", coder.id, exc.message) from None
        if coder.role not in CODER_ROLES:
            raise row_error("coders", coder.id, f"role {coder.role!r} is not one of {', '.join(CODER_ROLES)}")
    for m in session.scalars(select(Mention).order_by(Mention.id)):
        _guard("mentions", m.id, validation.check_stored_span, texts[m.document_id], m.start, m.end, m.text,
               "mention", f"document {m.document_id}")
    for e in session.scalars(select(Event).order_by(Event.id)):
        if (e.trigger_start is None) != (e.trigger_end is None):
            raise row_error("events", e.id, "the trigger has a start without an end, or an end without a start")
        if e.trigger_start is not None:
            _guard("events", e.id, validation.check_stored_span, texts[e.document_id], e.trigger_start,
                   e.trigger_end, e.trigger_text, "trigger", f"document {e.document_id}")
    _check_arguments(session)
    _check_relations(session)
    _check_attribute_values(session, EventAttributeValue, "event_attribute_values", "event")
    _check_attribute_values(session, MentionAttributeValue, "mention_attribute_values", "mention")
    for v in session.scalars(select(DocumentCodeValue).order_by(DocumentCodeValue.id)):
        code = session.get_one(DocumentCode, v.code_id)  # the foreign keys are checked before
        _guard("document_code_values", v.id, validation.check_code_value, code.name, code.level,
               json.loads(code.values_json), v.value)
    for st in session.scalars(select(DocumentStatus).order_by(DocumentStatus.id)):
        if st.status not in STATUSES:
            raise row_error("document_status", st.id, f"status {st.status!r} is not one of {', '.join(STATUSES)}")


def _guard(table: str, ident: int, check: Callable[..., object], *args: object) -> None:
    try:
        check(*args)
    except AnnotaryError as exc:
        raise row_error(table, ident, exc.message) from None


def _check_documents(session: Session) -> dict[int, str]:
    texts: dict[int, str] = {}
    for doc in session.scalars(select(Document).order_by(Document.id)):
        try:  # the checks every imported text passes: size, NUL, control characters, surrogates
            check_document_text(doc.text, "the text")
        except AnnotaryError as exc:
            raise row_error("documents", doc.id, exc.message) from None
        if normalize_newlines(doc.text) != doc.text:
            raise row_error("documents", doc.id, "the text has carriage returns (a project stores \\n newlines)")
        if sha256_text(doc.text) != doc.sha256:
            raise row_error("documents", doc.id, "the text does not match its checksum (sha256): it was changed")
        if doc.chars != len(doc.text):
            raise row_error("documents", doc.id, f"says {doc.chars} characters, but the text has {len(doc.text)}")
        _check_document_details(doc)
        texts[doc.id] = doc.text
    return texts


_LANGUAGE = re.compile(r"^(und|[a-z]{2,3})(-[A-Za-z0-9]{1,8})*$")


def _check_document_details(doc: Document) -> None:
    """Title, file name, language and encoding as an import could have made them. (A title is the
    text's first line, which may hold a few control and bidi characters; the terminal and the
    GUI show those safely. It never holds a line break.)"""
    for what, value, limit in (("title", doc.title, 1000), ("file name", doc.filename, 255)):
        if len(value) > limit:
            raise row_error("documents", doc.id, f"the {what} is over {limit} characters")
        if any(ch in value for ch in "\x00\n\r"):
            raise row_error("documents", doc.id, f"the {what} holds a NUL or a line break")
    if "/" in doc.filename or "\\" in doc.filename:
        raise row_error("documents", doc.id, f"the file name {doc.filename!r} holds a folder separator")
    if not _LANGUAGE.match(doc.language):
        raise row_error("documents", doc.id, f"language {doc.language!r} is not a language code (en, ar, hi, und)")
    try:
        check_encoding(doc.source_encoding)
    except AnnotaryError as exc:
        raise row_error("documents", doc.id, f"source encoding: {exc.message}") from None


def _check_codebook(session: Session) -> None:
    tables: list[tuple[str, Sequence[Attribute | DocumentCode], tuple[str, ...]]] = [
        ("attributes", session.scalars(select(Attribute).order_by(Attribute.id)).all(),
         ("values_json", "applies_to_json")),
        ("document_codes", session.scalars(select(DocumentCode).order_by(DocumentCode.id)).all(), ("values_json",)),
    ]
    for table, rows, columns in tables:
        for row in rows:
            for column in columns:
                try:
                    items = json.loads(getattr(row, column))
                except ValueError:
                    items = None
                if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                    raise row_error(table, row.id, f"{column} is not a list of texts")
    try:
        stored = read_codebook(session)
        stored.validate(before=stored)  # names differing only in case that an older Annotary stored are kept
    except AnnotaryError as exc:
        raise AnnotaryError(f"codebook: {exc.message}") from None


def _check_arguments(session: Session) -> None:
    for a in session.scalars(select(EventArgument).order_by(EventArgument.id)):
        # the foreign keys are checked before (merge_source.check_structure)
        event, role = session.get_one(Event, a.event_id), session.get_one(EventRole, a.role_id)
        if role.event_type_id != event.event_type_id:
            raise row_error("event_arguments", a.id, f"role {role.name!r} is not a role of event {event.id}'s type")
        if a.mention_id is None:
            _check_event_argument(session, a, event, role)
            continue
        mention = session.get_one(Mention, a.mention_id)
        if mention.document_id != event.document_id or mention.coder_id != event.coder_id:
            raise row_error("event_arguments", a.id,
                            f"mention {mention.id} is not in the document of event {event.id} by the same coder")
        mtype = session.get_one(EntityType, mention.entity_type_id)
        if (role.accepts and mtype not in role.accepts) or (not role.accepts and role.accepts_events):
            raise row_error("event_arguments", a.id, f"role {role.name!r} does not accept {mtype.name!r}")
    _check_no_cycles(session)


def _check_event_argument(session: Session, a: EventArgument, event: Event, role: EventRole) -> None:
    if a.argument_event_id is None:
        raise row_error("event_arguments", a.id, "neither a mention nor an event fills the role")
    inner = session.get_one(Event, a.argument_event_id)
    if inner.document_id != event.document_id or inner.coder_id != event.coder_id:
        raise row_error("event_arguments", a.id,
                        f"event {inner.id} is not in the document of event {event.id} by the same coder")
    itype = session.get_one(EventType, inner.event_type_id)
    if itype not in role.accepts_events:
        raise row_error("event_arguments", a.id, f"role {role.name!r} does not accept {itype.name!r} events")


def _check_no_cycles(session: Session) -> None:
    """No event is its own argument, directly or through others."""
    inner: dict[int, list[int]] = {}
    for event_id, argument_event_id in session.execute(
            select(EventArgument.event_id, EventArgument.argument_event_id)
            .where(EventArgument.argument_event_id.is_not(None)).order_by(EventArgument.id)):
        if argument_event_id is not None:
            inner.setdefault(event_id, []).append(argument_event_id)
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in sorted(inner):
        stack = [(start, False)]
        while stack:
            node, finished = stack.pop()
            if finished:
                state[node] = 2
                continue
            if state.get(node) == 2:
                continue
            if state.get(node) == 1:
                raise row_error("events", node, "the event is its own argument (directly or through other events)")
            state[node] = 1
            stack.append((node, True))
            stack += [(n, False) for n in inner.get(node, ()) if state.get(n) != 2]


def _check_relations(session: Session) -> None:
    for r in session.scalars(select(Relation).order_by(Relation.id)):
        rtype = session.get_one(RelationType, r.relation_type_id)
        for end, mention_id, accepts in (("source", r.source_mention_id, rtype.source_accepts),
                                         ("target", r.target_mention_id, rtype.target_accepts)):
            mention = session.get_one(Mention, mention_id)
            if mention.document_id != r.document_id or mention.coder_id != r.coder_id:
                raise row_error("relations", r.id, f"the {end} mention {mention.id} is not in the relation's "
                                "document by the same coder")
            mtype = session.get_one(EntityType, mention.entity_type_id)
            if accepts and mtype not in accepts:
                raise row_error("relations", r.id, f"the {end} of {rtype.name!r} does not accept {mtype.name!r}")


_Value = TypeVar("_Value", EventAttributeValue, MentionAttributeValue)


def _check_attribute_values(session: Session, model: type[_Value], table: str, target: str) -> None:
    for v in session.scalars(select(model).order_by(model.id)):
        attr = session.get_one(Attribute, v.attribute_id)
        if attr.target != target:
            raise row_error(table, v.id, f"{attr.name} is an attribute of {attr.target}s, not {target}s")
        _guard(table, v.id, validation.check_attribute_value, attr.name, json.loads(attr.values_json), v.value)
        if isinstance(v, EventAttributeValue):  # target "event"
            type_name = session.get_one(EventType, session.get_one(Event, v.event_id).event_type_id).name
        else:
            type_name = session.get_one(EntityType, session.get_one(Mention, v.mention_id).entity_type_id).name
        applies = [validation.normalise_name(a) for a in json.loads(attr.applies_to_json)]
        if applies and validation.normalise_name(type_name) not in applies:
            raise row_error(table, v.id, f"{attr.name} does not apply to {type_name}")


def relation_flag_differences(mine: CodebookSpec, theirs: CodebookSpec) -> list[str]:
    """Relation types both codebooks have whose transitive flag (an equivalence, brat's Equiv)
    differs, as codebook differences: merging keeps this project's setting."""
    found = []
    for rel in theirs.relation_types:
        here = mine.relation_type_like(rel.name)
        if here is not None and here.transitive != rel.transitive:
            found.append(f"relation type {rel.name!r} is transitive (an equivalence) "
                         + ("in the other project but not here" if rel.transitive else "here but not in the other project")
                         + "; this project's setting is kept")
    return found
