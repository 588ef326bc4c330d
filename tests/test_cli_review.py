"""`annotary coders`, `role`, `setting` and `gold` on a project two coders coded: a file, and a
server project whose lead is no superuser (both_backends), where the server decides who may do what."""

import json

import pytest

from app.cli import main
from conftest import PG_LEAD
from team_coding import as_login, coded_at  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_coders_and_roles(coded_at, capsys, project_backend):
    code, out, _ = run(capsys, "coders", "--project", coded_at, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and rows["alice"] == {"name": "alice", "role": "coder", "documents": 2, "done": 2,
                                           "mentions": 3, "events": 1}
    assert run(capsys, "role", "bob", "adjudicator", "--project", coded_at)[0] == 0
    rows = {r["name"]: r for r in json.loads(run(capsys, "coders", "--project", coded_at, "--json")[1])}
    assert rows["bob"]["role"] == "adjudicator"
    code, _, err = run(capsys, "role", "gold", "coder", "--project", coded_at)
    assert code == 1 and err.count("\n") == 1 and "the adjudicated set" in err
    if project_backend == "postgresql":  # the lead is an adjudicator; alice, a coder, may not change roles
        assert rows[PG_LEAD]["role"] == "adjudicator"
        code, _, err = run(capsys, "role", "alice", "adjudicator", "--project", as_login(coded_at, "alice"))
        assert code == 1 and err.count("\n") == 1 and "only an adjudicator may do this" in err
        # bob, an adjudicator now, may; and his connection sees everyone's work from then on
        code, _, err = run(capsys, "role", "alice", "adjudicator", "--project", as_login(coded_at, "bob"))
        assert code == 0, err
        code, out, _ = run(capsys, "coders", "--project", as_login(coded_at, "bob"), "--json")
        assert {r["name"]: r["mentions"] for r in json.loads(out)}["alice"] == 3
        # and back: bob takes alice's adjudicator role away again; she is blind to bob's work once more
        assert run(capsys, "role", "alice", "coder", "--project", as_login(coded_at, "bob"))[0] == 0
        code, out, _ = run(capsys, "coders", "--project", as_login(coded_at, "alice"), "--json")
        assert {r["name"]: r["mentions"] for r in json.loads(out)}["bob"] == 0


@pytest.mark.server_only
def test_a_coder_sees_and_settles_only_what_the_server_lets_them(coded_at, capsys):
    alice = as_login(coded_at, "alice")
    code, out, _ = run(capsys, "coders", "--project", alice, "--json")
    mentions = {r["name"]: r["mentions"] for r in json.loads(out)}
    assert code == 0 and mentions["alice"] == 3 and mentions["bob"] == 0  # blind coding: bob's work unseen
    code, out, err = run(capsys, "agreement", "--project", alice, "--json")
    assert code == 1 and err.endswith("(found: alice)\n")
    for argv in (("setting", "blind_coding", "off"), ("gold", "accept-agreements"), ("coders", "add", "carol")):
        code, out, err = run(capsys, *argv, "--project", alice)
        assert code == 1 and err.count("\n") == 1 and err.startswith("annotary: error: "), (argv, err)
        assert "Traceback" not in err and "unexpected" not in err, (argv, err)
    assert run(capsys, "setting", "blind_coding", "--project", coded_at)[1] == "on\n"
    code, out, _ = run(capsys, "gold", "status", "--project", coded_at, "--json")
    assert json.loads(out)["documents"][0]["agreed_not_in_gold"] == 2  # nothing was accepted by alice


def test_settings(coded_at, capsys):
    assert run(capsys, "setting", "blind_coding", "--project", coded_at)[1] == "on\n"
    code, _, err = run(capsys, "setting", "blind_coding", "sometimes", "--project", coded_at)
    assert code == 1 and "one of on, off" in err
    code, _, err = run(capsys, "setting", "colour", "red", "--project", coded_at)
    assert code == 1 and "no project setting 'colour'" in err
    assert run(capsys, "setting", "blind_coding", "OFF", "--project", coded_at)[0] == 0
    assert run(capsys, "setting", "--project", coded_at)[1].startswith("blind_coding\toff\t")


def test_gold_status_and_accept_agreements(coded_at, tmp_path, capsys):
    code, out, _ = run(capsys, "gold", "status", "--project", coded_at, "--json")
    status = json.loads(out)
    assert code == 0 and status["documents"] == [{"document_id": 5, "coders": ["alice", "bob"],
                                                  "disagreements": 6, "unresolved": 6, "agreed_not_in_gold": 2}]
    code, out, _ = run(capsys, "gold", "accept-agreements", "--project", coded_at)
    assert code == 0 and out == "accepted 2 agreed annotation(s) into gold\n"
    assert run(capsys, "gold", "accept-agreements", "--project", coded_at)[1].startswith("accepted 0 ")
    code, out, _ = run(capsys, "gold", "status", "--project", coded_at)
    assert "5\talice,bob\t6\t6\t0" in out and out.rstrip().endswith("in 1 of 1 document(s) with two or more coders")
    # the gold set exports alone
    code, out, _ = run(capsys, "export", str(tmp_path / "gold.xlsx"), "--coder", "gold", "--project", coded_at)
    assert code == 0
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "gold.xlsx", read_only=True)
    rows = list(wb["Mentions"].iter_rows(values_only=True))
    header = rows[0]
    assert [dict(zip(header, r))["text"] for r in rows[1:]] == ["OpenAI"]
    assert {dict(zip(header, r))["coder"] for r in rows[1:]} == {"gold"}


def test_coders_add_on_a_file_and_on_a_server(project_at, capsys, monkeypatch, project_backend, request):
    import io

    code, out, err = run(capsys, "coders", "add", "dana", "--role", "adjudicator", "--project", project_at)
    where = "registered in the project file" if project_backend == "sqlite" else "a login role on the server"
    assert code == 0 and out == f"dana added as an adjudicator ({where})\n", err
    rows = {r["name"]: r["role"] for r in json.loads(run(capsys, "coders", "--json", "--project", project_at)[1])}
    assert rows["dana"] == "adjudicator"
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    code, out, err = run(capsys, "coders", "add", "carl", "--password-stdin", "--project", project_at)
    if project_backend == "sqlite":
        assert code == 1 and "a project file has no logins" in err
        return
    assert code == 0 and out == "carl added as a coder (a login role on the server)\n", err
    import psycopg

    server = request.getfixturevalue("pg_server")
    with psycopg.connect(server.admin_url()) as conn:  # stored as a SCRAM verifier, never as the text
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'carl'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and "correct horse" not in stored
    # the new adjudicator manages the project as the lead does
    code, out, err = run(capsys, "role", "carl", "adjudicator", "--project", as_login(project_at, "dana"))
    assert code == 0 and out == "carl is now an adjudicator\n", err
