"""The data an adjudicator reviews, read in bulk, and the state of each distinct annotation.

`read_documents` reads, per document, the coders who worked on it (gold apart), everyone's
mentions, events, relations and code values, and the adjudicator's rejections. The `*_states`
functions line the coders' annotations up: one `State` per distinct annotation (a mention's span
and type; an event's type, trigger, argument spans, the events filling its roles and attributes;
a relation's type and its two ends' spans and types, either way round when symmetric; a code),
with who made exactly it,
whether every coder did, and what gold says (see `review_items` for the meaning). They are
the one place these rules live: the detailed review and the fast counts both use them.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.core.models import (
    Coder,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    Event,
    EventArgument,
    EventAttributeValue,
    GoldRejection,
    Mention,
    Relation,
    RelationType,
)
from app.core.services.coders import GOLD

ACCEPTED, REJECTED, GOLD_DIFFERS = "accepted", "rejected", "gold differs"


@dataclass(frozen=True, slots=True)
class MentionRow:
    id: int
    coder: str
    type_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    coder: str
    type_id: int
    trigger: tuple[int, int] | None
    trigger_text: str | None
    arguments: frozenset[tuple[int, int, int, int]]  # (role id, start, end, entity type id)
    attributes: frozenset[tuple[int, str]]  # (attribute id, value)
    nested: frozenset[Filler] = frozenset()  # roles filled by events

    @property
    def signature(self) -> tuple[Any, ...]:
        if self.nested:
            return (self.type_id, self.trigger, self.arguments, self.attributes, self.nested)
        return (self.type_id, self.trigger, self.arguments, self.attributes)


@dataclass(frozen=True, slots=True)
class Filler:
    """A role filled by an event, as the review compares it: the role and the filling event's
    type, trigger (None without) and trigger text (to describe it)."""

    role_id: int
    type_id: int
    trigger: tuple[int, int] | None
    trigger_text: str | None = field(default=None, compare=False)


End = tuple[int, int, int]  # a relation end: (start, end, entity type id)


@dataclass(frozen=True, slots=True)
class RelationRow:
    id: int
    coder: str
    type_id: int
    symmetric: bool
    source: End
    target: End
    source_text: str
    target_text: str

    @property
    def key(self) -> tuple[int, End, End]:
        """The relation as the review compares it: a symmetric one's ends in a fixed order."""
        if self.symmetric and self.target < self.source:
            return (self.type_id, self.target, self.source)
        return (self.type_id, self.source, self.target)

    @property
    def ends(self) -> frozenset[tuple[int, int]]:
        return frozenset({self.source[:2], self.target[:2]})


@dataclass
class DocData:
    document_id: int
    coders: list[str]  # who worked on it, gold apart, by coder id
    mentions: list[MentionRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)
    codes: list[tuple[str, int, str]] = field(default_factory=list)  # (coder, code id, value)
    rejected: set[str] = field(default_factory=set)


@dataclass(slots=True)
class State:
    kind: str  # mention, event, relation, code
    ref: str
    holders: dict[str, Any]  # coder -> MentionRow / EventRow / RelationRow / code value that is exactly this
    agreed: bool  # two or more coders, all of them made exactly this
    gold: str  # accepted, rejected, gold differs, or ""
    gold_there: list[Any]  # gold's annotations at that place (mentions, events, relations, or [value])
    first: Any  # one holder's annotation (or value)
    key: Any  # (start, end, type id) / event signature / relation key / code id


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def read_documents(session: Session, document_ids: Iterable[int], only: str | None = None) -> Iterator[DocData]:
    """Each document's data, in the order given, read 500 documents at a time (Core rows).

    With `only` (a coder's name), only that coder's annotations are read (and the rejections,
    and who worked on the document): what changed when only gold did."""
    conn = session.connection()
    names = dict(conn.execute(select(Coder.id, Coder.name)).all())
    only_id = next((i for i, n in names.items() if n == only), -1) if only is not None else None
    for chunk in _chunks(list(dict.fromkeys(document_ids))):
        docs = {d: DocData(d, []) for d in chunk}
        for doc_id, coder_id in conn.execute(
            select(DocumentStatus.document_id, DocumentStatus.coder_id)
            .where(DocumentStatus.document_id.in_(chunk)).order_by(DocumentStatus.coder_id)
        ):
            if names[coder_id] != GOLD:
                docs[doc_id].coders.append(names[coder_id])
        spans: dict[int, tuple[int, int, int]] = {}
        for mid, doc_id, coder_id, type_id, start, end, text in conn.execute(
            _of(select(Mention.id, Mention.document_id, Mention.coder_id, Mention.entity_type_id, Mention.start,
                       Mention.end, Mention.text).where(Mention.document_id.in_(chunk)), Mention, only_id)
            .order_by(Mention.start, Mention.end.desc(), Mention.id)
        ):
            docs[doc_id].mentions.append(MentionRow(mid, names[coder_id], type_id, start, end, text))
            spans[mid] = (start, end, type_id)
        _read_events(conn, chunk, names, spans, docs, only_id)
        _read_relations(conn, chunk, names, docs, only_id)
        for doc_id, coder_id, code_id, value in conn.execute(
            _of(select(DocumentCodeValue.document_id, DocumentCodeValue.coder_id, DocumentCodeValue.code_id,
                       DocumentCodeValue.value).where(DocumentCodeValue.document_id.in_(chunk)),
                DocumentCodeValue, only_id)
        ):
            docs[doc_id].codes.append((names[coder_id], code_id, value))
        for doc_id, ref in conn.execute(
            select(GoldRejection.document_id, GoldRejection.ref).where(GoldRejection.document_id.in_(chunk))
        ):
            docs[doc_id].rejected.add(ref)
        yield from docs.values()


def _of(query: Any, model: Any, coder_id: int | None) -> Any:
    return query if coder_id is None else query.where(model.coder_id == coder_id)


def _read_events(conn: Any, chunk: list[int], names: dict[int, str], spans: dict[int, tuple[int, int, int]],
                 docs: dict[int, DocData], only_id: int | None = None) -> None:
    rows = conn.execute(
        _of(select(Event.id, Event.document_id, Event.coder_id, Event.event_type_id, Event.trigger_start,
                   Event.trigger_end, Event.trigger_text).where(Event.document_id.in_(chunk)), Event, only_id)
        .order_by(Event.id)
    ).all()
    arguments: dict[int, set[tuple[int, int, int, int]]] = defaultdict(set)
    attributes: dict[int, set[tuple[int, str]]] = defaultdict(set)
    nested: dict[int, set[Filler]] = defaultdict(set)
    fillers = {r[0]: (r[3], (r[4], r[5]) if r[4] is not None else None, r[6]) for r in rows}
    for part in _chunks([r[0] for r in rows]):
        for event_id, role_id, mention_id, filler_id in conn.execute(
            select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id,
                   EventArgument.argument_event_id).where(EventArgument.event_id.in_(part))
        ):
            if mention_id is None:  # a role filled by an event (a nested event)
                filler = fillers.get(filler_id)
                if filler is None:
                    type_id, start, end, text = conn.execute(
                        select(Event.event_type_id, Event.trigger_start, Event.trigger_end, Event.trigger_text)
                        .where(Event.id == filler_id)).one()
                    filler = fillers[filler_id] = (type_id, (start, end) if start is not None else None, text)
                nested[event_id].add(Filler(role_id, *filler))
                continue
            span = spans.get(mention_id)
            if span is None:  # reading one coder's layer: an argument that is another's mention
                start, end, type_id = conn.execute(
                    select(Mention.start, Mention.end, Mention.entity_type_id).where(Mention.id == mention_id)).one()
                span = spans[mention_id] = (start, end, type_id)
            arguments[event_id].add((role_id, *span))
        for event_id, attribute_id, value in conn.execute(
            select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value)
            .where(EventAttributeValue.event_id.in_(part))
        ):
            attributes[event_id].add((attribute_id, value))
    for eid, doc_id, coder_id, type_id, start, end, trigger_text in rows:
        docs[doc_id].events.append(EventRow(
            eid, names[coder_id], type_id, (start, end) if start is not None else None, trigger_text,
            frozenset(arguments[eid]), frozenset(attributes[eid]), frozenset(nested[eid])))


def _read_relations(conn: Any, chunk: list[int], names: dict[int, str], docs: dict[int, DocData],
                    only_id: int | None = None) -> None:
    symmetric = dict(conn.execute(select(RelationType.id, RelationType.symmetric)).all())
    src, tgt = aliased(Mention), aliased(Mention)
    for rid, doc_id, coder_id, type_id, s_start, s_end, s_type, s_text, t_start, t_end, t_type, t_text in conn.execute(
        _of(select(Relation.id, Relation.document_id, Relation.coder_id, Relation.relation_type_id,
                   src.start, src.end, src.entity_type_id, src.text, tgt.start, tgt.end, tgt.entity_type_id, tgt.text)
            .join(src, src.id == Relation.source_mention_id).join(tgt, tgt.id == Relation.target_mention_id)
            .where(Relation.document_id.in_(chunk)), Relation, only_id)
        .order_by(Relation.id)
    ):
        docs[doc_id].relations.append(RelationRow(
            rid, names[coder_id], type_id, bool(symmetric[type_id]), (s_start, s_end, s_type),
            (t_start, t_end, t_type), s_text, t_text))


def code_order(session: Session) -> list[int]:
    return list(session.scalars(select(DocumentCode.id).order_by(DocumentCode.position, DocumentCode.id)))


# ---------------------------------------------------------------- refs


def mention_ref(start: int, end: int, type_id: int) -> str:
    return f"mention:{start}:{end}:{type_id}"


def event_ref(signature: tuple[Any, ...]) -> str:
    type_id, trigger, arguments, attributes, *nested = signature
    parts: tuple[Any, ...] = (type_id, trigger, sorted(arguments), sorted(attributes))
    if nested:  # only events with roles filled by events: the refs of the others stay as they were
        parts += (sorted((f.role_id, f.type_id, f.trigger or (-1, -1)) for f in nested[0]),)
    canonical = repr(parts)
    return "event:" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def relation_ref(key: tuple[int, End, End]) -> str:
    type_id, source, target = key
    return "relation:{}:{}:{}:{}:{}:{}:{}".format(type_id, *source, *target)


def code_ref(code_id: int) -> str:
    return f"code:{code_id}"


# ---------------------------------------------------------------- states


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class SpanIndex:
    """One coder's mentions sorted by start, for finding those that overlap a range quickly."""

    def __init__(self, mentions: list[MentionRow]) -> None:
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end, m.id))
        self.starts = [m.start for m in self.mentions]
        self.max_len = max((m.end - m.start for m in self.mentions), default=0)

    def overlapping(self, start: int, end: int) -> list[MentionRow]:
        if not self.mentions:
            return []
        i = bisect_left(self.starts, start - self.max_len + 1)
        j = bisect_left(self.starts, end)
        return [m for m in self.mentions[i:j] if m.end > start]


def versions_of_one_mention(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    """Two (start, end, type) mentions that are versions of one mention, not two mentions: the
    same span (another type), or the same type overlapping. A mention nested in one of another
    type (an Organization inside a Team) is a mention of its own."""
    if a[:2] == b[:2]:
        return True
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def span_indexes(d: DocData) -> dict[str, SpanIndex]:
    by_coder: dict[str, list[MentionRow]] = defaultdict(list)
    for m in d.mentions:
        by_coder[m.coder].append(m)
    return {c: SpanIndex(ms) for c, ms in by_coder.items()}


def _decide(key_in_gold: bool, ref: str, rejected: set[str], gold_there: list[Any]) -> str:
    if key_in_gold:
        return ACCEPTED
    if ref in rejected:
        return REJECTED
    return GOLD_DIFFERS if gold_there else ""


def mention_states(d: DocData, index: dict[str, SpanIndex]) -> list[State]:
    gold = index.get(GOLD) or SpanIndex([])
    gold_keys = {(m.start, m.end, m.type_id) for m in gold.mentions}
    coders = set(d.coders)
    by_key: dict[tuple[int, int, int], dict[str, MentionRow]] = {}
    for m in d.mentions:
        if m.coder in coders:
            by_key.setdefault((m.start, m.end, m.type_id), {}).setdefault(m.coder, m)
    states = []
    for key, holders in by_key.items():
        ref = mention_ref(*key)
        decided, gold_there = mention_gold(key, ref, gold, gold_keys, d.rejected)
        states.append(State("mention", ref, holders, len(coders) >= 2 and len(holders) == len(coders),
                            decided, gold_there, next(iter(holders.values())), key))
    return states


def mention_gold(key: tuple[int, int, int], ref: str, gold: SpanIndex, gold_keys: set[tuple[int, int, int]],
                 rejected: set[str]) -> tuple[str, list[MentionRow]]:
    """What gold says of the mention `key` (see `_decide`), and gold's versions of it."""
    gold_there = [g for g in gold.overlapping(key[0], key[1])
                  if versions_of_one_mention(key, (g.start, g.end, g.type_id))]
    return _decide(key in gold_keys, ref, rejected, gold_there), gold_there


def same_place(x: EventRow, y: EventRow) -> bool:
    """Two events of one type at one place: overlapping triggers, or (without) a shared argument span."""
    if x.type_id != y.type_id:
        return False
    if x.trigger and y.trigger:
        return overlaps(x.trigger, y.trigger)
    return bool({a[1:] for a in x.arguments} & {a[1:] for a in y.arguments})


def _grouped_states(kind: str, rows: Sequence[Any], key_of: Callable[[Any], Any], ref_of: Callable[[Any], str],
                    same: Callable[[Any, Any], bool], d: DocData) -> list[State]:
    """One state per distinct annotation (grouped by `key_of`) among the coders' `rows`, with
    what gold says of it: its exact copy in gold, or gold's other versions at the same place."""
    gold = [r for r in rows if r.coder == GOLD]
    gold_keys = {key_of(r) for r in gold}
    coders = set(d.coders)
    grouped: dict[Any, dict[str, Any]] = {}
    for r in rows:
        if r.coder in coders:
            grouped.setdefault(key_of(r), {}).setdefault(r.coder, r)
    states = []
    for key, holders in grouped.items():
        first = next(iter(holders.values()))
        ref = ref_of(key)
        gold_there = [g for g in gold if same(g, first)]
        states.append(State(kind, ref, holders, len(coders) >= 2 and len(holders) == len(coders),
                            _decide(key in gold_keys, ref, d.rejected, gold_there), gold_there, first, key))
    return states


def event_states(d: DocData) -> list[State]:
    return _grouped_states("event", d.events, lambda e: e.signature, event_ref, same_place, d)


def same_ends(x: RelationRow, y: RelationRow) -> bool:
    """Two relations between mentions of the same two spans (any type, either way round)."""
    return x.ends == y.ends and len(x.ends) == 2


def relation_states(d: DocData) -> list[State]:
    return _grouped_states("relation", d.relations, lambda r: r.key, relation_ref, same_ends, d)


def code_states(d: DocData, order: list[int]) -> list[State]:
    values: dict[int, dict[str, str]] = defaultdict(dict)
    coders = set(d.coders)
    for coder, code_id, value in d.codes:
        if coder in coders or coder == GOLD:
            values[code_id][coder] = value
    states = []
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
            state = REJECTED if ref in d.rejected else ""
        agreed = len(coders) >= 2 and len(coded) == len(coders) and len(set(coded.values())) == 1
        states.append(State("code", ref, coded, agreed, state, [gold_value] if gold_value is not None else [],
                            next(iter(coded.values())), code_id))
    return states
