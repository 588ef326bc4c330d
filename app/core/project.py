"""Opening, creating and upgrading a project file (one SQLite database)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.core import migrations
from app.core.errors import ProjectError
from app.core.models import Base

APPLICATION_ID = 0x414E4E4F  # "ANNO" in the SQLite header's application_id field
BUSY_TIMEOUT_MS = 10_000
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Project:
    """An open project: the engine and a unit-of-work factory. Close it when done."""

    path: Path
    engine: Engine
    backup_path: Path | None = None
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed. Loaded objects stay usable after it."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


def _read_header(path: Path) -> tuple[bool, int]:
    """Whether the file is SQLite, and its application_id."""
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return False, 0
    return True, int.from_bytes(header[68:72], "big")


def create_project(path: Path) -> Project:
    """Create a new, empty project file (schema created and stamped at the newest revision)."""
    path = Path(path)
    if path.exists():
        raise ProjectError(f"{path} already exists")
    if not path.parent.is_dir():
        raise ProjectError(f"folder {path.parent} does not exist")
    # Mark the file before WAL is on: in WAL mode the header change would sit in the -wal
    # file until a checkpoint, and a second process reading the header would not see it.
    marker = sqlite3.connect(path)
    try:
        marker.execute(f"PRAGMA application_id={APPLICATION_ID}")
        marker.commit()
    finally:
        marker.close()
    engine = make_engine(path)
    try:
        Base.metadata.create_all(engine)
        migrations.stamp_head(engine)
    except Exception:
        engine.dispose()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return Project(path, engine)


def open_project(path: Path) -> Project:
    """Open an existing project, upgrading an older one after a backup copy."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"no project at {path}")
    try:
        is_sqlite, app_id = _read_header(path)
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from None
    if not is_sqlite:
        raise ProjectError(f"{path} is not an Annotary project (not an SQLite database)")
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{path} is an SQLite database but not an Annotary project")
    engine = make_engine(path)
    try:
        current = migrations.current_revision(engine)
        if current is None:
            raise ProjectError(f"{path} is not an Annotary project (no schema version)")
        if not migrations.is_known(current):
            raise ProjectError(
                f"{path} was made by a newer Annotary (schema {current}); "
                "install a newer Annotary to open it"
            )
        backup = None
        if current != migrations.head():
            backup = backup_copy(path)
            migrations.upgrade_head(engine)
    except Exception:
        engine.dispose()
        raise
    return Project(path, engine, backup_path=backup)


def open_or_create(path: Path) -> tuple[Project, bool]:
    """Open the project, creating it when missing; returns it and whether it was created."""
    path = Path(path)
    if path.exists():
        return open_project(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    return create_project(path), True


def backup_copy(path: Path) -> Path:
    """A consistent copy (SQLite's backup API, WAL included) beside the file, timestamped."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target
