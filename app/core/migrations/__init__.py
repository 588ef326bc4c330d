"""Alembic migrations of the project schema, driven from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

_HERE = Path(__file__).resolve().parent


def config(connection=None) -> Config:  # type: ignore[no-untyped-def]
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
    except Exception:
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_head(engine: Engine) -> None:
    upgrade(engine, "head")


def upgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.upgrade(config(conn), revision)


def stamp_head(engine: Engine) -> None:
    with engine.begin() as conn:
        command.stamp(config(conn), "head")
