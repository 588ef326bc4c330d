"""What brat calls notes of a type and normalisations: typed notes on a mention, an event or a
relation, and a mention's (or event's) references into an outside resource.

A typed note (brat ``#1<TAB>Lemma T1<TAB>word``) is one row of `annotation_notes`; the
AnnotatorNotes note stays the owner's `note` column. A normalisation (brat
``N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama``) is one row of
`external_references`. Each row belongs to exactly one owner (a CHECK), and deleting the owner
deletes it (the database cascades)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base

# CASE, not a sum of booleans: PostgreSQL has no + on booleans (files made before say the same the SQLite way)
_ONE_OWNER_OF_THREE = ("(CASE WHEN mention_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) + "
    "(CASE WHEN relation_id IS NULL THEN 0 ELSE 1 END) = 1")
_ONE_OWNER_OF_TWO = "(mention_id IS NULL) <> (event_id IS NULL)"


class AnnotationNote(Base):
    """A note of a type other than AnnotatorNotes (``Lemma``), in the order it was given."""

    __tablename__ = "annotation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    relation_id: Mapped[int | None] = mapped_column(ForeignKey("relations.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(_ONE_OWNER_OF_THREE, name="one_owner"),
        Index("ix_annotation_notes_mention_id", "mention_id"),
        Index("ix_annotation_notes_event_id", "event_id"),
        Index("ix_annotation_notes_relation_id", "relation_id"),
    )


class ExternalReference(Base):
    """A normalisation: the mention (or event) is `identifier` in `resource` (``Wikipedia:534366``);
    `type` is brat's normalisation type (``Reference``), `text` the optional name it shows (None:
    the brat line had no text column)."""

    __tablename__ = "external_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(120), default="Reference")
    resource: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_ONE_OWNER_OF_TWO, name="one_owner"),
        Index("ix_external_references_mention_id", "mention_id"),
        Index("ix_external_references_event_id", "event_id"),
    )

    @property
    def reference(self) -> str:
        """``Wikipedia:534366``, as brat writes it."""
        return f"{self.resource}:{self.identifier}"
