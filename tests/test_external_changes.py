"""Noticing commits made to a project file by another connection (another process)."""

from sqlalchemy import text

from app.core.project import open_project
from app.core.services.documents import add_document
from app.core.services.external_changes import ExternalChanges


def test_a_commit_elsewhere_is_seen_once(empty_project):
    watch = ExternalChanges(empty_project)
    try:
        assert not watch.changed()
        with open_project(empty_project.path) as other, other.uow() as s:
            add_document(s, "Written by another process.", "other.txt")
        assert watch.changed()
        assert not watch.changed()  # seen now
    finally:
        watch.close()


def test_reading_elsewhere_is_not_a_change(empty_project):
    watch = ExternalChanges(empty_project)
    try:
        with open_project(empty_project.path) as other, other.read() as s:
            s.execute(text("SELECT count(*) FROM documents")).all()
        assert not watch.changed()
    finally:
        watch.close()


def test_acknowledge_takes_own_writes_as_seen(empty_project):
    watch = ExternalChanges(empty_project)
    try:
        with empty_project.uow() as s:  # the program's own connection: still another connection
            add_document(s, "My own import.", "mine.txt")
        watch.acknowledge()
        assert not watch.changed()
    finally:
        watch.close()


def test_closed_watch_reports_nothing(empty_project):
    watch = ExternalChanges(empty_project)
    watch.close()
    watch.close()
    assert not watch.changed()
