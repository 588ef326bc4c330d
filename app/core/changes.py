"""The change channel: after every committed command the core tells what it changed.

Each do, undo and redo of the history, each import, merge and adjudication, and each change
another program made and the app noticed, is published once as a `Change` on the project's
`ChangeHub`. Views subscribe once and update themselves from it: a view never asks the window
to refresh everything. Qt-free; the GUI re-emits it as a Qt signal (`app/ui/change_signals.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

SOURCES = ("do", "undo", "redo", "import", "merge", "adjudication", "outside", "codebook")


@dataclass(frozen=True)
class Change:
    """What one committed command changed. Ids are of rows created, changed or removed."""

    source: str = "do"
    label: str = ""
    document_id: int | None = None
    """The document whose annotations changed (None: no document's, or see `everything`)."""
    coder_id: int | None = None
    """Whose annotations changed, when one coder's (None: not known, or several)."""
    mentions: frozenset[int] = field(default_factory=frozenset)
    """Mentions of `document_id` created, changed (type, attributes) or removed."""
    events: frozenset[int] = field(default_factory=frozenset)
    """Events of `document_id` created, changed (arguments, attributes) or removed."""
    relations: frozenset[int] = field(default_factory=frozenset)
    """Relations of `document_id` created, retyped or removed (also those a deleted mention took
    with it, or its undo brought back)."""
    arguments: bool = False
    """Event arguments may have changed with `mentions` (a mention that fills a role was deleted,
    or restored with its roles); creating, retyping or setting attributes of a mention leaves the
    events as they are."""
    annotations: bool = False
    """Any annotation of `document_id` may have changed (a compound command): re-read the document."""
    codes: bool = False
    """Document codes of `document_id`."""
    status: bool = False
    """Status (not started, in progress, done) of `document_id`."""
    codebook: bool = False
    """Types, roles, attributes or codes were added, changed or removed."""
    documents: bool = False
    """Documents were added or removed."""
    everything: bool = False
    """Extent unknown (an import, a merge, another program's commit): re-read all."""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown change source {self.source!r}")

    def touches(self, document_id: int | None) -> bool:
        """Whether the annotations, codes or status of this document may have changed."""
        if document_id is None:
            return False
        return self.everything or self.codebook or self.document_id == document_id

    @property
    def mention_changes(self) -> bool:
        return bool(self.mentions) or self.annotations or self.everything or self.codebook

    @property
    def event_changes(self) -> bool:
        return bool(self.events) or self.arguments or self.annotations or self.everything or self.codebook

    @property
    def relation_changes(self) -> bool:
        return bool(self.relations) or self.annotations or self.everything or self.codebook

    def as_source(self, source: str, label: str | None = None) -> Change:
        return replace(self, source=source, label=self.label if label is None else label)


def everything(source: str, label: str = "") -> Change:
    return Change(source=source, label=label, everything=True, documents=True, codebook=True)


Listener = Callable[[Change], None]


class ChangeHub:
    """Publishes changes to subscribers, in the order they subscribed."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self.published = 0
        """How many changes were published (a view that missed some knows to re-read)."""

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, change: Change) -> None:
        self.published += 1
        for listener in list(self._listeners):
            listener(change)
