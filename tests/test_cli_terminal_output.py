"""The plain-text output of `annotary` shows control and bidi characters of project data as
escapes; --json keeps the exact text. On a project file and on a server project (both_backends)."""

import json

import pytest

from app.cli import main
from app.core.models import Coder, Document
from app.core.services.projects import init_project

pytestmark = pytest.mark.both_backends

HOSTILE = "Clear\x1b[2J sc\u202eeen\x07 tab\there"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def hostile_project(new_address):
    path = new_address()
    with init_project(path) as project, project.uow() as s:
        s.get(Document, 1).title = HOSTILE
        # Annotary refuses such coder names now; a project made by an older version may hold one
        s.add(Coder(name="mallory\x1b]0;owned\x07\u2067", role="coder"))
    return path


def test_documents_listing_escapes_controls(new_address, capsys):
    path = hostile_project(new_address)
    code, out, _ = run(capsys, "documents", "--project", path)
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    lines = out.splitlines()
    assert lines[1].split("\t")[-1] == "Clear\\x1b[2J sc\\u202eeen\\x07 tab\\there"
    assert all(len(line.split("\t")) == 7 for line in lines)  # the tab in the title splits no column
    # Arabic and Hindi titles (with their joiners and marks) are printed as they are
    with_titles = {line.split("\t")[0]: line.split("\t")[-1] for line in lines[1:]}
    assert any("\u0600" <= ch <= "\u06ff" for ch in with_titles["2"] + with_titles["4"])
    assert any("\u0900" <= ch <= "\u097f" for ch in with_titles["3"])
    assert "\\u" not in with_titles["2"] + with_titles["3"] + with_titles["4"]


def test_documents_json_stays_exact(new_address, capsys):
    path = hostile_project(new_address)
    code, out, _ = run(capsys, "documents", "--project", path, "--json")
    assert code == 0
    assert json.loads(out)[0]["title"] == HOSTILE
    assert "\u202e" in out  # ensure_ascii=False: only controls are escaped by json


def test_coders_listing_escapes_controls(new_address, capsys):
    path = hostile_project(new_address)
    code, out, _ = run(capsys, "coders", "--project", path)
    assert code == 0
    assert "mallory\\x1b]0;owned\\x07\\u2067\tcoder" in out
    assert "\x1b" not in out and "\u2067" not in out


def test_import_line_escapes_the_file_name(new_address, tmp_path, capsys):
    path = hostile_project(new_address)
    source = tmp_path / "wire\x1b[2J\u202etxt.md"
    source.write_text("Eine Meldung.", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(source), "--project", path)
    assert code == 0
    assert "wire\\x1b[2J\\u202etxt.md" in out
    assert "\x1b" not in out and "\u202e" not in out
