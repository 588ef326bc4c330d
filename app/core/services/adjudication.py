"""Adjudication: settling the coders' annotations into the gold set (the coder `gold`).

Every decision is an undoable action (`app.core.services.history`), committed like any other:
accept a coder's mention, event, relation or code value into gold; reject an item (leave it out of gold,
recorded so it no longer counts as unresolved); accept everything the coders agree on. Editing
or adding gold annotations is ordinary coding as the coder `gold`.

Several adjudicators may decide at once (a server project, or two programs on one file): a
decision locks its document's row, and one made from what the Compare view showed (`Seen`) is
refused with a `GoldConflict` when that item's gold state is no longer what was shown; every
decision, undo and redo moves the document's `gold_version` and names who made it. Undoing or
redoing a decision is refused the same way when someone else settled its items since, or built on
them (`gold_track`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.changes import Change
from app.core.errors import AnnotaryError
from app.core.models import (
    AnnotationNote,
    Coder,
    DocumentCodeValue,
    Event,
    EventArgument,
    ExternalReference,
    GoldRejection,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.services import annotations as svc
from app.core.services import history as h
from app.core.services.coders import GOLD, get_gold_coder
from app.core.services.gold_track import (
    GoldConflict,
    GoldTrack,
    OwnVersions,
    VersionsGold,
    bump_gold,
    conflict,
    lock_gold,
    now_reads,
    own_versions,
)
from app.core.services.review_data import GOLD_DIFFERS, REJECTED, versions_of_one_mention
from app.core.services.review_items import DocumentReview, ReviewItem, count_reviews, load_review

__all__ = ["GoldConflict", "OwnVersions", "Seen", "bump_gold", "hold_gold", "own_versions"]

_Annotation = TypeVar("_Annotation", Mention, Event)
ALREADY_IN_GOLD = "gold already has this event"


@dataclass(frozen=True)
class Seen:
    """An item's gold state as the adjudicator saw it when deciding (what the Compare view showed)."""

    ref: str
    gold: str
    gold_description: str
    gold_version: int | None = None
    own: frozenset[int] = frozenset()
    """The document's gold versions the deciding adjudicator's own decisions made (in this
    program): a view made stale only by those is no conflict (the action's own checks apply)."""

    @classmethod
    def of(cls, item: ReviewItem, own: set[tuple[int, int]] | None = None) -> Seen:
        mine = frozenset(v for d, v in own if d == item.document_id) if own is not None else frozenset()
        return cls(item.ref, item.gold, item.gold_description, item.gold_version, mine)


def hold_gold(session: Session, document_id: int, seen: Seen | None = None,
              review: bool = False) -> DocumentReview | None:
    """Lock the document's gold until the transaction ends (`lock_gold`). With `seen`: refuse
    (`GoldConflict`) when the item's gold state is not what the adjudicator saw. Returns the
    document's review read under the lock when `seen` or `review` asked for it."""
    version, by = lock_gold(session, document_id)
    if seen is None and not review:
        return None
    read = load_review(session, document_id)
    if seen is None:
        return read
    now = next((i for i in read.items if i.ref == seen.ref), None)
    if now is None:
        raise GoldConflict("the coders changed this item meanwhile; it is no longer there — look again")
    if (now.gold, now.gold_description) == (seen.gold, seen.gold_description):
        return read
    if (seen.gold_version is not None and version > seen.gold_version
            and seen.own.issuperset(range(seen.gold_version + 1, version + 1))):
        return read  # changed since only by this adjudicator's own decisions
    raise conflict("this item", "meanwhile", version, seen.gold_version, by, now_reads(now))


class _Decision(VersionsGold):
    """What every gold decision shares: who decides, what they saw, and what it found and left
    of gold (`GoldTrack`: its undo and redo check nobody settled its items since), with the
    versions it made (told to `own` once committed: `h.Action.committed`). `tracked`: whether it
    notes what it found and left (a review read under the lock, and gold's side read again after
    it); by default when it is an adjudicator's (`seen` or `own` given: `ReviewService`), never for
    a step of another decision or one done outside the history, which are not undone alone."""

    seen: Seen | None = None
    by: str | None = None
    own: set[tuple[int, int]] | None = None
    track_it: bool | None = None
    _track: GoldTrack | None = None

    @property
    def tracked(self) -> bool:
        return self.track_it if self.track_it is not None else (self.seen is not None or self.own is not None)

    @tracked.setter
    def tracked(self, on: bool) -> None:
        self.track_it = on

    def track(self) -> GoldTrack:
        if self._track is None:
            self._track = GoldTrack(self.by, self.own)
        return self._track

    def committed(self) -> None:
        if self._track is not None:
            self._track.committed()


class _GoldCompound(_Decision, h.Compound):
    """An adjudication made of steps that change gold's annotations only: its change says so
    (gold's coder id, and which mentions and events), so a view can update just gold's side.

    Each `build` calls `hold` as soon as it knows its document (before it reads gold): it checks
    `seen` and reads what gold was; do, undo and redo then move the document's gold version, and
    undo and redo check what they act on (`GoldTrack.again`)."""

    gold_id: int | None = None
    _before: DocumentReview | None = None

    def hold(self, session: Session) -> None:
        self._before = hold_gold(session, h.known(self.document_id), self.seen, review=self.tracked)

    def do(self, session: Session) -> None:
        if self._built:
            self.track().again(session, h.known(self.document_id), False, super().do)
            return
        super().do(session)
        before, self._before = self._before, None
        self.track().done(session, h.known(self.document_id), before)

    def undo(self, session: Session) -> None:
        self.track().again(session, h.known(self.document_id), True, super().undo)

    def committed(self) -> None:
        for step in self.steps:  # accepting all agreements is made of decisions
            step.committed()
        super().committed()

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


_EXTRAS_OF: dict[str, tuple[type[AnnotationNote] | type[ExternalReference], ...]] = {
    "mention": (AnnotationNote, ExternalReference), "event": (AnnotationNote, ExternalReference),
    "relation": (AnnotationNote,)}


@dataclass
class CopyExtras(h.Action):
    """Give gold's copy of a mention, event or relation the accepted coder's typed notes and
    external references; undo removes them, redo puts them back with the same ids."""

    owner: str  # "mention", "event" or "relation"
    source_id: int
    copy_id: int
    label: str = "copy notes and references"
    document_id: int | None = None
    _rows: list[tuple[type[AnnotationNote] | type[ExternalReference], dict[str, Any]]] | None = field(
        default=None, repr=False)

    def do(self, session: Session) -> None:
        column = f"{self.owner}_id"
        if self._rows is None:
            rows: list[tuple[type[AnnotationNote] | type[ExternalReference], dict[str, Any]]] = []
            for model in _EXTRAS_OF[self.owner]:
                for row in session.scalars(select(model).where(getattr(model, column) == self.source_id)
                                           .order_by(model.id)):
                    values = {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs if c.key != "id"}
                    values[column] = self.copy_id
                    copy = model(**values)
                    session.add(copy)
                    session.flush()
                    rows.append((model, {**values, "id": copy.id}))
            self._rows = rows
            return
        for model, values in self._rows:
            session.add(model(**values))
        session.flush()

    def undo(self, session: Session) -> None:
        for model, values in reversed(h.known(self._rows)):
            session.execute(delete(model).where(model.id == values["id"]))

    def change(self) -> Change:
        ids = frozenset({self.copy_id})
        return Change(label=self.label, document_id=self.document_id,
                      mentions=ids if self.owner == "mention" else frozenset(),
                      events=ids if self.owner == "event" else frozenset(),
                      relations=ids if self.owner == "relation" else frozenset())


def _copy_extras(session: Session, compound: h.Compound, owner: str, source_id: int, copy_id: int) -> None:
    """The accepted coder's notes and references go along with gold's new copy (a step only when
    there are some, so an accept without them has no empty step)."""
    if any(session.scalar(select(model.id).where(getattr(model, f"{owner}_id") == source_id).limit(1)) is not None
           for model in _EXTRAS_OF[owner]):
        compound.step(session, CopyExtras(owner, source_id, copy_id, document_id=compound.document_id))


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
    _copy_extras(session, compound, "mention", source.id, created.mention_id)
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
        self.hold(session)
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
    mentions are accepted too, or the gold mention with the same span and type is used). A role
    filled by an event points at that event's pair in gold (gold's event of its type at its
    place), or the filling event is accepted too, and so on down (each event once)."""

    label = "accept event into gold"

    def __init__(self, event_id: int) -> None:
        super().__init__()
        self.event_id = event_id

    def build(self, session: Session) -> None:
        source, gold_id = _coders_annotation(session, Event, self.event_id, "event")
        self.document_id, self.gold_id = source.document_id, gold_id
        self.hold(session)
        parts = _parts(session, source)
        if any(_same(session, gold_id, event, parts) for event in _gold_versions(session, gold_id, source, parts)):
            raise AnnotaryError(ALREADY_IN_GOLD)
        others = [e.id for e in _gold_versions(session, gold_id, source, parts)]
        for other in others:  # gold's other version of this event is replaced
            self.step(session, h.DeleteEvent(other))
        if others:
            self.label = f"accept event into gold (replacing {len(others)})"
        self._copy(session, gold_id, source, parts, {source.id: None})

    def _copy(self, session: Session, gold_id: int, source: Event, parts: _Parts,
              copied: dict[int, int | None]) -> int:
        """Create gold's copy of `source` (`copied`: source events copied or being copied, to
        their gold copies: a cycle is never followed round)."""
        event = h.CreateEvent(source.document_id, gold_id, source.event_type_id, parts.trigger,
                              label="accept event")
        self.step(session, event)
        assert event.event_id is not None  # set by its do()
        copied[source.id] = event.event_id
        filled: set[tuple[int, int]] = set()
        for role_id, mention in parts.arguments:
            mention_id = _gold_mention(session, self, gold_id, mention)
            if (role_id, mention_id) not in filled:  # a coder's two identical mentions are one in gold
                filled.add((role_id, mention_id))
                self.step(session, h.AddArgument(event.event_id, role_id, mention_id))
        nested: set[tuple[int, int]] = set()
        for role_id, inner in parts.fillers:
            if inner.id in copied:
                target = copied[inner.id]
                if target is None:  # the event being copied itself (a cycle): not followed
                    continue
            else:
                target = _gold_pair(session, gold_id, inner)
                if target is None:
                    target = self._copy(session, gold_id, inner, _parts(session, inner), copied)
            if (role_id, target) not in nested:
                nested.add((role_id, target))
                self.step(session, h.AddArgument(event.event_id, role_id, argument_event_id=target))
        for attribute_id, value in parts.attributes:
            self.step(session, h.SetEventAttribute(event.event_id, attribute_id, value))
        _copy_extras(session, self, "event", source.id, event.event_id)
        return event.event_id


@dataclass
class _Parts:
    """What an event holds, as accepting it into gold copies it."""

    trigger: tuple[int, int] | None
    arguments: list[tuple[int, Mention]]  # (role id, mention)
    fillers: list[tuple[int, Event]]  # (role id, the event filling it)
    attributes: list[tuple[int, str]]


def _parts(session: Session, source: Event) -> _Parts:
    trigger = ((source.trigger_start, source.trigger_end)  # both set or both NULL (CHECK trigger_span)
               if source.trigger_start is not None and source.trigger_end is not None else None)
    return _Parts(
        trigger,
        [(a.role_id, session.get_one(Mention, a.mention_id)) for a in source.arguments if a.mention_id is not None],
        [(a.role_id, session.get_one(Event, a.argument_event_id)) for a in source.arguments
         if a.argument_event_id is not None],
        [(a.attribute_id, a.value) for a in source.attributes])


def _gold_versions(session: Session, gold_id: int, source: Event, parts: _Parts) -> list[Event]:
    """Gold events of the same type at the same place: an overlapping trigger, or (where either
    has none) an argument on the same span."""
    spans = {(m.start, m.end, m.entity_type_id) for _, m in parts.arguments}
    trigger = parts.trigger
    out = []
    for event in session.scalars(select(Event).where(
        Event.document_id == source.document_id, Event.coder_id == gold_id,
        Event.event_type_id == source.event_type_id,
    ).order_by(Event.id)):
        if trigger is not None and event.trigger_start is not None and event.trigger_end is not None:
            if event.trigger_start < trigger[1] and trigger[0] < event.trigger_end:
                out.append(event)
            continue
        theirs = {(m.start, m.end, m.entity_type_id) for a in event.arguments if a.mention_id is not None
                  for m in [session.get_one(Mention, a.mention_id)]}
        if spans & theirs:
            out.append(event)
    return out


def _same(session: Session, gold_id: int, event: Event, parts: _Parts, depth: int = 0) -> bool:
    """Whether gold's `event` (of the source's type) is exactly the source: trigger, mention
    arguments by span and type, attributes, and roles filled by the fillers' pairs in gold."""
    if (event.trigger_start, event.trigger_end) != (parts.trigger or (None, None)):
        return False
    args = {(a.role_id, m.start, m.end, m.entity_type_id)
            for a in event.arguments if a.mention_id is not None for m in [session.get_one(Mention, a.mention_id)]}
    if args != {(r, m.start, m.end, m.entity_type_id) for r, m in parts.arguments}:
        return False
    if {(a.attribute_id, a.value) for a in event.attributes} != set(parts.attributes):
        return False
    if depth > 20:  # nesting deeper than any codebook has: taken as the same
        return True
    wanted = {(r, _gold_pair(session, gold_id, inner, depth + 1)) for r, inner in parts.fillers}
    return wanted == {(a.role_id, a.argument_event_id) for a in event.arguments if a.argument_event_id is not None}


def _gold_pair(session: Session, gold_id: int, source: Event, depth: int = 0) -> int | None:
    """Gold's event for a coder's event: gold's exact copy of it, else gold's version of it at its
    place (the first), else None."""
    parts = _parts(session, source)
    versions = _gold_versions(session, gold_id, source, parts)
    exact = [e.id for e in versions if _same(session, gold_id, e, parts, depth)]
    ids = exact or [e.id for e in versions]
    return ids[0] if ids else None


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
        self.hold(session)
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
        created = self.step(session, h.CreateRelation(source.relation_type_id, gold_source, gold_target,
                                                      label="accept relation"))
        _copy_extras(session, self, "relation", source.id, h.known(created.relation_id))


class AcceptCode(_GoldCompound):
    label = "accept code value into gold"
    document_id: int

    def __init__(self, document_id: int, code_id: int, value: str) -> None:
        super().__init__()
        self.document_id, self.code_id, self.value = document_id, code_id, value

    def build(self, session: Session) -> None:
        self.hold(session)
        gold_id = self.gold_id = get_gold_coder(session).id
        current = session.scalar(select(DocumentCodeValue.value).where(
            DocumentCodeValue.document_id == self.document_id, DocumentCodeValue.coder_id == gold_id,
            DocumentCodeValue.code_id == self.code_id))
        if current == self.value:
            raise AnnotaryError(f"gold already has {self.value!r}")
        self.step(session, h.SetDocumentCode(self.document_id, gold_id, self.code_id, self.value))


@dataclass
class RejectItem(_Decision, h.Action):
    """Leave an item out of gold; it then counts as resolved."""

    document_id: int
    ref: str
    label: str = "reject"
    gold_id: int | None = None
    seen: Seen | None = None
    by: str | None = None
    own: set[tuple[int, int]] | None = field(default=None, repr=False)
    _done: bool = field(default=False, repr=False)

    def do(self, session: Session) -> None:
        if self._done:
            self.track().again(session, self.document_id, False, self._reject)
            return
        before = hold_gold(session, self.document_id, self.seen, review=self.tracked)
        self._reject(session)
        self.track().done(session, self.document_id, before)
        self._done = True

    def _reject(self, session: Session) -> None:
        self.gold_id = session.scalar(select(Coder.id).where(Coder.name == GOLD))
        exists = session.scalar(select(GoldRejection.id).where(
            GoldRejection.document_id == self.document_id, GoldRejection.ref == self.ref))
        if exists is not None:
            raise AnnotaryError("this item is already rejected")
        session.add(GoldRejection(document_id=self.document_id, ref=self.ref))
        session.flush()

    def undo(self, session: Session) -> None:
        self.track().again(session, self.document_id, True, self._unreject)

    def _unreject(self, session: Session) -> None:
        session.execute(delete(GoldRejection).where(
            GoldRejection.document_id == self.document_id, GoldRejection.ref == self.ref))

    def change(self) -> Change:
        """Only the document's rejections: gold's side of its review (no annotation changed)."""
        return Change(label=self.label, document_id=self.document_id, coder_id=self.gold_id)


def accept_item(item: ReviewItem, coder: str, by: str | None = None, checked: bool = False,
                own: set[tuple[int, int]] | None = None) -> _GoldCompound:
    """The action that takes `coder`'s version of the item into gold, decided by `by`. `checked`:
    refused (`GoldConflict`) if the item's gold state is no longer as `item` has it, unless only
    the adjudicator's own decisions (`own`, which the action adds to) changed it since."""
    holder = item.holders.get(coder)
    if holder is None:
        raise AnnotaryError(f"{coder} has no {item.kind} here to accept")
    action: _GoldCompound
    if item.kind in ("mention", "event", "relation"):
        assert holder.annotation_id is not None, "a mention, event or relation holder names its annotation"
        if item.kind == "mention":
            action = AcceptMention(holder.annotation_id)
        elif item.kind == "relation":
            action = AcceptRelation(holder.annotation_id)
        else:
            action = AcceptEvent(holder.annotation_id)
    else:
        action = AcceptCode(item.document_id, int(item.ref.split(":")[1]), holder.value or "")
    action.by, action.own = by, own
    action.seen = Seen.of(item, own) if checked else None
    return action


def reject_item(item: ReviewItem, by: str | None = None, checked: bool = False,
                own: set[tuple[int, int]] | None = None) -> RejectItem:
    """The action that leaves the item out of gold, decided by `by` (`checked`, `own`: as in `accept_item`)."""
    return RejectItem(item.document_id, item.ref, seen=Seen.of(item, own) if checked else None, by=by, own=own)


class AcceptAgreements(_GoldCompound):
    """Take into gold every item all coders of the document agree on that gold does not
    hold yet and the adjudicator has not rejected: mentions first, then events, relations, codes.

    An agreed event (or relation) one of whose argument mentions (ends) the adjudicator rejected
    or settled otherwise is left for the adjudicator (`skipped`): taking it would bring that
    mention back. An agreed event that filled a role of another agreed event is taken in with it."""

    label = "accept all agreements"
    document_id: int

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.accepted = 0
        self.skipped = 0

    def build(self, session: Session) -> None:
        self.hold(session)
        self.gold_id = get_gold_coder(session).id
        review = self._before or load_review(session, self.document_id)
        if len(review.coders) < 2:
            raise AnnotaryError("agreements need at least two coders on this document")
        pending = [item for item in review.items if item.agreed and not item.gold]
        if not pending:
            raise AnnotaryError("nothing agreed is left to accept in this document")
        decided = {item.ref for item in review.items if item.kind == "mention" and item.gold in (REJECTED, GOLD_DIFFERS)}
        for kind in ("mention", "event", "relation", "code"):
            for item in pending:
                if item.kind != kind:
                    continue
                if decided.intersection(item.argument_refs):
                    self.skipped += 1
                    continue
                step = accept_item(item, review.coders[0], by=self.by, own=self.own)
                step.tracked = False  # undone and redone as part of this decision, which checks
                try:
                    with session.begin_nested():
                        self.step(session, step)
                except AnnotaryError as exc:
                    if kind != "event" or str(exc) != ALREADY_IN_GOLD:
                        raise
                    # taken in already with an agreed event whose role it fills
                self.accepted += 1
        if not self.accepted:
            raise AnnotaryError(f"{self.skipped} agreed event(s) or relation(s) use a mention you rejected or "
                                "settled otherwise; accept or reject them one by one")



def accept_agreements_in_documents(session: Session, document_ids: list[int],
                                   by: str | None = None) -> tuple[int, dict[int, str]]:
    """Accept the agreements of many documents in the caller's transaction (the command line's
    batch form, not undoable); documents with nothing pending are passed over. A document whose
    agreements cannot be taken is left as it was (a savepoint each) and reported with the reason.
    Returns the number accepted and {document id: reason} of those left out."""
    total = 0
    failed: dict[int, str] = {}
    for review in count_reviews(session, document_ids):
        if len(review.coders) >= 2 and review.agreed_pending:
            action = AcceptAgreements(review.document_id)
            action.by, action.tracked = by, False  # not undoable: nothing to note for an undo
            try:
                with session.begin_nested():
                    action.do(session)
            except AnnotaryError as exc:
                failed[review.document_id] = str(exc)
                continue
            total += action.accepted
    return total, failed
