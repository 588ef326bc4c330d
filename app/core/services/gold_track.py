"""Gold settled by several adjudicators at once: the document's gold lock and version, and the
checks an undoable change of gold makes when it is undone or redone.

Every change of a document's gold made through the history (a decision of `adjudication`, or an
edit made coding as gold: `gold_edits`) locks the document's row and moves `gold_version`, naming
who made it (`gold_settled_by`). The first time it is done it notes, for the review items whose
gold state it changed, the state it found and the state it left (`GoldTrack`). Undoing it
expects those items to be as it left them, redoing it as it found them; and neither may change
another item. When gold moved since and not only by the same adjudicator, a difference is refused
with a `GoldConflict`: someone settled the item after them, and undoing would silently take
their decision away.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.changes import ChangeHub
from app.core.errors import AnnotaryError
from app.core.models import Document
from app.core.services.review_data import ACCEPTED, GOLD_DIFFERS, REJECTED
from app.core.services.review_items import DocumentReview, ReviewItem, load_review, regold

GoldStates = dict[str, tuple[str, str]]
"""Review item ref -> its gold state and what gold has there (`ReviewItem.gold`, `.gold_description`)."""


class GoldConflict(AnnotaryError):
    """Another adjudicator (or another window) settled the item after it was shown."""


class VersionsGold:
    """Marker of an action that locks and versions gold itself (the adjudication's decisions), so
    the gold edit hook (`gold_edits`) leaves it alone."""


class OwnVersions(set[tuple[int, int]]):
    """(document id, gold version) pairs one adjudicator's committed decisions, gold edits, undos
    and redos made in this program. `seen`: for documents they code as gold (`gold_edits`), the
    gold version they last looked at and every item's gold state as they know it since."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[int, tuple[int, GoldStates]] = {}



def only_mine(own: set[tuple[int, int]], document_id: int, since: int, version: int) -> bool:
    """Whether every change of the document's gold after version `since` up to `version` is in `own`."""
    return own.issuperset((document_id, v) for v in range(since + 1, version + 1))


_OWN: weakref.WeakKeyDictionary[ChangeHub, dict[str, OwnVersions]] = weakref.WeakKeyDictionary()


def own_versions(changes: ChangeHub, adjudicator: str) -> OwnVersions:
    """The one record of `adjudicator`'s own gold versions for a project open in this program
    (`project.changes` names the open project): every review service and gold edit of theirs shares it."""
    return _OWN.setdefault(changes, {}).setdefault(adjudicator, OwnVersions())


def gold_states(review: DocumentReview) -> GoldStates:
    return {item.ref: (item.gold, item.gold_description) for item in review.items}


def lock_gold(session: Session, document_id: int) -> tuple[int, str | None]:
    """Lock the document's gold until the transaction ends (its row FOR NO KEY UPDATE on
    PostgreSQL, which coders' inserts do not wait for; a file's unit of work holds SQLite's write
    lock from BEGIN IMMEDIATE): its gold version and who made it."""
    row = session.execute(select(Document.gold_version, Document.gold_settled_by)
                          .where(Document.id == document_id).with_for_update(key_share=True)).first()
    if row is None:
        raise AnnotaryError(f"no document with id {document_id}")
    return int(row[0]), row[1]


def bump_gold(session: Session, document_id: int, by: str | None) -> int:
    """One more change of the document's gold, made by `by`: the new version."""
    session.execute(update(Document).where(Document.id == document_id)
                    .values(gold_version=Document.gold_version + 1, gold_settled_by=by))
    return int(session.scalar(select(Document.gold_version).where(Document.id == document_id)) or 0)


def now_reads(item: ReviewItem) -> str:
    if item.gold == ACCEPTED:
        return f"gold now has it ({item.description})"
    if item.gold == REJECTED:
        return "it is now rejected"
    if item.gold == GOLD_DIFFERS:
        return f"gold now has {item.gold_description}" if item.gold_description else "gold now differs"
    return "it is now undecided"


def conflict(what: str, when: str, version: int, since: int | None, by: str | None, detail: str) -> GoldConflict:
    """The conflict message: who changed `what` ("this item", or an item named) `when` ("meanwhile",
    "after you"), then `detail`. The document's gold moved from `since` to `version`; its latest
    change was `by`'s. Only a single change since names its maker as the one who settled the item
    (the document row knows only the latest); otherwise the latest is named as that."""
    if since is not None and version == since:
        head = f"gold was edited {when}"  # not through a decision or a guarded edit: unversioned
    elif since is not None and version == since + 1 and by:
        head = f"{by} settled {what} {when}"
    else:
        head = (f"gold changed {when}" if what == "this item" else f"gold of {what} changed {when}") + (
            f" (latest decision in this document by {by})" if by else "")
    return GoldConflict(f"{head}: {detail} — look again")


@dataclass
class GoldTrack:
    """One undoable change of a document's gold: the gold states it found and left of the items it
    changed, and the gold version its latest do, undo or redo made (see the module's text)."""

    by: str | None = None
    own: set[tuple[int, int]] | None = None
    found: GoldStates | None = None
    left: GoldStates | None = None
    last: int | None = None
    _made: tuple[int, int] | None = field(default=None, repr=False)
    _result: GoldStates | None = field(default=None, repr=False)

    def done(self, session: Session, document_id: int, before: DocumentReview | None,
             regolded: tuple[DocumentReview, list[int]] | None = None) -> None:
        """After the first do (`before`: the review read under the lock before it changed anything;
        None: not tracked, a step of a larger decision; `regolded`: `regold(session, before)` if at
        hand): note what it found and left, move the version."""
        if before is not None:
            after, changed = regolded or regold(session, before)
            self.found = {before.items[i].ref: (before.items[i].gold, before.items[i].gold_description)
                          for i in changed}
            self.left = {after.items[i].ref: (after.items[i].gold, after.items[i].gold_description)
                         for i in changed}
            self._result = self.left
        self._made = (document_id, bump_gold(session, document_id, self.by))

    def again(self, session: Session, document_id: int, undoing: bool, step: Callable[[Session], None]) -> None:
        """Undo (`undoing`) or redo it by `step`, under the document's gold lock. Refused when the
        gold moved since its last do, undo or redo, not only by this adjudicator, and the items it
        changed are not as it left them (undo) or found them (redo), or `step` would change another."""
        version, by = lock_gold(session, document_id)
        expected = self.left if undoing else self.found
        when = "after you" if undoing else "after your undo"
        before = None
        if expected is not None and self.last is not None and version != self.last and not (
                self.own is not None and only_mine(self.own, document_id, self.last, version)):
            before = load_review(session, document_id)
            items = {item.ref: item for item in before.items}
            for ref, state in expected.items():
                item = items.get(ref)
                if item is None:
                    raise GoldConflict("the coders changed an item of this decision meanwhile; it is no longer "
                                       "there — look again")
                if (item.gold, item.gold_description) != state:
                    raise conflict(item.description, when, version, self.last, by, now_reads(item))
        step(session)
        if before is not None:
            _, changed = regold(session, before)
            for i in changed:
                item = before.items[i]
                if item.ref not in (expected or {}):  # it builds on this, or was settled in its place
                    raise conflict(item.description, when, version, self.last, by,
                                   f"{'undoing' if undoing else 'redoing'} this would change it too "
                                   f"({now_reads(item)})")
        self._result = self.found if undoing else self.left
        self._made = (document_id, bump_gold(session, document_id, self.by))

    def committed(self) -> None:
        """After a do, undo or redo committed: its version is the adjudicator's own, and what they
        know of the document's gold (`OwnVersions.seen`) follows it."""
        if self._made is None:
            return
        document_id, version = self._made
        if self.own is not None:
            self.own.add(self._made)
        if isinstance(self.own, OwnVersions) and self._result and document_id in self.own.seen:
            self.own.seen[document_id][1].update(self._result)
        self.last, self._made, self._result = version, None, None
