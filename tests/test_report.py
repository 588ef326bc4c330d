"""`annotary report OUT.html`: the reliability report's numbers are `annotary agreement --json`'s,
its project text is logical and marked with its direction, and a bad target is refused with the
project left as it was (on a file and on a server)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.models import Document
from app.core.project import open_project
from team_coding import add_differences, coded_at  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class _Page(HTMLParser):
    """The embedded agreement JSON, every table cell, and the direction of each element's text."""

    def __init__(self) -> None:
        super().__init__()
        self.json_text = ""
        self.cells: list[str] = []
        self.directed: list[tuple[str, str]] = []  # (dir, text)
        self._stack: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self._stack.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self.cells.append("")

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self._stack:
            return
        tag, attrs = self._stack[-1]
        if tag == "script" and attrs.get("id") == "agreement-json":
            self.json_text += data
        if any(t in ("td", "th") for t, _ in self._stack) and self.cells:
            self.cells[-1] += data
        direction = next((a.get("dir") for t, a in reversed(self._stack) if a.get("dir") or t == "bdi"), None)
        if any(t == "bdi" for t, _ in self._stack):
            direction = direction or "isolated"
        if data.strip():
            self.directed.append((direction or "", data))


def _page(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_reports_numbers_are_the_agreement_commands(coded_at, tmp_path, capsys):
    if not coded_at.startswith("postgresql"):  # the coders' own logins on a server: as coded
        add_differences(coded_at)
    out = tmp_path / "reliability.html"
    code, said, _ = run(capsys, "report", str(out), "--project", coded_at, "--no-figures")
    assert code == 0 and str(out) in said
    code, printed, _ = run(capsys, "agreement", "--project", coded_at, "--json")
    assert code == 0
    page = _page(out)
    assert json.loads(page.json_text) == json.loads(printed)
    report = json.loads(printed)
    # every document variable's alpha, interval and level as the table shows them
    for name, c in report["codes"].items():
        alpha = c["krippendorff_alpha"]
        shown = "n/a" if alpha is None else f"{alpha:.3f}"
        row = page.cells[page.cells.index(name): page.cells.index(name) + 12]
        assert row[1] == c["level"] and row[2] == shown
        lo, hi = c["krippendorff_alpha_ci95"] or (None, None)
        assert row[3] == f"[{'n/a' if lo is None else f'{lo:.3f}'}, {'n/a' if hi is None else f'{hi:.3f}'}]"
    pair = report["mentions"]["pairs"][0]
    text = out.read_text(encoding="utf-8")
    assert f"exact F1 = {pair['exact']['f1']:.3f}" in text
    assert f"{report['documents_compared']} of the project’s 5 documents" in text
    assert "Krippendorff" in text and "Lombard" in text and "To add by the authors" in text


def test_project_text_is_logical_and_marked_with_its_direction(coded_at, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert run(capsys, "report", str(out), "--project", coded_at, "--no-figures")[0] == 0
    text = out.read_text(encoding="utf-8")
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)  # no reshaped (presentation) forms
    with open_project(coded_at) as project, project.read() as s:
        arabic_title = s.scalar(select(Document.title).where(Document.id == 5))
    page = _page(out)
    where = [d for d, t in page.directed if t == arabic_title]
    assert where and all(d in ("auto", "rtl") for d in where)  # the browser lays it out right to left
    assert ("isolated", "alice") in page.directed  # names inside sentences cannot reorder them
    assert '<html lang="en" dir="ltr">' in text
    # the codebook: an Arabic-script definition paragraph is right to left
    assert "<h2>Codebook</h2>" in text and "Organization" in text


def test_a_bad_target_is_refused_and_the_project_is_unchanged(coded_at, tmp_path, capsys, project_backend):
    out = tmp_path / "r.html"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "report", str(out), "--project", coded_at, "--no-figures")
    assert code != 0 and "exists" in err and out.read_text(encoding="utf-8") == "keep me"
    code, _, err = run(capsys, "report", str(tmp_path), "--project", coded_at, "--no-figures")
    assert code != 0 and "it is a folder" in err
    code, _, err = run(capsys, "report", str(tmp_path / "missing" / "r.html"), "--project", coded_at)
    assert code != 0 and "does not exist" in err
    if project_backend == "sqlite":
        before = Path(coded_at).read_bytes()
        code, _, err = run(capsys, "report", str(coded_at), "--project", coded_at, "--force", "--no-figures")
        assert code != 0 and "refusing" in err.lower()
        assert Path(coded_at).read_bytes() == before
    assert run(capsys, "report", str(out), "--project", coded_at, "--force", "--no-figures")[0] == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
