"""Telling a damaged project file from other database errors (a lock, a full disk)."""

from __future__ import annotations

import sqlite3


def damage_of(exc: BaseException) -> str | None:
    """SQLite's own words when `exc` (or the error it wraps) says the file is damaged, else None."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.DatabaseError) and getattr(orig, "sqlite_errorname", "") in (
        "SQLITE_CORRUPT", "SQLITE_NOTADB"
    ):
        return str(orig).strip().splitlines()[0] if str(orig).strip() else "database disk image is malformed"
    return None
