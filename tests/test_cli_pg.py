"""The command line on a team project: every --project (and init) takes a postgresql:// address, run
against a real throwaway database."""

import json

from app.cli import main
from app.core import migrations
from app.core.address import server_url
from app.core.project import make_server_engine


def run(capsys, *args):  # type: ignore[no-untyped-def]
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_every_command_on_the_server_project(pg_url, tmp_path, capsys, monkeypatch):
    code, out, err = run(capsys, "init", pg_url)
    assert code == 0, err
    assert out.startswith(f"created {pg_url}: 5 document(s)")
    note = tmp_path / "memo.txt"
    note.write_text("A memo from the board: Acme cuts 300 jobs.\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(note), "--project", pg_url)
    assert code == 0, err
    code, out, err = run(capsys, "documents", "--json", "--project", pg_url)
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)] == [1, 2, 3, 4, 5, 6]
    monkeypatch.setenv("ANNOTARY_PROJECT", pg_url)  # the environment variable takes an address too
    code, out, err = run(capsys, "info")
    assert code == 0, err
    assert f"project\t{pg_url}" in out and "documents\t6" in out
    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert out.startswith(f"{pg_url}: ok")
    workbook = tmp_path / "team.xlsx"
    code, out, err = run(capsys, "export", str(workbook))
    assert code == 0, err
    assert workbook.is_file()


def test_a_password_in_the_address_is_refused(capsys):
    code, out, err = run(capsys, "init", "postgresql://lead:hunter2@db.example.org/team")
    assert code != 0 and out == ""
    assert "PGPASSWORD" in err and "hunter2" not in err


def test_init_refuses_a_database_that_is_not_empty(pg_url, capsys):
    assert run(capsys, "init", pg_url, "--empty")[0] == 0
    code, _, err = run(capsys, "init", pg_url)
    assert code != 0
    assert "is not empty" in err


def test_opening_an_older_schema_upgrades_it_and_says_no_backup_was_made(pg_url, capsys):
    engine = make_server_engine(server_url(pg_url))
    migrations.upgrade(engine, "0003")
    engine.dispose()
    code, out, err = run(capsys, "info", "--project", pg_url)
    assert code == 0, err
    assert f"upgraded {pg_url} from schema 0003" in err and "no backup copy was made" in err
    assert f"schema\t{migrations.head()}" in out
