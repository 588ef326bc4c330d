"""`annotary coders`, `role`, `setting` and `gold` on a project two coders coded."""

import json

from app.cli import main
from team_coding import coded  # noqa: F401  (a fixture)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_coders_and_roles(coded, capsys):
    code, out, _ = run(capsys, "coders", "--project", str(coded), "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and rows["alice"] == {"name": "alice", "role": "coder", "documents": 2, "done": 2,
                                           "mentions": 3, "events": 1}
    assert run(capsys, "role", "bob", "adjudicator", "--project", str(coded))[0] == 0
    assert json.loads(run(capsys, "coders", "--project", str(coded), "--json")[1])[1]["role"] == "adjudicator"
    code, _, err = run(capsys, "role", "gold", "coder", "--project", str(coded))
    assert code == 1 and err.count("\n") == 1 and "stays adjudicator" in err


def test_settings(coded, capsys):
    assert run(capsys, "setting", "blind_coding", "--project", str(coded))[1] == "on\n"
    code, _, err = run(capsys, "setting", "blind_coding", "sometimes", "--project", str(coded))
    assert code == 1 and "one of on, off" in err
    code, _, err = run(capsys, "setting", "colour", "red", "--project", str(coded))
    assert code == 1 and "no project setting 'colour'" in err
    assert run(capsys, "setting", "blind_coding", "OFF", "--project", str(coded))[0] == 0
    assert run(capsys, "setting", "--project", str(coded))[1].startswith("blind_coding\toff\t")


def test_gold_status_and_accept_agreements(coded, capsys):
    code, out, _ = run(capsys, "gold", "status", "--project", str(coded), "--json")
    status = json.loads(out)
    assert code == 0 and status["documents"] == [{"document_id": 5, "coders": ["alice", "bob"],
                                                  "disagreements": 6, "unresolved": 6, "agreed_not_in_gold": 2}]
    code, out, _ = run(capsys, "gold", "accept-agreements", "--project", str(coded))
    assert code == 0 and out == "accepted 2 agreed annotation(s) into gold\n"
    assert run(capsys, "gold", "accept-agreements", "--project", str(coded))[1].startswith("accepted 0 ")
    code, out, _ = run(capsys, "gold", "status", "--project", str(coded))
    assert "5\talice,bob\t6\t6\t0" in out and out.rstrip().endswith("in 1 of 1 document(s) with two or more coders")
    # the gold set exports alone
    code, out, _ = run(capsys, "export", str(coded.parent / "gold.xlsx"), "--coder", "gold", "--project", str(coded))
    assert code == 0
    from openpyxl import load_workbook

    wb = load_workbook(coded.parent / "gold.xlsx", read_only=True)
    rows = list(wb["Mentions"].iter_rows(values_only=True))
    header = rows[0]
    assert [dict(zip(header, r))["text"] for r in rows[1:]] == ["OpenAI"]
    assert {dict(zip(header, r))["coder"] for r in rows[1:]} == {"gold"}
