"""`annotary figures` / `render_figures`: each figure with the CSV of exactly its numbers, counted
again here by plain SQL; on a project alice and bob coded (a file and a server project)."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.analysis.counts import TOP_N, figure_tables
from app.core.errors import AnnotaryError
from app.core.figures import render_figures
from app.core.project import open_project
from app.core.services.agreement import agreement_report
from figure_data import (
    code_more,
    event_roles,
    events_by_type_and_modality,
    mention_texts,
    mentions_by_type_and_language,
)
from team_coding import coded_at  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends

STEMS = ["mentions_by_type_and_language", "events_by_type_and_modality", "top_mention_texts",
         "event_roles_filled", "agreement_by_type"]
PRESENTATION_FORMS = re.compile("[\ufb50-\ufeff]")


@pytest.fixture
def team(coded_at):
    code_more(coded_at)
    return coded_at


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def check_csvs(project, folder, coder=None):
    header, rows = read_csv(folder / "mentions_by_type_and_language.csv")
    assert header == ["entity_type", "language", "count"]
    assert {(t, lang): int(n) for t, lang, n in rows} == mentions_by_type_and_language(project, coder)
    assert len(rows) == len(mentions_by_type_and_language(project, coder))

    header, rows = read_csv(folder / "events_by_type_and_modality.csv")
    assert header == ["event_type", "modality", "count"]
    assert {(t, m): int(n) for t, m, n in rows} == events_by_type_and_modality(project, coder)

    header, rows = read_csv(folder / "top_mention_texts.csv")
    assert header == ["entity_type", "language", "text", "count"]
    every = mention_texts(project, coder)
    shown = {(t, lang, s): int(n) for t, lang, s, n in rows}
    assert all(every[key] == n for key, n in shown.items())
    for entity_type in {k[0] for k in every}:
        theirs = {k: n for k, n in every.items() if k[0] == entity_type}
        kept = {k: n for k, n in shown.items() if k[0] == entity_type}
        assert len(kept) == min(TOP_N, len(theirs))
        left = [n for k, n in theirs.items() if k not in kept]
        assert not left or max(left) <= min(kept.values())

    header, rows = read_csv(folder / "event_roles_filled.csv")
    assert header == ["event_type", "role", "filled", "empty"]
    assert {(t, r): (int(f), int(e)) for t, r, f, e in rows} == event_roles(project, coder)


def test_figures_and_their_csvs_match_the_database(team, tmp_path):
    out = tmp_path / "figures"
    with open_project(team) as project:
        written = render_figures(project, out, fmt="png")
        assert written == [out / f"{stem}.{ext}" for stem in STEMS for ext in ("png", "csv")]
        for stem in STEMS:
            assert (out / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
        check_csvs(project, out)
        # agreement per type: the mean over pairs of the report's exact F1 per type, inside its interval
        report = agreement_report(project, n_boot=10)
        (pair,) = report["mentions"]["pairs"]
        header, rows = read_csv(out / "agreement_by_type.csv")
        assert header == ["entity_type", "coder_pairs", "f1", "ci_low", "ci_high", "n"]
        assert {r[0] for r in rows} == set(pair["by_type"])
        for entity_type, pairs, f1, low, high, n in rows:
            expected = pair["by_type"][entity_type]["exact"]
            if expected["f1"] is None:
                assert (pairs, f1, low, high) == ("0", "", "", "")
            else:
                assert pairs == "1" and float(f1) == pytest.approx(expected["f1"], abs=5e-5)
                assert float(low) <= float(f1) <= float(high)
            assert int(n) == expected["n_a"] + expected["n_b"]


def test_one_coder_s_figures_have_no_agreement(team, tmp_path):
    with open_project(team) as project:
        written = render_figures(project, tmp_path, coder="alice", fmt="png")
        assert [p.name for p in written if p.suffix == ".csv"] == [f"{s}.csv" for s in STEMS[:-1]]
        check_csvs(project, tmp_path, coder="alice")
        titles = [t.title for t in figure_tables(project, "alice")]
    assert all(title.endswith("— coder alice") for title in titles)


def test_titles_say_whose_annotations_count(team):
    with open_project(team) as project:
        tables = figure_tables(project)
    for table in tables[:4]:
        assert "all 2 coders (alice, bob; gold left out), each coder's annotations counted" in table.title
    assert "alice, bob" in tables[4].title and "95 % bootstrap interval" in tables[4].title


@pytest.mark.sqlite_only
def test_stored_text_and_csvs_stay_logical_even_when_labels_are_reshaped(team, tmp_path, monkeypatch):
    from app.core.figures import labels

    monkeypatch.setattr(labels, "renderer_shapes", lambda: False)  # a renderer that cannot shape
    with open_project(team) as project:
        render_figures(project, tmp_path, fmt="svg")
        with project.engine.connect() as conn:
            from sqlalchemy import text

            stored = [r[0] for r in conn.execute(text("SELECT text FROM mentions UNION ALL SELECT name FROM "
                                                      "entity_types UNION ALL SELECT text FROM documents"))]
    assert any("ثمانية باحثين" in s for s in stored)
    assert not any(PRESENTATION_FORMS.search(s) for s in stored)
    csvs = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv")]
    assert len(csvs) == 5 and "ثمانية باحثين" in "".join(csvs)
    assert not any(PRESENTATION_FORMS.search(c) for c in csvs)


@pytest.mark.sqlite_only
def test_cli_svg_and_pdf_one_line_per_file(team, tmp_path, capsys):
    for fmt, magic in (("svg", b"<?xml"), ("pdf", b"%PDF")):
        out = tmp_path / fmt
        assert main(["figures", str(out), "--format", fmt, "--project", str(team)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines == [f"wrote\t{out / stem}.{ext}" for stem in STEMS for ext in (fmt, "csv")]
        assert all((out / f"{stem}.{fmt}").read_bytes().startswith(magic) for stem in STEMS)
    # again: nothing replaced without --force, and with it every file
    assert main(["figures", str(tmp_path / "svg"), "--format", "svg", "--project", str(team)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "10 file(s) there would be replaced" in err and "--force" in err
    assert main(["figures", str(tmp_path / "svg"), "--format", "svg", "--force", "--project", str(team)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 10
    assert not [p for p in (tmp_path / "svg").iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.sqlite_only
def test_cli_refuses_a_file_the_project_and_an_unknown_coder(team, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    for target, words in ((a_file, "it is a file; give a folder"), (Path(team), "it is the open project")):
        assert main(["figures", str(target), "--project", str(team)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err
    assert a_file.read_text() == "mine"
    assert main(["figures", str(tmp_path / "x"), "--coder", "nobody", "--project", str(team)]) == 1
    assert "no coder named 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with open_project(team) as project, pytest.raises(AnnotaryError, match="unknown figure format"):
        render_figures(project, tmp_path / "y", fmt="jpg")


@pytest.mark.sqlite_only
def test_the_command_line_starts_without_matplotlib():
    code = "import sys, app.cli; app.cli.build_parser(); print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() == "False"


@pytest.mark.sqlite_only
def test_agreement_is_left_out_when_one_coder_worked(tmp_path):
    from app.core.services.projects import init_project
    from team_coding import code_document

    path = tmp_path / "solo.annotary"
    init_project(path).close()
    code_document(path, "alice", [("OpenAI", "Organization", 0)], "negative", [5])
    with open_project(path) as project:
        tables = figure_tables(project)
    assert [t.stem for t in tables] == STEMS[:-1]
    assert "coder alice (the only coder with annotations; gold left out)" in tables[0].title
    assert tables[0].rows == (("Organization", "ar", 1),)


@pytest.mark.sqlite_only
def test_the_interval_resamples_documents(tmp_path):
    """Two documents both coders finished: one where they agree (F1 1), one where they do not (F1 0).
    Pooled F1 0.5; resampling the two documents gives 1, 0.5 or 0, so the 95 % interval is [0, 1]."""
    from app.core.analysis.agreement_by_type import agreement_by_type
    from app.core.services.projects import init_project
    from app.core.services.workspace import Workspace

    path = tmp_path / "two.annotary"
    init_project(path).close()
    with open_project(path) as project:
        for coder, needle_in_4 in (("alice", "Meta"), ("bob", "Scale")):
            ws = Workspace(project, coder)
            org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
            for doc, needle in ((5, "OpenAI"), (4, needle_in_4)):
                body = ws.document_text(doc)
                i = body.index(needle)
                ws.tag(doc, body, i, i + len(needle), org, precise=True)
                ws.set_done(doc, True)
        table = agreement_by_type(project)
    assert table is not None and table.rows == (("Organization", 1, 0.5, 0.0, 1.0, 4),)
    assert "over 2 document(s)" in table.title
