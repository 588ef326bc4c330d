"""Coding as gold (Review → Edit gold…) settles gold like a decision does.

An adjudicator editing gold's annotations directly (a mention, event, relation or code value of
the coder `gold`) takes the document's gold lock and moves its gold version, naming them; so an
Accept another adjudicator based on an older view is refused. And an edit that changes the gold
state of a review item someone else settled since the editor last looked at the document (`look`:
when Edit gold… opens it, and each time the program shows others' commits) is refused with a
`GoldConflict` instead of overwriting it. Undoing and redoing an edit are checked as a decision's
are (`GoldTrack`).

The edits are the history's ordinary actions (`app.core.services.history`): `install` makes a
`GoldEdits` the guard of the history that runs them (`History.guard`), which checks each action it
runs while the program codes as gold.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.changes import Change
from app.core.errors import AnnotaryError
from app.core.models import Coder, Document, Event, EventArgument, Mention, Relation
from app.core.project import Project
from app.core.services import history as h
from app.core.services.coders import GOLD
from app.core.services.gold_track import (
    GoldConflict,
    GoldTrack,
    VersionsGold,
    conflict,
    gold_states,
    lock_gold,
    now_reads,
    only_mine,
    own_versions,
)
from app.core.services.review_items import load_review, regold

_MENTION_EDITS = (h.DeleteMention, h.RetypeMention, h.SetMentionAttribute)
_EVENT_EDITS = (h.DeleteEvent, h.SetEventAttribute, h.AddArgument)


class _Gone(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _target(session: Session, action: h.Action) -> tuple[int, int] | None:
    """(document id, coder id) of the annotations the action edits; None for an action that edits
    no annotation of one coder (a status, the codebook, a decision). `_Gone`: its row is gone."""
    row: Mention | Event | Relation | None
    if isinstance(action, (h.CreateMention, h.CreateEvent, h.SetDocumentCode)):
        return action.document_id, action.coder_id
    if isinstance(action, (*_MENTION_EDITS, h.CreateRelation)):
        ident = action.source_mention_id if isinstance(action, h.CreateRelation) else action.mention_id
        row, what = session.get(Mention, ident), "mention"
    elif isinstance(action, _EVENT_EDITS):
        row, what = session.get(Event, action.event_id), "event"
    elif isinstance(action, h.RemoveArgument):
        argument = session.get(EventArgument, action.argument_id)
        row, what = (session.get(Event, argument.event_id) if argument is not None else None), "role"
    elif isinstance(action, (h.DeleteRelation, h.RetypeRelation)):
        row, what = session.get(Relation, action.relation_id), "relation"
    else:
        return None
    if row is None:
        raise _Gone(what)
    return row.document_id, row.coder_id


class GoldEdits:
    """The guard of one history (`History.guard`): the edits it runs as gold are made by `by`, the
    adjudicator, and checked as decisions are."""

    def __init__(self, project: Project, by: str, coding_as_gold: Callable[[], bool] | None = None) -> None:
        self.project, self.by = project, by
        self.coding_as_gold = coding_as_gold
        self.own = own_versions(project.changes, by)
        self._edits: dict[int, tuple[h.Action, _GoldEdit]] = {}  # by id(action); the action is kept with it
        self._unsubscribe = project.changes.subscribe(self._heard)

    def look(self, document_id: int) -> None:
        """The editor sees the document's gold as it is now (its version and every item's state)."""
        with self.project.read() as s:
            version = s.scalar(select(Document.gold_version).where(Document.id == document_id))
            if version is not None:
                self.own.seen[document_id] = (version, gold_states(load_review(s, document_id)))

    def _heard(self, change: Change) -> None:
        """Others' commits shown (or an import, a merge): what the editor sees of gold is read again."""
        if change.source in ("outside", "import", "merge"):
            for document_id in list(self.own.seen):
                if change.touches(document_id):
                    self.look(document_id)

    def step(self, action: h.Action, what: str, run: Callable[[Session], None], session: Session) -> None:
        """`Guard.step`: a gold edit is guarded from its first do (made while coding as gold) on;
        decisions guard themselves, and other actions run as they are."""
        known = self._edits.get(id(action))
        if known is None and what == "do" and not isinstance(action, VersionsGold) and (
                self.coding_as_gold is None or self.coding_as_gold()):
            known = (action, _GoldEdit(self, action))
            self._edits[id(action)] = known
        if known is None or known[0] is not action:
            run(session)
        elif what == "undo":
            known[1].undo(session, run)
        else:
            known[1].do(session, run)

    def committed(self, action: h.Action) -> None:
        known = self._edits.get(id(action))
        if known is not None and known[0] is action:
            known[1].committed()
            if known[1].document_id is None and not known[1].first:
                del self._edits[id(action)]  # not an edit of gold: nothing to check on undo or redo

    def close(self) -> None:
        self._unsubscribe()


class _GoldEdit:
    """What the guard knows of one gold edit: its document, and the gold it found and left."""

    def __init__(self, edits: GoldEdits, action: h.Action) -> None:
        self.edits, self.action = edits, action
        self.document_id: int | None = None
        self.track = GoldTrack(edits.by, edits.own)
        self.first = True

    def do(self, session: Session, run: Callable[[Session], None]) -> None:
        if not self.first:
            if self.document_id is None:
                run(session)
            else:
                self.track.again(session, self.document_id, False, run)
            return
        try:
            target = _target(session, self.action)
        except _Gone as gone:
            raise GoldConflict(f"the {gone.what} you are editing is no longer there: gold changed meanwhile "
                               "— look again") from None
        gold = session.scalar(select(Coder.id).where(Coder.name == GOLD))
        if target is None or gold is None or target[1] != gold:
            run(session)
        else:
            self._first_edit(session, target[0], run)
        self.first = False

    def _first_edit(self, session: Session, document_id: int, run: Callable[[Session], None]) -> None:
        own = self.edits.own
        version, by = lock_gold(session, document_id)
        before = load_review(session, document_id)
        base = own.seen.setdefault(document_id, (version, gold_states(before)))
        others = version != base[0] and not only_mine(own, document_id, base[0], version)
        try:
            run(session)
        except AnnotaryError as exc:
            if others and not isinstance(exc, GoldConflict):
                raise conflict("this item", "meanwhile", version, base[0], by, str(exc)) from exc
            raise
        after, changed = regold(session, before)
        if others:
            for i in changed:
                item = before.items[i]
                if (item.gold, item.gold_description) != base[1].get(item.ref):
                    raise conflict(item.description, "meanwhile", version, base[0], by, now_reads(item))
        self.track.done(session, document_id, before, (after, changed))
        self.document_id = document_id

    def undo(self, session: Session, run: Callable[[Session], None]) -> None:
        if self.document_id is None:
            run(session)
        else:
            self.track.again(session, self.document_id, True, run)

    def committed(self) -> None:
        self.track.committed()


def install(project: Project, history: h.History, by: str,
            coding_as_gold: Callable[[], bool] | None = None) -> GoldEdits:
    """Guard the gold edits `history` runs from now on (those it runs while `coding_as_gold()`,
    if given), as made by the adjudicator `by`. Installing again replaces the guard."""
    if isinstance(history.guard, GoldEdits):
        history.guard.close()
    edits = GoldEdits(project, by, coding_as_gold)
    history.guard = edits
    return edits
