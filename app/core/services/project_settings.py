"""Settings stored in the project file, so every coder of a shared project works under the same rules."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import ProjectSetting

BLIND_CODING = "blind_coding"
DEFAULTS = {BLIND_CODING: "on"}
CHOICES = {BLIND_CODING: ("on", "off")}
DESCRIPTIONS = {
    BLIND_CODING: "on: a coder sees only their own annotations; adjudicators see everyone's (Compare view, "
                  "disagreements). off: everyone may compare.",
}


def get_setting(session: Session, key: str) -> str:
    if key not in DEFAULTS:
        raise AnnotaryError(f"no project setting {key!r} (settings: {', '.join(DEFAULTS)})")
    value = session.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key))
    return DEFAULTS[key] if value is None else value


def set_setting(session: Session, key: str, value: str) -> None:
    if key not in DEFAULTS:
        raise AnnotaryError(f"no project setting {key!r} (settings: {', '.join(DEFAULTS)})")
    value = value.strip().lower()
    if value not in CHOICES[key]:
        raise AnnotaryError(f"{key} is one of {', '.join(CHOICES[key])}, not {value!r}")
    row = session.get(ProjectSetting, key)
    if row is None:
        session.add(ProjectSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def all_settings(session: Session) -> dict[str, str]:
    return {key: get_setting(session, key) for key in DEFAULTS}


def may_see_others(session: Session, role: str) -> bool:
    """Whether a coder of this role may see other coders' annotations in this project."""
    return role == "adjudicator" or get_setting(session, BLIND_CODING) == "off"
