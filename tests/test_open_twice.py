"""Opening a project that this process already has open must not release SQLite's locks on it.

Closing any file descriptor of a database releases the POSIX locks SQLite holds on it in this
process. When `open_project` read the header of an already open project with Python's open(),
the next command of another process took itself for the last user, deleted the WAL and the
GUI's later commits were lost (a GUI worker re-opens the project for every import and export).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from app.core import open_files
from app.core.project import open_project
from app.core.services.projects import init_project

REPO = Path(__file__).resolve().parents[1]


def _title_seen_by_another_process(path: Path) -> str:
    code = f"import sqlite3; print(sqlite3.connect({str(path)!r}).execute('select title from documents where id=1').fetchone()[0])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_a_second_open_in_this_process_keeps_the_first_ones_writes_visible(tmp_path):
    path = tmp_path / "p.annotary"
    first = init_project(path)
    try:
        with first.read() as s:  # the first open holds a pooled connection, as the GUI does
            s.execute(text("select count(*) from documents")).scalar()
        open_project(path).close()  # what every GUI worker does
        subprocess.run([sys.executable, "-m", "app", "coders", "--project", str(path)], check=True,
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        with first.uow() as s:
            s.execute(text("update documents set title = 'changed by the first open' where id = 1"))
        assert _title_seen_by_another_process(path) == "changed by the first open"
    finally:
        first.close()
    assert _title_seen_by_another_process(path) == "changed by the first open"
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_open_files_are_known_by_inode_until_closed(tmp_path):
    path = tmp_path / "p.annotary"
    link = tmp_path / "other-name.annotary"
    project = init_project(path, empty=True)
    link.symlink_to(path)
    assert open_files.is_open_here(path) and open_files.is_open_here(link)
    again = open_project(link)
    project.close()
    assert open_files.is_open_here(path)
    again.close()
    again.close()  # closing twice does not unbalance the count
    assert not open_files.is_open_here(path)


def test_an_export_onto_another_project_open_here_is_refused_without_reading_it(tmp_path):
    from app.core.write_target import WriteRefused, check_file_target

    other = init_project(tmp_path / "other.annotary", empty=True)
    try:
        try:
            check_file_target(other.path, force=True)
        except WriteRefused as exc:
            assert "open in this program" in exc.message
        else:
            raise AssertionError("an open project was accepted as an export target")
    finally:
        other.close()


def test_importing_the_open_project_as_a_document_does_not_read_it(tmp_path):
    from app.core.services.documents import import_file

    project = init_project(tmp_path / "p.annotary", empty=True)
    try:
        outcome = import_file(project, project.path)
        assert (outcome.status, outcome.detail) == ("rejected", "is an Annotary project open in this program, "
                                                                "not a text file")
    finally:
        project.close()
