"""Codebook tables: entity types, event types with roles, attributes, document codes."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models.base import Base

role_accepts = Table(
    "role_accepts",
    Base.metadata,
    Column("role_id", ForeignKey("event_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_type_id", ForeignKey("entity_types.id", ondelete="CASCADE"), primary_key=True),
)

role_accepts_events = Table(
    "role_accepts_events",
    Base.metadata,
    Column("role_id", ForeignKey("event_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("event_type_id", ForeignKey("event_types.id", ondelete="CASCADE"), primary_key=True),
)
"""Event types whose events may fill a role (nested events)."""

relation_source_accepts = Table(
    "relation_source_accepts",
    Base.metadata,
    Column("relation_type_id", ForeignKey("relation_types.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_type_id", ForeignKey("entity_types.id", ondelete="CASCADE"), primary_key=True),
)

relation_target_accepts = Table(
    "relation_target_accepts",
    Base.metadata,
    Column("relation_type_id", ForeignKey("relation_types.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_type_id", ForeignKey("entity_types.id", ondelete="CASCADE"), primary_key=True),
)


class EntityType(Base):
    __tablename__ = "entity_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    color: Mapped[str] = mapped_column(String(9))
    hotkey: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class EventType(Base):
    __tablename__ = "event_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    color: Mapped[str] = mapped_column(String(9))
    hotkey: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    roles: Mapped[list[EventRole]] = relationship(
        back_populates="event_type", order_by="EventRole.position", cascade="all, delete-orphan"
    )


class EventRole(Base):
    __tablename__ = "event_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    repeatable: Mapped[bool] = mapped_column(default=False)
    definition: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    event_type: Mapped[EventType] = relationship(back_populates="roles")
    accepts: Mapped[list[EntityType]] = relationship(secondary=role_accepts, order_by="EntityType.position")
    accepts_events: Mapped[list[EventType]] = relationship(
        secondary=role_accepts_events, order_by="EventType.position")

    __table_args__ = (UniqueConstraint("event_type_id", "name"),)


class RelationType(Base):
    """A kind of directed link between two mentions; empty accepts lists mean any entity type."""

    __tablename__ = "relation_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    color: Mapped[str] = mapped_column(String(9))
    hotkey: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(Text, default="")
    symmetric: Mapped[bool] = mapped_column(default=False)
    # transitive (brat's <REL-TYPE>:symmetric-transitive, an equivalence): symmetric too; its
    # relations form groups of equivalent mentions (brat writes each group as one `*` line)
    transitive: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    source_accepts: Mapped[list[EntityType]] = relationship(
        secondary=relation_source_accepts, order_by="EntityType.position")
    target_accepts: Mapped[list[EntityType]] = relationship(
        secondary=relation_target_accepts, order_by="EntityType.position")


class Attribute(Base):
    """An attribute of events or of mentions; no values means a yes/no flag."""

    __tablename__ = "attributes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(7))
    definition: Mapped[str] = mapped_column(Text, default="")
    values_json: Mapped[str] = mapped_column(Text, default="[]")
    applies_to_json: Mapped[str] = mapped_column(Text, default="[]")
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("target", "name"),
        CheckConstraint("target IN ('event', 'mention')", name="target"),
    )


class DocumentCode(Base):
    __tablename__ = "document_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    definition: Mapped[str] = mapped_column(Text, default="")
    values_json: Mapped[str] = mapped_column(Text, default="[]")
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint("level IN ('nominal', 'ordinal', 'interval', 'ratio')", name="level"),
    )
