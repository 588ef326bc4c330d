"""Opening, creating and upgrading a project: a file (one SQLite database) or a PostgreSQL database
(a team project on a server, named by a postgresql:// address: see app.core.address)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from app.core import migrations, open_files
from app.core.address import is_server_address, printable_address, server_url
from app.core.changes import ChangeHub
from app.core.errors import AnnotaryError, ProjectError
from app.core.migrations.backup import backup_before_upgrade, remove_stale_partials
from app.core.models import Base
from app.core.project_damage import damage_of
from app.core.search_index import create_search_index, drop_search_index

APPLICATION_ID = 0x414E4E4F  # "ANNO" in the SQLite header's application_id field
BUSY_TIMEOUT_MS = 10_000
_SQLITE_MAGIC = b"SQLite format 3\x00"


def server_refusal(exc: ProgrammingError) -> AnnotaryError | None:
    """A server's "permission denied" (its rules for this login: a coder writing what only an
    adjudicator may) as a one-line user error; None for anything else."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) != "42501":  # insufficient_privilege
        return None
    primary = getattr(getattr(orig, "diag", None), "message_primary", None) or str(orig).splitlines()[0]
    hint = ""
    if "documents" in primary:
        hint = "; on a team project an adjudicator adds the documents (import the texts first, then the annotations)"
    elif "codebook" in primary or "types" in primary or "roles" in primary or "attributes" in primary:
        hint = "; on a team project an adjudicator changes the codebook"
    return AnnotaryError(f"the server refused: {primary}{hint}")


class ProjectBusy(ProjectError):
    """Another program held the write lock for longer than the busy timeout."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is busy: another program has been writing to it for over "
                         f"{BUSY_TIMEOUT_MS // 1000} s, so this change was not saved; try again when it is done")


@dataclass
class Project:
    """An open project: the engine and a unit-of-work factory. Close it when done.

    `file` is the project file, None for a project on a server (`server` is its URL then)."""

    file: Path | None
    engine: Engine
    backup_path: Path | None = None
    server: URL | None = None
    upgraded_from: str | None = None
    """The schema revision an older project was upgraded from when it was opened."""
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    _write_sessions: sessionmaker[Session] = field(init=False, repr=False)
    _key: tuple[int, int] | None = field(init=False, repr=False, default=None)
    write_guard: Callable[[], None] | None = field(default=None, repr=False)
    """Called in each unit of work once it holds the write lock, before anything is written;
    raising refuses the unit of work (the GUI refuses when another program wrote meanwhile)."""
    after_write: Callable[[], None] | None = field(default=None, repr=False)
    """Called after each unit of work has committed."""
    changes: ChangeHub = field(default_factory=ChangeHub, repr=False)
    """Where committed commands tell what they changed (the change channel)."""

    @property
    def address(self) -> str:
        """The file's path or the server's URL (without any password): what messages name."""
        if self.server is not None:
            return printable_address(self.server)
        return str(self.file)

    @property
    def on_server(self) -> bool:
        return self.server is not None

    @property
    def path(self) -> Path:
        """The project file; a server project has none (ProjectError)."""
        if self.file is None:
            raise ProjectError(f"{self.address} is a project on a server, not a file")
        return self.file

    def __post_init__(self) -> None:
        if self.file is not None:
            self._key = open_files.register(self.file)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**migrations.WRITE_OPTIONS), expire_on_commit=False
        )

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises. It begins
        IMMEDIATE, so it waits (up to the busy timeout) for another writer instead of failing."""
        session = self._write_sessions()
        try:
            if self.write_guard is not None:
                session.connection()  # BEGIN IMMEDIATE: from here on no other writer can commit
                self.write_guard()
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if self.file is not None and "database is locked" in str(exc.orig):
                raise ProjectBusy(self.file) from None
            raise
        except ProgrammingError as exc:
            session.rollback()
            refused = server_refusal(exc)
            if refused is not None:
                raise refused from None
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if self.after_write is not None:
            self.after_write()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed. Loaded objects stay usable after it."""
        session = self._sessions()
        try:
            yield session
        except ProgrammingError as exc:
            refused = server_refusal(exc)
            if refused is not None:
                raise refused from None
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
        if self._key is not None:
            open_files.unregister(self._key)
        self._key = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is locked"
        # when another connection writes (SQLite does not wait to upgrade a lock); IMMEDIATE takes
        # the write lock at BEGIN, waiting for the busy timeout. Reads stay deferred (WAL: readers
        # never block writers).
        write = conn.get_execution_options().get("annotary_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _read_header(path: Path) -> tuple[bool, int]:
    """Whether the file is SQLite, and its application_id."""
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return False, 0
    return True, int.from_bytes(header[68:72], "big")


def create_project(address: str | os.PathLike[str]) -> Project:
    """Create a new, empty project (schema created and stamped at the newest revision): a new file, or
    the schema in an existing empty PostgreSQL database when `address` is a postgresql:// URL."""
    if is_server_address(address):
        return _create_on_server(server_url(address))
    return _create_file(Path(address))


def open_project(address: str | os.PathLike[str], password: str | None = None) -> Project:
    """Open an existing project, upgrading an older one (after a backup copy of a file). `password`
    (a server's, typed in the GUI) is handed to libpq for this project's connections only: it is
    kept in the engine's memory, never written anywhere."""
    if is_server_address(address):
        return _open_on_server(server_url(address), password)
    return _open_file(Path(address))


def _create_file(path: Path) -> Project:
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
        with engine.begin() as conn:
            create_search_index(conn)  # what migration 0004 makes for an upgraded project
        migrations.stamp_head(engine)
    except Exception:
        engine.dispose()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return Project(path, engine)


def _open_file(path: Path) -> Project:
    if not path.is_file():
        raise ProjectError(f"no project at {path}")
    # Reading the file's bytes here would release this process's SQLite locks on it if it is
    # already open here (see open_files); it was checked when it was first opened.
    already_open = open_files.is_open_here(path)
    if not already_open:
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
        if not already_open:
            _check_not_truncated(path, engine)
        current = migrations.current_revision(engine)
        if current is None:
            raise ProjectError(f"{path} is not an Annotary project (no schema version)")
        if not migrations.is_known(current):
            raise ProjectError(
                f"{path} was made by a newer Annotary (schema {current}); "
                "install a newer Annotary to open it"
            )
        upgraded_from = None
        if current != migrations.head():
            backup = _upgrade(path, engine)
            upgraded_from = current
        else:  # at the newest schema nobody is writing a backup of it, so leftovers are stale
            backup = None
            remove_stale_partials(path)
    except (DBAPIError, sqlite3.DatabaseError) as exc:  # the latter from the backup's own connections
        engine.dispose()
        raise _as_project_error(path, exc) from exc
    except BaseException:
        engine.dispose()
        raise
    return Project(path, engine, backup_path=backup, upgraded_from=upgraded_from)


def _as_project_error(path: Path, exc: Exception) -> ProjectError:
    damage = damage_of(exc)
    if damage is not None:
        return ProjectError(f"{path} is damaged ({damage}); restore it from a backup")
    return ProjectError(f"cannot open {path}: {getattr(exc, 'orig', exc)}")


def _check_not_truncated(path: Path, engine: Engine) -> None:
    """A file shorter than the size its header records has lost its end. That test is nearly free;
    only when it fails is the database read through (quick_check), so that a checkpoint of
    another process that is just growing the file is not taken for damage."""
    with path.open("rb") as fh:
        header = fh.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]
    if not valid or path.stat().st_size >= pages * page_size:
        return
    with engine.connect() as conn:
        result = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
    if result != "ok":
        first = " ".join(str(result).replace("*** in database main ***", "").split())
        raise ProjectError(f"{path} is damaged ({first}); restore it from a backup")


def _upgrade(path: Path, engine: Engine) -> Path | None:
    """Bring the schema to the newest revision in one transaction, after a backup copy taken under
    the write lock. If anything fails, the file is left as it was and the message says where the
    copy is."""
    made: list[Path] = []

    def backup_first(_conn: Connection, current: str | None) -> None:
        if current != migrations.head():  # another process may have upgraded it meanwhile
            made.append(backup_before_upgrade(path, current or "none"))

    try:
        migrations.upgrade_head(engine, before=backup_first)
    except Exception as exc:  # a failing migration script too: the message must say where the copy is
        if damage_of(exc) is not None:
            raise
        reason = getattr(exc, "orig", None) or exc
        kept = f"; a copy of it is at {made[0]}" if made else ""
        raise ProjectError(f"could not upgrade {path} to schema {migrations.head()} ({reason}); "
                           f"the file is unchanged{kept}") from exc
    return made[0] if made else None


def open_or_create(address: str | os.PathLike[str]) -> tuple[Project, bool]:
    """Open the project, creating it when missing; returns it and whether it was created. A server
    database is created only by `create_project` (on purpose, by its owner): here it is opened."""
    if is_server_address(address):
        return open_project(address), False
    path = Path(address)
    if path.exists():
        return open_project(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    return create_project(path), True


# --- a project on a PostgreSQL server -------------------------------------------------------------

SERVER_POOL_SIZE = 5


def make_server_engine(url: URL, password: str | None = None) -> Engine:
    """An engine on a PostgreSQL database through psycopg 3. libpq takes the URL's query parameters
    (sslmode, ...) and finds the password itself (PGPASSWORD, ~/.pgpass) unless one is given here."""
    connect_args = {"password": password} if password is not None else {}
    engine = create_engine(url, pool_size=SERVER_POOL_SIZE, pool_pre_ping=True, connect_args=connect_args)
    address = printable_address(url)

    def require_utf8(dbapi_connection: Any, record: Any) -> None:
        """Offsets are code points: the database must count characters as Python does (a SQL_ASCII
        database counts bytes, LATIN1 cannot hold Arabic or Hindi). Checked before SQLAlchemy's own
        first query, which a SQL_ASCII database already breaks."""
        encoding = dbapi_connection.info.parameter_status("server_encoding")
        if encoding != "UTF8":
            raise ProjectError(f"{address} uses the {encoding} encoding; a team project needs a UTF8 database "
                               "(CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)")

    event.listen(engine, "first_connect", require_utf8, insert=True)
    return engine


def _server_error(address: str, exc: DBAPIError) -> ProjectError:
    reason = " ".join(str(getattr(exc, "orig", exc)).split())
    if "no password supplied" in reason or "password authentication failed" in reason:
        return ProjectError(f"cannot connect to {address}: {reason} (set PGPASSWORD or put the password "
                            "in ~/.pgpass)")
    if isinstance(exc, OperationalError):
        return ProjectError(f"cannot connect to {address}: {reason}")
    return ProjectError(f"{address}: {reason}")


def _user_tables(conn: Connection) -> list[str]:
    return inspect(conn).get_table_names()


def _create_on_server(url: URL) -> Project:
    """The schema in an existing, empty database, under the schema lock: two programs creating a
    project in one database at once cannot both succeed (the second finds it not empty)."""
    address = printable_address(url)
    engine = make_server_engine(url)
    try:
        with migrations.schema_change(engine) as conn:
            tables = _user_tables(conn)
            if tables:
                raise ProjectError(f"{address} is not empty (it has {len(tables)} table(s), e.g. "
                                   f"{sorted(tables)[0]}): create a team project in a new, empty database")
            Base.metadata.create_all(conn)
            create_search_index(conn)  # what migration 0004 makes for an upgraded project
            migrations.stamp_head_on(conn)
    except DBAPIError as exc:
        engine.dispose()
        raise _server_error(address, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return Project(None, engine, server=url)


def drop_server_schema(project: Project) -> None:
    """Remove what `create_project` made in a server database (a failed `init` leaves it empty again)."""
    with migrations.schema_change(project.engine) as conn:
        Base.metadata.drop_all(conn)
        drop_search_index(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _open_on_server(url: URL, password: str | None = None) -> Project:
    address = printable_address(url)
    engine = make_server_engine(url, password)
    try:
        current = migrations.current_revision(engine)
        if current is None:
            with engine.connect() as conn:
                empty = not _user_tables(conn)
            if empty:
                raise ProjectError(f"{address} is an empty database, not yet an Annotary project "
                                   f"(create one in it with: annotary init {address})")
            raise ProjectError(f"{address} is not an Annotary project (no schema version)")
        if not migrations.is_known(current):
            raise ProjectError(f"{address} was made by a newer Annotary (schema {current}); "
                               "install a newer Annotary to open it")
        upgraded_from = None
        if current != migrations.head():
            try:  # under the schema lock; the migrations see the revision another program may have reached
                migrations.upgrade_head(engine)
            except DBAPIError as exc:
                reason = " ".join(str(getattr(exc, "orig", exc)).split())
                raise ProjectError(f"could not upgrade {address} to schema {migrations.head()} ({reason}); "
                                   "the database is unchanged") from None
            upgraded_from = current
    except DBAPIError as exc:
        engine.dispose()
        raise _server_error(address, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return Project(None, engine, server=url, upgraded_from=upgraded_from)
