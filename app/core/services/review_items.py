"""What an adjudicator reviews in a document: each coder's annotations lined up as review items.

An item is one distinct annotation some coder made: a mention (start, end, type), an event
(type, trigger, arguments by span and type, the events filling its roles by type and trigger,
attributes), a relation (type, its source and target by span and type; a symmetric one either way
round) or a document code's values. For each
item we know which coders made exactly it, what the others have at that place instead, whether
all coders agree, and what the gold set says:

* ``accepted``     gold holds exactly this annotation (or, for a code, one coder's value);
* ``rejected``     the adjudicator left it out of gold (a `GoldRejection`);
* ``gold differs`` gold holds another version of it (a mention of the same span, or of the same
  type overlapping it; a same-type event at that place; a relation between the same two spans;
  another code value): it was decided;
* ``""``           nothing decided yet.

A disagreement is an item not every coder made (only in documents with two or more coders);
it is unresolved while gold says nothing. Nothing here changes the project; the rules live in
`review_data`, shared by the detailed review and the fast counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.models import (
    Attribute,
    Document,
    DocumentCode,
    EntityType,
    EventRole,
    EventType,
    RelationType,
)
from app.core.services.coders import GOLD
from app.core.services.review_data import (
    ACCEPTED,
    REJECTED,
    DocData,
    EventRow,
    MentionRow,
    RelationRow,
    SpanIndex,
    State,
    code_order,
    code_states,
    event_states,
    mention_gold,
    mention_ref,
    mention_states,
    read_documents,
    relation_states,
    same_ends,
    same_place,
    span_indexes,
)

__all__ = ["ACCEPTED", "REJECTED", "DocumentReview", "Holder", "ReviewCounts", "ReviewItem", "count_reviews",
           "describe_event", "load_review", "load_reviews", "regold"]


@dataclass(frozen=True)
class Holder:
    """A coder's annotation that is exactly the item: its id (None for codes) and how it reads."""

    annotation_id: int | None
    description: str
    value: str | None = None  # a code's value


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # mention, event, relation, code
    ref: str  # stable name of the item (used for rejections)
    document_id: int
    start: int | None
    end: int | None
    label: str  # entity type, event type, relation type or code name
    description: str  # how the item reads
    holders: dict[str, Holder]  # coder -> their annotation that is exactly this item
    elsewhere: dict[str, str]  # coder (not a holder) -> what they have at that place instead ("" nothing)
    agreed: bool  # two or more coders, every one of them made exactly this
    gold: str  # accepted, rejected, gold differs, or ""
    gold_description: str = ""
    argument_refs: tuple[str, ...] = ()  # an event's argument mentions (a relation's ends), as mention items' refs
    places: tuple[tuple[int, int], ...] = ()  # where to show it: a relation's two ends (else start–end)
    gold_version: int = field(default=0, compare=False)
    """The document's gold version when this was read (`Document.gold_version`): not part of what
    the item is, so a view compares items without it."""

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
    basis: ReviewBasis | None = field(default=None, repr=False, compare=False)
    """What the review was made from, to bring it up to date when only gold changed (`regold`)."""

    @property
    def unresolved(self) -> int:
        return sum(item.unresolved for item in self.items)

    def mentions_of(self, coder: str) -> list[MentionRow]:
        """One coder's (or gold's) mentions, as read for this review."""
        return [m for m in self.basis.data.mentions if m.coder == coder] if self.basis is not None else []

    def mentions_by_coder(self) -> dict[str, list[MentionRow]]:
        """Every coder's mentions and gold's, as read for this review (by start)."""
        out: dict[str, list[MentionRow]] = {}
        if self.basis is not None:
            for m in self.basis.data.mentions:
                out.setdefault(m.coder, []).append(m)
        return out

    @property
    def disagreements(self) -> int:
        return sum(item.disagreement for item in self.items)

    @property
    def agreed_pending(self) -> int:
        """Agreed items not yet in gold (and not rejected): what *accept all agreements* takes."""
        return sum(item.agreed and not item.gold for item in self.items)


# ---------------------------------------------------------------- reviews


@dataclass
class ReviewBasis:
    data: DocData
    names: _Names
    order: list[int]  # the document codes' order


@dataclass
class _Names:
    entity: dict[int, str]
    event: dict[int, str]
    role: dict[int, str]
    attribute: dict[int, str]
    code: dict[int, str]
    relation: dict[int, str] = field(default_factory=dict)


def _names(session: Session) -> _Names:
    def table(model: type) -> dict[int, str]:
        return dict(session.execute(select(model.id, model.name)).all())  # type: ignore[attr-defined]

    return _Names(table(EntityType), table(EventType), table(EventRole), table(Attribute), table(DocumentCode),
                  table(RelationType))


def load_reviews(session: Session, document_ids: Iterable[int]) -> list[DocumentReview]:
    """The review of each document (in the order given), every item described."""
    names = _names(session)
    order = code_order(session)
    ids = list(document_ids)
    versions = _gold_versions(session, ids)
    out = []
    for d in read_documents(session, ids):
        review = DocumentReview(d.document_id, d.coders, basis=ReviewBasis(d, names, order))
        review.items += _mention_items(d, names)
        review.items += _event_items(d, names)
        review.items += _relation_items(d, names)
        review.items += [_code_item(d, state, names) for state in code_states(d, order)]
        version = versions.get(d.document_id, 0)
        review.items = [replace(item, gold_version=version) for item in review.items] if version else review.items
        out.append(review)
    return out


def _gold_versions(session: Session, document_ids: list[int]) -> dict[int, int]:
    """Each document's gold version (documents at version 0 left out)."""
    out: dict[int, int] = {}
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start:start + 500]
        out.update(session.execute(select(Document.id, Document.gold_version).where(
            Document.id.in_(chunk), Document.gold_version != 0)).all())
    return out


def load_review(session: Session, document_id: int) -> DocumentReview:
    return load_reviews(session, [document_id])[0]


def regold(session: Session, review: DocumentReview) -> tuple[DocumentReview, list[int]]:
    """The review as `load_review` would read it now, when since `review` was read only gold's
    annotations and the rejections of the document changed: only gold's layer is read again, and
    only the gold state of the items moves (which items there are depends on the coders alone).
    Returns the new review and the positions of the items that changed."""
    if review.basis is None:
        raise ValueError("this review was not read by load_review")
    old = review.basis.data
    gold = next(read_documents(session, [review.document_id], only=GOLD))
    d = DocData(old.document_id, old.coders, [m for m in old.mentions if m.coder != GOLD] + gold.mentions,
                [e for e in old.events if e.coder != GOLD] + gold.events,
                [r for r in old.relations if r.coder != GOLD] + gold.relations,
                [c for c in old.codes if c[0] != GOLD] + gold.codes, gold.rejected)
    names, order = review.basis.names, review.basis.order
    describe = _event_describer(d, names)
    now: dict[str, tuple[str, str]] = {}
    # A mention item's gold state depends on gold's mentions overlapping it and its rejection:
    # only those near a gold mention that came or went, or whose rejection did, are looked at.
    moved = ({(m.start, m.end, m.type_id) for m in old.mentions if m.coder == GOLD}
             ^ {(m.start, m.end, m.type_id) for m in gold.mentions})
    rejections = old.rejected ^ gold.rejected
    gold_index = SpanIndex(gold.mentions)
    gold_keys = {(m.start, m.end, m.type_id) for m in gold.mentions}
    for item in review.items:
        if item.kind != "mention" or not (item.ref in rejections or any(
                start < item.end and item.start < end for start, end, _ in moved)):  # type: ignore[operator]
            continue
        key = (item.start, item.end, int(item.ref.rsplit(":", 1)[1]))
        decided, gold_there = mention_gold(key, item.ref, gold_index, gold_keys, d.rejected)  # type: ignore[arg-type]
        now[item.ref] = (decided, "; ".join(_describe_mention(o, names) for o in gold_there))
    for st in event_states(d):
        now[st.ref] = (st.gold, "; ".join(describe(g) for g in st.gold_there))
    for st in relation_states(d):
        now[st.ref] = (st.gold, "; ".join(_describe_relation(g, names) for g in st.gold_there))
    for st in code_states(d, order):
        now[st.ref] = (st.gold, st.gold_there[0] if st.gold_there else "")
    version = _gold_versions(session, [review.document_id]).get(review.document_id, 0)
    items, changed = list(review.items), []
    for i, item in enumerate(items):
        state = now.get(item.ref)
        if state is not None and state != (item.gold, item.gold_description):
            items[i] = replace(item, gold=state[0], gold_description=state[1], gold_version=version)
            changed.append(i)
        elif item.gold_version != version:
            items[i] = replace(item, gold_version=version)
    return DocumentReview(review.document_id, review.coders, items, ReviewBasis(d, names, order)), changed


@dataclass(frozen=True)
class ReviewCounts:
    document_id: int
    coders: list[str]
    disagreements: int
    unresolved: int
    agreed_pending: int


def count_reviews(session: Session, document_ids: Iterable[int]) -> list[ReviewCounts]:
    """The counts of `load_reviews` without describing anything (what counters need)."""
    order = code_order(session)
    out = []
    for d in read_documents(session, document_ids):
        states = [*mention_states(d, span_indexes(d)), *event_states(d), *relation_states(d), *code_states(d, order)]
        several = len(d.coders) >= 2
        disagreements = [st for st in states if several and not st.agreed]
        out.append(ReviewCounts(d.document_id, d.coders, len(disagreements),
                                sum(1 for st in disagreements if not st.gold),
                                sum(1 for st in states if st.agreed and not st.gold)))
    return out


def _describe_mention(m: MentionRow, names: _Names) -> str:
    return f"{names.entity[m.type_id]} “{m.text}”"


def _mention_items(d: DocData, names: _Names) -> list[ReviewItem]:
    index = span_indexes(d)
    items = []
    for st in mention_states(d, index):
        start, end, type_id = st.key
        elsewhere = {c: "; ".join(_describe_mention(o, names) for o in index[c].overlapping(start, end))
                     if c in index else "" for c in d.coders if c not in st.holders}
        items.append(ReviewItem(
            "mention", st.ref, d.document_id, start, end, names.entity[type_id], _describe_mention(st.first, names),
            {c: Holder(m.id, _describe_mention(m, names)) for c, m in st.holders.items()}, elsewhere,
            st.agreed, st.gold, "; ".join(_describe_mention(o, names) for o in st.gold_there),
        ))
    return items


def describe_event(type_name: str, trigger_text: str | None, arguments: Iterable[tuple[str, str]],
                   attributes: Iterable[tuple[str, str]]) -> str:
    parts = [f"{role}: {text}" for role, text in sorted(arguments)]
    parts += [f"{name}: {value}" for name, value in sorted(attributes)]
    trig = f" “{trigger_text}”" if trigger_text else ""
    return f"{type_name}{trig}" + (" — " + "; ".join(parts) if parts else "")


def _event_describer(d: DocData, names: _Names) -> Callable[[EventRow], str]:
    span_text = {(m.start, m.end, m.type_id): m.text for m in d.mentions}

    def describe(e: EventRow) -> str:
        fillers = [(names.role[f.role_id], names.event[f.type_id] + (f" “{f.trigger_text}”" if f.trigger_text else ""))
                   for f in e.nested]
        return describe_event(
            names.event[e.type_id], e.trigger_text,
            [(names.role[r], span_text.get((s, t, ty), "?")) for r, s, t, ty in e.arguments] + fillers,
            [(names.attribute[a], v) for a, v in e.attributes],
        )

    return describe


def _event_items(d: DocData, names: _Names) -> list[ReviewItem]:
    describe = _event_describer(d, names)
    items = []
    for st in event_states(d):
        first: EventRow = st.first
        elsewhere = {c: "; ".join(describe(o) for o in d.events if o.coder == c and same_place(o, first))
                     for c in d.coders if c not in st.holders}
        start = first.trigger[0] if first.trigger else min((a[1] for a in first.arguments), default=None)
        end = first.trigger[1] if first.trigger else max((a[2] for a in first.arguments), default=None)
        items.append(ReviewItem(
            "event", st.ref, d.document_id, start, end, names.event[first.type_id], describe(first),
            {c: Holder(e.id, describe(e)) for c, e in st.holders.items()}, elsewhere,
            st.agreed, st.gold, "; ".join(describe(g) for g in st.gold_there),
            tuple(sorted({mention_ref(s, t, ty) for _, s, t, ty in first.arguments})),
        ))
    return items


def _describe_relation(r: RelationRow, names: _Names) -> str:
    return f"{names.relation[r.type_id]}: “{r.source_text}” {'↔' if r.symmetric else '→'} “{r.target_text}”"


def _relation_items(d: DocData, names: _Names) -> list[ReviewItem]:
    """A relation item is placed over both its ends (start of the first, end of the last); what
    another coder has "there" is what they linked between the same two spans."""
    items = []
    for st in relation_states(d):
        first: RelationRow = st.first
        elsewhere = {c: "; ".join(_describe_relation(o, names) for o in d.relations
                                  if o.coder == c and same_ends(o, first))
                     for c in d.coders if c not in st.holders}
        places = tuple(sorted({first.source[:2], first.target[:2]}))
        items.append(ReviewItem(
            "relation", st.ref, d.document_id, places[0][0], max(p[1] for p in places),
            names.relation[first.type_id], _describe_relation(first, names),
            {c: Holder(r.id, _describe_relation(r, names)) for c, r in st.holders.items()}, elsewhere,
            st.agreed, st.gold, "; ".join(_describe_relation(g, names) for g in st.gold_there),
            (mention_ref(*first.source), mention_ref(*first.target)), places,
        ))
    return items


def _code_item(d: DocData, st: State, names: _Names) -> ReviewItem:
    name = names.code[st.key]
    return ReviewItem(
        "code", st.ref, d.document_id, None, None, name, f"{name}: {' / '.join(sorted(set(st.holders.values())))}",
        {c: Holder(None, v, v) for c, v in st.holders.items()},
        {c: "" for c in d.coders if c not in st.holders},
        st.agreed, st.gold, st.gold_there[0] if st.gold_there else "",
    )
