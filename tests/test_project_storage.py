"""Project files: creation, opening, migration, refusal of foreign and newer files, durability settings."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import migrations
from app.core.errors import ProjectError
from app.core.models import Base, Document
from app.core.project import (
    APPLICATION_ID,
    create_project,
    make_engine,
    open_or_create,
    open_project,
)
from app.core.search_index import is_search_table
from app.core.services.documents import add_document

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL


def test_new_project_is_stamped_at_head_and_marked(tmp_path):
    path = tmp_path / "new.annotary"
    with create_project(path) as project:
        assert migrations.current_revision(project.engine) == migrations.head()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


@pytest.mark.sqlite_only
def test_pragmas_on_every_connection(empty_project):
    with empty_project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_created_schema_equals_migrated_schema(tmp_path):
    """create_all + stamp must give the same schema as running every migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(tmp_path / "migrated.db")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.upgrade_head(engine)

    def modelled(name, kind, _parent):  # type: ignore[no-untyped-def]
        # the text search index is no ORM model: revision 0004 or the first sync makes it
        return not (kind == "table" and is_search_table(name))

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": modelled}), Base.metadata)
    engine.dispose()
    assert diff == []


def _make_first_schema_project(path: Path) -> None:
    """A project as the first schema (revision 0001) wrote it, with one document."""
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (title, filename, language, direction, source_encoding, chars, sha256, text, "
            "imported_at) VALUES ('t', 'f.txt', 'ar', 'rtl', 'utf-8', 4, 'abc', 'شركة', '2026-01-01 00:00:00')"
        )
    engine.dispose()


def test_older_project_is_backed_up_then_upgraded(tmp_path):
    path = tmp_path / "old.annotary"
    _make_first_schema_project(path)
    with open_project(path) as project:
        assert migrations.current_revision(project.engine) == migrations.head()
        backup = project.backup_path
        with project.read() as session:
            assert session.scalars(select(Document.text)).all() == ["شركة"]
        with project.engine.connect() as conn:
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(mentions)")}
        assert "ix_mentions_document_coder_start" in indexes
    assert backup is not None and backup.exists() and backup != path
    assert backup.name == "old.before-upgrade-from-0001.annotary"
    con = sqlite3.connect(backup)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert con.execute("SELECT text FROM documents").fetchone()[0] == "شركة"
    con.close()
    with open_project(path) as again:  # a current file is not backed up again
        assert again.backup_path is None


def test_newer_project_is_refused(tmp_path):
    path = tmp_path / "future.annotary"
    create_project(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(ProjectError, match="newer Annotary"):
        open_project(path)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, this is not a database" * 10, "not an SQLite database"),
        (b"", "not an SQLite database"),
    ],
)
def test_non_project_files_are_refused(tmp_path, content, message):
    path = tmp_path / "other.annotary"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        open_project(path)
    assert path.read_bytes() == content


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not an Annotary project"):
        open_project(path)
    assert path.read_bytes() == before


def test_missing_project_and_existing_target(tmp_path):
    with pytest.raises(ProjectError, match="no project"):
        open_project(tmp_path / "none.annotary")
    (tmp_path / "x.annotary").write_text("x")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(tmp_path / "x.annotary")


def test_open_or_create(tmp_path):
    path = tmp_path / "sub" / "p.annotary"
    project, created = open_or_create(path)
    project.close()
    assert created
    project, created = open_or_create(path)
    project.close()
    assert not created


def test_failed_unit_of_work_stores_nothing(empty_project):
    with pytest.raises(RuntimeError), empty_project.uow() as session:
        add_document(session, "some text", "a.txt")
        raise RuntimeError("boom")
    with empty_project.read() as session:
        assert session.scalars(select(Document)).all() == []


def test_foreign_keys_are_enforced(empty_project):
    from sqlalchemy.exc import IntegrityError

    from app.core.models import Mention

    with pytest.raises(IntegrityError), empty_project.uow() as session:
        session.add(Mention(document_id=999, coder_id=999, entity_type_id=999, start=0, end=1, text="x"))


def test_a_new_project_opens_again_while_still_open(tmp_path):
    """The Annotary mark must be in the main file at once, not only in the WAL."""
    path = tmp_path / "busy.annotary"
    first = create_project(path)
    try:
        with open_project(path) as second:
            assert migrations.current_revision(second.engine) == migrations.head()
    finally:
        first.close()


def test_upgrade_to_0003_gives_gold_its_role(tmp_path):
    """Coders of an older file become coders, and an existing `gold` coder the adjudicated set."""
    path = tmp_path / "old.annotary"
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO coders (name, created_at) VALUES ('alice', '2026-01-01 00:00:00'), "
                             "('gold', '2026-01-01 00:00:00')")
    engine.dispose()
    with open_project(path) as project:
        assert project.backup_path is not None
        with project.engine.connect() as conn:
            roles = dict(conn.exec_driver_sql("SELECT name, role FROM coders").all())
    assert roles == {"alice": "coder", "gold": "adjudicator"}


def _try_write_elsewhere(path: Path) -> bool:
    """Whether another connection can take the write lock at once."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_units_of_work_take_the_write_lock_at_begin_and_reads_do_not(empty_project):
    path = empty_project.path
    with empty_project.uow() as session:
        session.scalars(select(Document)).all()  # a first read already holds the write lock
        assert not _try_write_elsewhere(path)
    with empty_project.read() as session:
        session.scalars(select(Document)).all()
        assert _try_write_elsewhere(path)
    with empty_project.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1").all()
        assert _try_write_elsewhere(path)


def test_upgrade_with_annotations_keeps_foreign_keys_on_afterwards(tmp_path):
    """A batch migration rebuilds `coders`, which mentions refer to: it must not fail or cascade."""
    path = tmp_path / "old.annotary"
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO coders (name, created_at) VALUES ('alice', '2026-01-01 00:00:00')")
        conn.exec_driver_sql("INSERT INTO documents (title, filename, language, direction, source_encoding, chars, "
                             "sha256, text, imported_at) VALUES ('t', 'f', 'en', 'ltr', 'utf-8', 3, 'a', 'abc', "
                             "'2026-01-01 00:00:00')")
        conn.exec_driver_sql("INSERT INTO document_status (document_id, coder_id, status, modified_at) "
                             "VALUES (1, 1, 'done', '2026-01-01 00:00:00')")
    engine.dispose()
    with open_project(path) as project, project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM document_status").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
