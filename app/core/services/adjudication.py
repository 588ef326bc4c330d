"""Adjudication: settling the coders' annotations into the gold set (the coder `gold`).

Every decision is an undoable action (`app.core.services.history`), committed like any other:
accept a coder's mention, event, relation or code value into gold; reject an item (leave it out of gold,
recorded so it no longer counts as unresolved); accept everything the coders agree on. Editing
or adding gold annotations is ordinary coding as the coder `gold`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.changes import Change
from app.core.errors import AnnotaryError
from app.core.models import (
    Coder,
    DocumentCodeValue,
    Event,
    EventArgument,
    GoldRejection,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.services import annotations as svc
from app.core.services import history as h
from app.core.services.coders import GOLD, get_gold_coder
from app.core.services.review_data import (
    GOLD_DIFFERS,
    REJECTED,
    versions_of_one_mention,
)
from app.core.services.review_items import ReviewItem, count_reviews, load_review

_Annotation = TypeVar("_Annotation", Mention, Event)


class _GoldCompound(h.Compound):
    """An adjudication made of steps that change gold's annotations only: its change says so
    (gold's coder id, and which mentions and events), so a view can update just gold's side."""

    gold_id: int | None = None

    def change(self) -> Change:
        parts = [step.change() for step in self.steps]
        return Change(
            label=self.label, document_id=self.document_id, coder_id=self.gold_id,
            mentions=frozenset().union(*(p.mentions for p in parts)),
            events=frozenset().union(*(p.events for p in parts)),
            relations=frozenset().union(*(p.relations for p in parts)),
            annotations=any(p.annotations for p in parts), codes=any(p.codes for p in parts),
            status=any(p.status for p in parts))


def _coders_annotation(session: Session, model: type[_Annotation], ident: int, what: str) -> tuple[_Annotation, int]:
    """A coder's mention or event to accept, and the gold coder's id."""
    source = session.get(model, ident)
    if source is None:
        raise AnnotaryError(f"no {what} with id {ident}")
    gold_id = get_gold_coder(session).id
    if source.coder_id == gold_id:
        raise AnnotaryError(f"this {what} is already in gold")
    return source, gold_id


def _gold_copy(session: Session, gold_id: int, source: Mention) -> int | None:
    """The id of gold's mention with the source's span and type, if gold has one."""
    return session.scalar(select(Mention.id).where(
        Mention.document_id == source.document_id, Mention.coder_id == gold_id, Mention.start == source.start,
        Mention.end == source.end, Mention.entity_type_id == source.entity_type_id))


def _gold_mention(session: Session, compound: h.Compound, gold_id: int, source: Mention) -> int:
    """The gold mention with the source's span and type, created (with its attributes) if missing."""
    existing = _gold_copy(session, gold_id, source)
    if existing is not None:
        return existing
    created = h.CreateMention(source.document_id, gold_id, source.entity_type_id, source.start, source.end,
                              label="accept mention")
    compound.step(session, created)
    assert created.mention_id is not None  # set by its do()
    stale = {row.id for row in svc.inapplicable_mention_attributes(session, source.id)}
    for row_id, attribute_id, value in session.execute(
        select(MentionAttributeValue.id, MentionAttributeValue.attribute_id, MentionAttributeValue.value)
        .where(MentionAttributeValue.mention_id == source.id)
    ).all():
        if row_id not in stale:  # a value left over from an earlier type is not carried into gold
            compound.step(session, h.SetMentionAttribute(created.mention_id, attribute_id, value))
    return created.mention_id


class AcceptMention(_GoldCompound):
    """Take a coder's mention into gold, in place of gold's other versions of it: gold mentions
    with the same span (another type) or of the same type overlapping it. One that is an
    argument of a gold event is not replaced: that is refused, to be settled by hand."""

    label = "accept mention into gold"

    def __init__(self, mention_id: int) -> None:
        super().__init__()
        self.mention_id = mention_id

    def build(self, session: Session) -> None:
        source, gold_id = _coders_annotation(session, Mention, self.mention_id, "mention")
        self.document_id, self.gold_id = source.document_id, gold_id
        if _gold_copy(session, gold_id, source) is not None:
            raise AnnotaryError(f"gold already has “{source.text}” with this type")
        key = (source.start, source.end, source.entity_type_id)
        others = [m for m in session.scalars(select(Mention).where(
            Mention.document_id == source.document_id, Mention.coder_id == gold_id,
            Mention.start < source.end, Mention.end > source.start))
            if versions_of_one_mention(key, (m.start, m.end, m.entity_type_id))]
        for other in others:
            if session.scalar(select(EventArgument.id).where(EventArgument.mention_id == other.id)) is not None:
                raise AnnotaryError(f"gold's “{other.text}” at this place is an argument of a gold event; "
                                    "edit gold (Edit gold…) to change it")
        for other in others:
            self.step(session, h.DeleteMention(other.id))
        if others:
            self.label = f"accept mention into gold (replacing {len(others)})"
        _gold_mention(session, self, gold_id, source)


class AcceptEvent(_GoldCompound):
    """Copy a coder's event into gold with its trigger, attributes and arguments (argument
    mentions are accepted too, or the gold mention with the same span and type is used)."""

    label = "accept event into gold"

    def __init__(self, event_id: int) -> None:
        super().__init__()
        self.event_id = event_id

    def build(self, session: Session) -> None:
        source, gold_id = _coders_annotation(session, Event, self.event_id, "event")
        self.document_id, self.gold_id = source.document_id, gold_id
        trigger = ((source.trigger_start, source.trigger_end)  # both set or both NULL (CHECK trigger_span)
                   if source.trigger_start is not None and source.trigger_end is not None else None)
        # roles filled by events (nested events) are not copied: gold fills them by hand
        arguments = [(a.role_id, session.get_one(Mention, a.mention_id)) for a in source.arguments
                     if a.mention_id is not None]
        attributes = [(a.attribute_id, a.value) for a in source.attributes]
        if self._gold_has_same(session, gold_id, source, trigger, arguments, attributes):
            raise AnnotaryError("gold already has this event")
        others = self._gold_versions(session, gold_id, source, trigger, arguments)
        for other in others:  # gold's other version of this event is replaced
            self.step(session, h.DeleteEvent(other))
        if others:
            self.label = f"accept event into gold (replacing {len(others)})"
        event = h.CreateEvent(source.document_id, gold_id, source.event_type_id, trigger, label="accept event")
        self.step(session, event)
        assert event.event_id is not None  # set by its do()
        filled: set[tuple[int, int]] = set()
        for role_id, mention in arguments:
            mention_id = _gold_mention(session, self, gold_id, mention)
            if (role_id, mention_id) not in filled:  # a coder's two identical mentions are one in gold
                filled.add((role_id, mention_id))
                self.step(session, h.AddArgument(event.event_id, role_id, mention_id))
        for attribute_id, value in attributes:
            self.step(session, h.SetEventAttribute(event.event_id, attribute_id, value))

    @staticmethod
    def _gold_versions(session: Session, gold_id: int, source: Event, trigger: tuple[int, int] | None,
                       arguments: list[tuple[int, Mention]]) -> list[int]:
        """Gold events of the same type at the same place: an overlapping trigger, or (where
        either has none) an argument on the same span."""
        spans = {(m.start, m.end, m.entity_type_id) for _, m in arguments}
        out = []
        for event in session.scalars(select(Event).where(
            Event.document_id == source.document_id, Event.coder_id == gold_id,
            Event.event_type_id == source.event_type_id,
        )):
            if trigger is not None and event.trigger_start is not None and event.trigger_end is not None:
                if event.trigger_start < trigger[1] and trigger[0] < event.trigger_end:
                    out.append(event.id)
                continue
            theirs = {(m.start, m.end, m.entity_type_id) for a in event.arguments if a.mention_id is not None
                      for m in [session.get_one(Mention, a.mention_id)]}
            if spans & theirs:
                out.append(event.id)
        return out

    @staticmethod
    def _gold_has_same(session: Session, gold_id: int, source: Event, trigger: tuple[int, int] | None,
                       arguments: list[tuple[int, Mention]], attributes: list[tuple[int, str]]) -> bool:
        wanted_args = {(r, m.start, m.end, m.entity_type_id) for r, m in arguments}
        for event in session.scalars(select(Event).where(
            Event.document_id == source.document_id, Event.coder_id == gold_id,
            Event.event_type_id == source.event_type_id,
        )):
            if (event.trigger_start, event.trigger_end) != (trigger or (None, None)):
                continue
            args = {(a.role_id, m.start, m.end, m.entity_type_id)
                    for a in event.arguments if a.mention_id is not None
                    for m in [session.get_one(Mention, a.mention_id)]}
            if args == wanted_args and {(a.attribute_id, a.value) for a in event.attributes} == set(attributes):
                return True
        return False


class AcceptRelation(_GoldCompound):
    """Take a coder's relation into gold: the gold relation of the same type between the gold
    copies of its two mentions (accepted too when gold has no mention with their span and type)."""

    label = "accept relation into gold"

    def __init__(self, relation_id: int) -> None:
        super().__init__()
        self.relation_id = relation_id

    def build(self, session: Session) -> None:
        source = session.get(Relation, self.relation_id)
        if source is None:
            raise AnnotaryError(f"no relation with id {self.relation_id}")
        gold_id = get_gold_coder(session).id
        if source.coder_id == gold_id:
            raise AnnotaryError("this relation is already in gold")
        self.document_id, self.gold_id = source.document_id, gold_id
        ends = (session.get_one(Mention, source.source_mention_id), session.get_one(Mention, source.target_mention_id))
        copies = [_gold_copy(session, gold_id, m) for m in ends]
        if None not in copies:
            rtype = session.get_one(RelationType, source.relation_type_id)
            same = [(copies[0], copies[1])] + ([(copies[1], copies[0])] if rtype.symmetric else [])
            for s, t in same:
                if session.scalar(select(Relation.id).where(
                        Relation.relation_type_id == rtype.id, Relation.source_mention_id == s,
                        Relation.target_mention_id == t)) is not None:
                    raise AnnotaryError("gold already has this relation")
        gold_source, gold_target = (_gold_mention(session, self, gold_id, m) for m in ends)
        self.step(session, h.CreateRelation(source.relation_type_id, gold_source, gold_target,
                                            label="accept relation"))


class AcceptCode(_GoldCompound):
    label = "accept code value into gold"
    document_id: int

    def __init__(self, document_id: int, code_id: int, value: str) -> None:
        super().__init__()
        self.document_id, self.code_id, self.value = document_id, code_id, value

    def build(self, session: Session) -> None:
        gold_id = self.gold_id = get_gold_coder(session).id
        current = session.scalar(select(DocumentCodeValue.value).where(
            DocumentCodeValue.document_id == self.document_id, DocumentCodeValue.coder_id == gold_id,
            DocumentCodeValue.code_id == self.code_id))
        if current == self.value:
            raise AnnotaryError(f"gold already has {self.value!r}")
        self.step(session, h.SetDocumentCode(self.document_id, gold_id, self.code_id, self.value))


@dataclass
class RejectItem(h.Action):
    """Leave an item out of gold; it then counts as resolved."""

    document_id: int
    ref: str
    label: str = "reject"
    gold_id: int | None = None

    def do(self, session: Session) -> None:
        self.gold_id = session.scalar(select(Coder.id).where(Coder.name == GOLD))
        exists = session.scalar(select(GoldRejection.id).where(
            GoldRejection.document_id == self.document_id, GoldRejection.ref == self.ref))
        if exists is not None:
            raise AnnotaryError("this item is already rejected")
        session.add(GoldRejection(document_id=self.document_id, ref=self.ref))
        session.flush()

    def undo(self, session: Session) -> None:
        session.execute(delete(GoldRejection).where(
            GoldRejection.document_id == self.document_id, GoldRejection.ref == self.ref))

    def change(self) -> Change:
        """Only the document's rejections: gold's side of its review (no annotation changed)."""
        return Change(label=self.label, document_id=self.document_id, coder_id=self.gold_id)


def accept_item(item: ReviewItem, coder: str) -> h.Action:
    """The action that takes `coder`'s version of the item into gold."""
    holder = item.holders.get(coder)
    if holder is None:
        raise AnnotaryError(f"{coder} has no {item.kind} here to accept")
    if item.kind in ("mention", "event"):
        assert holder.annotation_id is not None, "a mention or event holder names its annotation"
        if item.kind == "mention":
            return AcceptMention(holder.annotation_id)
        return AcceptEvent(holder.annotation_id)
    code_id = int(item.ref.split(":")[1])
    return AcceptCode(item.document_id, code_id, holder.value or "")


class AcceptAgreements(_GoldCompound):
    """Take into gold every item all coders of the document agree on that gold does not
    hold yet and the adjudicator has not rejected: mentions first, then events, then codes.

    An agreed event one of whose argument mentions the adjudicator rejected or settled
    otherwise is left for the adjudicator (`skipped`): taking it would bring that mention back."""

    label = "accept all agreements"
    document_id: int

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.accepted = 0
        self.skipped = 0

    def build(self, session: Session) -> None:
        self.gold_id = get_gold_coder(session).id
        review = load_review(session, self.document_id)
        if len(review.coders) < 2:
            raise AnnotaryError("agreements need at least two coders on this document")
        pending = [item for item in review.items if item.agreed and not item.gold]
        if not pending:
            raise AnnotaryError("nothing agreed is left to accept in this document")
        decided = {item.ref for item in review.items if item.kind == "mention" and item.gold in (REJECTED, GOLD_DIFFERS)}
        for kind in ("mention", "event", "code"):
            for item in pending:
                if item.kind != kind:
                    continue
                if decided.intersection(item.argument_refs):
                    self.skipped += 1
                    continue
                self.step(session, accept_item(item, review.coders[0]))
                self.accepted += 1
        if not self.accepted:
            raise AnnotaryError(f"{self.skipped} agreed event(s) use a mention you rejected or settled "
                                "otherwise; accept or reject them one by one")



def accept_agreements_in_documents(session: Session, document_ids: list[int]) -> tuple[int, dict[int, str]]:
    """Accept the agreements of many documents in the caller's transaction (the command line's
    batch form, not undoable); documents with nothing pending are passed over. A document whose
    agreements cannot be taken is left as it was (a savepoint each) and reported with the reason.
    Returns the number accepted and {document id: reason} of those left out."""
    total = 0
    failed: dict[int, str] = {}
    for review in count_reviews(session, document_ids):
        if len(review.coders) >= 2 and review.agreed_pending:
            action = AcceptAgreements(review.document_id)
            try:
                with session.begin_nested():
                    action.do(session)
            except AnnotaryError as exc:
                failed[review.document_id] = str(exc)
                continue
            total += action.accepted
    return total, failed
