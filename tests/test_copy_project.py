"""`annotary copy SOURCE DEST`: a whole project to a new place with every id, checked first as a
merge checks its source, compared row by row after, and never left half-made."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Base
from app.core.project import open_project
from app.core.services.copy_project import copy_project
from app.core.services.workspace import Workspace

FIXTURES = Path(__file__).parent / "data" / "projects"


def dump(path: Path) -> dict[str, list[tuple]]:
    with open_project(path) as project, project.read() as s:
        return {t.name: [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables}


def _coded(project) -> None:
    """Two coders' mentions, an event with a nested event, a relation, codes and statuses."""
    for coder in ("alice", "bob"):
        ws = Workspace(project, coder)
        text = ws.document_text(1)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        i = text.index("Meta")
        meta = ws.tag(1, text, i, i + 4, types["Organization"]).mention_id
        events = {t.name: t for t in ws.codebook.event_types}
        j = text.index("reassign")
        inner = ws.create_event(1, events["Reassignment"].id, text, (j, j + 8)).event_id
        k = text.index("reverses")
        outer = ws.create_event(1, events["Policy reversal"].id, text, (k, k + 8)).event_id
        policy = next(r.id for r in events["Policy reversal"].roles if r.name == "Policy")
        ws.add_argument(outer, policy, argument_event_id=inner)
        actor = next(r.id for r in events["Policy reversal"].roles if r.name == "Actor")
        ws.add_argument(outer, actor, meta)
        n = text.index("Business Insider")
        bi = ws.tag(1, text, n, n + 16, types["Organization"]).mention_id
        same = next(r.id for r in ws.codebook.relation_types if r.name == "Same entity")
        ws.create_relation(same, meta, bi)
        ws.set_done(1, True)


def test_a_coded_project_copies_row_for_row_and_keeps_working(seeded_project, tmp_path):
    _coded(seeded_project)
    source = seeded_project.path
    seeded_project.close()
    before = dump(source)
    report = copy_project(source, tmp_path / "copy.annotary")
    after = dump(tmp_path / "copy.annotary")
    assert after == before and report.rows["mentions"] == len(before["mentions"]) > 0
    assert dump(source) == before  # the source is untouched
    with open_project(tmp_path / "copy.annotary") as copy:
        ws = Workspace(copy, "carol")  # new rows take new ids after the copied ones
        assert [d.id for d in ws.document_rows(0, 10, "7,000 employees")] == [1]  # the text search too
        text = ws.document_text(2)
        mention = ws.tag(2, text, 0, 4, ws.codebook.entity_types[0].id).mention_id
        assert mention > max(r[0] for r in before["mentions"])
    assert not list(tmp_path.glob(".copy.annotary.copying-*"))


def test_an_existing_destination_is_refused_and_left_alone(seeded_project, tmp_path):
    dest = tmp_path / "there.annotary"
    dest.write_bytes(b"someone's file")
    with pytest.raises(AnnotaryError, match="already exists"):
        copy_project(seeded_project.path, dest)
    assert dest.read_bytes() == b"someone's file"


def test_a_source_with_a_broken_row_is_refused_and_nothing_is_made(seeded_project, tmp_path):
    _coded(seeded_project)
    path = seeded_project.path
    seeded_project.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE mentions SET start = start + 1 WHERE id = (SELECT min(id) FROM mentions)")
    con.commit()
    con.close()
    with pytest.raises(AnnotaryError, match="nothing was copied"):
        copy_project(path, tmp_path / "copy.annotary")
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == []


def test_copying_onto_itself_is_refused(seeded_project):
    with pytest.raises(AnnotaryError, match="onto itself"):
        copy_project(seeded_project.path, seeded_project.path)


def test_a_file_of_the_previous_release_copies_at_the_newest_schema(tmp_path):
    old = tmp_path / "old.annotary"
    shutil.copyfile(FIXTURES / "schema-0003.annotary", old)
    copy_project(old, tmp_path / "new.annotary")
    assert dump(tmp_path / "new.annotary") == dump(old)


def test_a_copy_killed_half_way_leaves_nothing_under_the_name_and_its_leftover_goes(seeded_project, tmp_path):
    import subprocess
    import sys

    dest = tmp_path / "copy.annotary"
    leftover = tmp_path / ".copy.annotary.copying-999999999"  # a copy whose process is gone
    leftover.write_bytes(b"half")
    code = ("import os, sys\n"
            "import app.core.services.copy_project as c\n"
            "def die(*a):\n"
            "    os._exit(9)  # as kill -9 would, in the middle of the rows\n"
            f"c.copy_project({str(seeded_project.path)!r}, {str(dest)!r}, progress=die)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent, capture_output=True)
    assert run.returncode == 9, run.stderr
    assert not dest.exists()
    copy_project(seeded_project.path, dest)
    assert dump(dest) == dump(seeded_project.path)
    assert not leftover.exists() and not list(tmp_path.glob(".copy.annotary.copying-*"))


def test_the_command_line_copies_and_refuses_an_existing_target_in_one_line(seeded_project, tmp_path, capsys):
    from app.cli import main

    dest = tmp_path / "copy.annotary"
    assert main(["copy", str(seeded_project.path), str(dest)]) == 0
    assert "compared row by row" in capsys.readouterr().out
    assert main(["copy", str(seeded_project.path), str(dest)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"annotary: error: {dest} already exists; copy to a new file"]


def test_a_file_goes_to_a_server_and_back_row_for_row(seeded_project, pg_url, tmp_path):
    _coded(seeded_project)
    source = seeded_project.path
    seeded_project.close()
    before = dump(source)
    copy_project(source, pg_url)
    assert dump(pg_url) == before
    with open_project(pg_url) as server:  # the server's id sequences start after the copied ids
        ws = Workspace(server, "carol")
        text = ws.document_text(2)
        mention = ws.tag(2, text, 0, 4, ws.codebook.entity_types[0].id).mention_id
        assert mention > max(r[0] for r in before["mentions"])
        ws.undo()
    back = tmp_path / "back.annotary"
    copy_project(pg_url, back)
    assert dump(back) == dump(pg_url)
    with pytest.raises(AnnotaryError, match="not empty"):  # never onto a database that holds a project
        copy_project(source, pg_url)
    assert dump(pg_url) == dump(back)
