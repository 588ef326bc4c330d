"""Opening the other project of a merge without trusting it or touching it.

The other file is copied into a temporary folder beside the target project (named so the
next merge removes it if this one is killed) and only the copy is opened (an older
schema is upgraded there, never in place). Before anything is merged, the copy's tables,
columns, value types and references are checked; the first problem becomes one line
naming the file, the table and the row.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Boolean, Connection, DateTime, Integer, String, Table, inspect
from sqlalchemy.exc import SQLAlchemyError

from app.core import open_files
from app.core.dangling import describe_dangling
from app.core.errors import AnnotaryError, ProjectError
from app.core.models import Base
from app.core.project import Project, open_project
from app.core.services.merge_checks import check_rows
from app.core.temp_files import make_work_folder, remove_entry, remove_stale


class MergeSourceError(AnnotaryError):
    """The other project cannot be merged; the message names the file and the first problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


@contextmanager
def open_merge_source(path: Path, target: Project) -> Iterator[Project]:
    """A checked, temporary copy of the project at `path`, opened; removed when the block ends."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"no project at {path}")
    if target.file is not None and _same_file(path, target.file):
        raise AnnotaryError(f"cannot merge a project into itself ({path} is {target.file})")
    if open_files.is_open_here(path):  # copying it with Python would release SQLite's locks on it here
        raise AnnotaryError(f"{path} is open in this program; close it before merging it")
    # the copy goes beside the target file; a project on a server has none: the temporary folder then
    beside = target.file if target.file is not None else Path(tempfile.gettempdir()) / "annotary-merge"
    remove_stale(beside.parent)
    folder = make_work_folder(beside)
    try:
        copy = folder / "other.annotary"
        try:
            shutil.copyfile(path, copy)
            if Path(f"{path}-wal").is_file():  # changes not yet checkpointed belong to the file
                shutil.copyfile(f"{path}-wal", f"{copy}-wal")
        except OSError as exc:
            raise MergeSourceError(path, f"cannot read it ({exc.strerror})") from None
        source = _open_copy(path, copy)
        try:
            with source.engine.connect() as conn:
                check_structure(conn)
            with source.read() as session:
                check_rows(session)
            with source.engine.connect() as conn:
                check_constraints(conn)
        except AnnotaryError as exc:
            source.close()
            raise MergeSourceError(path, exc.message) from None
        except (SQLAlchemyError, sqlite3.Error) as exc:
            source.close()
            raise MergeSourceError(path, f"cannot be read as a project ({_reason(exc)})") from None
        try:
            yield source
        finally:
            source.close()
    finally:
        remove_entry(folder)


def _open_copy(path: Path, copy: Path) -> Project:
    try:
        return open_project(copy)
    except ProjectError as exc:
        raise ProjectError(exc.message.replace(str(copy), str(path))) from None
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise MergeSourceError(path, f"cannot be read as a project ({_reason(exc)})") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def check_structure(conn: Connection) -> None:
    """Every table and column of the schema present, every value of its column's type, no dangling id.
    On PostgreSQL the server itself keeps types, references and constraints: only the tables and
    columns are checked."""
    if conn.dialect.name != "sqlite":
        _check_tables_present(conn)
        return
    quick = conn.exec_driver_sql("PRAGMA quick_check").scalar()
    if quick != "ok" and not (isinstance(quick, str) and _is_constraint(quick)):
        raise AnnotaryError(f"the file is damaged ({quick})")
    for table in Base.metadata.sorted_tables:
        _check_table(conn, table)
    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if dangling is not None:
        raise AnnotaryError(describe_dangling(conn, *dangling))


def check_constraints(conn: Connection) -> None:
    """A broken CHECK or NOT NULL constraint the row checks did not already name (PostgreSQL never
    stores such a row)."""
    if conn.dialect.name != "sqlite":
        return
    quick = conn.exec_driver_sql("PRAGMA quick_check").scalar()
    if quick != "ok":
        raise AnnotaryError(f"a row breaks a rule of the schema ({quick})")


def _check_tables_present(conn: Connection) -> None:
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            raise AnnotaryError(f"table {table.name} is missing")
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                raise AnnotaryError(f"table {table.name} has no column {column.name}")


def _is_constraint(message: str) -> bool:
    return message.startswith(("CHECK constraint failed", "NULL value in"))


def _check_table(conn: Connection, table: Table) -> None:
    present = {row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
    if not present:
        raise AnnotaryError(f"table {table.name} is missing")
    columns = list(table.columns)
    for column in columns:
        if column.name not in present:
            raise AnnotaryError(f"table {table.name} has no column {column.name}")
    names = ", ".join(f'"{c.name}"' for c in columns)
    for row in conn.exec_driver_sql(f'SELECT rowid, {names} FROM "{table.name}"'):
        values = dict(zip([c.name for c in columns], row[1:]))
        ident = values.get("id", row[0])
        for column in columns:
            problem = _type_problem(column.type, column.nullable, values[column.name])
            if problem:
                raise AnnotaryError(f"{table.name} row {ident}: {column.name} {problem}")


def _type_problem(kind: object, nullable: bool | None, value: object) -> str | None:
    if value is None:
        return None if nullable else "is empty (NULL)"
    if isinstance(kind, Boolean):
        ok = value in (0, 1) and isinstance(value, int)
    elif isinstance(kind, Integer):
        ok = isinstance(value, int)
    elif isinstance(kind, DateTime):
        ok = isinstance(value, str) and _is_datetime(value)
    elif isinstance(kind, String):
        ok = isinstance(value, str)
    else:
        ok = True
    return None if ok else f"has a value of the wrong kind ({value!r:.40})"


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
