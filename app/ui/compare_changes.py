"""What a change of the project means to an open Compare view, and what an item adds to its counts."""

from __future__ import annotations

from app.core.changes import Change
from app.core.services.coders import GOLD
from app.core.services.review_items import DocumentReview, ReviewItem


def gold_only(change: Change, gold_id: int | None, review: DocumentReview) -> bool:
    """Whether `change` (to the review's document) changed only gold's annotations or the
    rejections: which items there are and what each coder made stayed as they were, so the view
    needs only gold's side again (`regold`). Anything else, or not known, is a full re-read."""
    if change.everything or change.codebook or change.documents or change.annotations:
        return False
    if change.coder_id is not None:
        return gold_id is not None and change.coder_id == gold_id
    if change.codes or change.status:
        return False
    if review.basis is None:
        return False
    gold_mentions = {m.id for m in review.basis.data.mentions if m.coder == GOLD}
    gold_events = {e.id for e in review.basis.data.events if e.coder == GOLD}
    gold_relations = {r.id for r in review.basis.data.relations if r.coder == GOLD}
    return (change.mentions <= gold_mentions and change.events <= gold_events  # a rejection: none of them
            and change.relations <= gold_relations)


def counted(item: ReviewItem) -> tuple[int, int, int]:
    """What the item adds to the counts: (unresolved, disagreements, agreed not yet in gold)."""
    if item.disagreement:
        return (0 if item.gold else 1), 1, 0
    return 0, 0, (1 if item.agreed and not item.gold else 0)
