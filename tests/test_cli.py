"""The `annotary` command as a user runs it, on a project file and on a team project on a
PostgreSQL server (both_backends: `new_address` and `project_at` give a file path or a
postgresql:// address; tests of what only a file has are marked sqlite_only)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.models import Document
from app.core.project import open_project
from app.core.services.projects import seed_metadata

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.both_backends


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def as_coder(project_backend, name):
    """`--coder NAME` on a file; nothing on a server, where the coder is the login (the lead)."""
    return ["--coder", name] if project_backend == "sqlite" else []


def coder_name(project_backend, name):
    from conftest import PG_LEAD

    return name if project_backend == "sqlite" else PG_LEAD


@pytest.mark.sqlite_only  # the default project is a file in the user's data folder
def test_default_project_is_created_on_first_use_with_seeds(capsys):
    code, out, _ = run(capsys, "documents", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["filename"] for r in rows] == [m["file"] for m in seed_metadata()]
    assert {r["language"] for r in rows} == {"en", "ar", "hi"}
    for row in rows:
        assert {"id", "title", "language", "direction", "chars", "sha256", "filename"} <= set(row)
    assert [r["direction"] for r in rows] == ["ltr", "rtl", "ltr", "rtl", "rtl"]


def test_env_variable_then_option(new_address, capsys, monkeypatch):
    env_project = new_address("env")
    opt_project = new_address("opt")
    assert run(capsys, "init", env_project, "--empty")[0] == 0
    assert run(capsys, "init", opt_project)[0] == 0
    monkeypatch.setenv("ANNOTARY_PROJECT", env_project)
    assert json.loads(run(capsys, "documents", "--json")[1]) == []
    assert len(json.loads(run(capsys, "documents", "--json", "--project", opt_project)[1])) == 5
    assert len(json.loads(run(capsys, "--project", opt_project, "documents", "--json")[1])) == 5


def test_import_lines_and_exit_status(new_address, tmp_path, capsys):
    project = new_address()
    assert run(capsys, "init", project, "--empty")[0] == 0
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("شركة Scale AI تُلغي 700 وظيفة بعد صفقة Meta", encoding="utf-8")
    (folder / "b.txt").write_text("شركة Scale AI تُلغي 700 وظيفة بعد صفقة Meta", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"")
    code, out, _ = run(capsys, "import", str(folder), "--project", str(project))
    lines = out.strip().split("\n")
    assert [line.split("\t")[0] for line in lines] == ["imported", "skipped", "rejected"]
    assert lines[1].endswith("same text as document 1 (شركة Scale AI تُلغي 700 وظيفة بعد صفقة Meta)")
    assert code == 1
    code, out, _ = run(capsys, "import", str(folder / "a.txt"), "--project", str(project))
    assert code == 0 and out.startswith("skipped")


@pytest.mark.sqlite_only  # a missing file, a file that is not a project (test_server_errors_are_one_line_too)
def test_errors_are_one_line_and_non_zero(tmp_path, capsys):
    code, out, err = run(capsys, "documents", "--project", str(tmp_path / "missing.annotary"))
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0 and err.startswith("annotary: error: no project at")
    bogus = tmp_path / "bogus.annotary"
    bogus.write_text("not a project")
    code, _, err = run(capsys, "info", "--project", str(bogus))
    assert code == 1 and "not an Annotary project" in err and "Traceback" not in err
    code, _, err = run(capsys, "info", "--project", str(bogus), "--debug")
    assert code == 1 and "Traceback" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["import-annotations", "x", "--format", "conll", "--coder", "a"])
    assert info.value.code == 2


def test_codebook_export_import(new_address, tmp_path, capsys):
    project = new_address()
    assert run(capsys, "init", project, "--empty")[0] == 0
    cb = tmp_path / "cb.yaml"
    assert run(capsys, "codebook", "export", str(cb), "--project", str(project))[0] == 0
    text = cb.read_text(encoding="utf-8").replace("name: Organization", "name: Organisation")
    cb.write_text(text.replace("- Organization", "- Organisation").replace("[Organization", "[Organisation"),
                  encoding="utf-8")
    code, _out, err = run(capsys, "codebook", "import", str(cb), "--project", str(project))
    assert code == 0, err
    with open_project(project) as p, p.read() as s:
        from app.core.codebook import read_codebook

        assert read_codebook(s).entity_type("Organisation") is not None
    bad = tmp_path / "bad.yaml"
    bad.write_text("entity_types:\n  - {name: Person, color: '#111111'}\n  - {name: PERSON, color: '#222222'}\n",
                   encoding="utf-8")
    before = every_row(project)
    code, _out, err = run(capsys, "codebook", "import", str(bad), "--project", project)
    assert code == 1 and err.count("\n") == 1 and "differ only in case" in err
    assert every_row(project) == before


def test_info(new_address, capsys):
    project = new_address()
    assert run(capsys, "init", project)[0] == 0
    code, out, _ = run(capsys, "info", "--project", project)
    fields = dict(line.split("\t") for line in out.strip().split("\n"))
    assert code == 0 and fields["documents"] == "5" and fields["schema"] == "0008"
    assert fields["project"] == project


def test_killed_import_loses_nothing_reported(new_address, tmp_path):
    """SIGKILL in the middle of a folder import: every file reported imported is in the project."""
    project = new_address()
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):
        (folder / f"{i:04d}.txt").write_text(f"مقال رقم {i}: Meta تعيد تعيين {i} موظف.\n" * 50, encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "app", "init", str(project), "--empty"], check=True, env=env,
                   capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "app", "import", str(folder), "--project", str(project)],
                            stdout=subprocess.PIPE, env=env, text=True)
    reported = []
    for line in proc.stdout:
        if line.startswith("imported"):
            reported.append(Path(line.split("\t")[1]).name)
        if len(reported) == 60:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with open_project(project) as p, p.read() as s:
        stored = set(s.scalars(select(Document.filename)))
    assert set(reported) <= stored
    assert len(stored) < 400


def test_export_formats_from_the_command_line(new_address, tmp_path, capsys, project_backend):
    import openpyxl

    project = new_address()
    assert run(capsys, "init", project)[0] == 0
    brat = REPO / "tests" / "data" / "brat" / "arabic"
    bob = coder_name(project_backend, "bob")
    code, out, err = run(capsys, "import-annotations", str(brat), "--format", "brat",
                         *as_coder(project_backend, "bob"), "--project", project)
    assert code == 0, err
    assert out.startswith("imported\t") and "document 6 (new)" in out
    xlsx = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "export", str(xlsx), "--project", str(project))
    assert code == 0, err
    assert out.startswith(f"exported {xlsx}")
    wb = openpyxl.load_workbook(xlsx)
    mentions = list(wb["Mentions"].iter_rows(values_only=True))
    header = mentions[0]
    with open_project(project) as p, p.read() as s:
        texts = {d.id: d.text for d in s.scalars(select(Document))}
    assert len(mentions) > 1
    for row in mentions[1:]:
        rec = dict(zip(header, row))
        assert texts[rec["document_id"]][rec["start"]:rec["end"]] == rec["text"]
    code, out, _ = run(capsys, "export", str(tmp_path / "brat_out"), "--project", str(project))
    assert code == 0 and (tmp_path / "brat_out" / "annotation.conf").is_file()
    code, out, _ = run(capsys, "export", str(tmp_path / "out.jsonl"), "--project", project, "--coder", bob)
    assert code == 0
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["coder"] == bob
    code, _, err = run(capsys, "export", str(tmp_path / "x.pdf"), "--project", str(project))
    assert code == 1 and "cannot tell the format" in err
    code, _, err = run(capsys, "export", str(xlsx), "--coder", "nobody", "--force", "--project", str(project))
    assert code == 1 and "nobody" in err


def test_export_without_target_goes_to_exports_folder(new_address, tmp_path, capsys, monkeypatch):
    from app.core import paths

    monkeypatch.setattr(paths, "default_exports_dir", lambda: tmp_path)
    project = new_address()
    assert run(capsys, "init", project)[0] == 0
    code, out, err = run(capsys, "export", "--project", project)
    assert code == 0, err
    (made,) = tmp_path.glob("annotary-*.xlsx")
    assert str(made) in out


@pytest.mark.sqlite_only  # damaged pages of a file
def test_a_damaged_page_found_during_a_command_is_one_line(tmp_path, capsys):
    """Opening reads only the first pages; a broken page met later is named the same way."""
    import random

    path = tmp_path / "p.annotary"
    assert main(["init", str(path)]) == 0
    data = bytearray(path.read_bytes())
    rng = random.Random(1)
    for start in range(8192, len(data) - 4096, 12288):  # every third page from the third on
        data[start:start + 3000] = bytes(rng.randrange(256) for _ in range(3000))
    path.write_bytes(bytes(data))
    capsys.readouterr()
    damaged = 0
    for command in (["info"], ["documents"], ["export", str(tmp_path / "x.jsonl")], ["coders"]):
        code = main([*command, "--project", str(path)])
        err = capsys.readouterr().err
        assert code == 0 or (code == 1 and err.count("\n") == 1), (command, err)
        assert "unexpected" not in err and "Traceback" not in err
        damaged += f"{path} is damaged (" in err
    assert damaged


def test_an_empty_project_option_never_means_the_default_project(capsys):
    code = main(["info", "--project", ""])
    err = capsys.readouterr().err
    assert code == 1 and err == ("annotary: error: --project is empty: name a project file, or leave --project "
                                 "out for the default project\n")


def test_error_lines_escape_line_breaks_in_file_names(empty_project_at, tmp_path, capsys):
    code = main(["codebook", "import", str(tmp_path / "x\x1b[31mred\nline2.yaml"), "--project", empty_project_at])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "\\n" in err and "\x1b" not in err


@pytest.mark.sqlite_only  # a file of an older release, tampered with sqlite3 (test_check_on_a_server_...)
def test_check_finds_damage_and_rows_that_do_not_mean_what_they_say(tmp_path, capsys):
    import shutil
    import sqlite3

    fixture = Path(__file__).parent / "data" / "projects" / "schema-0003.annotary"
    good = tmp_path / "good.annotary"
    shutil.copyfile(fixture, good)
    open_project(good).close()  # at the current schema, so `check` has nothing to upgrade
    assert main(["check", "--project", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok (file integrity, references, and every row checked)\n"
    tampered = tmp_path / "tampered.annotary"
    shutil.copyfile(good, tampered)
    con = sqlite3.connect(tampered)
    con.execute("UPDATE mentions SET text = 'X' WHERE id = 1")
    con.commit()
    con.close()
    assert main(["check", "--project", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"annotary: error: {tampered}: mentions row 1: mention text 'X' is not the text at ")
    assert err.count("\n") == 1


# a server's own errors (a file's are in test_errors_are_one_line_and_non_zero); not parametrised: no project fixture
def test_server_errors_are_one_line_too(pg_server, pg_url, capsys):
    missing = pg_server.admin_url("no_such_database")
    code, out, err = run(capsys, "documents", "--project", missing)
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("annotary: error: ")
    assert "no_such_database" in err and "Traceback" not in err
    code, _, err = run(capsys, "info", "--project", pg_url)  # an empty database: not a project yet
    assert code == 1 and err.count("\n") == 1 and "annotary init" in err and "Traceback" not in err
    code, _, err = run(capsys, "info", "--project", pg_url, "--debug")
    assert code == 1 and "Traceback" in err


def test_check_says_which_row_does_not_mean_what_it_says(project_at, capsys, project_backend):
    """`check` on either backend: ok, then a mention's stored text changed behind Annotary's back."""
    import sqlalchemy

    from app.core.services.workspace import Workspace

    with open_project(project_at) as project:
        ws = Workspace(project, coder_name(project_backend, "alice"))
        text = ws.document_text(1)
        org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
        mention = ws.tag(1, text, text.index("Meta"), text.index("Meta") + 4, org).mention_id
        assert main(["check", "--project", project_at]) == 0
        assert capsys.readouterr().out.startswith(f"{project_at}: ok (")
        with project.uow() as s:
            s.execute(sqlalchemy.text("UPDATE mentions SET text = 'X' WHERE id = :id"), {"id": mention})
    assert main(["check", "--project", project_at]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"annotary: error: {project_at}: mentions row {mention}: mention text 'X' is not the "
                          "text at ")
    assert err.count("\n") == 1


def test_merge_takes_a_file_and_says_how_to_merge_a_server_project(project_at, pg_url, tmp_path, capsys):
    """Into either backend; from a server project: refused in one line with the way to do it, which works."""
    from app.core.services.workspace import Workspace

    assert main(["init", pg_url]) == 0  # another team project on the server, where alice tagged Meta
    with open_project(pg_url) as other:
        ws = Workspace(other, "alice")
        text = ws.document_text(1)
        org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
        ws.tag(1, text, text.index("Meta"), text.index("Meta") + 4, org)
    capsys.readouterr()
    code, _, err = run(capsys, "merge", pg_url, "--project", project_at)
    assert code == 1 and err == (f"annotary: error: merge takes a project file (a coder's copy), not a server "
                                 f"project: copy it to a file first (annotary copy {pg_url} FILE), then merge "
                                 "that file\n")
    copy = tmp_path / "other.annotary"
    assert run(capsys, "copy", pg_url, str(copy))[0] == 0
    code, out, err = run(capsys, "merge", str(copy), "--project", project_at)
    assert code == 0, err
    code, out, _ = run(capsys, "coders", "--json", "--project", project_at)
    assert {c["name"]: c["mentions"] for c in json.loads(out)}["alice"] == 1


def every_row(address):
    """Every row of every model table, in primary-key order (on either backend)."""
    from app.core.models import Base

    with open_project(address) as project, project.read() as s:
        return {t.name: [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables}


def test_import_annotations_all_or_nothing_then_skip_invalid(empty_project_at, tmp_path, capsys, project_backend):
    """A doccano file with a bad line stores nothing and lists it; --skip-invalid stores the rest with
    the coder's status; --add-labels adds the labels the codebook lacks."""
    good = json.dumps({"text": "Meta lays off staff.", "label": [[0, 4, "Organization"]]})
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good, "{not json", good.replace("Meta", "Zeta")]) + "\n", encoding="utf-8")
    before = every_row(empty_project_at)
    argv = ["import-annotations", str(path), "--format", "doccano", *as_coder(project_backend, "bob"),
            "--project", empty_project_at]
    code, out, err = run(capsys, *argv)
    assert code == 1 and out.splitlines() == [f"refused\t{path}:2: not valid JSON: Expecting property name "
                                              "enclosed in double quotes (column 2)"]
    assert err.count("\n") == 1 and "nothing was imported" in err
    assert every_row(empty_project_at) == before
    code, out, err = run(capsys, *argv, "--skip-invalid", "--status", "done")
    assert code == 1 and [line.split("\t")[0] for line in out.splitlines()] == [
        "imported", "imported", "refused", "summary"]
    assert "2 document(s): 2 mention(s) and 0 event(s) stored" in out
    code, out, _ = run(capsys, "coders", "--json", "--project", empty_project_at)
    bob = {c["name"]: c for c in json.loads(out)}[coder_name(project_backend, "bob")]
    assert (bob["documents"], bob["done"], bob["mentions"]) == (2, 2, 2)
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"text": "The EU fines Meta.", "label": [[4, 6, "ORG"]]}) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import-annotations", str(labels), "--format", "doccano", "--add-labels",
                         *as_coder(project_backend, "bob"), "--project", empty_project_at)
    assert code == 0, err
    assert "codebook\tadded entity types: ORG" in out
