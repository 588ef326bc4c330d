"""Several processes writing one project at once wait for each other instead of failing."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.core.models import Coder, Document, EntityType, ProjectSetting
from app.core.project import open_project
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def annotary(*args: str) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen([sys.executable, "-m", "app", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=ENV, text=True)


def _prepare(tmp_path: Path) -> tuple[Path, list[list[str]], int]:
    """A project, and six commands that each write to it: three folder imports, a codebook import,
    a role and a setting. Returns the project, the commands and how many documents they import."""
    project = tmp_path / "shared.annotary"
    subprocess.run([sys.executable, "-m", "app", "init", str(project), "--empty"], check=True, env=ENV,
                   capture_output=True)
    codebook = tmp_path / "codebook.yaml"
    subprocess.run([sys.executable, "-m", "app", "codebook", "export", str(codebook), "--project", str(project)],
                   check=True, env=ENV, capture_output=True)
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("entity_types:\n", "entity_types:\n- name: Robot\n  color: \"#123456\"\n", 1),
                        encoding="utf-8")
    commands = []
    for n in range(3):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for i in range(15):
            (folder / f"{i:02d}.txt").write_text(f"Batch {n}, article {i}: Meta تعيد تعيين {i} موظف.\n" * 20,
                                                  encoding="utf-8")
        commands.append(["import", str(folder)])
    commands += [["codebook", "import", str(codebook)], ["role", "alice", "adjudicator"],
                 ["setting", "blind_coding", "off"]]
    return project, [[*c, "--project", str(project)] for c in commands], 45


def _check_all_stored(project_path: Path, documents: int) -> None:
    with open_project(project_path) as project, project.read() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == documents
        assert s.scalar(select(EntityType.color).where(EntityType.name == "Robot")) == "#123456"
        assert s.scalar(select(Coder.role).where(Coder.name == "alice")) == "adjudicator"
        assert s.scalar(select(ProjectSetting.value).where(ProjectSetting.key == "blind_coding")) == "off"


def test_six_cli_processes_write_one_project_at_once(tmp_path):
    project, commands, documents = _prepare(tmp_path)
    procs = [annotary(*c) for c in commands]
    results = [(p.wait(timeout=120), p.communicate()) for p in procs]
    failures = [(c, rc, err) for c, (rc, (_out, err)) in zip(commands, results) if rc != 0]
    assert failures == []
    _check_all_stored(project, documents)


def test_a_long_reader_does_not_make_writers_fail(tmp_path):
    """A read transaction held open (a GUI showing a document, an export) while others write."""
    project_path, commands, documents = _prepare(tmp_path)
    with open_project(project_path) as project, project.read() as s:
        before = s.scalar(select(func.count()).select_from(Document))  # the snapshot starts here
        procs = [annotary(*c) for c in commands]
        results = [(p.wait(timeout=120), p.communicate()) for p in procs]
        assert [(c, rc, err) for c, (rc, (_o, err)) in zip(commands, results) if rc != 0] == []
        assert s.scalar(select(func.count()).select_from(Document)) == before  # still its own snapshot
    _check_all_stored(project_path, documents)


def test_a_unit_of_work_that_reads_first_waits_for_another_writer(empty_project):
    """Read, then write: a deferred transaction would fail at once with 'database is locked'."""
    path = empty_project.path
    holding = threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with open_project(path) as other, other.uow() as s:
                get_or_create_coder(s, "slow")
                holding.set()
                time.sleep(0.5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            holding.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    holding.wait(5)
    started = time.perf_counter()
    with empty_project.uow() as s:
        s.scalars(select(Document)).all()
        add_document(s, "waited for the other writer", "w.txt")
    waited = time.perf_counter() - started
    thread.join()
    assert errors == []
    assert waited > 0.2
    with empty_project.read() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert s.scalar(select(Coder.name)) == "slow"


def test_a_lock_held_past_the_busy_timeout_gives_one_clear_line_and_stores_nothing(tmp_path, monkeypatch):
    import sqlite3

    from app.core import project as project_module
    from app.core.project import ProjectBusy, open_project
    from app.core.services.projects import init_project

    path = tmp_path / "busy.annotary"
    init_project(path, empty=True).close()
    monkeypatch.setattr(project_module, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_project(path) as project:
            with pytest.raises(ProjectBusy) as caught, project.uow() as session:
                session.execute(text("UPDATE project_settings SET value = value"))
            message = str(caught.value)
            assert "\n" not in message and "is busy" in message and "not saved" in message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
