"""`annotary agreement` on a project two coders coded (a file, or a server project where each coder coded
through their own connection): figures, structure, units left out."""

import json

import pytest

from app.cli import main
from app.core.project import open_project
from app.core.services.agreement import agreement_report
from team_coding import add_differences, coded_at  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL


def test_agreement_json(coded_at, capsys):
    assert main(["agreement", "--project", coded_at, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["coders"] == ["alice", "bob"]
    assert report["documents_compared"] == 1
    assert report["documents_left_out"] == {"4": "not coded by bob"}
    tone = report["codes"]["tone"]
    assert tone["n_units"] == 1 and tone["percent_agreement"] == 1.0
    (pair,) = report["mentions"]["pairs"]
    assert pair["coders"] == ["alice", "bob"]
    # exact: OpenAI only (Meta differs in type, the count differs in span)
    assert pair["exact"] == {"precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3, "n_a": 3, "n_b": 3, "matched": 1}
    # overlap: also the overlapping count
    assert pair["overlap"]["matched"] == 2
    assert pair["by_type"]["Person"]["exact"]["f1"] is None  # alice has no Person: undefined, not 0
    (events,) = report["events"]["pairs"]
    assert events["matched"] == 1 and events["f1"] == 1.0
    assert events["attributes"]["Modality"] == {"compared": 1, "agreed": 1, "agreement": 1.0}
    assert events["roles"]["Actor"]["agreed"] == 0
    assert {d["kind"] for d in report["disagreements"]} == {"mention", "mention span", "event role"}
    (role,) = [d for d in report["disagreements"] if d["kind"] == "event role"]  # the matched events' Actor
    assert (role["text"], role["value_a"], role["value_b"], role["type"]) == (
        "Actor", "Meta", "OpenAI", "Hiring/Poaching offer")
    assert all("type" in d and d["code"] is None for d in report["disagreements"])


def test_disagreements_name_their_type_and_code(coded_at):
    add_differences(coded_at)
    with open_project(coded_at) as project:
        report = agreement_report(project)
    dis = report["disagreements"]
    old_keys = {"kind", "document_id", "start", "end", "text", "coder_a", "value_a", "coder_b", "value_b"}
    assert all(set(d) == old_keys | {"type", "code"} for d in dis)
    assert all((d["coder_a"], d["coder_b"]) == ("alice", "bob") for d in dis)
    codes = sorted((d["code"], d["value_a"], d["value_b"]) for d in dis if d["kind"] == "document code")
    assert codes == [("primary_topic", "talent war/poaching", "investment"), ("tone", "negative", "neutral")]
    assert all(d["type"] is None and d["text"] == d["code"] for d in dis if d["kind"] == "document code")
    assert all(d["code"] is None for d in dis if d["kind"] != "document code")
    mentions = sorted((d["kind"], d["type"], d["text"]) for d in dis if d["kind"].startswith("mention"))
    # Meta: alice's Organization and bob's Person have no partner of their type; the count's span differs
    assert mentions == [("mention", "Organization", "Meta"), ("mention", "Person", "Meta"),
                        ("mention span", "Quantity", "ثمانية باحثين")]
    meta_org = next(d for d in dis if d["type"] == "Organization")
    assert meta_org["value_a"] == "Organization “Meta”" and meta_org["value_b"] == "Person “Meta”"
    (layoff,) = [d for d in dis if d["kind"] == "event"]  # only alice has it
    assert layoff["type"] == "Layoff" and layoff["text"] == "إيقاف"
    assert layoff["value_a"] == "Layoff “إيقاف”" and layoff["value_b"] == "nothing"
    assert layoff["end"] - layoff["start"] == len("إيقاف")
    (modality,) = [d for d in dis if d["kind"] == "event attribute"]  # on the matched poaching event
    assert modality["type"] == "Hiring/Poaching offer" and modality["text"] == "Modality"
    assert (modality["value_a"], modality["value_b"]) == ("reported", "asserted")
    assert modality["start"] is not None and modality["end"] > modality["start"]


def test_agreement_text_and_errors(coded_at, capsys):
    assert main(["agreement", "--project", coded_at]) == 0
    out = capsys.readouterr().out
    assert "left out: document 4: not coded by bob" in out and "mentions alice|bob exact" in out
    assert main(["agreement", "--project", coded_at, "--coders", "alice,zoe"]) == 1
    assert "zoe" in capsys.readouterr().err


def test_reliability_csv(tmp_path, capsys):
    csv = tmp_path / "r.csv"
    csv.write_text("unit,coder,value\nu1,a,yes\nu1,b,yes\nu2,a,no\nu2,b,yes\nu3,a,no\nu3,b,no\n", encoding="utf-8")
    assert main(["reliability", str(csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_units"] == 3 and report["n_coders"] == 2
    assert report["percent_agreement"] == pytest.approx(2 / 3)
    assert report["cohen_kappa"] == {"a|b": pytest.approx(0.4)}
    assert set(report) >= {"n_pairable_values", "fleiss_kappa", "krippendorff_alpha", "krippendorff_alpha_ci95", "level"}
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,a,b\nu1,x,y\n", encoding="utf-8")
    assert main(["reliability", str(bad), "--level", "interval"]) == 1
    assert "line 2" in capsys.readouterr().err


def test_workbook_has_agreement_and_disagreement_sheets(coded_at, tmp_path):
    import openpyxl

    from app.core.export.xlsx import export_xlsx

    out = tmp_path / "team.xlsx"
    with open_project(coded_at) as project:
        report = export_xlsx(project, out)
    assert report.rows["Agreement"] > 0
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Agreement"].iter_rows(values_only=True))
    header = rows[0]
    recs = [dict(zip(header, r)) for r in rows[1:]]
    exact = next(r for r in recs if r["kind"] == "mentions" and r["name"] == "all types" and r["metric"] == "exact_f1")
    assert exact["coders"] == "alice|bob" and exact["value"] == pytest.approx(1 / 3) and exact["matched"] == 1
    left = [r for r in recs if r["metric"] == "reason"]
    assert left and left[0]["note"] == "not coded by bob"
    dis = [dict(zip(rows_h := [c.value for c in wb["Disagreements"][1]], r))
           for r in wb["Disagreements"].iter_rows(min_row=2, values_only=True)]
    kinds = {d["kind"] for d in dis}
    assert {"mention", "mention span"} <= kinds
    meta = next(d for d in dis if d["kind"] == "mention" and "Meta" in d["text"])
    assert meta["value_a"].startswith("Organization") and meta["value_b"].startswith("Person")
    assert meta["type"] == "Organization" and meta["code"] is None
    assert list(rows_h[-2:]) == ["type", "code"]  # added after the original columns
    # the gold-only (single coder) export has no agreement sheets
    with open_project(coded_at) as project:
        single = export_xlsx(project, tmp_path / "alice.xlsx", coder="alice")
    assert "Agreement" not in single.rows
