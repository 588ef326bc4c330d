"""Project-wide settings and the adjudicator's rejections (what was looked at and left out of gold)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, utcnow


class ProjectSetting(Base):
    """One setting of the project (e.g. `blind_coding`), stored with the data it governs."""

    __tablename__ = "project_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GoldRejection(Base):
    """A coder's annotation the adjudicator decided to leave out of the gold set.

    `ref` names the review item (see `app.core.services.review_items`): `mention:START:END:TYPE_ID`,
    `event:<signature hash>` or `code:CODE_ID`."""

    __tablename__ = "gold_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("document_id", "ref"),)
