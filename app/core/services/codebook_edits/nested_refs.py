"""Guards of codebook edits for what the editor cannot yet undo whole: relation types and the
event types a role accepts (nested events) are kept in tables the row diff does not carry, so an
edit that would drop their rows (and lose them on undo) is refused with what to change first."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from app.core.errors import CodebookError
from app.core.models import relation_source_accepts, relation_target_accepts, role_accepts_events


def _count(session: Session, table: Table, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where)) or 0


def check_entity_type_unreferenced(session: Session, type_id: int, name: str) -> None:
    n = sum(_count(session, t, t.c.entity_type_id == type_id)
            for t in (relation_source_accepts, relation_target_accepts))
    if n:
        raise CodebookError(f"{name} is accepted by relation types; change what they accept in the codebook "
                            "file first")


def check_event_type_unreferenced(session: Session, type_id: int, name: str) -> None:
    if _count(session, role_accepts_events, role_accepts_events.c.event_type_id == type_id):
        raise CodebookError(f"{name} events fill roles of other events (nested events); change what those roles "
                            "accept in the codebook file first")


def check_role_takes_no_events(session: Session, role_id: int, name: str) -> None:
    if _count(session, role_accepts_events, role_accepts_events.c.role_id == role_id):
        raise CodebookError(f"the role {name} accepts events (nested events); change what it accepts in the "
                            "codebook file first")
