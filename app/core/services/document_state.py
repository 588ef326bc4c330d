"""The open document as the app shows it, kept up to date from the change channel.

`DocumentState` holds one coder's view of one document (text, mentions in text order,
events) and applies each `Change` incrementally: the mentions a change names are re-read
by id and patched into the list, so tagging one mention in a document with thousands costs
one small query. `apply` returns an `Update` that tells the views exactly what to redraw.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.changes import Change
from app.core.services.workspace import EventView, MentionView, RelationView, Workspace


def mention_order(m: MentionView) -> tuple[int, int, int]:
    """The order of the mention list (as the workspace returns it): by start, longer first."""
    return m.start, -m.end, m.id


@dataclass
class MentionDelta:
    """Mentions removed (by row before the change), inserted (row after it) and updated in place."""

    removed: list[int] = field(default_factory=list)
    """Rows removed, highest first (remove them in this order)."""
    inserted: list[int] = field(default_factory=list)
    """Rows inserted, lowest first (insert them in this order, after the removals)."""
    updated: list[int] = field(default_factory=list)
    """Ids of mentions that changed but kept their place (their rows: look them up after the
    removals and insertions)."""
    ranges: list[tuple[int, int]] = field(default_factory=list)
    """Text ranges to redraw (old and new places of every mention that changed)."""

    @property
    def empty(self) -> bool:
        return not (self.removed or self.inserted or self.updated)

    def span(self) -> tuple[int, int] | None:
        """One range covering all `ranges` (None if nothing is to be redrawn)."""
        if not self.ranges:
            return None
        return min(r[0] for r in self.ranges), max(r[1] for r in self.ranges)


@dataclass
class Update:
    """What one change did to the open document, for its views."""

    reopened: bool = False
    """Everything may differ: the views show the document afresh (text kept)."""
    closed: bool = False
    """The document is gone (deleted by another program): nothing is open."""
    mentions: MentionDelta | None = None
    events: bool = False
    relations: bool = False
    codes: bool = False
    status: bool = False


class DocumentState:
    """The open document of a workspace (none at first)."""

    def __init__(self, workspace: Callable[[], Workspace]) -> None:
        self._workspace = workspace  # read each time: the coder can change under the same state
        self.document_id: int | None = None
        self.text = ""
        self.mentions: list[MentionView] = []
        self.events: list[EventView] = []
        self.relations: list[RelationView] = []

    def open(self, document_id: int) -> None:
        ws = self._workspace()
        self.text = ws.document_text(document_id)
        self.document_id = document_id
        self.mentions = ws.mentions(document_id, text=self.text, partial_words=False)
        self.events = ws.events(document_id)
        self.relations = ws.relations(document_id)

    def close(self) -> None:
        self.document_id, self.text, self.mentions, self.events, self.relations = None, "", [], [], []

    def reread(self) -> None:
        """Re-read the annotations (the text never changes)."""
        if self.document_id is not None:
            ws = self._workspace()
            self.mentions = ws.mentions(self.document_id, text=self.text, partial_words=False)
            self.events = ws.events(self.document_id)
            self.relations = ws.relations(self.document_id)

    def mention(self, mention_id: int) -> MentionView | None:
        return next((m for m in self.mentions if m.id == mention_id), None)

    def apply(self, change: Change) -> Update:
        doc = self.document_id
        if doc is None or not change.touches(doc):
            return Update()
        ws = self._workspace()
        if change.everything or change.codebook or change.annotations:
            if change.everything and ws.document_row(doc) is None:
                self.close()
                return Update(closed=True)
            self.reread()
            return Update(reopened=True, events=True, relations=True, codes=True, status=True)
        update = Update(codes=change.codes, status=change.status)
        if change.mentions:
            update.mentions = self._patch_mentions(ws, change.mentions)
        if change.event_changes:
            self.events = ws.events(doc)
            update.events = True
        if change.relation_changes or (change.mentions and self.relations):  # a relation shows its mentions' texts
            self.relations = ws.relations(doc)
            update.relations = True
        return update

    def _patch_mentions(self, ws: Workspace, ids: frozenset[int]) -> MentionDelta:
        delta = MentionDelta()
        fresh = {m.id: m for m in ws.mentions(self.document_id, ids=ids, text=self.text, partial_words=False)}  # type: ignore[arg-type]
        rows = [i for i, m in enumerate(self.mentions) if m.id in ids]
        for row in reversed(rows):  # highest first
            old = self.mentions[row]
            new = fresh.get(old.id)
            if new is not None and mention_order(new) == mention_order(old):
                self.mentions[row] = new  # same place: updated (type, attributes)
                delta.updated.append(old.id)
                delta.ranges.append((new.start, new.end))
                del fresh[old.id]
                continue
            del self.mentions[row]
            delta.removed.append(row)
            delta.ranges.append((old.start, old.end))
        for m in sorted(fresh.values(), key=mention_order):
            row = bisect_left(self.mentions, mention_order(m), key=mention_order)
            self.mentions.insert(row, m)
            delta.inserted.append(row)
            delta.ranges.append((m.start, m.end))
        return delta
