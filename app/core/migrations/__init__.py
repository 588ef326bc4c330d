"""Alembic migrations of the project schema, driven from code (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select

from app.core.dangling import describe_dangling
from app.core.errors import ProjectError

_HERE = Path(__file__).resolve().parent

SCHEMA_LOCK = 0x414E4E4F
"""Key of the PostgreSQL advisory lock held by every schema change ("ANNO"): two Annotary programs never
create or upgrade one database's schema at once."""

WRITE_OPTIONS = {"annotary_write": True}
"""Execution options of a connection whose transactions write: they begin IMMEDIATE (see make_engine)."""


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    result = script().get_current_head()
    assert result is not None
    return result


def is_known(revision: str) -> bool:
    try:
        return script().get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - a file may hold any text here; alembic raises several kinds
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def schema_change(engine: Engine) -> Iterator[Connection]:
    """One write transaction for changing the schema, done the way SQLite documents it: foreign keys
    off (a batch migration drops and recreates referenced tables; with them on, the DROP fails or
    cascades), then `PRAGMA foreign_key_check` before committing. Everything is rolled back if the
    block raises or the check finds rows.

    On PostgreSQL (transactional DDL, foreign keys checked as rows change) it is one transaction holding
    the advisory lock `SCHEMA_LOCK` until it ends."""
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn, conn.begin():
            conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))
            yield conn
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction, so before BEGIN
        try:
            with conn.execution_options(**WRITE_OPTIONS).begin():
                yield conn
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:  # the file held them before: name the first, so it can be found and mended
                    first = describe_dangling(conn, *broken[0])
                    more = f", and {len(broken) - 1} more such rows" if len(broken) > 1 else ""
                    raise ProjectError(f"the file was already damaged: {first}{more}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def upgrade_head(engine: Engine, before: Callable[[Connection, str | None], None] | None = None) -> None:
    upgrade(engine, "head", before)


def upgrade(engine: Engine, revision: str,
            before: Callable[[Connection, str | None], None] | None = None) -> None:
    """Upgrade in one transaction; `before(conn, current revision)` runs first, under the write lock."""
    with schema_change(engine) as conn:
        if before is not None:
            before(conn, _revision(conn))
        command.upgrade(config(conn), revision)
        if conn.dialect.name == "postgresql":
            sync_sequences(conn)


def sync_sequences(conn: Connection) -> None:
    """On PostgreSQL, move every id sequence past the largest id its table holds: rows written with
    explicit ids (by a migration, a restore, a copy) do not advance a sequence, and the next insert
    would take an id already used."""
    owned = conn.exec_driver_sql(
        "SELECT s.relname, t.relname, a.attname FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "JOIN pg_namespace n ON n.oid = s.relnamespace "
        "WHERE s.relkind = 'S' AND n.nspname = current_schema()"
    ).all()
    for sequence, table, column in owned:
        conn.exec_driver_sql(
            f'SELECT setval(\'"{sequence}"\', COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
        )


def stamp_head(engine: Engine) -> None:
    with schema_change(engine) as conn:
        stamp_head_on(conn)


def stamp_head_on(conn: Connection) -> None:
    """Record the newest revision, in the caller's transaction."""
    command.stamp(config(conn), "head")
