"""Soak: several processes write one project at once while some are killed with SIGKILL.

Short in CI (a few seconds); `pytest tests/test_soak.py --soak-seconds 300` runs it long.
Afterwards the file passes SQLite's integrity and foreign-key checks, every action a worker
reported as done is stored, nothing is stored twice, and every reported export opens.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl

from app.core.export.xlsx import export_xlsx
from app.core.project import open_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("soak_worker.py")


def _coded_copy(path: Path) -> int:
    """A coder's copy (carol) of the project for the workers to merge; returns carol's mention count."""
    with open_project(path) as project:
        ws = Workspace(project, "carol")
        org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
        n = 0
        for doc in (1, 5):
            text = ws.document_text(doc)
            for needle in ("Meta", "OpenAI"):
                if needle in text:
                    i = text.index(needle)
                    ws.tag(doc, text, i, i + len(needle), org)
                    n += 1
        return n


def _start(project: Path, copy: Path, out: Path, worker: int, seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "TMPDIR": str(out / "tmp")}
    return subprocess.Popen([sys.executable, str(WORKER), str(project), str(copy), str(out), str(worker), str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(REPO))


def test_soak_writers_killed_at_random(tmp_path, request):
    seconds = request.config.getoption("--soak-seconds")
    rng = random.Random(request.config.getoption("--soak-seed"))
    project = tmp_path / "shared.annotary"
    copy = tmp_path / "carol.annotary"
    init_project(project).close()
    init_project(copy).close()
    carol_mentions = _coded_copy(copy)
    out = tmp_path / "out"
    (out / "tmp").mkdir(parents=True)

    procs: dict[int, subprocess.Popen[str]] = {}
    finished: dict[int, tuple[int | None, str, str]] = {}
    next_id = 0
    for _ in range(4):
        procs[next_id] = _start(project, copy, out, next_id, rng.randrange(10**6))
        next_id += 1
    # Kill only once the writers are writing: on a loaded machine starting Python takes seconds,
    # and a soak that kills every worker before its first write tests nothing.
    wal, started = project.with_name(project.name + "-wal"), time.monotonic()
    while time.monotonic() - started < 120 and not (wal.exists() and wal.stat().st_size > 0):
        time.sleep(0.1)
    deadline = time.monotonic() + seconds
    kills = 0
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0.3, 1.5))
        victim = rng.choice(sorted(procs))
        procs[victim].send_signal(signal.SIGKILL)
        kills += 1
        stdout, stderr = procs[victim].communicate()
        finished[victim] = (procs.pop(victim).returncode, stdout, stderr)
        procs[next_id] = _start(project, copy, out, next_id, rng.randrange(10**6))
        next_id += 1
    for worker, proc in procs.items():
        proc.send_signal(signal.SIGKILL)
        stdout, stderr = proc.communicate()
        finished[worker] = (proc.returncode, stdout, stderr)

    reported: list[list[str]] = []
    for worker, (code, stdout, stderr) in finished.items():
        assert code == -signal.SIGKILL, f"worker {worker} stopped by itself ({code}):\n{stderr[-3000:]}"
        reported += [line.split(" ") for line in stdout.splitlines()]
    assert kills > 0 and reported, "the soak did no work"
    print(f"soak: {seconds:.0f} s, {next_id} writers, {kills} killed with SIGKILL, reported done: "
          + ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(line[0] for line in reported).items())))

    db = sqlite3.connect(project)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        shas = Counter(sha for (sha,) in db.execute("SELECT sha256 FROM documents"))
        assert max(shas.values()) == 1
        for line in reported:
            if line[0] == "import":
                assert shas[line[1]] == 1, f"reported import not stored: {line}"
        tags = Counter(db.execute(
            "SELECT c.name, m.document_id, m.start, m.end FROM mentions m JOIN coders c ON c.id = m.coder_id"
        ).fetchall())
        for key, n in tags.items():
            assert n == 1, f"stored twice: {key}"
        for line in reported:
            if line[0] == "tag":
                assert (line[1], int(line[2]), int(line[3]), int(line[4])) in tags, f"reported tag lost: {line}"
        carol = sum(n for (c, *_), n in tags.items() if c == "carol")
        merged = any(line[0] == "merge" for line in reported)
        assert carol == carol_mentions if merged else carol in (0, carol_mentions)
    finally:
        db.close()
    for line in reported:
        if line[0] == "export":
            openpyxl.load_workbook(line[1], read_only=True).close()
    with open_project(project) as final:  # the next export clears what killed ones left behind
        export_xlsx(final, out / "final.xlsx", agreement=False)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(("in-", "out-"))) == ["final.xlsx", "tmp"]
    assert list((out / "tmp").iterdir()) == [], "temporary files left in the system temp folder"
    with open_project(project) as reopened, reopened.read() as session:  # still opens with the app
        assert session.connection().exec_driver_sql("SELECT count(*) FROM documents").scalar() >= 5

