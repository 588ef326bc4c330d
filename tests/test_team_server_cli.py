"""A team project on a PostgreSQL server from the command line, as the issue's walk-through has it:
the lead creates it, adds coders, each codes as the role they log in as and sees only their own
work (also with plain SQL), and the lead compares, exports and copies the project to a file."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from app.cli import main


@pytest.fixture
def team(pg_server):
    """A database owned by a lead who may create roles (not a superuser, so the rules bind them);
    `team_database(owner)` makes another for the same test."""
    lead = "lead_" + uuid.uuid4().hex[:6]
    made: list[str] = []

    def database(owner: str) -> str:
        name = "team_" + uuid.uuid4().hex[:10]
        with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        made.append(name)
        return name

    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{lead}" LOGIN CREATEROLE')
    first = database(lead)
    url = lambda user, db=first: f"postgresql://{user}@127.0.0.1:{pg_server.port}/{db}"  # noqa: E731
    yield url, lead, database
    for name in made:
        pg_server.drop_database(name)


def _doccano(tmp_path, name, records):
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_lead_coders_blind_coding_and_copy(team, tmp_path, capsys):
    url, lead, team_database = team
    assert main(["init", url(lead), "--empty"]) == 0
    text = "Meta lays off 200 staff in Dallas."
    article = tmp_path / "meta-layoffs.txt"
    article.write_text(text, encoding="utf-8")
    for coder in ("alice", "bob"):
        assert main(["coders", "add", coder, "--project", url(lead)]) == 0
    assert "alice added as a coder (a login role on the server)" in capsys.readouterr().out
    alice = _doccano(tmp_path, "alice", [{"text": text, "label": [[0, 4, "Organization"], [27, 33, "Location"]]}])
    bob = _doccano(tmp_path, "bob", [{"text": text, "label": [[0, 4, "Organization"]]}])
    # a coder cannot add documents: one clear line, nothing stored
    assert main(["import-annotations", str(alice), "--format", "doccano", "--project", url("alice")]) == 1
    assert "an adjudicator adds the documents" in capsys.readouterr().err
    assert main(["import", str(article), "--project", url(lead)]) == 0
    assert main(["import-annotations", str(alice), "--format", "doccano", "--status", "done",
                 "--project", url("alice")]) == 0
    assert main(["import-annotations", str(bob), "--format", "doccano", "--status", "done",
                 "--project", url("bob")]) == 0
    capsys.readouterr()
    # another name than the login is refused, in one line
    assert main(["import-annotations", str(bob), "--format", "doccano", "--coder", "bob",
                 "--project", url("alice")]) == 1
    assert capsys.readouterr().err.startswith("annotary: error: you are connected as alice")
    # blind coding, enforced by the server: plain SQL as each coder
    for coder, seen in (("alice", 2), ("bob", 1), (lead, 3)):  # the lead's own import had no labels
        with psycopg.connect(url(coder)) as conn:
            assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == seen, coder
    with psycopg.connect(url("alice")) as conn, pytest.raises(psycopg.Error):
        conn.execute("UPDATE coders SET role = 'adjudicator' WHERE name = 'alice'")
    # a login of the same server that is not in the project cannot even connect
    stranger = "stranger_" + uuid.uuid4().hex[:6]
    with psycopg.connect(url(lead).replace(lead, "postgres", 1).rsplit("/", 1)[0] + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{stranger}" LOGIN')
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(url(stranger))
    # only the lead (an adjudicator) manages coders
    assert main(["coders", "add", "carol", "--project", url("alice")]) == 1
    assert "only an adjudicator may do this" in capsys.readouterr().err
    # the lead compares, exports and copies the project to a file
    assert main(["agreement", "--json", "--project", url(lead)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents_compared"] == 1 and sorted(report["coders"]) == ["alice", "bob"]
    [pair] = report["mentions"]["pairs"]  # alice found Meta and Dallas, bob Meta only
    assert (pair["exact"]["matched"], pair["exact"]["n_a"], pair["exact"]["n_b"]) == (1, 2, 1)
    assert main(["gold", "accept-agreements", "--project", url(lead)]) == 0
    with psycopg.connect(url(lead)) as conn:  # the decision names the adjudicator who made it
        assert conn.execute("SELECT gold_settled_by FROM documents").fetchone()[0] == lead
    out = tmp_path / "team.xlsx"
    assert main(["export", str(out), "--project", url(lead)]) == 0
    assert out.is_file()
    copy = tmp_path / "team.annotary"
    assert main(["copy", url(lead), str(copy)]) == 0
    capsys.readouterr()
    assert main(["coders", "--json", "--project", str(copy)]) == 0
    coders = {c["name"]: c["mentions"] for c in json.loads(capsys.readouterr().out)}
    assert coders["alice"] == 2 and coders["bob"] == 1 and coders[lead] == 0
    # and back to a new database on the server: the coders log in to it as before, still blind
    second = team_database(lead)
    assert main(["copy", str(copy), url(lead, second)]) == 0
    assert "coders who log in to it as before: alice, bob" in capsys.readouterr().out
    for coder, seen in (("alice", 2), ("bob", 1)):
        with psycopg.connect(url(coder, second)) as conn:
            assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == seen, coder
