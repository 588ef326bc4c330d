"""Documents and coders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, utcnow


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    filename: Mapped[str] = mapped_column(String(400))
    language: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(3))
    source_encoding: Mapped[str] = mapped_column(String(40))
    chars: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    gold_version: Mapped[int] = mapped_column(default=0, server_default="0")
    """Goes up with every adjudication decision in the document (and its undo or redo): an
    adjudicator's decision checks, under a lock on this row, that gold is as they saw it."""
    gold_settled_by: Mapped[str | None] = mapped_column(String(120), default=None)
    """The adjudicator who made the latest of those decisions (named in a conflict message)."""

    __table_args__ = (CheckConstraint("direction IN ('ltr', 'rtl')", name="direction"),)


CODER_ROLES = ("coder", "adjudicator")


class Coder(Base):
    """A person whose annotations are stored; the coder named `gold` holds the adjudicated set."""

    __tablename__ = "coders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(12), default="coder", server_default="coder")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("role IN ('coder', 'adjudicator')", name="role"),)


class DocumentStatus(Base):
    """A coder's progress on a document; no row means not started."""

    __tablename__ = "document_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("document_id", "coder_id"),
        CheckConstraint("status IN ('in_progress', 'done')", name="status"),
    )
