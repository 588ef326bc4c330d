"""Writes never clobber: every export and the codebook export refuse the open project,
other projects, SQLite files and non-regular files, and replace an ordinary file only
when asked to; killed exports leave nothing that the next one does not clean up."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core import temp_files
from app.core.codebook import read_codebook, save_codebook
from app.core.export.xlsx import export_xlsx
from app.core.interchange.brat import export_brat
from app.core.interchange.doccano import export_doccano
from app.core.models import Document
from app.core.project import open_project
from app.core.services.projects import init_project
from app.core.write_target import TargetExists, WriteRefused, check_file_target

REPO = Path(__file__).resolve().parent.parent
FORMATS = ("xlsx", "doccano", "brat")


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def documents_in(path: Path) -> int:
    with open_project(path) as p, p.read() as s:
        return s.scalar(select(func.count()).select_from(Document))


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "p.annotary"
    init_project(path).close()
    return path


def cli_export(capsys, project: Path, target: Path, what: str, *extra: str):
    if what == "codebook":
        return run(capsys, "codebook", "export", str(target), "--project", str(project), *extra)
    return run(capsys, "export", str(target), "--format", what, "--project", str(project), *extra)


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("what", (*FORMATS, "codebook"))
@pytest.mark.parametrize("force", [False, True])
def test_the_open_project_is_never_written_over(capsys, project_file, what, force):
    before = sha(project_file)
    code, out, err = cli_export(capsys, project_file, project_file, what, *(["--force"] if force else []))
    assert code == 1 and out == ""
    assert err == f"annotary: error: refusing to write over {project_file}: it is the open project\n"
    assert sha(project_file) == before
    assert documents_in(project_file) == 5


@pytest.mark.parametrize("what", (*FORMATS, "codebook"))
def test_the_project_under_another_name_is_refused(capsys, project_file, tmp_path, what):
    hard = tmp_path / "hardlink.xlsx"
    os.link(project_file, hard)
    soft = tmp_path / "link.jsonl"
    soft.symlink_to(project_file)
    wal = Path(f"{project_file}-wal")
    before = sha(project_file)
    for target in (hard, soft, wal, tmp_path / "." / "p.annotary"):
        code, _, err = cli_export(capsys, project_file, target, what, "--force")
        assert code == 1 and "refusing to write over" in err and "open project" in err, err
    assert sha(project_file) == before and not wal.exists()
    assert documents_in(project_file) == 5


@pytest.mark.parametrize("what", (*FORMATS, "codebook"))
def test_other_projects_and_sqlite_files_are_refused(capsys, project_file, tmp_path, what):
    other = tmp_path / "other.annotary"
    init_project(other, empty=True).close()
    plain = tmp_path / "plain.xlsx"
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    sums = {p: sha(p) for p in (project_file, other, plain)}
    tail = "; give a folder\n" if what == "brat" else "\n"
    code, _, err = cli_export(capsys, project_file, other, what, "--force")
    assert code == 1 and err == f"annotary: error: refusing to write over {other}: it is an Annotary project{tail}"
    code, _, err = cli_export(capsys, project_file, plain, what, "--force")
    assert code == 1 and err == f"annotary: error: refusing to write over {plain}: it is a SQLite database{tail}"
    assert {p: sha(p) for p in sums} == sums
    assert documents_in(other) == 0 and documents_in(project_file) == 5


@pytest.mark.parametrize("what", (*FORMATS, "codebook"))
def test_a_fifo_is_refused_at_once(capsys, project_file, tmp_path, what):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(cli_export(capsys, project_file, fifo, what, "--force")),
                              daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the export blocked on the FIFO"
    code, _, err = result[0]
    assert code == 1 and "it is a named pipe (FIFO)" in err and "refusing to write over" in err
    assert os.path.exists(fifo) and not os.path.isfile(fifo)


def test_a_fifo_through_the_real_command_returns_promptly(project_file, tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "app", "export", str(fifo), "--force", "--project", str(project_file)],
                          capture_output=True, text=True, timeout=60, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"annotary: error: refusing to write over {fifo}: it is a named pipe (FIFO), not a regular file"


@pytest.mark.parametrize("what", (*FORMATS, "codebook"))
def test_dev_null_is_not_a_regular_file(capsys, project_file, what):
    code, _, err = cli_export(capsys, project_file, Path(os.devnull), what, "--force")
    assert code == 1 and err.startswith(f"annotary: error: refusing to write over {os.devnull}: it is a device")


def test_a_folder_where_a_file_is_expected(capsys, project_file, tmp_path):
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    for what in ("xlsx", "doccano", "codebook"):
        code, _, err = cli_export(capsys, project_file, folder, what, "--force")
        assert code == 1 and "is a folder" in err, (what, err)


@pytest.mark.parametrize("what,name", [("xlsx", "old.xlsx"), ("doccano", "old.jsonl"), ("codebook", "old.yaml")])
def test_an_existing_file_is_replaced_only_with_force(capsys, project_file, tmp_path, what, name):
    target = tmp_path / name
    target.write_bytes(b"precious old content\n")
    code, out, err = cli_export(capsys, project_file, target, what)
    assert code == 1 and out == ""
    assert err == f"annotary: error: refusing to write over {target}: it exists; add --force to replace it\n"
    assert target.read_bytes() == b"precious old content\n"
    code, _, err = cli_export(capsys, project_file, target, what, "--force")
    assert code == 0, err
    assert target.read_bytes() != b"precious old content\n"
    if what == "xlsx":
        assert "Mentions" in openpyxl.load_workbook(target, read_only=True).sheetnames
    assert [p.name for p in tmp_path.iterdir() if temp_files.MARK in p.name] == []


def test_brat_replaces_files_in_an_existing_folder_only_with_force(capsys, project_file, tmp_path):
    out = tmp_path / "brat"
    assert cli_export(capsys, project_file, out, "brat")[0] == 0
    conf = out / "annotation.conf"
    conf.write_text("edited by hand\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = cli_export(capsys, project_file, out, "brat")
    assert code == 1 and f"refusing to write into {out}: 12 file(s) there would be replaced" in err
    assert err.rstrip().endswith("add --force to replace them")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    code, _, err = cli_export(capsys, project_file, out, "brat", "--force")
    assert code == 0, err
    assert conf.read_text(encoding="utf-8") != "edited by hand\n"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_brat_never_replaces_the_project_even_inside_its_folder(capsys, tmp_path):
    project = tmp_path / "annotation.conf"  # a project named like a file brat writes
    init_project(project).close()
    before = sha(project)
    code, _, err = run(capsys, "export", str(tmp_path), "--format", "brat", "--force", "--project", str(project))
    assert code == 1 and err == f"annotary: error: refusing to write over {project}: it is the open project\n"
    assert sha(project) == before and documents_in(project) == 5
    assert not list(tmp_path.glob("*.ann")) and not (tmp_path / "visual.conf").exists()


def test_brat_folder_that_is_a_file(capsys, project_file, tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("x", encoding="utf-8")
    code, _, err = cli_export(capsys, project_file, plain, "brat", "--force")
    assert code == 1 and "refusing to write over" in err and "give a folder" in err
    assert plain.read_text(encoding="utf-8") == "x"


# ---------------------------------------------------------------- the core functions


def test_every_exporter_checks_at_core_level(seeded_project, tmp_path):
    own = seeded_project.path
    before = sha(own)
    calls = [
        lambda t, f: export_xlsx(seeded_project, t, force=f),
        lambda t, f: export_doccano(seeded_project, t, force=f),
        lambda t, f: export_brat(seeded_project, t, force=f),
    ]
    for call in calls:
        for force in (False, True):
            with pytest.raises(WriteRefused, match="it is the open project"):
                call(own, force)
    with pytest.raises(WriteRefused, match="it is the open project"), seeded_project.read() as s:
        save_codebook(read_codebook(s), own, force=True, project=own)
    with pytest.raises(WriteRefused, match="it is an Annotary project"), seeded_project.read() as s:  # even without knowing the project
        save_codebook(read_codebook(s), own, force=True)
    assert sha(own) == before


def test_a_target_that_appears_during_the_export_is_not_replaced(seeded_project, tmp_path, monkeypatch):
    import app.core.export.xlsx as xlsx_module

    out = tmp_path / "late.xlsx"
    real_about = xlsx_module._Export.about

    def about_and_someone_writes(self, exported_at):
        out.write_bytes(b"written meanwhile")
        real_about(self, exported_at)

    monkeypatch.setattr(xlsx_module._Export, "about", about_and_someone_writes)
    with pytest.raises(TargetExists, match="it exists; add --force"):
        export_xlsx(seeded_project, out)
    assert out.read_bytes() == b"written meanwhile"
    # with force an ordinary file is replaced, but a database that appears is not
    out.unlink()

    def about_and_a_database_appears(self, exported_at):
        con = sqlite3.connect(out)
        con.execute("CREATE TABLE t (a)")
        con.commit()
        con.close()
        real_about(self, exported_at)

    monkeypatch.setattr(xlsx_module._Export, "about", about_and_a_database_appears)
    with pytest.raises(WriteRefused, match="it is a SQLite database"):
        export_xlsx(seeded_project, out, force=True)
    assert out.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if temp_files.MARK in p.name] == []


def test_check_needs_no_project_for_journal_files(tmp_path):
    db = tmp_path / "x.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    for side in ("-wal", "-shm", "-journal"):
        with pytest.raises(WriteRefused, match="belongs to the SQLite database"):
            check_file_target(Path(f"{db}{side}"), force=True)
    check_file_target(tmp_path / "new.xlsx", force=False)  # nothing there: fine


# ---------------------------------------------------------------- temporary files


def _stale_name(target: Path, pid: int, host: str | None = None, tail: str = "0123abcd") -> Path:
    host = host or temp_files._host_tag()
    return target.with_name(f".{target.name}{temp_files.MARK}{host}-{pid}-{tail}")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_entries_are_removed_and_live_ones_kept(seeded_project, tmp_path):
    out = tmp_path / "out.xlsx"
    dead = _stale_name(out, _dead_pid())
    dead.mkdir()
    (dead / "sheet1.xml").write_text("<half", encoding="utf-8")
    dead_file = _stale_name(tmp_path / "x.jsonl", _dead_pid())
    dead_file.write_text("half", encoding="utf-8")
    live = _stale_name(out, os.getppid())  # a live process (our parent)
    live.write_text("in progress", encoding="utf-8")
    elsewhere = _stale_name(out, _dead_pid(), host="ffffff" if temp_files._host_tag() != "ffffff" else "eeeeee")
    elsewhere.write_text("another machine's", encoding="utf-8")
    ancient = _stale_name(out, os.getppid(), tail="deadbeef")
    ancient.write_text("old", encoding="utf-8")
    old = time.time() - (temp_files.STALE_AFTER_HOURS + 1) * 3600
    os.utime(ancient, (old, old))
    unrelated = tmp_path / ".out.xlsx.mine"
    unrelated.write_text("not ours", encoding="utf-8")
    export_xlsx(seeded_project, out)
    assert not dead.exists() and not dead_file.exists() and not ancient.exists()
    assert live.exists() and elsewhere.exists() and unrelated.exists()


def test_openpyxl_writes_nothing_in_the_system_temp_folder(seeded_project, tmp_path, monkeypatch):
    import tempfile

    import app.core.export.xlsx as xlsx_module

    private = tmp_path / "systemtmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out = tmp_path / "book" / "out.xlsx"
    out.parent.mkdir()
    seen: list[list[str]] = []
    real_events = xlsx_module._Export.events

    def events(self, attrs):
        seen.append(sorted(p.name for p in self.scratch.iterdir()))
        assert self.scratch.parent == out.parent and temp_files.MARK in self.scratch.name
        real_events(self, attrs)

    monkeypatch.setattr(xlsx_module._Export, "events", events)
    export_xlsx(seeded_project, out)
    assert seen == [["sheet1.xml", "sheet2.xml", "workbook.xlsx"]]
    assert list(private.iterdir()) == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.xlsx"]


_KILLED_EXPORT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import app.core.export.xlsx as x
    from app.cli import main

    marker = Path(sys.argv[1])
    real_step = x._Ticker.step

    def step(self, n=0):
        real_step(self, n)
        if self.done > self.total // 2:  # halfway through the rows: announce, then hang
            marker.write_text("halfway")
            time.sleep(600)

    x._Ticker.step = step
    sys.exit(main(sys.argv[2:]))
""")


def test_an_export_killed_halfway_leaves_the_old_file_and_the_next_export_cleans_up(tmp_path):
    from bench.corpus import generate

    project_path = tmp_path / "big.annotary"
    with init_project(project_path, empty=True) as project:
        generate(project, n_docs=40, mentions_per_doc=60, events_per_doc=5)
    out = tmp_path / "exports" / "out.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"the complete old workbook")
    private_tmp = tmp_path / "tmpdir"
    private_tmp.mkdir()
    marker = tmp_path / "halfway"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(private_tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_EXPORT, str(marker), "export", str(out), "--force", "--project", str(project_path)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the export never got halfway"
            time.sleep(0.05)
        scratch = [p for p in out.parent.iterdir() if temp_files.MARK in p.name]
        assert len(scratch) == 1 and str(proc.pid) in scratch[0].name
        assert any(p.name.startswith("sheet") for p in scratch[0].iterdir())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"the complete old workbook"
    assert list(private_tmp.iterdir()) == []  # nothing of openpyxl's in the (private) system temp folder
    assert [p for p in out.parent.iterdir() if temp_files.MARK in p.name] == scratch  # left behind...
    with open_project(project_path) as project:
        export_xlsx(project, out.parent / "next.xlsx")  # ...until the next export in that folder
    assert sorted(p.name for p in out.parent.iterdir()) == ["next.xlsx", "out.xlsx"]


# ---------------------------------------------------------------- the GUI


@pytest.fixture
def window(qtbot, tmp_path):
    from app.ui.main_window import MainWindow

    project = init_project(tmp_path / "gui.annotary")
    win = MainWindow(project, "alice", testing=True)
    qtbot.addWidget(win)
    yield win
    win.close()


def test_gui_refuses_the_project_with_the_normal_error(window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from app.ui import file_actions

    own = window.project.path
    before = sha(own)
    for fmt in ("xlsx", "doccano"):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(own), ""))
        window.last_error = None
        window._do(lambda: file_actions.ask_export(window, fmt))  # noqa: B023 - run at once
        if fmt == "xlsx":  # "gui.annotary.xlsx" is a new name: exported there
            assert Path(f"{own}.xlsx").is_file() and window.last_error is None
        else:
            assert window.last_error == f"refusing to write over {own}: it is the open project"
    window.last_error = None
    window._do(lambda: file_actions.export_workbook(window, own, force=True))
    assert window.last_error == f"refusing to write over {own}: it is the open project"
    window.last_error = None
    window._do(lambda: file_actions.ask_codebook_export(window))
    assert window.last_error == f"refusing to write over {own}: it is the open project"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(own))
    window.last_error = None
    window._do(lambda: file_actions.ask_export(window, "brat"))
    assert window.last_error is not None and window.last_error.startswith(f"refusing to write over {own}")
    assert sha(own) == before and documents_in(own) == 5


def test_gui_asks_before_replacing_brat_files(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from app.ui import file_actions

    folder = tmp_path / "brat"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent, title, text, *rest):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    window._do(lambda: file_actions.ask_export(window, "brat"))
    assert asked == [] and (folder / "annotation.conf").is_file()
    (folder / "annotation.conf").write_text("edited\n", encoding="utf-8")
    window._do(lambda: file_actions.ask_export(window, "brat"))
    assert len(asked) == 1 and asked[0].startswith(f"12 file(s) already exist in {folder} ") and "annotation.conf" in asked[0]
    assert (folder / "annotation.conf").read_text(encoding="utf-8") == "edited\n"
    answer[0] = QMessageBox.StandardButton.Yes
    window._do(lambda: file_actions.ask_export(window, "brat"))
    assert len(asked) == 2 and (folder / "annotation.conf").read_text(encoding="utf-8") != "edited\n"


def test_gui_asks_about_a_workbook_name_the_dialog_did_not(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from app.ui import file_actions

    existing = tmp_path / "book.xlsx"
    existing.write_bytes(b"old workbook")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "book"), ""))
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *rest: asked.append(text)
                        or QMessageBox.StandardButton.No)
    window._do(lambda: file_actions.ask_export(window, "xlsx"))
    assert asked == [f"1 file(s) already exist in {tmp_path} and would be replaced:\nbook.xlsx\n\nReplace?"]
    assert existing.read_bytes() == b"old workbook"
    # a name the save dialog itself confirmed is replaced without a second question
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(existing), ""))
    window._do(lambda: file_actions.ask_export(window, "xlsx"))
    assert len(asked) == 1 and existing.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_project_named_without_a_format_says_what_it_is(capsys, project_file, force):
    """`annotary export p.annotary`, the likeliest typo, names the danger, not the unknown suffix."""
    before = sha(project_file)
    code, out, err = run(capsys, "export", str(project_file), "--project", str(project_file), *force)
    assert code == 1 and out == ""
    assert err == f"annotary: error: refusing to write over {project_file}: it is an Annotary project\n"
    assert sha(project_file) == before


def test_a_long_name_in_a_wide_script_gets_a_temporary_name_the_file_system_takes(capsys, project_file, tmp_path):
    """File names are limited in bytes (255): 60 emoji are 240 bytes, and the temporary name must fit too."""
    target = tmp_path / ("😀" * 60 + ".jsonl")
    code, _, err = run(capsys, "export", str(target), "--project", str(project_file))
    assert code == 0, err
    assert target.is_file()
    assert [p.name for p in tmp_path.iterdir() if temp_files.MARK in p.name] == []
