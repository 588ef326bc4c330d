"""Many programs writing one project at once, each a separate process: coders on a server
project (each logged in as themselves, not a superuser) tagging, filling roles and undoing lose
no write; two adjudicators accepting the same item: exactly one wins, the other is told so.

Run as a script, this module is one of those processes (see `_worker`)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
CODERS = 4
ACTIONS = 40  # per coder


def _spawn(*args: str) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV, text=True)


def _start_together(procs: list[subprocess.Popen]) -> list[dict]:  # type: ignore[type-arg]
    """Wait until every process is ready (project open, what it decides on read), then let them go."""
    for p in procs:
        line = p.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == "ready", (line, p.stderr.read())  # type: ignore[union-attr]
    for p in procs:
        p.stdin.write("go\n")  # type: ignore[union-attr]
        p.stdin.flush()  # type: ignore[union-attr]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


# ------------------------------------------------------------------ the processes


def _coder(address: str, name: str, seed: str) -> dict:
    """Tag, make events with an argument, undo now and then; report what is left done."""
    from app.core.project import open_project
    from app.core.services.workspace import Workspace

    rng = random.Random(seed)
    with open_project(address) as project:
        ws = Workspace(project, name)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        layoff = next(t for t in ws.codebook.event_types if t.name == "Layoff")
        actor = next(r.id for r in layoff.roles if r.name == "Actor")
        texts = {d: ws.document_text(d) for d in range(1, 6)}
        print("ready", flush=True)
        sys.stdin.readline()
        done: list[str] = []  # what each undoable action still done added: m(ention), e(vent), a(rgument)
        for _ in range(ACTIONS):
            roll = rng.random()
            if done and roll < 0.25:
                ws.undo()
                done.pop()
                continue
            doc = rng.randint(1, 5)
            text = texts[doc]
            start = rng.randrange(0, len(text) - 20)
            while not text[start].isalnum():
                start += 1
            mention = ws.tag(doc, text, start, start + 5, types["Organization"]).mention_id
            done.append("m")
            if roll > 0.7:
                event = ws.create_event(doc, layoff.id).event_id
                done.append("e")
                ws.add_argument(event, actor, mention)
                done.append("a")
    return {"coder": name, "mentions": done.count("m"), "events": done.count("e"), "arguments": done.count("a")}


def _adjudicator(address: str, name: str, take: str) -> dict:
    """Read the review of document 1, then (on "go") accept `take`'s version of "Meta"."""
    from app.core.project import open_project
    from app.core.services.adjudication import GoldConflict
    from app.core.services.review import ReviewService
    from app.core.services.workspace import Workspace

    with open_project(address) as project:
        service = ReviewService(Workspace(project, name))
        (item,) = [i for i in service.document_review(1).items if i.kind == "mention" and take in i.holders]
        print("ready", flush=True)
        sys.stdin.readline()
        try:
            service.accept(item, take)
        except GoldConflict as exc:
            return {"adjudicator": name, "won": False, "message": str(exc)}
    return {"adjudicator": name, "won": True, "message": ""}


def _worker(argv: list[str]) -> None:
    kind, *args = argv
    result = _coder(*args) if kind == "coder" else _adjudicator(*args)
    print(json.dumps(result), flush=True)


# ------------------------------------------------------------------ the tests


@pytest.fixture
def team(pg_server):
    """A database owned by a lead who may create roles (not a superuser, so the rules bind them)."""
    name = "conc_" + uuid.uuid4().hex[:10]
    lead = "lead_" + uuid.uuid4().hex[:6]
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{lead}" LOGIN CREATEROLE')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{lead}"')
    url = lambda user: f"postgresql://{user}@127.0.0.1:{pg_server.port}/{name}"  # noqa: E731
    yield url, lead
    pg_server.drop_database(name)
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        for role in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"%{name}%",)).fetchall():
            conn.execute(f'DROP ROLE IF EXISTS "{role[0]}"')


def _server_project(url, lead, coders: list[str], adjudicators: list[str] = ()) -> None:
    from app.cli import main

    assert main(["init", url(lead)]) == 0
    if adjudicators:  # the lead adjudicates too (a coder of the project from here on)
        assert main(["role", lead, "adjudicator", "--project", url(lead)]) == 0
    for name in coders:
        assert main(["coders", "add", name, "--project", url(lead)]) == 0
    for name in adjudicators:
        assert main(["coders", "add", name, "--role", "adjudicator", "--project", url(lead)]) == 0


def test_coders_writing_at_once_on_a_server_lose_nothing(team):
    from app.core.models import Coder, Event, EventArgument, Mention
    from app.core.project import open_project

    url, lead = team
    suffix = uuid.uuid4().hex[:6]
    names = [f"c{i}_{suffix}" for i in range(CODERS)]
    _server_project(url, lead, names)
    results = _start_together([_spawn("coder", url(name), name, f"seed{i}") for i, name in enumerate(names)])
    with open_project(url(lead)) as project, project.read() as s:
        ids = dict(s.execute(select(Coder.name, Coder.id)).all())
        for r in results:
            coder = ids[r["coder"]]
            stored = (s.scalar(select(func.count()).select_from(Mention).where(Mention.coder_id == coder)),
                      s.scalar(select(func.count()).select_from(Event).where(Event.coder_id == coder)),
                      s.scalar(select(func.count()).select_from(EventArgument).join(Event, EventArgument.event_id == Event.id)
                               .where(Event.coder_id == coder)))
            assert stored == (r["mentions"], r["events"], r["arguments"]), r
    assert sum(r["mentions"] for r in results) > CODERS * ACTIONS // 3  # they did write, a lot


def _coded(address: str) -> None:
    """alice tags "Meta" in document 1 an Organization, bob a Person."""
    from app.core.project import open_project
    from app.core.services.workspace import Workspace

    with open_project(address) as project:
        for coder, type_name in (("alice", "Organization"), ("bob", "Person")):
            ws = Workspace(project, coder)
            text = ws.document_text(1)
            i = text.index("Meta is reversing")
            ws.tag(1, text, i, i + 4, next(t.id for t in ws.codebook.entity_types if t.name == type_name))


def _one_winner(results: list[dict]) -> dict:
    winners = [r for r in results if r["won"]]
    assert len(winners) == 1, results
    (loser,) = [r for r in results if not r["won"]]
    assert loser["message"].startswith(f"{winners[0]['adjudicator']} settled this item meanwhile: gold now has ")
    assert loser["message"].endswith(" — look again")
    return winners[0]


def test_two_adjudicator_processes_on_a_server_one_wins(team):
    from app.core.models import Coder, EntityType, Mention
    from app.core.project import open_project

    url, lead = team
    carol = "carol_" + uuid.uuid4().hex[:6]
    _server_project(url, lead, ["alice", "bob"], [carol])
    _coded(url(lead))  # the coders' work (the lead may write any coder's rows)
    winner = _one_winner(_start_together([_spawn("adjudicator", url(lead), lead, "alice"),
                                          _spawn("adjudicator", url(carol), carol, "bob")]))
    with open_project(url(lead)) as project, project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        (type_id,) = s.scalars(select(Mention.entity_type_id).where(Mention.coder_id == gold)).all()
        name = s.scalar(select(EntityType.name).where(EntityType.id == type_id))
    assert name == ("Organization" if winner["adjudicator"] == lead else "Person")  # the winner's, whole


def test_two_adjudicator_processes_on_one_file_one_wins(tmp_path):
    from app.core.services.coders import set_role
    from app.core.services.projects import init_project

    path = tmp_path / "team.annotary"
    with init_project(path) as project, project.uow() as s:
        for name in ("lead", "carol"):
            set_role(s, name, "adjudicator")
    _coded(str(path))
    _one_winner(_start_together([_spawn("adjudicator", str(path), "lead", "alice"),
                                 _spawn("adjudicator", str(path), "carol", "bob")]))


if __name__ == "__main__":
    _worker(sys.argv[1:])
