"""Two coders, alice and bob, code the Arabic OpenAI article (document 5) with chosen differences."""

import pytest

from app.core.project import open_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace


def code_document(path, coder, spans, tone, done_docs, event_role=None):
    with open_project(path) as project:
        ws = Workspace(project, coder)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        text = ws.document_text(5)
        ids = {}
        for needle, tname, shift in spans:
            i = text.index(needle)
            ids[needle] = ws.tag(5, text, i + shift, i + len(needle), types[tname]).mention_id
        tone_code = next(c for c in ws.codebook.document_codes if c.name == "tone")
        ws.set_document_code(5, tone_code.id, tone)
        poach = next(t for t in ws.codebook.event_types if t.name == "Hiring/Poaching offer")
        trig = text.index("الصيد الجائر")
        ev = ws.create_event(5, poach.id, text, (trig, trig + 5)).event_id
        if event_role:
            role = next(r.id for r in poach.roles if r.name == event_role[0])
            ws.add_argument(ev, role, ids[event_role[1]])
        ws.set_event_attribute(ev, ws.codebook.event_attributes[0].id, "reported")
        for doc in done_docs:
            ws.set_done(doc, True)
        if coder == "alice":
            ws.set_document_code(4, tone_code.id, "neutral")  # only alice codes document 4


@pytest.fixture
def coded(tmp_path):
    path = tmp_path / "team.annotary"
    init_project(path).close()
    code_document(path, "alice", [("OpenAI", "Organization", 0), ("Meta", "Organization", 0),
                          ("ثمانية باحثين", "Quantity", 0)], "negative", [5, 4], ("Actor", "Meta"))
    code_document(path, "bob", [("OpenAI", "Organization", 0), ("Meta", "Person", 0),
                        ("ثمانية باحثين", "Quantity", 7)], "negative", [5], ("Actor", "OpenAI"))
    return path


def as_login(address, user):
    """The same server project's address for another login (a file's path stays as it is)."""
    from sqlalchemy.engine import make_url

    from app.core.address import is_server_address

    if not is_server_address(address):
        return address
    return make_url(address).set(username=user).render_as_string(hide_password=False)


@pytest.fixture
def coded_at(new_address):
    """`coded` on the module's backends: the address (a string) of the project alice and bob coded.
    On a server the lead (not a superuser) adds them as coders (login roles) and each codes through
    their own connection, so row-level security checks every write."""
    from app.core.project import open_project

    address = new_address("team")
    init_project(address).close()
    if address.startswith("postgresql"):
        from app.core.server.roles import add_coder

        with open_project(address) as project, project.engine.begin() as conn:
            for coder in ("alice", "bob"):
                add_coder(conn, None, coder)
    code_document(as_login(address, "alice"), "alice", [("OpenAI", "Organization", 0), ("Meta", "Organization", 0),
                  ("ثمانية باحثين", "Quantity", 0)], "negative", [5, 4], ("Actor", "Meta"))
    code_document(as_login(address, "bob"), "bob", [("OpenAI", "Organization", 0), ("Meta", "Person", 0),
                  ("ثمانية باحثين", "Quantity", 7)], "negative", [5], ("Actor", "OpenAI"))
    return address




def add_differences(path):
    """More differences in document 5: the document codes (tone, primary_topic), the Modality of the
    shared event, and a Layoff event only alice has."""
    with open_project(path) as project:
        alice, bob = Workspace(project, "alice"), Workspace(project, "bob")
        codes = {c.name: c.id for c in bob.codebook.document_codes}
        bob.set_document_code(5, codes["tone"], "neutral")
        alice.set_document_code(5, codes["primary_topic"], "talent war/poaching")
        bob.set_document_code(5, codes["primary_topic"], "investment")
        (event,) = bob.events(5)
        bob.set_event_attribute(event.id, bob.codebook.event_attributes[0].id, "asserted")
        text = alice.document_text(5)
        layoff = next(t.id for t in alice.codebook.event_types if t.name == "Layoff")
        i = text.index("إيقاف")
        alice.create_event(5, layoff, text, (i, i + len("إيقاف")))
