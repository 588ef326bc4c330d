"""Nested events: a role filled by another event (brat's event-in-event), with undo, cycles
refused, the workbook, the codebook file, the migration and merging a coder's copy."""

import shutil
import sqlite3

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import migrations
from app.core.changes import Change
from app.core.codebook import (
    apply_codebook,
    codebook_to_dict,
    load_codebook,
    read_codebook,
    save_codebook,
)
from app.core.errors import AnnotaryError
from app.core.export.xlsx import export_xlsx
from app.core.models import Event, EventArgument, Mention
from app.core.paths import default_codebook_path
from app.core.project import open_project
from app.core.services.merge import merge_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from tests.test_upgrade_fixtures import FIXTURES, check_content

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL

DOC = 1  # "Meta reverses decision to reassign employees to AI training roles"


def allow_nested(project) -> None:
    """Policy of a Policy reversal accepts Reassignment events (besides its entity types)."""
    with project.uow() as s:
        spec = read_codebook(s)
        policy = spec.event_type("Policy reversal").role("Policy")
        policy.accepts_events = ["Reassignment"]
        apply_codebook(s, spec)


def table(project) -> dict:
    with project.read() as s:
        return {
            "events": sorted((e.id, e.event_type_id) for e in s.scalars(select(Event))),
            "args": sorted((a.id, a.event_id, a.role_id, a.mention_id, a.argument_event_id)
                           for a in s.scalars(select(EventArgument))),
            "mentions": sorted(m.id for m in s.scalars(select(Mention))),
        }


class Coding:
    def __init__(self, project, coder="alice"):
        allow_nested(project)
        self.ws = ws = Workspace(project, coder)
        self.text = ws.document_text(DOC)
        self.types = {t.name: t for t in ws.codebook.event_types}
        self.entities = {t.name: t.id for t in ws.codebook.entity_types}
        self.changes: list[Change] = []
        project.changes.subscribe(self.changes.append)

    def role(self, event_type: str, role: str) -> int:
        return next(r.id for r in self.types[event_type].roles if r.name == role)

    def event(self, event_type: str, trigger: str) -> int:
        start = self.text.index(trigger)
        return self.ws.create_event(DOC, self.types[event_type].id, self.text, (start, start + len(trigger))).event_id

    def tag(self, needle: str, type_name: str) -> int:
        """Tag the first whole-word occurrence (the page header glues "HomeStrategyMeta")."""
        start = self.text.index(f"\n{needle}") + 1 if f"\n{needle}" in self.text else self.text.index(needle)
        return self.ws.tag(DOC, self.text, start, start + len(needle), self.entities[type_name]).mention_id

    def nest(self) -> tuple[int, int]:
        """A Policy reversal ("reverses") whose Policy is a Reassignment ("reassign")."""
        reversal, reassign = self.event("Policy reversal", "reverses"), self.event("Reassignment", "reassign")
        self.ws.add_argument(reversal, self.role("Policy reversal", "Policy"), argument_event_id=reassign)
        return reversal, reassign


def test_the_codebook_shows_which_roles_take_events(seeded_project):
    c = Coding(seeded_project)
    policy = next(r for r in c.types["Policy reversal"].roles if r.name == "Policy")
    assert policy.accepts_events == (c.types["Reassignment"].id,)
    assert policy.accepts  # it still takes its entity types


def test_an_event_fills_a_role_and_undo_redo_restore_it_exactly(seeded_project):
    c = Coding(seeded_project)
    reversal, reassign = c.nest()
    filled = table(seeded_project)
    view = next(e for e in c.ws.events(DOC) if e.id == reversal)
    (arg,) = view.arguments
    assert (arg.role, arg.mention_id, arg.argument_event_id, arg.text) == ("Policy", None, reassign,
                                                                         "Reassignment “reassign”")
    assert view.summary() == "Policy reversal “reverses” — Policy: [Reassignment “reassign”]"
    assert c.changes[-1].events == {reversal, reassign}
    c.ws.undo()
    assert [e.arguments for e in c.ws.events(DOC) if e.id == reversal] == [()]
    assert c.changes[-1].source == "undo" and c.changes[-1].events == {reversal, reassign}
    c.ws.redo()
    assert table(seeded_project) == filled  # the same ids


def test_deleting_the_inner_event_removes_the_argument_and_undo_restores_both(seeded_project):
    c = Coding(seeded_project)
    reversal, reassign = c.nest()
    employees = c.tag("employees", "Worker group")
    c.ws.add_argument(reassign, c.role("Reassignment", "Affected"), employees)
    before = table(seeded_project)
    c.ws.delete_event(reassign)
    after = table(seeded_project)
    assert [e[0] for e in after["events"]] == [reversal] and after["args"] == []
    assert c.changes[-1].events == {reversal, reassign}  # the outer event lost its Policy
    c.ws.undo()
    assert table(seeded_project) == before
    c.ws.redo()
    assert table(seeded_project) == after
    c.ws.undo()
    c.ws.delete_event(reversal)  # deleting the outer event leaves the inner one whole
    assert [e[0] for e in table(seeded_project)["events"]] == [reassign]
    c.ws.undo()
    assert table(seeded_project) == before


def test_cycles_are_refused(seeded_project):
    c = Coding(seeded_project)
    with seeded_project.uow() as s:  # let Reassignment's Origin take Policy reversals, to try a cycle
        spec = read_codebook(s)
        spec.event_type("Reassignment").role("Origin").accepts_events = ["Policy reversal"]
        apply_codebook(s, spec)
    c.ws.load_codebook()
    c.types = {t.name: t for t in c.ws.codebook.event_types}
    reversal, reassign = c.nest()
    before = table(seeded_project)
    with pytest.raises(AnnotaryError, match="an event cannot be its own argument"):
        c.ws.add_argument(reassign, c.role("Reassignment", "Origin"), argument_event_id=reversal)
    other = c.event("Policy reversal", "decision")
    c.ws.add_argument(reassign, c.role("Reassignment", "Origin"), argument_event_id=other)  # no cycle: fine
    with pytest.raises(AnnotaryError, match="already contains"):  # reversal -> reassign -> other -> reassign
        c.ws.add_argument(other, c.role("Policy reversal", "Policy"), argument_event_id=reassign)
    with pytest.raises(AnnotaryError, match="an event cannot be its own argument"):
        c.ws.add_argument(other, c.role("Policy reversal", "Policy"), argument_event_id=other)
    assert len(table(seeded_project)["args"]) == len(before["args"]) + 1


def test_type_acceptance_is_refused_with_clear_messages(seeded_project):
    c = Coding(seeded_project)
    reversal = c.event("Policy reversal", "reverses")
    layoff = c.event("Layoff", "decision")
    with pytest.raises(AnnotaryError, match=r"^Policy of Policy reversal accepts .*Reassignment events, "
                                            r"not Layoff events$"):
        c.ws.add_argument(reversal, c.role("Policy reversal", "Policy"), argument_event_id=layoff)
    actor = c.role("Policy reversal", "Actor")
    with pytest.raises(AnnotaryError, match=r"^Actor of Policy reversal accepts Organization, Person, Team/Unit, "
                                            "not Layoff events$"):
        c.ws.add_argument(reversal, actor, argument_event_id=layoff)
    with pytest.raises(AnnotaryError, match="either a mention or an event"):
        c.ws.add_argument(reversal, actor)
    bob = Workspace(seeded_project, "bob")
    theirs = bob.create_event(DOC, c.types["Reassignment"].id).event_id
    with pytest.raises(AnnotaryError, match="an event by the same coder"):
        c.ws.add_argument(reversal, c.role("Policy reversal", "Policy"), argument_event_id=theirs)
    assert table(seeded_project)["args"] == []


def test_a_role_that_takes_only_events_refuses_mentions(seeded_project):
    c = Coding(seeded_project)
    with seeded_project.uow() as s:
        spec = read_codebook(s)
        policy = spec.event_type("Policy reversal").role("Policy")
        policy.accepts = []
        apply_codebook(s, spec)
    reversal = c.event("Policy reversal", "reverses")
    meta = c.tag("Meta", "Organization")
    with pytest.raises(AnnotaryError, match=r"^Policy of Policy reversal accepts Reassignment events, not Organization$"):
        c.ws.add_argument(reversal, c.role("Policy reversal", "Policy"), meta)


def test_the_workbook_has_the_argument_event(seeded_project, tmp_path):
    c = Coding(seeded_project)
    reversal, reassign = c.nest()
    meta = c.tag("Meta", "Organization")
    c.ws.add_argument(reversal, c.role("Policy reversal", "Actor"), meta)
    export_xlsx(seeded_project, tmp_path / "out.xlsx")
    rows = list(load_workbook(tmp_path / "out.xlsx")["Event arguments"].iter_rows(values_only=True))
    assert rows[0] == ("event_id", "role", "mention_id", "text", "mention_type", "argument_event_id")
    assert sorted(rows[1:], key=str) == sorted([
        (reversal, "Actor", meta, "Meta", "Organization", None),
        (reversal, "Policy", None, "Reassignment “reassign”", None, reassign),
    ], key=str)
    codebook = list(load_workbook(tmp_path / "out.xlsx")["Codebook"].iter_rows(values_only=True))
    policy = next(r for r in codebook if r[0] == "role" and r[2] == "Policy" and r[3] == "Policy reversal")
    assert policy[7].endswith("; Reassignment (event)")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_codebook_file_round_trip_with_event_accepting_roles(seeded_project, tmp_path, suffix):
    allow_nested(seeded_project)
    with seeded_project.read() as s:
        spec = read_codebook(s)
    save_codebook(spec, tmp_path / f"cb{suffix}")
    again = load_codebook(tmp_path / f"cb{suffix}")
    assert codebook_to_dict(again) == codebook_to_dict(spec)
    assert again.event_type("Policy reversal").role("Policy").accepts_events == ["Reassignment"]
    fresh = init_project(tmp_path / "fresh.annotary", empty=True)
    with fresh.uow() as s:
        apply_codebook(s, again)
    with fresh.read() as s:
        assert codebook_to_dict(read_codebook(s)) == codebook_to_dict(spec)
    fresh.close()


def test_a_codebook_without_nested_events_writes_as_before(tmp_path):
    spec = load_codebook(default_codebook_path())
    assert spec.relation_types and any(r.accepts_events for t in spec.event_types for r in t.roles)
    spec.relation_types.clear()
    for event_type in spec.event_types:
        for role in event_type.roles:
            role.accepts_events.clear()
    data = codebook_to_dict(spec)
    assert all("accepts_events" not in r for t in data["event_types"] for r in t["roles"])
    assert "relation_types" not in data


def test_unknown_event_type_in_a_role_is_refused(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("entity_types: [{name: Org, color: '#112233'}]\n"
                    "event_types: [{name: Reversal, color: '#223344', roles: [{name: Policy, "
                    "accepts_events: [Reasignment]}]}]\n", encoding="utf-8")
    with pytest.raises(AnnotaryError, match="role 'Policy' of 'Reversal' accepts unknown event type 'Reasignment'"):
        load_codebook(path)


@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_fixtures_upgrade_and_then_take_nested_events(tmp_path, revision):
    path = tmp_path / "corpus.annotary"
    shutil.copyfile(FIXTURES / f"schema-{revision}.annotary", path)
    with open_project(path) as project:
        assert migrations.current_revision(project.engine) == migrations.head()
        check_content(project, revision)  # every argument kept its mention
        with project.read() as s:
            assert all(a.mention_id is not None and a.argument_event_id is None
                       for a in s.scalars(select(EventArgument)))
        allow_nested(project)
        ws = Workspace(project, "alice")
        layoff = next(e for e in ws.events(1))
        reversal = next(t for t in ws.codebook.event_types if t.name == "Policy reversal")
        outer = ws.create_event(1, reversal.id).event_id
        policy = next(r.id for r in reversal.roles if r.name == "Policy")
        with pytest.raises(AnnotaryError, match="not Layoff events"):
            ws.add_argument(outer, policy, argument_event_id=layoff.id)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def _downgrade(path, revision):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    with migrations.schema_change(engine) as conn:
        command.downgrade(migrations.config(conn), revision)
    engine.dispose()


def test_a_file_of_schema_0004_made_by_this_code_upgrades_with_every_annotation(tmp_path):
    path = tmp_path / "made.annotary"
    project = init_project(path)
    c = Coding(project)
    meta = c.tag("Meta", "Organization")
    reassign = c.event("Reassignment", "reassign")
    c.ws.add_argument(reassign, c.role("Reassignment", "Actor"), meta)
    project.close()
    _downgrade(path, "0004")  # what Annotary with schema 0004 wrote (nested events cannot be there)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    assert "argument_event_id" not in [r[1] for r in con.execute("PRAGMA table_info(event_arguments)")]
    con.close()
    with open_project(path) as again:
        assert migrations.current_revision(again.engine) == migrations.head()
        ws = Workspace(again, "alice")
        (event,) = ws.events(DOC)
        assert [(a.role, a.mention_id, a.text) for a in event.arguments] == [("Actor", meta, "Meta")]
        allow_nested(again)
        ws.load_codebook()
        reversal = next(t for t in ws.codebook.event_types if t.name == "Policy reversal")
        outer = ws.create_event(DOC, reversal.id).event_id
        ws.add_argument(outer, next(r.id for r in reversal.roles if r.name == "Policy"), argument_event_id=reassign)
        with pytest.raises(Exception, match="CHECK constraint failed"), again.uow() as s:
            s.add(EventArgument(event_id=outer, role_id=event.arguments[0].role_id, mention_id=meta,
                                argument_event_id=reassign))
            s.flush()


def test_merging_a_copy_with_nested_events_is_idempotent(tmp_path):
    lead = tmp_path / "lead.annotary"
    init_project(lead).close()
    copy = tmp_path / "alice.annotary"
    shutil.copy(lead, copy)
    with open_project(copy) as project:
        c = Coding(project)
        _reversal, reassign = c.nest()
        c.ws.add_argument(reassign, c.role("Reassignment", "Affected"), c.tag("employees", "Worker group"))
    with open_project(lead) as project:
        allow_nested(project)
        first = merge_project(project, copy)
        state = table(project)
        again = merge_project(project, copy)
        assert table(project) == state
        ws = Workspace(project, "alice")
        views = {e.type_name: e for e in ws.events(DOC)}
    assert first.events_added == 2 and again.events_added == 0 and again.mentions_added == 0
    (policy,) = views["Policy reversal"].arguments
    assert policy.argument_event_id == views["Reassignment"].id and policy.text == "Reassignment “reassign”"
    assert [a.text for a in views["Reassignment"].arguments] == ["employees"]


def test_merge_refuses_a_copy_whose_codebook_lacks_what_it_needs_unless_accepted(tmp_path):
    lead = tmp_path / "lead.annotary"
    with init_project(lead) as project, project.uow() as s:  # a lead whose Policy takes no events
        spec = read_codebook(s)
        spec.event_type("Policy reversal").role("Policy").accepts_events = []
        apply_codebook(s, spec)
    copy = tmp_path / "alice.annotary"
    shutil.copy(lead, copy)
    with open_project(copy) as project:
        Coding(project).nest()
    with open_project(lead) as project:
        with pytest.raises(AnnotaryError, match="role 'Policy' of 'Policy reversal' differs"):
            merge_project(project, copy)
        report = merge_project(project, copy, accept_codebook=True)
        assert report.events_added == 2
        with project.read() as s:
            assert read_codebook(s).event_type("Policy reversal").role("Policy").accepts_events == [
                "Reassignment"]


def test_codebook_edits_of_event_types_that_roles_accept_come_back_whole_on_undo(seeded_project):
    from app.core.codebook.rows import EVENT, ROLE
    from app.core.services.codebook_edits import commands as cb

    c = Coding(seeded_project)
    reassignment, reversal = c.types["Reassignment"], c.types["Policy reversal"]
    policy = c.role("Policy reversal", "Policy")

    def accepted() -> list[str]:
        with seeded_project.read() as s:
            role = read_codebook(s).event_type("Policy reversal").role("Policy")
            return role.accepts_events if role is not None else ["(no role)"]

    cb.remove(c.ws, EVENT, reassignment.id)  # unused: the role forgets it, and undo brings both back
    assert accepted() == []
    c.ws.undo()
    assert accepted() == ["Reassignment"]
    cb.remove(c.ws, ROLE, policy)
    assert accepted() == ["(no role)"]
    c.ws.undo()
    assert accepted() == ["Reassignment"]
    _, reassign = c.nest()  # stored nested events are protected, with counts
    with pytest.raises(AnnotaryError, match=r"^Reassignment events fill Policy in 1 event in 1 document"):
        cb.set_role_accepts_events(c.ws, policy, [])
    with pytest.raises(AnnotaryError, match="the role Policy of Policy reversal is filled in 1 event"):
        cb.remove(c.ws, ROLE, policy)
    with pytest.raises(AnnotaryError, match="Policy reversal events hold 1 nested event in 1 document"):
        cb.merge(c.ws, EVENT, reversal.id, reassignment.id)
    cb.merge(c.ws, EVENT, reassignment.id, reversal.id)  # the role now accepts what the nested event became
    assert accepted() == ["Policy reversal"]
    c.ws.undo()
    assert accepted() == ["Reassignment"]
    with seeded_project.read() as s:
        assert s.get(Event, reassign).event_type_id == reassignment.id


def test_review_and_accepting_into_gold_work_with_nested_events(seeded_project):
    """The review lists a nested event like any event; accepting it into gold copies its mention
    arguments and the event filling its Policy (see tests/test_adjudication_relations.py)."""
    from app.core.services.coders import set_role
    from app.core.services.review import ReviewService

    c = Coding(seeded_project)
    reversal, _reassign = c.nest()
    c.ws.add_argument(reversal, c.role("Policy reversal", "Actor"), c.tag("Meta", "Organization"))
    with seeded_project.uow() as s:
        set_role(s, "lead", "adjudicator")
    service = ReviewService(Workspace(seeded_project, "lead"))
    review = service.document_review(DOC)
    item = next(i for i in review.items if i.kind == "event" and "Policy reversal" in i.description)
    service.accept(item, "alice")
    with seeded_project.read() as s:
        gold = s.scalars(select(Event).where(Event.coder_id != c.ws.coder_id)).all()
        assert sorted((e.event_type_id, sorted(a.mention_id is not None for a in e.arguments)) for e in gold) == sorted([
            (c.types["Policy reversal"].id, [False, True]), (c.types["Reassignment"].id, [])])
