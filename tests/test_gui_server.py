"""The real main window on a team project on a PostgreSQL server: the coder is the login role, what
they tag is stored under it, and what others commit shows after the window's poll."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from PySide6.QtWidgets import QApplication

from app.core.project import open_project
from app.core.server.identity import coder_for
from app.core.server.roles import add_coder
from app.core.services.documents import add_document
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from app.ui import review_actions, settings
from app.ui.main_window import MainWindow
from team_coding import code_document


@pytest.fixture
def team(pg_server):
    """A seeded team project owned by a lead who is not a superuser (row-level security binds the
    lead too), with two coders. Roles are cluster-wide, so their names are this test's own."""
    name = "gui_" + uuid.uuid4().hex[:10]
    tag = uuid.uuid4().hex[:6]
    lead, alice, bob = f"lead_{tag}", f"alice_{tag}", f"bob_{tag}"
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{lead}" LOGIN CREATEROLE')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{lead}"')

    def url(user: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{pg_server.port}/{name}"

    with init_project(url(lead)) as project, project.engine.begin() as conn:
        add_coder(conn, name, lead, role="adjudicator")  # init does not record its owner as one
        add_coder(conn, name, alice)
        add_coder(conn, name, bob)
    yield url, lead, alice, bob
    pg_server.drop_database(name)


def _window(qtbot, address):
    project = open_project(address)
    window = MainWindow(project, coder_for(project, None), testing=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _tag(qtbot, window, needle, key):
    text = window.reader.text
    i = text.index(needle)
    window.reader.select_cp(i, i + len(needle))
    window.reader.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(window.reader, key)
    return i


def _mentions(address):
    """What a connection of its own reads: (text, coder) of each mention it may see."""
    with psycopg.connect(address) as conn:
        return sorted(conn.execute('SELECT m.text, m.start, c.name FROM mentions m '
                                   'JOIN coders c ON c.id = m.coder_id').fetchall())


def test_coder_is_the_login_and_tags_are_stored_under_it(qtbot, team):
    url, lead, alice, _bob = team
    window = _window(qtbot, url(alice))
    try:
        assert window.workspace.coder_name == alice
        status = window.status_label.text()
        assert status.startswith(f"Coder: {alice} (server)")
        assert f"postgresql://{alice}@127.0.0.1" in status
        assert "on 127.0.0.1" in window.windowTitle() and alice in window.windowTitle()
        window.open_document(1)
        start = _tag(qtbot, window, "Business Insider", "o")
        assert window.pane.mention_model.rowCount() == 1
        assert window.doc_model.document_at(0).status == "in_progress"
        assert _mentions(url(lead)) == [("Business Insider", start, alice)]  # the lead sees everyone's work
        # undo is one more transaction of alice's own
        window.action_undo.trigger()
        assert _mentions(url(lead)) == []
        # the settings remember the server by its address, never with a password
        assert settings.last_document(window.project.address) == 1
        assert settings.recent_projects() == [] or all("@" in a for a in settings.recent_projects())
    finally:
        window.close()


def test_another_name_than_the_login_is_refused(qtbot, team):
    url, _lead, alice, bob = team
    window = _window(qtbot, url(alice))
    try:
        window.run(lambda: window.set_coder(bob))
        assert window.last_error is not None and f"you are connected as {alice}" in window.last_error
        assert window.workspace.coder_name == alice
    finally:
        window.close()


def test_others_commits_show_after_the_poll(qtbot, team):
    url, lead, alice, _bob = team
    window = _window(qtbot, url(alice))
    try:
        window.open_document(1)
        _tag(qtbot, window, "Business Insider", "o")  # an undo history of alice's own, kept through others' work
        assert not window.poll_outside()  # nothing new: its own write was taken as seen
        documents = window.doc_model.rowCount()
        # the lead adds a document on a connection of its own
        with open_project(url(lead)) as project, project.uow() as session:
            add_document(session, "The newsroom hired two editors in Delhi.", "team-news.txt")
        # alice, in another program (the command line, a second window), codes document 2
        with open_project(url(alice)) as project:
            ws = Workspace(project, alice)
            text = ws.document_text(2)
            organization = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
            i = text.index(" ") + 1
            ws.tag(2, text, 0, i - 1, organization)
            ws.set_done(2, True)
        assert window.doc_model.rowCount() == documents  # not seen before the poll
        assert window.poll_outside()
        qtbot.waitUntil(lambda: window.doc_model.rowCount() == documents + 1)
        row = next(window.doc_model.document_at(r) for r in range(window.doc_model.rowCount())
                   if window.doc_model.document_at(r).id == 2)
        assert (row.status, row.mentions) == ("done", 1)
        assert window.action_undo.isEnabled()  # others' commits on a server do not clear the history
        assert not window.poll_outside()  # seen now
    finally:
        window.close()


def test_compare_view_and_unresolved_counter_follow_the_coders(qtbot, team):
    url, lead, alice, bob = team
    code_document(url(alice), alice, [("OpenAI", "Organization", 0), ("Meta", "Organization", 0)],
                  "negative", [5])
    code_document(url(bob), bob, [("OpenAI", "Organization", 0), ("Meta", "Person", 0)], "negative", [5])
    window = _window(qtbot, url(lead))
    try:
        assert window.status_label.text().startswith(f"Coder: {lead} (adjudicator) (server)")
        window.open_document(5)
        review_actions.show_compare(window)
        compare = window.compare_window
        qtbot.waitUntil(lambda: compare.project_counter() is not None)
        before_items = len(compare.review.items)
        unresolved_before = compare.project_counter()[0]
        # bob tags one more mention in document 5 from his own connection
        with open_project(url(bob)) as project:
            ws = Workspace(project, bob)
            text = ws.document_text(5)
            quantity = next(t.id for t in ws.codebook.entity_types if t.name == "Quantity")
            i = text.index("ثمانية باحثين")
            ws.tag(5, text, i, i + len("ثمانية باحثين"), quantity)
        assert len(compare.review.items) == before_items
        assert window.poll_outside()
        qtbot.waitUntil(lambda: len(compare.review.items) == before_items + 1)
        qtbot.waitUntil(lambda: compare.project_counter() is not None
                        and compare.project_counter()[0] == unresolved_before + 1)
    finally:
        window.close()


def test_opening_a_team_project_from_the_file_menu(qtbot, team, tmp_path, monkeypatch):
    url, _lead, alice, _bob = team
    file_window = MainWindow(init_project(tmp_path / "mine.annotary"), "carol", testing=True)
    qtbot.addWidget(file_window)
    asked = []
    monkeypatch.setattr("app.ui.main_window.ask_address", lambda parent: url(alice))
    monkeypatch.setattr("app.ui.server_login.ask_password",
                        lambda parent, address, wrong: asked.append(address) or None)
    try:
        file_window.ask_open_team_project()
        assert asked == []  # the server did not ask for a password (trust): nobody was asked
        assert file_window.project.on_server and file_window.workspace.coder_name == alice
        assert file_window.server_poll.isActive()
        assert settings.recent_servers() == [url(alice)]
        assert url(alice) in settings.recent_projects()
        # back to the file: its coder again, no polling
        file_window.open_project_path(tmp_path / "mine.annotary")
        assert not file_window.project.on_server and file_window.workspace.coder_name == "carol"
        assert not file_window.server_poll.isActive()
    finally:
        file_window.close()


def test_the_password_is_asked_when_the_server_wants_one(qtbot, pg_server, team, monkeypatch):
    """A role the server asks a password of (a pg_hba line of this test's own): the first try goes
    without one, then the prompt's value reaches libpq; a wrong one is asked again."""
    url, lead, _alice, _bob = team
    name = url(lead).rsplit("/", 1)[1]
    dana = "dana_" + uuid.uuid4().hex[:6]
    with open_project(url(lead)) as project, project.engine.begin() as conn:
        add_coder(conn, name, dana, password="s3cret pass")
    hba = pg_server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {dana} 127.0.0.1/32 scram-sha-256\n" + original)
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    answers = iter(["wrong", "s3cret pass"])
    prompts = []

    def ask(parent, address, wrong):
        prompts.append((address, wrong))
        return next(answers)

    monkeypatch.setattr("app.ui.server_login.ask_password", ask)
    try:
        from app.ui.server_login import open_server_project

        project = open_server_project(url(dana), None, ask=ask)
        try:
            assert prompts == [(url(dana), False), (url(dana), True)]
            assert coder_for(project, None) == dana
            with project.read() as session:  # the pool's later connections have the password too
                assert session.connection().exec_driver_sql("SELECT current_user").scalar() == dana
        finally:
            project.close()
        assert all("s3cret" not in str(v) for v in settings.settings().allKeys())
        assert all("s3cret" not in str(settings.settings().value(k)) for k in settings.settings().allKeys())
    finally:
        hba.write_text(original)
        with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_a_password_in_the_address_is_refused_before_anything_is_remembered(qtbot, team):
    url, _lead, alice, _bob = team
    from app.core.errors import AnnotaryError
    from app.ui.server_login import open_server_project

    with pytest.raises(AnnotaryError, match="password in the project address is refused"):
        open_server_project(url(alice).replace(f"{alice}@", f"{alice}:pw@"), None)
    assert settings.recent_servers() == []




def test_opening_a_team_project_made_by_an_older_annotary_says_it_was_upgraded(qtbot, pg_url, tmp_path):
    """A server keeps no backup copy as a file does: the window says the database was upgraded,
    from which schema, that it kept no copy, and that the whole team now needs this Annotary."""
    init_project(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:  # the project as Annotary of schema 0007 left it
        conn.execute("DROP INDEX ix_event_arguments_mention_id")
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    window = MainWindow(init_project(tmp_path / "mine.annotary"), "carol", testing=True)
    qtbot.addWidget(window)
    try:
        window.open_project_path(pg_url)
        assert window.project.on_server
        notice = window.last_notice or ""
        assert "made by an older Annotary and has been upgraded (from schema 0007)" in notice
        assert "pg_dump" in notice and "Everyone on the team" in notice
        assert notice in window.statusBar().currentMessage()
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0008",)
            assert conn.execute("SELECT to_regclass('ix_event_arguments_mention_id')").fetchone()[0] is not None
        window.last_notice = None
        window.open_project_path(pg_url)  # opened again: nothing to upgrade, nothing said
        assert window.last_notice is None
    finally:
        window.close()
