"""The real main window of an adjudicator on a team project while another adjudicator settles the
same gold from their own connection: an undo, or an edit made coding as gold, that would overwrite
the other's decision is refused with the conflict said, nothing stored, the undo still offered, and
the Compare view shows what gold now holds."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from PySide6.QtCore import Qt

from app.core.project import open_project
from app.core.server.identity import coder_for
from app.core.server.roles import add_coder
from app.core.services.projects import init_project
from app.core.services.review import ReviewService
from app.core.services.workspace import Workspace
from app.ui import review_actions
from app.ui.main_window import MainWindow
from team_coding import code_document


@pytest.fixture
def team(pg_server):
    """A seeded team project owned by a lead (not a superuser), two coders who coded document 5
    differently ("Meta": alice an Organization, bob a Person) and a second adjudicator, carol."""
    name = "gguc_" + uuid.uuid4().hex[:10]
    tag = uuid.uuid4().hex[:6]
    lead, alice, bob, carol = f"lead_{tag}", f"alice_{tag}", f"bob_{tag}", f"carol_{tag}"
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{lead}" LOGIN CREATEROLE')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{lead}"')

    def url(user: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{pg_server.port}/{name}"

    with init_project(url(lead)) as project, project.engine.begin() as conn:
        add_coder(conn, name, lead, role="adjudicator")
        add_coder(conn, name, carol, role="adjudicator")
        add_coder(conn, name, alice)
        add_coder(conn, name, bob)
    code_document(url(alice), alice, [("OpenAI", "Organization", 0), ("Meta", "Organization", 0)], "negative", [5])
    code_document(url(bob), bob, [("OpenAI", "Organization", 0), ("Meta", "Person", 0)], "negative", [5])
    yield url, lead, carol
    pg_server.drop_database(name)


def _window(qtbot, address):
    project = open_project(address)
    window = MainWindow(project, coder_for(project, None), testing=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_document(5)
    return window


def _carol_accepts(address, carol, description, coder):
    """carol, from her own program, accepts `coder`'s version of the item (having seen it as it is)."""
    with open_project(address) as project:
        service = ReviewService(Workspace(project, carol))
        (item,) = [i for i in service.document_review(5).items if i.description == description]
        service.accept(item, coder)


def _gold(address):
    with psycopg.connect(address) as conn:
        return conn.execute("SELECT m.text, t.name FROM mentions m JOIN coders c ON c.id = m.coder_id "
                            "JOIN entity_types t ON t.id = m.entity_type_id WHERE c.name = 'gold' "
                            "ORDER BY m.start").fetchall()


def test_an_undo_refused_by_a_conflict_says_so_and_shows_gold_as_it_is(qtbot, team):
    url, lead, carol = team
    window = _window(qtbot, url(lead))
    try:
        review_actions.show_compare(window)
        compare = window.compare_window
        meta = next(i for i in compare.review.items if i.description == "Organization “Meta”")
        assert compare.select_ref(meta.ref)
        alice = next(name for name in compare.accept_buttons if name.startswith("alice"))
        qtbot.mouseClick(compare.accept_buttons[alice], Qt.MouseButton.LeftButton)
        assert _gold(url(lead)) == [("Meta", "Organization")]
        bob = next(name for name in compare.accept_buttons if name.startswith("bob"))
        _carol_accepts(url(carol), carol, "Person “Meta”", bob)  # carol overrules lead, before any poll
        window.action_undo.trigger()  # Edit → Undo accept mention into gold
        message = (f"cannot undo accept mention into gold: {carol} settled Organization “Meta” after you: "
                   "gold now has Person “Meta” — look again")
        assert window.last_error == message
        assert _gold(url(lead)) == [("Meta", "Person")]  # carol's decision stands
        assert window.action_undo.text() == "&Undo accept mention into gold"  # still there to undo
        compare.undo()  # the Compare view's Undo: the same refusal, and the view reads gold again
        assert window.last_error == message and compare.notice.text() == message
        shown = next(i for i in compare.review.items if i.ref == meta.ref)
        assert (shown.gold, shown.gold_description) == ("gold differs", "Person “Meta”")
        gold_reader = compare.readers["gold"]
        assert [gold_reader.text[s.start:s.end] for s in gold_reader._spans] == ["Meta"]
    finally:
        window.close()


def test_coding_as_gold_does_not_overwrite_what_another_adjudicator_settled_meanwhile(qtbot, team):
    url, lead, carol = team
    window = _window(qtbot, url(lead))
    try:
        review_actions.show_compare(window)
        compare = window.compare_window
        compare.edit_button.click()  # Edit gold…: lead codes as gold in the main window
        assert window.workspace.coder_name == "gold"
        alice = next(name for name in compare.accept_buttons if name.startswith("alice"))
        _carol_accepts(url(carol), carol, "Organization “Meta”", alice)
        text = window.reader.text
        i = text.index("Meta")
        person = next(t.id for t in window.workspace.codebook.entity_types if t.name == "Person")
        window.reader.select_cp(i, i + 4)
        window.tag_selection(person)  # from a view that does not show carol's decision yet
        assert window.last_error is not None
        assert window.last_error.startswith(f"{carol} settled ") and window.last_error.endswith(" — look again")
        assert _gold(url(lead)) == [("Meta", "Organization")]
        assert window.poll_outside()  # others' commits shown: lead now sees carol's gold, and may change it
        window.reader.select_cp(i, i + 4)
        window.tag_selection(person)
        assert _gold(url(lead)) == [("Meta", "Organization"), ("Meta", "Person")]
        # the window's edit moved the document's gold version: carol's older view is refused
        with open_project(url(carol)) as project, project.read() as s:
            from sqlalchemy import select

            from app.core.models import Document
            assert s.execute(select(Document.gold_version, Document.gold_settled_by)
                             .where(Document.id == 5)).one() == (2, lead)
    finally:
        window.close()
