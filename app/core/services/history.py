"""Undo and redo of annotation actions. Every do, undo and redo is one committed transaction.

An action remembers what it needs to reverse itself (ids, previous values, snapshots of
deleted rows); redo re-creates rows with their original ids, so later actions in the
history that refer to them stay valid. The history is per session, across documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.changes import Change, everything
from app.core.errors import AnnotaryError
from app.core.models import (
    DocumentCodeValue,
    DocumentStatus,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    Relation,
)
from app.core.project import Project
from app.core.services import annotations as svc
from app.core.services import relations as rel
from app.core.services.snapshots import (
    Snapshot,
    filled_roles,
    restore,
    snapshot_event,
    snapshot_mention,
    snapshot_row,
)


class Action:
    """One user action. `document_id` tells the GUI which document it touched."""

    label = "action"
    document_id: int | None  # set by each action (a dataclass field)

    def do(self, session: Session) -> None:
        raise NotImplementedError

    def undo(self, session: Session) -> None:
        raise NotImplementedError

    def change(self) -> Change:
        """What the action changed (the same rows whether done or undone). By default any
        annotation of its document; actions that know better say exactly which rows."""
        return Change(label=self.label, document_id=self.document_id, annotations=True, codes=True, status=True)

    def committed(self) -> None:
        """Called after each do, undo or redo of the action has committed (by default nothing)."""


class Guard(Protocol):
    """Something a history runs every step through (`History.guard`): it may check, refuse
    (raise) or add to a step in the step's own transaction, and hears when the step committed.
    Gold edits use it (`gold_edits`): coding as gold settles gold, with a decision's checks."""

    def step(self, action: Action, what: str, run: Callable[[Session], None], session: Session) -> None:
        """Run the action's `what` ("do", "undo" or "redo") step, `run(session)`, or refuse it."""

    def committed(self, action: Action) -> None:
        """That step has committed."""


T = TypeVar("T")
A = TypeVar("A", bound="Action")


def _row(session: Session, model: type[T], ident: int | None) -> T:
    """The row an action works on; gone (another program deleted it) is a user-facing error."""
    row = session.get(model, ident) if ident is not None else None
    if row is None:
        raise AnnotaryError(f"no {getattr(model, '__tablename__', model.__name__).replace('_', ' ')} with id {ident}")
    return row


def known(value: T | None) -> T:
    """An id or snapshot the action set when it was done (undo and redo come after do)."""
    if value is None:
        raise AnnotaryError("this action was never done, so it cannot be undone or redone")
    return value


def _status_missing(session: Session, document_id: int, coder_id: int) -> bool:
    return session.scalar(select(DocumentStatus.id).where(
        DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id)) is None


def _forget_status(session: Session, document_id: int, coder_id: int) -> None:
    """Undo of the first annotation of a coder in a document: the coder had not started it."""
    session.execute(delete(DocumentStatus).where(DocumentStatus.document_id == document_id,
                                                 DocumentStatus.coder_id == coder_id))


@dataclass
class CreateMention(Action):
    document_id: int
    coder_id: int
    entity_type_id: int
    start: int
    end: int
    label: str = "tag mention"
    mention_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)
    _new_status: bool = False

    def do(self, session: Session) -> None:
        if self._snap is not None:
            restore(session, known(self._snap))
            self._new_status = svc.touch_status(session, self.document_id, self.coder_id)
        else:
            m, self._new_status = svc.add_mention(session, self.document_id, self.coder_id, self.entity_type_id,
                                                  self.start, self.end)
            self.mention_id = m.id

    def undo(self, session: Session) -> None:
        self._snap = snapshot_mention(session, known(self.mention_id))
        svc.delete_mention(session, known(self.mention_id))
        if self._new_status:
            _forget_status(session, self.document_id, self.coder_id)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, coder_id=self.coder_id,
                      mentions=frozenset({known(self.mention_id)}), status=self._new_status)


@dataclass
class DeleteMention(Action):
    mention_id: int
    label: str = "delete mention"
    document_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)

    def do(self, session: Session) -> None:
        self._snap = snapshot_mention(session, known(self.mention_id))
        self.document_id = self._snap.rows[0][1]["document_id"]
        svc.delete_mention(session, known(self.mention_id))

    def undo(self, session: Session) -> None:
        restore(session, known(self._snap))

    def change(self) -> Change:
        snap = known(self._snap)
        return Change(label=self.label, document_id=self.document_id, mentions=frozenset({known(self.mention_id)}),
                      arguments=True, events=frozenset(filled_roles(snap)),
                      relations=frozenset(v["id"] for m, v in snap.rows if m is Relation))


@dataclass
class RetypeMention(Action):
    mention_id: int
    entity_type_id: int
    label: str = "change mention type"
    document_id: int | None = None
    _old: int | None = None
    _dropped: list[Snapshot] = field(default_factory=list, repr=False)

    def do(self, session: Session) -> None:
        """Retype; attribute values that do not apply to the new type are dropped (undo restores them)."""
        mention = _row(session, Mention, self.mention_id)
        self.document_id, self._old = mention.document_id, mention.entity_type_id
        svc.retype_mention(session, self.mention_id, self.entity_type_id)
        self._dropped = []
        for row in svc.inapplicable_mention_attributes(session, self.mention_id):
            self._dropped.append(snapshot_row(row))
            session.delete(row)
        session.flush()

    def undo(self, session: Session) -> None:
        svc.retype_mention(session, self.mention_id, known(self._old))
        for snap in self._dropped:
            restore(session, snap)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, mentions=frozenset({known(self.mention_id)}))


@dataclass
class CreateEvent(Action):
    document_id: int
    coder_id: int
    event_type_id: int
    trigger: tuple[int, int] | None = None
    label: str = "create event"
    event_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)
    _new_status: bool = False

    def do(self, session: Session) -> None:
        if self._snap is not None:
            restore(session, known(self._snap))
            self._new_status = svc.touch_status(session, self.document_id, self.coder_id)
        else:
            ev, self._new_status = svc.add_event(session, self.document_id, self.coder_id, self.event_type_id,
                                                 self.trigger)
            self.event_id = ev.id

    def undo(self, session: Session) -> None:
        self._snap = snapshot_event(session, known(self.event_id))
        svc.delete_event(session, known(self.event_id))
        if self._new_status:
            _forget_status(session, self.document_id, self.coder_id)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, coder_id=self.coder_id,
                      events=frozenset({known(self.event_id)}), status=self._new_status)


@dataclass
class DeleteEvent(Action):
    event_id: int
    label: str = "delete event"
    document_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)

    def do(self, session: Session) -> None:
        self._snap = snapshot_event(session, known(self.event_id))
        self.document_id = self._snap.rows[0][1]["document_id"]
        svc.delete_event(session, known(self.event_id))

    def undo(self, session: Session) -> None:
        restore(session, known(self._snap))

    def change(self) -> Change:
        """The event, and the events whose roles it filled (those arguments went with it)."""
        return Change(label=self.label, document_id=self.document_id,
                      events=frozenset({known(self.event_id), *filled_roles(known(self._snap))}))


@dataclass
class AddArgument(Action):
    """Fill a role with a mention, or (`argument_event_id`) with another event."""

    event_id: int
    role_id: int
    mention_id: int | None = None
    argument_event_id: int | None = None
    label: str = "fill role"
    document_id: int | None = None
    argument_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)

    def do(self, session: Session) -> None:
        event = _row(session, Event, self.event_id)  # held: add_argument finds it without reading it again
        self.document_id = event.document_id
        if self._snap is not None:
            restore(session, known(self._snap))
        else:
            self.argument_id = svc.add_argument(session, self.event_id, self.role_id, self.mention_id,
                                                self.argument_event_id).id

    def undo(self, session: Session) -> None:
        arg = _row(session, EventArgument, self.argument_id)
        self._snap = snapshot_row(arg)
        svc.remove_argument(session, known(self.argument_id))

    def change(self) -> Change:
        inner = {self.argument_event_id} if self.argument_event_id is not None else set()
        return Change(label=self.label, document_id=self.document_id,
                      events=frozenset({known(self.event_id), *inner}))


@dataclass
class RemoveArgument(Action):
    argument_id: int
    label: str = "clear role"
    document_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)

    def do(self, session: Session) -> None:
        arg = _row(session, EventArgument, self.argument_id)
        self.document_id = _row(session, Event, arg.event_id).document_id
        self._snap = snapshot_row(arg)
        svc.remove_argument(session, known(self.argument_id))

    def undo(self, session: Session) -> None:
        restore(session, known(self._snap))

    def change(self) -> Change:
        values = self._snap.rows[0][1] if self._snap is not None else {}
        ids = {values.get("event_id"), values.get("argument_event_id")} - {None}
        return Change(label=self.label, document_id=self.document_id,
                      events=frozenset(i for i in ids if i is not None), annotations=not ids)


@dataclass
class SetEventAttribute(Action):
    event_id: int
    attribute_id: int
    value: str | None
    label: str = "set attribute"
    document_id: int | None = None
    _old: str | None = None

    def do(self, session: Session) -> None:
        self.document_id = _row(session, Event, self.event_id).document_id
        self._old = session.scalar(
            select(EventAttributeValue.value).where(
                EventAttributeValue.event_id == self.event_id, EventAttributeValue.attribute_id == self.attribute_id
            )
        )
        svc.set_event_attribute(session, self.event_id, self.attribute_id, self.value)

    def undo(self, session: Session) -> None:
        svc.set_event_attribute(session, self.event_id, self.attribute_id, self._old)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, events=frozenset({known(self.event_id)}))


@dataclass
class SetDocumentCode(Action):
    document_id: int
    coder_id: int
    code_id: int
    value: str | None
    label: str = "set document code"
    _old: str | None = None
    _new_status: bool = False

    def do(self, session: Session) -> None:
        self._new_status = self.value is not None and _status_missing(session, self.document_id, self.coder_id)
        self._old = session.scalar(
            select(DocumentCodeValue.value).where(
                DocumentCodeValue.document_id == self.document_id,
                DocumentCodeValue.coder_id == self.coder_id,
                DocumentCodeValue.code_id == self.code_id,
            )
        )
        svc.set_document_code(session, self.document_id, self.coder_id, self.code_id, self.value)

    def undo(self, session: Session) -> None:
        svc.set_document_code(session, self.document_id, self.coder_id, self.code_id, self._old)
        if self._new_status:
            _forget_status(session, self.document_id, self.coder_id)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, coder_id=self.coder_id, codes=True,
                      status=self._new_status)


@dataclass
class SetStatus(Action):
    document_id: int
    coder_id: int
    status: str | None
    label: str = "set document status"
    _old: str | None = None

    def do(self, session: Session) -> None:
        self._old = session.scalar(
            select(DocumentStatus.status).where(
                DocumentStatus.document_id == self.document_id, DocumentStatus.coder_id == self.coder_id
            )
        )
        svc.set_status(session, self.document_id, self.coder_id, self.status)

    def undo(self, session: Session) -> None:
        svc.set_status(session, self.document_id, self.coder_id, self._old)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, coder_id=self.coder_id, status=True)


@dataclass
class SetMentionAttribute(Action):
    mention_id: int
    attribute_id: int
    value: str | None
    label: str = "set mention attribute"
    document_id: int | None = None
    _old: str | None = None

    def do(self, session: Session) -> None:
        self.document_id = _row(session, Mention, self.mention_id).document_id
        self._old = session.scalar(
            select(MentionAttributeValue.value).where(
                MentionAttributeValue.mention_id == self.mention_id,
                MentionAttributeValue.attribute_id == self.attribute_id,
            )
        )
        svc.set_mention_attribute(session, self.mention_id, self.attribute_id, self.value)

    def undo(self, session: Session) -> None:
        svc.set_mention_attribute(session, self.mention_id, self.attribute_id, self._old)

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, mentions=frozenset({known(self.mention_id)}))


@dataclass
class CreateRelation(Action):
    relation_type_id: int
    source_mention_id: int
    target_mention_id: int
    label: str = "link mentions"
    document_id: int | None = None
    coder_id: int | None = None
    relation_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)
    _new_status: bool = False

    def do(self, session: Session) -> None:
        source = _row(session, Mention, self.source_mention_id)
        self.document_id, self.coder_id = source.document_id, source.coder_id
        if self._snap is not None:
            restore(session, known(self._snap))
            self._new_status = svc.touch_status(session, source.document_id, source.coder_id)
        else:
            self._new_status = _status_missing(session, source.document_id, source.coder_id)
            self.relation_id = rel.create_relation(session, self.relation_type_id, self.source_mention_id,
                                                   self.target_mention_id).id

    def undo(self, session: Session) -> None:
        self._snap = snapshot_row(_row(session, Relation, self.relation_id))
        rel.delete_relation(session, known(self.relation_id))
        if self._new_status:
            _forget_status(session, known(self.document_id), known(self.coder_id))

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, coder_id=self.coder_id,
                      relations=frozenset({known(self.relation_id)}), status=self._new_status)


@dataclass
class DeleteRelation(Action):
    relation_id: int
    label: str = "delete relation"
    document_id: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)

    def do(self, session: Session) -> None:
        relation = _row(session, Relation, self.relation_id)
        self.document_id = relation.document_id
        self._snap = snapshot_row(relation)
        rel.delete_relation(session, self.relation_id)

    def undo(self, session: Session) -> None:
        restore(session, known(self._snap))

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, relations=frozenset({self.relation_id}))


@dataclass
class RetypeRelation(Action):
    relation_id: int
    relation_type_id: int
    label: str = "change relation type"
    document_id: int | None = None
    _old: int | None = None

    def do(self, session: Session) -> None:
        relation = _row(session, Relation, self.relation_id)
        self.document_id, self._old = relation.document_id, relation.relation_type_id
        rel.retype_relation(session, self.relation_id, self.relation_type_id)

    def undo(self, session: Session) -> None:
        rel.retype_relation(session, self.relation_id, known(self._old))

    def change(self) -> Change:
        return Change(label=self.label, document_id=self.document_id, relations=frozenset({self.relation_id}))


class Compound(Action):
    """Several actions as one: `build` runs the steps the first time (each through `step`, so
    later steps can use the ids earlier ones created); redo replays them, undo reverses them."""

    label = "several changes"

    def __init__(self) -> None:
        self.document_id: int | None = None
        self.steps: list[Action] = []
        self._built = False

    def build(self, session: Session) -> None:
        raise NotImplementedError

    def step(self, session: Session, action: A) -> A:
        action.do(session)
        self.steps.append(action)
        return action

    def do(self, session: Session) -> None:
        if self._built:
            for action in self.steps:
                action.do(session)
            return
        self.build(session)
        self._built = True

    def undo(self, session: Session) -> None:
        for action in reversed(self.steps):
            action.undo(session)


def _same_kind(exc: AnnotaryError, message: str) -> AnnotaryError:
    """An error of the type of `exc` saying `message`, when that type is made from a message alone."""
    kind = type(exc)
    return kind(message) if kind.__init__ is AnnotaryError.__init__ else AnnotaryError(message)


class History:
    """The session's undo and redo stacks over one project."""

    def __init__(self, project: Project, limit: int = 1000,
                 on_change: Callable[[], None] | None = None) -> None:
        self.project = project
        self.limit = limit
        self.on_change = on_change
        self._undo: list[Action] = []
        self._redo: list[Action] = []
        self.guard: Guard | None = None
        """Runs every step, when set (see `Guard`)."""
        self.version = 0
        """Goes up with every change of the project made through this history (or `touch`)."""

    def run(self, action: A) -> A:
        """Do the action in one transaction; on error nothing is stored and the history is unchanged."""
        with self.project.uow() as session:
            self._step(action, "do", action.do, session)
        self._committed(action)
        self._undo.append(action)
        del self._undo[: -self.limit]
        self._redo.clear()
        self._changed()
        self.project.changes.publish(action.change().as_source("do", action.label))
        return action

    def undo(self) -> Action | None:
        if not self._undo:
            return None
        action = self._undo[-1]
        self._apply(action.undo, "undo", action)
        self._redo.append(self._undo.pop())
        self._changed()
        self.project.changes.publish(action.change().as_source("undo", action.label))
        return action

    def redo(self) -> Action | None:
        if not self._redo:
            return None
        action = self._redo[-1]
        self._apply(action.do, "redo", action)
        self._undo.append(self._redo.pop())
        self._changed()
        self.project.changes.publish(action.change().as_source("redo", action.label))
        return action

    def _apply(self, step: Callable[[Session], Any], what: str, action: Action) -> None:
        try:
            with self.project.uow() as session:
                self._step(action, what, step, session)
        except AnnotaryError as exc:  # the same kind of error (a conflict stays a conflict), saying what failed
            raise _same_kind(exc, f"cannot {what} {action.label}: {exc}") from exc
        self._committed(action)

    def _step(self, action: Action, what: str, run: Callable[[Session], Any], session: Session) -> None:
        if self.guard is None:
            run(session)
        else:
            self.guard.step(action, what, run, session)

    def _committed(self, action: Action) -> None:
        action.committed()
        if self.guard is not None:
            self.guard.committed(action)

    @property
    def undo_document(self) -> int | None:
        """The document the next undo changes (None: nothing to undo, or not tied to one)."""
        return self._undo[-1].document_id if self._undo else None

    @property
    def redo_document(self) -> int | None:
        return self._redo[-1].document_id if self._redo else None

    @property
    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._changed()

    def touch(self, change: Change | None = None) -> None:
        """Note a change of the project made outside the history (an import, a merge) and tell
        the views (`change`; by default: anything may have changed)."""
        self.version += 1
        self.project.changes.publish(change if change is not None else everything("import"))

    def _changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change()
