"""What an adjudicator reviews in a document: each coder's annotations lined up as review items.

An item is one distinct annotation some coder made: a mention (start, end, type), an event
(type, trigger, arguments by span and type, attributes) or a document code's values. For each
item we know which coders made exactly it, what the others have at that place instead, whether
all coders agree, and what the gold set says:

* ``accepted``     gold holds exactly this annotation (or, for a code, one coder's value);
* ``rejected``     the adjudicator left it out of gold (a `GoldRejection`);
* ``gold differs`` gold holds something else at that place (an overlapping mention of any type,
  a same-type event at that place, another code value): the place was decided;
* ``""``           nothing decided yet.

A disagreement is an item not every coder made (only in documents with two or more coders);
it is unresolved while gold says nothing. Nothing here changes the project.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.models import (
    Attribute,
    Coder,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    GoldRejection,
    Mention,
)
from app.core.services.coders import GOLD

ACCEPTED, REJECTED, GOLD_DIFFERS = "accepted", "rejected", "gold differs"


@dataclass(frozen=True)
class Holder:
    """A coder's annotation that is exactly the item: its id (None for codes) and how it reads."""

    annotation_id: int | None
    description: str
    value: str | None = None  # a code's value


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # mention, event, code
    ref: str  # stable name of the item (used for rejections)
    document_id: int
    start: int | None
    end: int | None
    label: str  # entity type, event type or code name
    description: str  # how the item reads
    holders: dict[str, Holder]  # coder -> their annotation that is exactly this item
    elsewhere: dict[str, str]  # coder (not a holder) -> what they have at that place instead ("" nothing)
    agreed: bool  # two or more coders, every one of them made exactly this
    gold: str  # accepted, rejected, gold differs, or ""
    gold_description: str = ""

    @property
    def disagreement(self) -> bool:
        return not self.agreed and len(self.holders) + len(self.elsewhere) >= 2

    @property
    def unresolved(self) -> bool:
        return self.disagreement and not self.gold

    @property
    def status(self) -> str:
        if self.agreed:
            return "agreed, in gold" if self.gold == ACCEPTED else (f"agreed, {self.gold}" if self.gold else "agreed")
        if not self.disagreement:
            return self.gold or "one coder"
        return self.gold or "unresolved"


@dataclass
class DocumentReview:
    document_id: int
    coders: list[str]  # the coders (not gold) who worked on the document
    items: list[ReviewItem] = field(default_factory=list)

    @property
    def unresolved(self) -> int:
        return sum(item.unresolved for item in self.items)

    @property
    def disagreements(self) -> int:
        return sum(item.disagreement for item in self.items)

    @property
    def agreed_pending(self) -> int:
        """Agreed items not yet in gold (and not rejected): what *accept all agreements* takes."""
        return sum(item.agreed and not item.gold for item in self.items)


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Mention:
    id: int
    coder: str
    type_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Event:
    id: int
    coder: str
    type_id: int
    trigger: tuple[int, int] | None
    trigger_text: str | None
    arguments: frozenset[tuple[int, int, int, int]]  # (role id, start, end, entity type id)
    attributes: frozenset[tuple[int, str]]  # (attribute id, value)

    @property
    def signature(self) -> tuple:  # type: ignore[type-arg]
        return (self.type_id, self.trigger, self.arguments, self.attributes)


@dataclass
class _Names:
    entity: dict[int, str]
    event: dict[int, str]
    role: dict[int, str]
    attribute: dict[int, str]
    code: dict[int, str]


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def load_reviews(session: Session, document_ids: Iterable[int]) -> list[DocumentReview]:
    """The review of each document (in the order given), read in bulk."""
    ids = list(dict.fromkeys(document_ids))
    coder_names = dict(session.execute(select(Coder.id, Coder.name)).all())
    names = _Names(
        dict(session.execute(select(EntityType.id, EntityType.name)).all()),
        dict(session.execute(select(EventType.id, EventType.name)).all()),
        dict(session.execute(select(EventRole.id, EventRole.name)).all()),
        dict(session.execute(select(Attribute.id, Attribute.name)).all()),
        dict(session.execute(select(DocumentCode.id, DocumentCode.name)).all()),
    )
    code_order = list(session.scalars(select(DocumentCode.id).order_by(DocumentCode.position, DocumentCode.id)))
    out: list[DocumentReview] = []
    for chunk in _chunks(ids):
        coders: dict[int, list[str]] = defaultdict(list)
        for doc_id, coder_id in session.execute(
            select(DocumentStatus.document_id, DocumentStatus.coder_id)
            .where(DocumentStatus.document_id.in_(chunk)).order_by(DocumentStatus.coder_id)
        ):
            if coder_names[coder_id] != GOLD:
                coders[doc_id].append(coder_names[coder_id])
        mentions: dict[int, list[_Mention]] = defaultdict(list)
        spans: dict[int, tuple[int, int, int]] = {}
        for mid, doc_id, coder_id, type_id, start, end, text in session.execute(
            select(Mention.id, Mention.document_id, Mention.coder_id, Mention.entity_type_id, Mention.start,
                   Mention.end, Mention.text).where(Mention.document_id.in_(chunk))
            .order_by(Mention.start, Mention.end.desc(), Mention.id)
        ):
            mentions[doc_id].append(_Mention(mid, coder_names[coder_id], type_id, start, end, text))
            spans[mid] = (start, end, type_id)
        events = _load_events(session, chunk, coder_names, spans)
        codes: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
        for doc_id, coder_id, code_id, value in session.execute(
            select(DocumentCodeValue.document_id, DocumentCodeValue.coder_id, DocumentCodeValue.code_id,
                   DocumentCodeValue.value).where(DocumentCodeValue.document_id.in_(chunk))
        ):
            codes[doc_id].append((coder_names[coder_id], code_id, value))
        rejected: dict[int, set[str]] = defaultdict(set)
        for doc_id, ref in session.execute(
            select(GoldRejection.document_id, GoldRejection.ref).where(GoldRejection.document_id.in_(chunk))
        ):
            rejected[doc_id].add(ref)
        texts = {m.id: m.text for ms in mentions.values() for m in ms}
        for doc_id in chunk:
            review = DocumentReview(doc_id, coders.get(doc_id, []))
            review.items += _mention_items(doc_id, review.coders, mentions[doc_id], rejected[doc_id], names)
            review.items += _event_items(doc_id, review.coders, events[doc_id], rejected[doc_id], names, texts,
                                         mentions[doc_id])
            review.items += _code_items(doc_id, review.coders, codes[doc_id], rejected[doc_id], names, code_order)
            out.append(review)
    return out


def load_review(session: Session, document_id: int) -> DocumentReview:
    return load_reviews(session, [document_id])[0]


def _load_events(session: Session, chunk: list[int], coder_names: dict[int, str],
                 spans: dict[int, tuple[int, int, int]]) -> dict[int, list[_Event]]:
    rows = session.execute(
        select(Event.id, Event.document_id, Event.coder_id, Event.event_type_id, Event.trigger_start,
               Event.trigger_end, Event.trigger_text).where(Event.document_id.in_(chunk)).order_by(Event.id)
    ).all()
    event_ids = [r[0] for r in rows]
    arguments: dict[int, set[tuple[int, int, int, int]]] = defaultdict(set)
    attributes: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for part in _chunks(event_ids):
        for event_id, role_id, mention_id in session.execute(
            select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id)
            .where(EventArgument.event_id.in_(part))
        ):
            arguments[event_id].add((role_id, *spans[mention_id]))
        for event_id, attribute_id, value in session.execute(
            select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value)
            .where(EventAttributeValue.event_id.in_(part))
        ):
            attributes[event_id].add((attribute_id, value))
    out: dict[int, list[_Event]] = defaultdict(list)
    for eid, doc_id, coder_id, type_id, start, end, trigger_text in rows:
        out[doc_id].append(_Event(eid, coder_names[coder_id], type_id, (start, end) if start is not None else None,
                                  trigger_text, frozenset(arguments[eid]), frozenset(attributes[eid])))
    return out


# ---------------------------------------------------------------- items


def mention_ref(start: int, end: int, type_id: int) -> str:
    return f"mention:{start}:{end}:{type_id}"


def event_ref(signature: tuple) -> str:  # type: ignore[type-arg]
    type_id, trigger, arguments, attributes = signature
    canonical = repr((type_id, trigger, sorted(arguments), sorted(attributes)))
    return "event:" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def code_ref(code_id: int) -> str:
    return f"code:{code_id}"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _describe_mention(m: _Mention, names: _Names) -> str:
    return f"{names.entity[m.type_id]} “{m.text}”"


def _mention_items(doc_id: int, coders: list[str], mentions: list[_Mention], rejected: set[str],
                   names: _Names) -> list[ReviewItem]:
    gold = [m for m in mentions if m.coder == GOLD]
    gold_keys = {(m.start, m.end, m.type_id) for m in gold}
    by_key: dict[tuple[int, int, int], dict[str, _Mention]] = {}
    for m in mentions:
        if m.coder in coders:
            by_key.setdefault((m.start, m.end, m.type_id), {}).setdefault(m.coder, m)
    items = []
    for key, holders in by_key.items():
        start, end, type_id = key
        first = next(iter(holders.values()))
        elsewhere = {}
        for c in coders:
            if c not in holders:
                there = [o for o in mentions if o.coder == c and _overlaps((o.start, o.end), (start, end))]
                elsewhere[c] = "; ".join(_describe_mention(o, names) for o in there)
        ref = mention_ref(*key)
        gold_there = [o for o in gold if _overlaps((o.start, o.end), (start, end))]
        if key in gold_keys:
            state = ACCEPTED
        elif ref in rejected:
            state = REJECTED
        elif gold_there:
            state = GOLD_DIFFERS
        else:
            state = ""
        items.append(ReviewItem(
            "mention", ref, doc_id, start, end, names.entity[type_id], _describe_mention(first, names),
            {c: Holder(m.id, _describe_mention(m, names)) for c, m in holders.items()}, elsewhere,
            len(coders) >= 2 and len(holders) == len(coders), state,
            "; ".join(_describe_mention(o, names) for o in gold_there),
        ))
    return items


def describe_event(type_name: str, trigger_text: str | None, arguments: Iterable[tuple[str, str]],
                   attributes: Iterable[tuple[str, str]]) -> str:
    parts = [f"{role}: {text}" for role, text in sorted(arguments)]
    parts += [f"{name}: {value}" for name, value in sorted(attributes)]
    trig = f" “{trigger_text}”" if trigger_text else ""
    return f"{type_name}{trig}" + (" — " + "; ".join(parts) if parts else "")


def _event_items(doc_id: int, coders: list[str], events: list[_Event], rejected: set[str], names: _Names,
                 texts: dict[int, str], mentions: list[_Mention]) -> list[ReviewItem]:
    span_text = {(m.start, m.end, m.type_id): m.text for m in mentions}

    def describe(e: _Event) -> str:
        return describe_event(
            names.event[e.type_id], e.trigger_text,
            [(names.role[r], span_text.get((s, t, ty), "?")) for r, s, t, ty in e.arguments],
            [(names.attribute[a], v) for a, v in e.attributes],
        )

    def same_place(x: _Event, y: _Event) -> bool:
        if x.type_id != y.type_id:
            return False
        if x.trigger and y.trigger:
            return _overlaps(x.trigger, y.trigger)
        return bool({a[1:] for a in x.arguments} & {a[1:] for a in y.arguments})

    gold = [e for e in events if e.coder == GOLD]
    gold_signatures = {e.signature for e in gold}
    by_sig: dict[tuple, dict[str, _Event]] = {}  # type: ignore[type-arg]
    for e in events:
        if e.coder in coders:
            by_sig.setdefault(e.signature, {}).setdefault(e.coder, e)
    items = []
    for sig, holders in by_sig.items():
        first = next(iter(holders.values()))
        elsewhere = {c: "; ".join(describe(o) for o in events if o.coder == c and same_place(o, first))
                     for c in coders if c not in holders}
        ref = event_ref(sig)
        gold_there = [g for g in gold if same_place(g, first)]
        if sig in gold_signatures:
            state = ACCEPTED
        elif ref in rejected:
            state = REJECTED
        elif gold_there:
            state = GOLD_DIFFERS
        else:
            state = ""
        start = first.trigger[0] if first.trigger else min((a[1] for a in first.arguments), default=None)
        end = first.trigger[1] if first.trigger else max((a[2] for a in first.arguments), default=None)
        items.append(ReviewItem(
            "event", ref, doc_id, start, end, names.event[first.type_id], describe(first),
            {c: Holder(e.id, describe(e)) for c, e in holders.items()}, elsewhere,
            len(coders) >= 2 and len(holders) == len(coders), state, "; ".join(describe(g) for g in gold_there),
        ))
    return items


def _code_items(doc_id: int, coders: list[str], codes: list[tuple[str, int, str]], rejected: set[str],
                names: _Names, order: list[int]) -> list[ReviewItem]:
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for coder, code_id, value in codes:
        if coder in coders or coder == GOLD:
            values[code_id][coder] = value
    items = []
    for code_id in order:
        per = values.get(code_id, {})
        coded = {c: v for c, v in per.items() if c != GOLD}
        if not coded:
            continue
        gold_value = per.get(GOLD)
        ref = code_ref(code_id)
        if gold_value is not None:
            state = ACCEPTED if gold_value in coded.values() else GOLD_DIFFERS
        else:
            state = REJECTED if ref in rejected else ""
        distinct = set(coded.values())
        agreed = len(coders) >= 2 and len(coded) == len(coders) and len(distinct) == 1
        name = names.code[code_id]
        items.append(ReviewItem(
            "code", ref, doc_id, None, None, name,
            f"{name}: {' / '.join(sorted(distinct))}",
            {c: Holder(None, v, v) for c, v in coded.items()},
            {c: "" for c in coders if c not in coded},
            agreed, state, gold_value or "",
        ))
    return items
