"""The adjudicator's use cases for the desktop app: review a document, settle it into gold.

Wraps a `Workspace`, so every decision goes through the same undo history as coding.
Under blind coding only adjudicators may see other coders' annotations.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.errors import AnnotaryError
from app.core.models import Coder, DocumentStatus
from app.core.project import Project
from app.core.services import adjudication as adj
from app.core.services.coders import GOLD, set_role
from app.core.services.project_settings import (
    BLIND_CODING,
    get_setting,
    may_see_others,
    set_setting,
)
from app.core.services.review_items import (
    DocumentReview,
    ReviewItem,
    count_reviews,
    load_review,
    regold,
)
from app.core.services.workspace import MentionView, Workspace


class ReviewService:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.project = workspace.project
        self._own = adj.own_versions(self.project.changes, workspace.coder_name)
        """The gold versions this adjudicator's decisions and gold edits made in this program."""

    # ------------------------------------------------------------ who may see what

    def blind_coding(self) -> bool:
        with self.project.read() as s:
            return get_setting(s, BLIND_CODING) == "on"

    def set_blind_coding(self, on: bool) -> None:
        self.require_adjudicator("change blind coding")
        with self.project.uow() as s:
            set_setting(s, BLIND_CODING, "on" if on else "off")

    def can_review(self) -> bool:
        with self.project.read() as s:
            return may_see_others(s, self.workspace.coder_role)

    def require_review(self) -> None:
        if not self.can_review():
            raise AnnotaryError(
                f"blind coding is on: {self.workspace.coder_name} is a coder and sees only their own "
                "annotations; an adjudicator can compare (Review → Coders and roles, or `annotary role NAME "
                "adjudicator`) or turn blind coding off")

    def coders(self) -> list[tuple[str, str]]:
        """(name, role) of every coder but gold."""
        with self.project.read() as s:
            return [(n, r) for n, r in s.execute(select(Coder.name, Coder.role).order_by(Coder.name)) if n != GOLD]

    def set_role(self, name: str, role: str) -> None:
        """Adjudicators assign roles; while the project has none, anyone may name the first."""
        with self.project.uow() as s:
            adjudicators = [n for n, r in s.execute(select(Coder.name, Coder.role)) if r == "adjudicator" and n != GOLD]
            if adjudicators and self.workspace.coder_role != "adjudicator":
                raise AnnotaryError(f"only an adjudicator ({', '.join(adjudicators)}) can change roles")
            coder = set_role(s, name, role)
        if coder.name == self.workspace.coder_name:
            self.workspace.coder_role = role

    def require_adjudicator(self, what: str) -> None:
        if self.workspace.coder_role != "adjudicator":
            raise AnnotaryError(f"only an adjudicator can {what} ({self.workspace.coder_name} is a coder)")

    # ------------------------------------------------------------ reading

    def document_review(self, document_id: int) -> DocumentReview:
        self.require_review()
        with self.project.read() as s:
            return load_review(s, document_id)

    def regold(self, review: DocumentReview) -> tuple[DocumentReview, list[int]]:
        """The review brought up to date after only gold (or a rejection) changed: see `regold`."""
        self.require_review()
        with self.project.read() as s:
            return regold(s, review)

    def gold_coder_id(self) -> int | None:
        with self.project.read() as s:
            return s.scalar(select(Coder.id).where(Coder.name == GOLD))

    def layers(self, document_id: int, coders: list[str]) -> dict[str, list[MentionView]]:
        """Each coder's mentions (and gold's), for drawing them side by side."""
        self.require_review()
        with self.project.read() as s:
            ids = dict(s.execute(select(Coder.name, Coder.id).where(Coder.name.in_([*coders, GOLD]))).all())
        return {name: self.workspace.mentions(document_id, (ids[name], name)) if name in ids else []
                for name in [*coders, GOLD]}

    def project_unresolved(self) -> tuple[int, int]:
        """(unresolved disagreements, documents that have any) over the documents two or more coders worked on."""
        self.require_review()
        counts = unresolved_per_document(self.project)
        return sum(counts.values()), sum(1 for c in counts.values() if c)

    # ------------------------------------------------------------ deciding (undoable, committed)

    def accept(self, item: ReviewItem, coder: str) -> None:
        """Take `coder`'s version of the item into gold; refused (`GoldConflict`) when the item's
        gold state is no longer what `item` (as shown) says: someone settled it meanwhile."""
        self.require_review()
        self.require_adjudicator("settle the gold set")
        self.workspace.history.run(adj.accept_item(item, coder, by=self.workspace.coder_name, checked=True,
                                                     own=self._own))

    def reject(self, item: ReviewItem) -> None:
        """Leave the item out of gold; refused like `accept` when it was settled meanwhile."""
        self.require_review()
        self.require_adjudicator("settle the gold set")
        if item.gold == "rejected":
            raise AnnotaryError("this item is already rejected")
        self.workspace.history.run(adj.reject_item(item, by=self.workspace.coder_name, checked=True,
                                                     own=self._own))

    def accept_agreements(self, document_id: int) -> tuple[int, int]:
        """Accept all agreements of a document: (accepted, agreed events left to the adjudicator)."""
        self.require_review()
        self.require_adjudicator("settle the gold set")
        decision = adj.AcceptAgreements(document_id)
        decision.by, decision.own = self.workspace.coder_name, self._own
        action = self.workspace.history.run(decision)
        return action.accepted, action.skipped


def unresolved_per_document(project: Project) -> dict[int, int]:
    """Unresolved disagreements of each document two or more coders (gold apart) worked on."""
    with project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == GOLD))
        q = (select(DocumentStatus.document_id).where(DocumentStatus.coder_id != (gold or -1))
             .group_by(DocumentStatus.document_id).having(func.count() >= 2))
        return {r.document_id: r.unresolved for r in count_reviews(s, list(s.scalars(q)))}
