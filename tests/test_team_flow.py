"""The whole team flow of issue 4, as a lead runs it: two coders code the seed articles in their own
copies; the lead merges both, reads alpha with its interval per document code and F1 per type,
settles a disagreement into gold, and exports one workbook with the coders' data, the gold set,
the agreement summary and the disagreements. The lead's project is a file or a team project on a
PostgreSQL server (both_backends): the coders' copies of a server project are made with
`annotary copy`, and merged back into the server."""

import json
import shutil

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core.project import open_project
from app.core.services.review import ReviewService
from app.core.services.workspace import Workspace

pytestmark = pytest.mark.both_backends

TONES = {
    "alice": ["negative", "neutral", "negative", "very negative", "negative"],
    "bob": ["negative", "negative", "negative", "very negative", "neutral"],
}


def _code_copy(path, coder):
    with open_project(path) as project:
        ws = Workspace(project, coder)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        tone = next(c for c in ws.codebook.document_codes if c.name == "tone")
        for doc, value in zip(range(1, 6), TONES[coder]):
            text = ws.document_text(doc)
            for needle in ("Meta", "OpenAI"):
                if needle in text:
                    i = text.index(needle)
                    kind = "Person" if (coder, needle) == ("bob", "OpenAI") and doc == 5 else "Organization"
                    ws.tag(doc, text, i, i + len(needle), types[kind])
            ws.set_document_code(doc, tone.id, value)
            ws.set_done(doc, True)


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_two_copies_merged_adjudicated_and_exported(new_address, tmp_path, capsys, project_backend):
    from conftest import PG_LEAD

    lead = new_address("lead")
    lead_name = "lead" if project_backend == "sqlite" else PG_LEAD  # on a server: the login
    _run(capsys, "init", lead)
    for coder in ("alice", "bob"):
        copy = tmp_path / f"{coder}-copy.annotary"
        if project_backend == "sqlite":
            shutil.copy(lead, copy)
        else:
            _run(capsys, "copy", lead, str(copy))
        _code_copy(copy, coder)
        _run(capsys, "merge", str(copy), "--project", str(lead))
    _run(capsys, "merge", str(tmp_path / "alice-copy.annotary"), "--project", str(lead))  # twice: adds nothing

    report = json.loads(_run(capsys, "agreement", "--json", "--project", str(lead)))
    assert report["coders"] == ["alice", "bob"] and report["documents_compared"] == 5
    tone = report["codes"]["tone"]
    assert tone["n_units"] == 5 and tone["percent_agreement"] == 0.6
    low, high = tone["krippendorff_alpha_ci95"]
    assert low <= tone["krippendorff_alpha"] <= high
    (pair,) = report["mentions"]["pairs"]
    assert pair["by_type"]["Organization"]["exact"]["f1"] < 1
    person = pair["by_type"]["Person"]["exact"]
    assert person["f1"] is None and (person["n_a"], person["n_b"]) == (0, 1)  # alice has none: undefined

    with open_project(lead) as project:
        _run(capsys, "role", lead_name, "adjudicator", "--project", str(lead))
        service = ReviewService(Workspace(project, lead_name))
        before, _ = service.project_unresolved()
        assert service.accept_agreements(5)[0] >= 1
        review = service.document_review(5)
        person = next(i for i in review.items if i.kind == "mention" and i.label == "Person")
        service.accept(person, "bob")
        tone_item = next(i for i in service.document_review(1).items if i.kind == "code")
        assert tone_item.agreed
        after, _ = service.project_unresolved()
        assert after == before - 2  # bob's Person and alice's Organization at the same place

    out = tmp_path / "team.xlsx"
    _run(capsys, "export", str(out), "--project", str(lead))
    wb = load_workbook(out, read_only=True)
    assert {"Mentions", "Document codes", "Agreement", "Disagreements"} <= set(wb.sheetnames)
    rows = list(wb["Mentions"].iter_rows(values_only=True))
    coders = {dict(zip(rows[0], r))["coder"] for r in rows[1:]}
    assert coders == {"alice", "bob", "gold"}
    disagreements = list(wb["Disagreements"].iter_rows(values_only=True))
    assert len(disagreements) > 1
    gold_only = tmp_path / "gold.xlsx"
    _run(capsys, "export", str(gold_only), "--coder", "gold", "--project", str(lead))
    gold_rows = list(load_workbook(gold_only, read_only=True)["Mentions"].iter_rows(values_only=True))
    assert {dict(zip(gold_rows[0], r))["coder"] for r in gold_rows[1:]} == {"gold"}
    assert "Agreement" not in load_workbook(gold_only, read_only=True).sheetnames
