"""What coders make: mentions, events with arguments and attributes, document code values."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.core.models.references import AnnotationNote, ExternalReference


class Mention(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    entity_type_id: Mapped[int] = mapped_column(ForeignKey("entity_types.id"))
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # typed notes and references: read-only here; the database deletes them with the mention
    typed_notes: Mapped[list[AnnotationNote]] = relationship(
        viewonly=True, order_by="AnnotationNote.id", foreign_keys="AnnotationNote.mention_id")
    references: Mapped[list[ExternalReference]] = relationship(
        viewonly=True, order_by="ExternalReference.id", foreign_keys="ExternalReference.mention_id")

    __table_args__ = (
        CheckConstraint("start >= 0 AND \"end\" > start", name="span"),
        Index("ix_mentions_document_coder_start", "document_id", "coder_id", "start"),
    )


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id"))
    trigger_start: Mapped[int | None]
    trigger_end: Mapped[int | None]
    trigger_text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    arguments: Mapped[list[EventArgument]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventArgument.id",
        foreign_keys="EventArgument.event_id",
    )
    attributes: Mapped[list[EventAttributeValue]] = relationship(
        cascade="all, delete-orphan", order_by="EventAttributeValue.id"
    )
    typed_notes: Mapped[list[AnnotationNote]] = relationship(
        viewonly=True, order_by="AnnotationNote.id", foreign_keys="AnnotationNote.event_id")
    references: Mapped[list[ExternalReference]] = relationship(
        viewonly=True, order_by="ExternalReference.id", foreign_keys="ExternalReference.event_id")

    __table_args__ = (
        CheckConstraint(
            "(trigger_start IS NULL AND trigger_end IS NULL) OR "
            "(trigger_start >= 0 AND trigger_end > trigger_start)",
            name="trigger_span",
        ),
        Index("ix_events_document_coder", "document_id", "coder_id"),
    )


class EventArgument(Base):
    """A role of an event filled by a mention or (a nested event) by another event of the same
    coder and document: exactly one of `mention_id` and `argument_event_id` is set. Deleting the
    mention or the argument event deletes the argument (the database cascades)."""

    __tablename__ = "event_arguments"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("event_roles.id"))
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    argument_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="arguments", foreign_keys=[event_id])

    __table_args__ = (
        UniqueConstraint("event_id", "role_id", "mention_id"),
        UniqueConstraint("event_id", "role_id", "argument_event_id"),
        CheckConstraint("(mention_id IS NULL) <> (argument_event_id IS NULL)", name="one_filler"),
        Index("ix_event_arguments_argument_event_id", "argument_event_id"),
        Index("ix_event_arguments_mention_id", "mention_id"),
    )


class Relation(Base):
    """A typed, directed link from one mention to another (same document and coder)."""

    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    relation_type_id: Mapped[int] = mapped_column(ForeignKey("relation_types.id"))
    source_mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    target_mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    typed_notes: Mapped[list[AnnotationNote]] = relationship(
        viewonly=True, order_by="AnnotationNote.id", foreign_keys="AnnotationNote.relation_id")

    __table_args__ = (
        CheckConstraint("source_mention_id <> target_mention_id", name="two_mentions"),
        UniqueConstraint("relation_type_id", "source_mention_id", "target_mention_id"),
        Index("ix_relations_document_coder", "document_id", "coder_id"),
        Index("ix_relations_source_mention_id", "source_mention_id"),
        Index("ix_relations_target_mention_id", "target_mention_id"),
    )


class EventAttributeValue(Base):
    __tablename__ = "event_attribute_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attributes.id"))
    value: Mapped[str] = mapped_column(Text)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "attribute_id"),)


class MentionAttributeValue(Base):
    __tablename__ = "mention_attribute_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attributes.id"))
    value: Mapped[str] = mapped_column(Text)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("mention_id", "attribute_id"),)


class DocumentCodeValue(Base):
    __tablename__ = "document_code_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    code_id: Mapped[int] = mapped_column(ForeignKey("document_codes.id"))
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("document_id", "coder_id", "code_id"),)
