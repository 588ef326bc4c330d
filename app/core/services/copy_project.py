"""Copying a whole project to a new place: a file to a server, a server to a file, a file to a file.

Every row of every table is copied with its id (coders, documents, codebook, annotations, gold,
statuses, rejections, settings), so ids in exports, notes and the audit trail stay the same. The
source is checked first as a merge checks the other project (each row's meaning: offsets against
the text, roles against the codebook, no cycles); the destination must be new (a file that does
not exist, or an empty database) and is created at the newest schema. The copy is one transaction
on the destination; afterwards every table is compared row by row. If anything fails the
destination is removed again (the file, or the tables in the database), never left half-made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from app.core.address import is_server_address
from app.core.errors import AnnotaryError
from app.core.migrations import sync_sequences
from app.core.models import Base
from app.core.project import Project, create_project, open_project
from app.core.search_index import sync_search_index
from app.core.services.merge_checks import check_rows

CHUNK = 5000  # rows per insert


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    logins: list[str] = field(default_factory=list)  # coders given their login on the server copy
    without_login: list[str] = field(default_factory=list)  # coders the server has no login role for

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_project(source: Path | str, dest: Path | str,
                 progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy the project at `source` to the new project `dest` (see the module docstring)."""
    if str(source) == str(dest):
        raise AnnotaryError(f"cannot copy a project onto itself ({source})")
    with open_project(source) as src:
        with src.read() as session:
            try:
                check_rows(session)
            except AnnotaryError as exc:
                raise AnnotaryError(f"{source}: {exc.message}; nothing was copied") from None
        # a file is made under a temporary name and linked into place at the end, so a copy killed
        # half-way leaves no half-made project under the name the user gave
        making = dest if _is_url(dest) else _temporary_name(Path(dest))
        if not _is_url(dest) and Path(dest).exists():
            raise AnnotaryError(f"{dest} already exists; copy to a new file")
        target = create_project(making)
        closed = False
        try:
            with src.engine.connect() as reading, target.engine.begin() as writing:
                report = _copy_tables(reading, writing, progress)
                if writing.dialect.name == "postgresql":
                    sync_sequences(writing)  # rows came with their ids: the next insert goes after them
                sync_search_index(writing)
            with src.engine.connect() as reading, target.engine.connect() as written:
                _compare(reading, written)
            if target.on_server:
                _secure(target, report)
            target.close()
            closed = True
            if not _is_url(dest):
                _link_into_place(Path(making), Path(dest))
        except BaseException:
            _discard(target, making, closed)
            raise
    return report


def _is_url(address: Path | str) -> bool:
    return is_server_address(address)


def _temporary_name(dest: Path) -> Path:
    """A hidden sibling of `dest`; one left by a copy that was killed (its process gone) is removed."""
    for stale in dest.parent.glob(f".{dest.name}.copying-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)
    return dest.with_name(f".{dest.name}.copying-{os.getpid()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _link_into_place(made: Path, dest: Path) -> None:
    """`made` becomes `dest` unless `dest` appeared meanwhile (a hard link never replaces a file)."""
    try:
        os.link(made, dest)
    except FileExistsError:
        raise AnnotaryError(f"{dest} appeared while copying; the copy was removed") from None
    made.unlink()


def _secure(target: Project, report: CopyReport) -> None:
    """A copy on a server gets the project's groups and row-level security (as `init` makes them);
    each copied coder whose name is a login role on that server joins its group, with the role the
    project gave it; the others are named (an adjudicator adds them with `annotary coders add`)."""
    from app.core.models import Coder
    from app.core.server.security import install_security, role_exists
    from app.core.services.coders import GOLD

    with target.engine.begin() as conn:
        install_security(conn)
        database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
        me = str(conn.exec_driver_sql("SELECT current_user").scalar())
        from app.core.server.roles import set_role

        for name, role in conn.execute(select(Coder.name, Coder.role).order_by(Coder.name)).all():
            if name in (GOLD, me):
                continue
            if role_exists(conn, name):
                set_role(conn, database, name, role)
                report.logins.append(name)
            else:
                report.without_login.append(name)


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _copy_tables(reading: Connection, writing: Connection,
                 progress: Callable[[int, int], None] | None) -> CopyReport:
    report = CopyReport()
    tables = _tables()
    totals = {t.name: reading.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
    done, total = 0, sum(totals.values())
    for table in tables:
        if writing.execute(select(func.count()).select_from(table)).scalar_one():
            writing.execute(table.delete())  # what a new project starts with (none today) gives way to the copy
        copied = 0
        for chunk in _chunks(reading, table):
            writing.execute(table.insert(), chunk)
            copied += len(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        report.rows[table.name] = copied
    return report


def _chunks(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True).execute(select(table).order_by(*order))
    while rows := result.fetchmany(CHUNK):
        yield [dict(row._mapping) for row in rows]


def _compare(a: Connection, b: Connection) -> None:
    """Every table equal row by row (compared in primary-key order, chunk by chunk)."""
    for table in _tables():
        for left, right in zip(_chunks(a, table), _chunks(b, table), strict=False):
            if left != right:
                bad = next(i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y) \
                    if len(left) == len(right) else min(len(left), len(right))
                raise AnnotaryError(f"the copy of table {table.name} differs from the source near row {bad + 1}; "
                                    "the copy was removed")
        n_a = a.execute(select(func.count()).select_from(table)).scalar_one()
        n_b = b.execute(select(func.count()).select_from(table)).scalar_one()
        if n_a != n_b:
            raise AnnotaryError(f"the copy of table {table.name} has {n_b} rows, the source {n_a}; "
                                "the copy was removed")


def _discard(target: Project, made: Path | str, closed: bool) -> None:
    """Remove what the failed copy made: the new file, or the tables in the server's database
    (a server copy is closed only once it is complete)."""
    if not closed:
        try:
            if target.engine.dialect.name != "sqlite":
                with target.engine.begin() as conn:
                    Base.metadata.drop_all(conn)
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        finally:
            target.close()
    if not _is_url(made):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{made}{suffix}").unlink(missing_ok=True)
