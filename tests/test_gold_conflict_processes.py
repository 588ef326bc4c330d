"""Two adjudicators, each a separate program (on a server each logged in as themselves, not a
superuser; or two programs on one file): an undo of a decision the other settled over since is
refused and keeps its place; coding as gold and accepting the same item at the same moment: exactly
one wins, the other is told who settled it.

Run as a script, this module is one adjudicator's program: it reads commands (JSON lists) from its
input, one a line, and answers each with a JSON line (see `_worker`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
DOC = 1


def _worker(address: str, name: str) -> None:
    from app.core.errors import AnnotaryError
    from app.core.project import open_project
    from app.core.services.adjudication import GoldConflict
    from app.core.services.gold_edits import install
    from app.core.services.review import ReviewService
    from app.core.services.workspace import Workspace

    with open_project(address) as project:
        service = ReviewService(Workspace(project, name))
        gold = Workspace(project, "gold")  # coding as gold: its own history, the hook names `name`
        edits = install(project, gold.history, name)
        view = service.document_review(DOC)
        text = gold.document_text(DOC)
        meta = text.index("Meta is reversing")
        types = {t.name: t.id for t in gold.codebook.entity_types}
        print(json.dumps({"ok": True}), flush=True)
        for line in sys.stdin:
            command, *args = json.loads(line)
            try:
                if command == "look":  # what the adjudicator's views show from now on
                    view = service.document_review(DOC)
                    edits.look(DOC)
                elif command == "accept":
                    (item,) = [i for i in view.items if i.description == args[0]]
                    service.accept(item, args[1])
                elif command == "undo":
                    service.workspace.undo()
                elif command == "redo":
                    service.workspace.redo()
                elif command == "gold_tag":
                    gold.tag(DOC, text, meta, meta + 4, types[args[0]])
                answer = {"ok": True, "undo": service.workspace.history.undo_label}
            except AnnotaryError as exc:
                conflict = isinstance(exc, GoldConflict) or isinstance(exc.__cause__, GoldConflict)
                answer = {"ok": False, "message": str(exc), "conflict": conflict,
                          "undo": service.workspace.history.undo_label}
            print(json.dumps(answer), flush=True)


class Adjudicator:
    """One adjudicator's program, told what to do."""

    def __init__(self, address: str, name: str) -> None:
        self.name = name
        self.proc = subprocess.Popen([sys.executable, __file__, address, name], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
        assert self.answer()["ok"]

    def send(self, *command: str) -> None:
        self.proc.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def answer(self) -> dict:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line, self.proc.stderr.read()  # type: ignore[union-attr]
        return json.loads(line)

    def do(self, *command: str) -> dict:
        self.send(*command)
        return self.answer()

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        assert self.proc.wait(timeout=60) == 0, self.proc.stderr.read()  # type: ignore[union-attr]


def _gold(address):
    from sqlalchemy import select

    from app.core.models import Coder, EntityType, Mention
    from app.core.project import open_project

    with open_project(address) as project, project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        return sorted(s.scalars(select(EntityType.name).join(Mention, Mention.entity_type_id == EntityType.id)
                                .where(Mention.coder_id == gold)))


def _undo_refused_then_allowed(lead_address: str, carol_address: str, lead: str, carol: str) -> None:
    first, second = Adjudicator(lead_address, lead), Adjudicator(carol_address, carol)
    try:
        assert first.do("accept", "Organization “Meta”", "alice")["ok"]
        assert second.do("look")["ok"]  # carol sees lead's decision, and overrules it
        assert second.do("accept", "Person “Meta”", "bob")["ok"]
        refused = first.do("undo")
        assert refused == {"ok": False, "conflict": True, "undo": "accept mention into gold", "message":
                           f"cannot undo accept mention into gold: {carol} settled Organization “Meta” after you: "
                           "gold now has Person “Meta” — look again"}
        assert _gold(lead_address) == ["Person"]  # carol's stands
        assert second.do("undo")["ok"]  # carol takes hers back: gold is as lead left it
        assert first.do("undo") == {"ok": True, "undo": None}
        assert _gold(lead_address) == []
    finally:
        first.close()
        second.close()


def _edit_and_accept_at_once(lead_address: str, carol_address: str, lead: str, carol: str) -> None:
    """lead codes "Meta" a Location as gold while carol accepts alice's Organization: both from the same view."""
    first, second = Adjudicator(lead_address, lead), Adjudicator(carol_address, carol)
    try:
        for a in (first, second):
            assert a.do("look")["ok"]
        first.send("gold_tag", "Location")
        second.send("accept", "Organization “Meta”", "alice")
        edited, accepted = first.answer(), second.answer()
        assert [edited["ok"], accepted["ok"]].count(True) == 1, (edited, accepted)
        if edited["ok"]:
            assert accepted["message"] == f"{lead} settled this item meanwhile: gold now has Location “Meta” — look again"
            assert _gold(lead_address) == ["Location"]
        else:
            assert edited["conflict"] and edited["message"].startswith(f"{carol} settled ")
            assert edited["message"].endswith(" — look again")
            assert _gold(lead_address) == ["Organization"]
    finally:
        first.close()
        second.close()


@pytest.fixture
def on_file(tmp_path):
    from app.core.services.coders import set_role
    from app.core.services.projects import init_project
    from test_concurrency_server import _coded

    path = tmp_path / "team.annotary"
    with init_project(path) as project, project.uow() as s:
        for name in ("lead", "carol"):
            set_role(s, name, "adjudicator")
    _coded(str(path))
    return str(path)


@pytest.fixture
def on_server(team):
    from test_concurrency_server import _coded, _server_project

    url, lead = team
    carol = "carol_" + uuid.uuid4().hex[:6]
    _server_project(url, lead, ["alice", "bob"], [carol])
    _coded(url(lead))
    return url, lead, carol


def test_an_undo_over_anothers_later_decision_is_refused_on_a_file(on_file):
    _undo_refused_then_allowed(on_file, on_file, "lead", "carol")


def test_an_undo_over_anothers_later_decision_is_refused_on_a_server(on_server):
    url, lead, carol = on_server
    _undo_refused_then_allowed(url(lead), url(carol), lead, carol)


def test_coding_as_gold_and_accepting_at_once_on_a_file(on_file):
    _edit_and_accept_at_once(on_file, on_file, "lead", "carol")


def test_coding_as_gold_and_accepting_at_once_on_a_server(on_server):
    url, lead, carol = on_server
    _edit_and_accept_at_once(url(lead), url(carol), lead, carol)


if __name__ == "__main__":
    _worker(*sys.argv[1:])
else:
    from test_concurrency_server import team  # noqa: F401  (a fixture)
