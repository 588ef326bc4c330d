"""Adjudicating relations and nested event arguments: relation review items lined up across
coders (a symmetric one either way round), accepting one into gold with its two mentions in one
undoable action, and accepting an event whose role an event fills ("Meta reverses decision to
reassign 7,000 employees": a Policy reversal whose Policy is a Reassignment)."""

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Coder, Event, EventArgument, Mention, Relation
from app.core.services.coders import set_role
from app.core.services.review import ReviewService
from app.core.services.review_items import count_reviews
from app.core.services.workspace import Workspace
from tests.test_nested_events import allow_nested
from tests.test_relations import add_relation_types

DOC = 1
PARAGRAPH = "Meta is reversing its decision to reassign 7,000 employees"


class Team:
    """Coders working on document 1's third paragraph, and the adjudicator lead."""

    def __init__(self, project):
        add_relation_types(project)
        allow_nested(project)
        self.project = project
        with project.uow() as s:
            set_role(s, "lead", "adjudicator")
        self.review = ReviewService(Workspace(project, "lead"))
        ws = Workspace(project, "alice")
        self.text = ws.document_text(DOC)
        self.base = self.text.index(PARAGRAPH)
        self.entities = {t.name: t.id for t in ws.codebook.entity_types}
        self.rtypes = {t.name: t.id for t in ws.codebook.relation_types}
        self.etypes = {t.name: t for t in ws.codebook.event_types}
        self.coders: dict[str, Workspace] = {}

    def ws(self, coder):
        return self.coders.setdefault(coder, Workspace(self.project, coder))

    def place(self, needle):
        start = self.text.index(needle, self.base)
        return start, start + len(needle)

    def tag(self, coder, needle, type_name):
        start, end = self.place(needle)
        return self.ws(coder).tag(DOC, self.text, start, end, self.entities[type_name]).mention_id

    def link(self, coder, type_name, source, target):
        return self.ws(coder).create_relation(self.rtypes[type_name], source, target).relation_id

    def role(self, event_type, role):
        return next(r.id for r in self.etypes[event_type].roles if r.name == role)

    def event(self, coder, event_type, trigger):
        return self.ws(coder).create_event(DOC, self.etypes[event_type].id, self.text, self.place(trigger)).event_id

    def nest(self, coder, with_affected=True):
        """The coder's Policy reversal ("reversing") whose Policy is a Reassignment ("reassign")
        of "7,000 employees"."""
        reversal, reassign = self.event(coder, "Policy reversal", "reversing"), self.event(coder, "Reassignment", "reassign")
        if with_affected:
            self.ws(coder).add_argument(reassign, self.role("Reassignment", "Affected"),
                                        self.tag(coder, "7,000 employees", "Worker group"))
        self.ws(coder).add_argument(reversal, self.role("Policy reversal", "Policy"), argument_event_id=reassign)
        return reversal, reassign

    def items(self, kind):
        return [i for i in self.review.document_review(DOC).items if i.kind == kind]

    def gold(self):
        """Gold's relations as (type, source text, target text), its mentions' texts, and its
        events as (type name, trigger text, {(role name, filler)}) with fillers mention texts or
        ("event", type name)."""
        with self.project.read() as s:
            gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
            relations = {(r.relation_type_id, s.get_one(Mention, r.source_mention_id).text,
                          s.get_one(Mention, r.target_mention_id).text)
                         for r in s.scalars(select(Relation).where(Relation.coder_id == gold))}
            mentions = sorted(m.text for m in s.scalars(select(Mention).where(Mention.coder_id == gold)))
            names = {t.id: n for n, t in self.etypes.items()}
            roles = {r.id: r.name for t in self.etypes.values() for r in t.roles}
            events = []
            for e in s.scalars(select(Event).where(Event.coder_id == gold).order_by(Event.id)):
                args = set()
                for a in s.scalars(select(EventArgument).where(EventArgument.event_id == e.id)):
                    if a.mention_id is not None:
                        args.add((roles[a.role_id], s.get_one(Mention, a.mention_id).text))
                    else:
                        inner = s.get_one(Event, a.argument_event_id)
                        assert inner.coder_id == gold  # never a coder's event
                        args.add((roles[a.role_id], ("event", names[inner.event_type_id])))
                events.append((names[e.event_type_id], e.trigger_text, frozenset(args)))
            return relations, mentions, sorted(events, key=repr)


@pytest.fixture
def team(seeded_project):
    return Team(seeded_project)


def _linked(team, coder, same_as_reversed=False):
    """Meta Employs the 7,000 employees; AAI task force Same as Applied AI (bob's the other way round)."""
    meta = team.tag(coder, "Meta", "Organization")
    staff = team.tag(coder, "7,000 employees", "Worker group")
    team.link(coder, "Employs", meta, staff)
    applied = team.tag(coder, "Applied AI", "Team/Unit")
    force = team.tag(coder, "task force", "Team/Unit")
    team.link(coder, "Same as", *((force, applied) if same_as_reversed else (applied, force)))
    return meta, staff


def test_relations_are_lined_up_across_coders(team):
    _linked(team, "alice")
    meta, staff = _linked(team, "bob", same_as_reversed=True)
    units = team.tag("alice", "staffers", "Worker group")
    alice_meta = team.ws("alice").mentions(DOC)[0].id
    team.link("alice", "Employs", alice_meta, units)  # only alice
    team.link("bob", "Same as", meta, staff)  # only bob, where alice has Employs
    items = {i.description: i for i in team.items("relation")}
    assert set(items) == {"Employs: “Meta” → “7,000 employees”", "Same as: “Applied AI” ↔ “task force”",
                          "Employs: “Meta” → “staffers”", "Same as: “Meta” ↔ “7,000 employees”"}
    agreed = items["Employs: “Meta” → “7,000 employees”"]
    assert agreed.agreed and agreed.status == "agreed" and set(agreed.holders) == {"alice", "bob"}
    assert agreed.label == "Employs" and agreed.places == (team.place("Meta"), team.place("7,000 employees"))
    # a symmetric relation given the other way round is the same relation
    assert items["Same as: “Applied AI” ↔ “task force”"].agreed
    only_alice = items["Employs: “Meta” → “staffers”"]
    assert only_alice.unresolved and only_alice.elsewhere == {"bob": ""}
    only_bob = items["Same as: “Meta” ↔ “7,000 employees”"]
    assert only_bob.unresolved and only_bob.elsewhere == {"alice": "Employs: “Meta” → “7,000 employees”"}
    # the fast counts count the relation items too
    review = team.review.document_review(DOC)
    with team.project.read() as s:
        (counts,) = count_reviews(s, [DOC])
    assert (counts.unresolved, counts.agreed_pending) == (review.unresolved, review.agreed_pending)
    assert sum(i.unresolved for i in review.items if i.kind == "relation") == 2


def test_accepting_a_relation_brings_its_mentions_and_undo_takes_them_back(team):
    _linked(team, "alice")
    _linked(team, "bob")
    team.tag("alice", "staffers", "Worker group")
    alice_meta = team.ws("alice").mentions(DOC)[0].id
    units = next(m.id for m in team.ws("alice").mentions(DOC) if m.text == "staffers")
    team.link("alice", "Employs", alice_meta, units)
    (item,) = [i for i in team.items("relation") if "staffers" in i.description]
    team.review.accept(item, "alice")
    employs = team.rtypes["Employs"]
    assert team.gold() == ({(employs, "Meta", "staffers")}, ["Meta", "staffers"], [])
    (item,) = [i for i in team.items("relation") if "staffers" in i.description]
    assert item.gold == "accepted" and not item.unresolved
    with pytest.raises(AnnotaryError, match="gold already has this relation"):
        team.review.accept(item, "alice")
    with pytest.raises(AnnotaryError, match="bob has no relation"):
        team.review.accept(item, "bob")
    team.review.workspace.undo()  # one undo: the relation and both mentions
    assert team.gold() == (set(), [], [])
    team.review.workspace.redo()
    assert team.gold() == ({(employs, "Meta", "staffers")}, ["Meta", "staffers"], [])
    # an agreed relation uses gold's copy of Meta already there: Meta is not copied twice
    (agreed,) = [i for i in team.items("relation") if i.description.startswith("Employs: “Meta” → “7,000")]
    team.review.accept(agreed, "bob")
    assert team.gold()[1] == ["7,000 employees", "Meta", "staffers"]


def test_reject_a_relation_and_accept_all_agreements_takes_the_agreed_ones(team):
    _linked(team, "alice")
    _linked(team, "bob", same_as_reversed=True)
    staff = next(m.id for m in team.ws("bob").mentions(DOC) if m.text == "7,000 employees")
    meta = next(m.id for m in team.ws("bob").mentions(DOC) if m.text == "Meta")
    team.link("bob", "Same as", meta, staff)
    (only_bob,) = [i for i in team.items("relation") if not i.agreed]
    team.review.reject(only_bob)
    (only_bob,) = [i for i in team.items("relation") if not i.agreed]
    assert only_bob.gold == "rejected" and only_bob.status == "rejected"
    assert team.review.document_review(DOC).unresolved == 0
    accepted, skipped = team.review.accept_agreements(DOC)
    assert (accepted, skipped) == (6, 0)  # four mentions, two relations
    relations, _, _ = team.gold()
    assert relations == {(team.rtypes["Employs"], "Meta", "7,000 employees"),
                         (team.rtypes["Same as"], "Applied AI", "task force")}
    assert all(i.status == "agreed, in gold" for i in team.items("relation") if i.agreed)
    team.review.workspace.undo()
    assert team.gold() == (set(), [], [])


def test_accept_all_leaves_an_agreed_relation_whose_end_was_rejected(team):
    _linked(team, "alice")
    _linked(team, "bob")
    (meta,) = [i for i in team.items("mention") if i.description == "Organization “Meta”"]
    team.review.reject(meta)
    accepted, skipped = team.review.accept_agreements(DOC)
    assert (accepted, skipped) == (4, 1)  # three mentions, Same as; Employs needs the rejected Meta
    assert team.gold()[0] == {(team.rtypes["Same as"], "Applied AI", "task force")}


def test_accepting_a_policy_reversal_takes_the_reassignment_filling_its_policy(team):
    """'Meta reverses decision to reassign 7,000 employees': the Policy of the reversal is the
    Reassignment; gold gets both, its Policy pointing at gold's Reassignment, in one undo."""
    team.nest("alice")
    (reversal,) = [i for i in team.items("event") if i.label == "Policy reversal"]
    assert "Policy: Reassignment “reassign”" in reversal.description
    team.review.accept(reversal, "alice")
    wanted = [("Policy reversal", "reversing", frozenset({("Policy", ("event", "Reassignment"))})),
              ("Reassignment", "reassign", frozenset({("Affected", "7,000 employees")}))]
    assert team.gold()[1:] == (["7,000 employees"], sorted(wanted, key=repr))
    assert all(i.gold == "accepted" for i in team.items("event"))
    team.review.workspace.undo()
    assert team.gold() == (set(), [], [])
    team.review.workspace.redo()
    assert team.gold()[1:] == (["7,000 employees"], sorted(wanted, key=repr))
    with pytest.raises(AnnotaryError, match="gold already has this event"):
        team.review.accept(reversal, "alice")


def test_a_reassignment_already_in_gold_is_pointed_at_not_copied_again(team):
    team.nest("alice")
    team.nest("bob", with_affected=False)  # bob's Reassignment has no Affected: another version
    (bobs,) = [i for i in team.items("event") if i.label == "Reassignment" and "bob" in i.holders]
    team.review.accept(bobs, "bob")
    # alice's reversal: its Policy is alice's Reassignment, whose pair in gold is bob's version
    (reversal,) = [i for i in team.items("event") if i.label == "Policy reversal"]
    assert reversal.agreed  # both Policies are a Reassignment at "reassign"
    team.review.accept(reversal, "alice")
    _, _, events = team.gold()
    assert events == sorted([("Policy reversal", "reversing", frozenset({("Policy", ("event", "Reassignment"))})),
                             ("Reassignment", "reassign", frozenset())], key=repr)
    team.review.workspace.undo()
    assert team.gold()[2] == [("Reassignment", "reassign", frozenset())]


def test_reversals_whose_policies_differ_are_two_items(team):
    team.nest("alice")
    reversal = team.event("bob", "Policy reversal", "reversing")
    other = team.event("bob", "Reassignment", "7,000")
    team.ws("bob").add_argument(reversal, team.role("Policy reversal", "Policy"), argument_event_id=other)
    items = [i for i in team.items("event") if i.label == "Policy reversal"]
    assert len(items) == 2 and all(i.unresolved for i in items)
    assert {i.description for i in items} == {"Policy reversal “reversing” — Policy: Reassignment “reassign”",
                                              "Policy reversal “reversing” — Policy: Reassignment “7,000”"}


def test_accept_all_agreements_takes_nested_events_once(team):
    team.nest("alice")
    team.nest("bob")
    accepted, skipped = team.review.accept_agreements(DOC)
    assert skipped == 0 and accepted == 3  # the mention and both events
    _, mentions, events = team.gold()
    assert mentions == ["7,000 employees"] and [e[0] for e in events] == ["Policy reversal", "Reassignment"]
    assert team.review.document_review(DOC).agreed_pending == 0


def test_the_workbook_reports_relation_agreement_per_type(team, tmp_path):
    from openpyxl import load_workbook

    from app.core.export.xlsx import export_xlsx

    _linked(team, "alice")
    staffers = team.tag("alice", "staffers", "Worker group")
    team.link("alice", "Employs", team.ws("alice").mentions(DOC)[0].id, staffers)
    meta, staff = team.tag("bob", "Meta", "Organization"), team.tag("bob", "7,000 employees", "Worker group")
    team.link("bob", "Employs", meta, staff)  # bob: no Same as
    for coder in ("alice", "bob"):
        team.ws(coder).set_done(DOC, True)
    out = tmp_path / "book.xlsx"
    export_xlsx(team.project, out)
    wb = load_workbook(out, read_only=True)
    rows = list(wb["Agreement"].iter_rows(values_only=True))
    header = rows[0]
    got = {(r[1], r[3]): dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == "relations"}
    assert {name for name, _ in got} == {"all types", "Employs", "Same as"}
    everything = got[("all types", "f1")]
    assert (everything["coders"], everything["n_a"], everything["n_b"], everything["matched"]) == ("alice|bob", 3, 1, 1)
    assert everything["value"] == pytest.approx(0.5)
    assert got[("all types", "precision")]["value"] == 1 and got[("all types", "recall")]["value"] == pytest.approx(1 / 3)
    assert got[("Employs", "f1")]["value"] == pytest.approx(2 / 3)
    assert (got[("Employs", "recall")]["value"], got[("Employs", "recall")]["n_a"]) == (0.5, 2)
    # bob marked no Same as: its precision and F1 are undefined, never 0
    same_p, same_f1, same_r = (got[("Same as", m)] for m in ("precision", "f1", "recall"))
    assert same_p["value"] is None and same_p["note"] == "n/a: coder B marked no relations of this type"
    assert same_f1["value"] is None and same_f1["note"].startswith("n/a")
    assert same_r["value"] == 0 and (same_r["n_a"], same_r["n_b"], same_r["matched"]) == (1, 0, 0)
    rows = list(wb["Disagreements"].iter_rows(values_only=True))
    relation_rows = sorted((r[4], r[6], r[8]) for r in rows[1:] if r[0] == "relation")
    assert relation_rows == [("Applied AI → task force", "Same as: “Applied AI” ↔ “task force”", "nothing"),
                             ("Meta → staffers", "Employs: “Meta” → “staffers”", "nothing")]
