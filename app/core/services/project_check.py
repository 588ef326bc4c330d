"""Checking a whole project: SQLite's integrity check (a file only), then the checks a merge makes on the
other file (tables and columns, value types, references, and what every row means)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import SQLAlchemyError

from app.core.errors import AnnotaryError
from app.core.project import Project
from app.core.project_damage import damage_of
from app.core.services.merge_checks import check_rows
from app.core.services.merge_source import check_constraints, check_structure


def check_project(project: Project) -> None:
    """Raise an AnnotaryError naming the first problem (`<table> row <id>: ...`), or return."""
    where = project.address
    try:
        with project.engine.connect() as conn:
            if project.file is not None:
                result = conn.exec_driver_sql("PRAGMA integrity_check(1)").scalar()
                if result != "ok":
                    first = " ".join(str(result).replace("*** in database main ***", "").split())
                    raise AnnotaryError(f"{where} is damaged ({first}); restore it from a backup")
            check_structure(conn)
        with project.read() as session:
            check_rows(session)
        with project.engine.connect() as conn:
            check_constraints(conn)
    except AnnotaryError as exc:
        if exc.message.startswith(where):
            raise
        raise AnnotaryError(f"{where}: {exc.message}") from None
    except (SQLAlchemyError, sqlite3.Error) as exc:
        damage = damage_of(exc)
        if damage is None:
            raise
        raise AnnotaryError(f"{where} is damaged ({damage}); restore it from a backup") from None
