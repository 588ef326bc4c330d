"""Read-only summaries of a project: its documents and its contents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.core.models import (
    Attribute,
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    Event,
    EventType,
    Mention,
)
from app.core.project import Project


def list_documents(project: Project) -> list[dict[str, Any]]:
    """Every document with its metadata and annotation counts (texts are not loaded)."""
    mentions = select(Mention.document_id, func.count().label("n")).group_by(Mention.document_id).subquery()
    events = select(Event.document_id, func.count().label("n")).group_by(Event.document_id).subquery()
    query = (
        select(
            Document.id, Document.title, Document.language, Document.direction, Document.chars,
            Document.sha256, Document.filename, Document.source_encoding, Document.imported_at,
            func.coalesce(mentions.c.n, 0), func.coalesce(events.c.n, 0),
        )
        .outerjoin(mentions, mentions.c.document_id == Document.id)
        .outerjoin(events, events.c.document_id == Document.id)
        .order_by(Document.id)
    )
    with project.read() as session:
        return [
            {
                "id": r[0], "title": r[1], "language": r[2], "direction": r[3], "chars": r[4], "sha256": r[5],
                "filename": r[6], "encoding": r[7], "imported_at": r[8].isoformat(timespec="seconds"),
                "mentions": r[9], "events": r[10],
            }
            for r in session.execute(query)
        ]


def project_counts(project: Project) -> dict[str, int]:
    tables = {
        "documents": Document, "coders": Coder, "mentions": Mention, "events": Event,
        "document_code_values": DocumentCodeValue, "entity_types": EntityType, "event_types": EventType,
        "attributes": Attribute, "document_codes": DocumentCode,
    }
    with project.read() as session:
        return {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in tables.items()}
