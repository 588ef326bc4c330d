"""The `annotary` command as a user runs it."""

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


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_project_is_created_on_first_use_with_seeds(capsys):
    code, out, _ = run(capsys, "documents", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["filename"] for r in rows] == [m["file"] for m in seed_metadata()]
    assert {r["language"] for r in rows} == {"en", "ar", "hi"}
    for row in rows:
        assert {"id", "title", "language", "direction", "chars", "sha256", "filename"} <= set(row)
    assert [r["direction"] for r in rows] == ["ltr", "rtl", "ltr", "rtl", "rtl"]


def test_env_variable_then_option(tmp_path, capsys, monkeypatch):
    env_project = tmp_path / "env.annotary"
    opt_project = tmp_path / "opt.annotary"
    assert run(capsys, "init", str(env_project), "--empty")[0] == 0
    assert run(capsys, "init", str(opt_project))[0] == 0
    monkeypatch.setenv("ANNOTARY_PROJECT", str(env_project))
    assert json.loads(run(capsys, "documents", "--json")[1]) == []
    assert len(json.loads(run(capsys, "documents", "--json", "--project", str(opt_project))[1])) == 5
    assert len(json.loads(run(capsys, "--project", str(opt_project), "documents", "--json")[1])) == 5


def test_import_lines_and_exit_status(tmp_path, capsys):
    project = tmp_path / "p.annotary"
    run(capsys, "init", str(project), "--empty")
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


def test_codebook_export_import(tmp_path, capsys):
    project = tmp_path / "p.annotary"
    run(capsys, "init", str(project), "--empty")
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


def test_info(tmp_path, capsys):
    project = tmp_path / "p.annotary"
    run(capsys, "init", str(project))
    code, out, _ = run(capsys, "info", "--project", str(project))
    fields = dict(line.split("\t") for line in out.strip().split("\n"))
    assert code == 0 and fields["documents"] == "5" and fields["schema"] == "0008"


def test_killed_import_loses_nothing_reported(tmp_path):
    """SIGKILL in the middle of a folder import: every file reported imported is in the project."""
    project = tmp_path / "p.annotary"
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


def test_export_formats_from_the_command_line(tmp_path, capsys):
    import openpyxl

    project = tmp_path / "p.annotary"
    run(capsys, "init", str(project))
    brat = REPO / "tests" / "data" / "brat" / "arabic"
    code, out, err = run(capsys, "import-annotations", str(brat), "--format", "brat", "--coder", "bob",
                         "--project", str(project))
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
    code, out, _ = run(capsys, "export", str(tmp_path / "out.jsonl"), "--project", str(project), "--coder", "bob")
    assert code == 0
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["coder"] == "bob"
    code, _, err = run(capsys, "export", str(tmp_path / "x.pdf"), "--project", str(project))
    assert code == 1 and "cannot tell the format" in err
    code, _, err = run(capsys, "export", str(xlsx), "--coder", "nobody", "--force", "--project", str(project))
    assert code == 1 and "nobody" in err


def test_export_without_target_goes_to_exports_folder(tmp_path, capsys, monkeypatch):
    from app.core import paths

    monkeypatch.setattr(paths, "default_exports_dir", lambda: tmp_path)
    project = tmp_path / "p.annotary"
    run(capsys, "init", str(project))
    code, out, err = run(capsys, "export", "--project", str(project))
    assert code == 0, err
    (made,) = tmp_path.glob("annotary-*.xlsx")
    assert str(made) in out


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


def test_error_lines_escape_line_breaks_in_file_names(tmp_path, capsys):
    path = tmp_path / "p.annotary"
    assert main(["init", str(path), "--empty"]) == 0
    capsys.readouterr()
    code = main(["codebook", "import", str(tmp_path / "x\x1b[31mred\nline2.yaml"), "--project", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "\\n" in err and "\x1b" not in err


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
