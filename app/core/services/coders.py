"""Coders: the people whose annotations are stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import CODER_ROLES, Coder
from app.core.validation import check_label_text, name_key, normalise_name

GOLD = "gold"
"""The name of the coder that holds the adjudicated (gold) set."""


def clean_coder_name(name: str) -> str:
    """A coder name as stored: spaces collapsed, NFC; no control or bidi-control characters."""
    name = normalise_name(" ".join((name or "").split()))
    if not name:
        raise AnnotaryError("a coder name is needed (for example --coder alice)")
    if len(name) > 120:
        raise AnnotaryError("a coder name has at most 120 characters")
    return check_label_text("the coder name", name)


def _same_name(session: Session, name: str) -> Coder | None:
    """The coder whose name is `name` up to case and Unicode form ("Alice", "ALICE", "alice")."""
    exact = session.scalar(select(Coder).where(Coder.name == name))
    if exact is not None:
        return exact
    key = name_key(name)
    return next((c for c in session.scalars(select(Coder).order_by(Coder.id)) if name_key(c.name) == key), None)


def get_or_create_coder(session: Session, name: str) -> Coder:
    name = clean_coder_name(name)
    coder = _same_name(session, name)
    if coder is None:
        coder = Coder(name=name, role="adjudicator" if name == GOLD else "coder")
        try:
            with session.begin_nested():  # another program may add the same name at the same time
                session.add(coder)
        except IntegrityError:
            coder = _same_name(session, name)  # theirs, committed meanwhile (a server waits for it)
            if coder is None:
                raise
    return coder


def find_coder(session: Session, name: str) -> Coder:
    coder = _same_name(session, clean_coder_name(name))
    if coder is None:
        known = ", ".join(session.scalars(select(Coder.name).order_by(Coder.name))) or "none yet"
        raise AnnotaryError(f"no coder named {name!r} in this project (coders: {known})")
    return coder


def check_personal_name(name: str) -> str:
    """A name a person may code under: not `gold`, which adjudicators edit through Code as gold."""
    name = clean_coder_name(name)
    if name_key(name) == name_key(GOLD):  # "Gold" would be the gold coder too
        raise AnnotaryError(f"{GOLD!r} is the adjudicated set, not a person's name; an adjudicator edits it "
                            "with Review → Code as gold")
    return name


def set_role(session: Session, name: str, role: str) -> Coder:
    """Make a coder a `coder` or an `adjudicator` (who may see everyone's annotations)."""
    if role not in CODER_ROLES:
        raise AnnotaryError(f"a role is one of {', '.join(CODER_ROLES)}, not {role!r}")
    coder = get_or_create_coder(session, name)
    if coder.name == GOLD and role != "adjudicator":
        raise AnnotaryError(f"{GOLD!r} holds the adjudicated set; its role stays adjudicator")
    coder.role = role
    session.flush()
    return coder


def get_gold_coder(session: Session) -> Coder:
    """The coder that holds the gold set (created on first use)."""
    coder = get_or_create_coder(session, GOLD)
    if coder.role != "adjudicator":
        coder.role = "adjudicator"
        session.flush()
    return coder


def human_coder_names(session: Session) -> list[str]:
    """The names of the project's coders, without gold."""
    return [n for n in session.scalars(select(Coder.name).order_by(Coder.name)) if n != GOLD]
