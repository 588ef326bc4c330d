"""Relation agreement (per relation type, coder A the reference) and roles filled by events in the
agreement report, hand-computed on a small two-coder project: the report, `annotary agreement`,
the Agreement window's Relations table and the disagreements; accepting a relation into gold."""

import json

import pytest
from PySide6.QtWidgets import QTableView
from sqlalchemy import select

from app.cli import main
from app.core.codebook import RelationTypeSpec, apply_codebook, read_codebook
from app.core.errors import AnnotaryError
from app.core.models import Coder, Mention, Relation, RelationType
from app.core.project import open_project
from app.core.services.adjudication import AcceptMention, AcceptRelation
from app.core.services.agreement import agreement_report
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from app.ui.agreement_rows import report_tables
from app.ui.agreement_window import AgreementWindow

DOC = 1  # "Meta reverses decision to reassign employees to AI training roles"


def set_up(path) -> None:  # type: ignore[no-untyped-def]
    init_project(path).close()
    with open_project(path) as project, project.uow() as s:
        spec = read_codebook(s)
        spec.relation_types = [
            RelationTypeSpec("Employs", "#aa3300", None, "", ["Organization"], ["Worker group", "Person"]),
            RelationTypeSpec("Part of", "#00aa33", None, ""),
            RelationTypeSpec("Same as", "#0033aa", None, "", symmetric=True),
        ]
        policy = spec.event_type("Policy reversal").role("Policy")
        policy.accepts_events = ["Reassignment"]
        apply_codebook(s, spec)


class Annotator:
    def __init__(self, project, name):  # type: ignore[no-untyped-def]
        self.ws = ws = Workspace(project, name)
        self.text = ws.document_text(DOC)
        self.entities = {t.name: t.id for t in ws.codebook.entity_types}
        self.rtypes = {t.name: t.id for t in ws.codebook.relation_types}
        self.etypes = {t.name: t for t in ws.codebook.event_types}

    def at(self, needle: str) -> int:
        """Where the first whole-line-initial occurrence starts (the page header glues "HomeStrategyMeta")."""
        return self.text.index(f"\n{needle}") + 1 if f"\n{needle}" in self.text else self.text.index(needle)

    def tag(self, context: str, type_name: str, word: str | None = None) -> int:
        """Tag `word` (default: all of `context`) where it stands in `context`."""
        word = word or context
        start = self.at(context) + context.index(word)
        return self.ws.tag(DOC, self.text, start, start + len(word), self.entities[type_name]).mention_id

    def link(self, type_name: str, source: int, target: int) -> None:
        self.ws.create_relation(self.rtypes[type_name], source, target)

    def event(self, type_name: str, trigger: str) -> int:
        start = self.at(trigger)
        return self.ws.create_event(DOC, self.etypes[type_name].id, self.text, (start, start + len(trigger))).event_id

    def fill_policy(self, reversal: int, argument_event: int) -> None:
        role_id = next(r.id for r in self.etypes["Policy reversal"].roles if r.name == "Policy")
        self.ws.add_argument(reversal, role_id, argument_event_id=argument_event)


@pytest.fixture
def linked(new_address):
    """alice and bob link the same mentions of document 1 (bob's employees span is longer: the
    overlap matching pairs it); both marked it done.

    alice: Employs Meta→employees, Employs Meta²→employees², Same as Meta→Meta², Same as Business Insider→Meta
    bob:   Employs Meta→employees, Part of Meta²→employees², Same as Meta²→Meta (swapped: symmetric),
           Part of AAI→Meta² (bob alone tagged AAI)
    """
    path = new_address("team")  # a file; a server project in a test marked both_backends
    set_up(path)
    with open_project(path) as project:
        for name in ("alice", "bob"):
            c = Annotator(project, name)
            meta = c.tag("Meta reverses decision", "Organization", "Meta")
            meta2 = c.tag("Meta is reversing", "Organization", "Meta")
            staff = c.tag("reassign employees", "Worker group", "reassign employees" if name == "bob" else "employees")
            staff2 = c.tag("7,000 employees", "Worker group")
            if name == "alice":
                insider = c.tag("Business Insider", "Organization")
                c.link("Employs", meta, staff)
                c.link("Employs", meta2, staff2)
                c.link("Same as", meta, meta2)
                c.link("Same as", insider, meta)
            else:
                aai = c.tag("AAI", "Team/Unit")
                c.link("Employs", meta, staff)
                c.link("Part of", meta2, staff2)
                c.link("Same as", meta2, meta)
                c.link("Part of", aai, meta2)
            c.ws.set_done(DOC, True)
    return path


def report_of(path) -> dict:  # type: ignore[no-untyped-def]
    with open_project(path) as project:
        return agreement_report(project, n_boot=10)


def test_relations_per_type_hand_computed(linked):
    report = report_of(linked)
    (pair,) = report["relations"]["pairs"]
    assert pair["coders"] == ["alice", "bob"]
    # matched: Employs Meta→employees (ends matched by overlap), Same as (swapped ends, symmetric)
    assert {k: pair[k] for k in ("n_a", "n_b", "matched", "precision", "recall", "f1")} == {
        "n_a": 4, "n_b": 4, "matched": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert list(pair["by_type"]) == ["Employs", "Part of", "Same as"]
    assert pair["by_type"]["Employs"] == {"n_a": 2, "n_b": 1, "matched": 1, "precision": 1.0, "recall": 0.5,
                                          "f1": 2 / 3}
    # only bob used Part of: recall (and so F1) undefined, not 0; precision is 0 of 2
    assert pair["by_type"]["Part of"] == {"n_a": 0, "n_b": 2, "matched": 0, "precision": 0.0, "recall": None,
                                          "f1": None}
    assert pair["by_type"]["Same as"] == {"n_a": 2, "n_b": 1, "matched": 1, "precision": 1.0, "recall": 0.5,
                                          "f1": 2 / 3}


def test_relation_disagreements(linked):
    report = report_of(linked)
    dis = sorted((d["type"], d["text"], d["value_a"], d["value_b"])
                 for d in report["disagreements"] if d["kind"] == "relation")
    assert dis == [
        # alice's Employs where bob linked the same two mentions as Part of (and the reverse)
        ("Employs", "Meta → 7,000 employees", "Employs: “Meta” → “7,000 employees”",
         "Part of: “Meta” → “7,000 employees”"),
        # bob's AAI has no counterpart: alice has nothing between those mentions
        ("Part of", "AAI → Meta", "nothing", "Part of: “AAI” → “Meta”"),
        ("Part of", "Meta → 7,000 employees", "Employs: “Meta” → “7,000 employees”",
         "Part of: “Meta” → “7,000 employees”"),
        ("Same as", "Business Insider → Meta", "Same as: “Business Insider” ↔ “Meta”", "nothing"),
    ]
    for d in report["disagreements"]:
        if d["kind"] == "relation":
            assert d["document_id"] == DOC and d["start"] < d["end"] and d["code"] is None
            assert (d["coder_a"], d["coder_b"]) == ("alice", "bob")


def test_direction_matters_unless_the_type_is_symmetric(tmp_path):
    path = tmp_path / "p.annotary"
    set_up(path)
    with open_project(path) as project:
        for name in ("alice", "bob"):
            c = Annotator(project, name)
            meta = c.tag("Meta reverses decision", "Organization", "Meta")
            meta2 = c.tag("Meta is reversing", "Organization", "Meta")
            c.link("Part of", meta, meta2) if name == "alice" else c.link("Part of", meta2, meta)
            c.ws.set_done(DOC, True)
    (pair,) = report_of(path)["relations"]["pairs"]
    assert pair["by_type"]["Part of"]["matched"] == 0 and pair["by_type"]["Part of"]["f1"] == 0.0


def test_no_relations_is_undefined_not_zero(tmp_path):
    path = tmp_path / "p.annotary"
    set_up(path)
    with open_project(path) as project:
        for name in ("alice", "bob"):
            c = Annotator(project, name)
            c.tag("Meta reverses decision", "Organization", "Meta")
            c.ws.set_done(DOC, True)
    (pair,) = report_of(path)["relations"]["pairs"]
    assert pair["by_type"] == {}
    assert (pair["precision"], pair["recall"], pair["f1"], pair["matched"]) == (None, None, None, 0)


@pytest.mark.both_backends
def test_cli_prints_relations(linked, capsys):
    assert main(["agreement", "--project", str(linked)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "relations alice|bob: F1 0.500 P 0.500 R 0.500 (2 matched of 4/4)" in out
    assert "  Employs: F1 0.667 P 1.000 R 0.500 (1 matched of 2/1)" in out
    assert "  Part of: F1 n/a P 0.000 R n/a (0 matched of 0/2)" in out
    assert main(["agreement", "--project", str(linked), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["relations"]["pairs"][0]["by_type"]["Part of"]["recall"] is None


def test_the_window_has_a_relations_table_with_its_disagreements(qtbot, linked):
    report = report_of(linked)
    table = report_tables(report)["Relations"]
    assert [r[:3] for r in table.rows] == [("alice | bob", "(all types)", 0.5), ("alice | bob", "Employs", 2 / 3),
                                           ("alice | bob", "Part of", None), ("alice | bob", "Same as", 2 / 3)]
    window = AgreementWindow(report)
    qtbot.addWidget(window)
    names = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Relations (4)" in names
    view = window.tabs.findChild(QTableView, "Relations")
    model = view.model()
    part_of = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == "Part of")
    assert model.index(part_of, 2).data() == "n/a"  # F1 undefined: n/a, never 0
    view.selectRow(part_of)
    assert window.selected_proxy.rowCount() == 2  # bob's two Part of relations
    assert "relations of alice | bob, Part of" in window.selected_label.text()


def nested(tmp_path, bob_fills: str | None) -> dict:
    """Both coders: a Policy reversal ("reverses") and a Reassignment ("reassign"); alice fills the
    Policy with her Reassignment; bob with his matching one ("same"), with a second Reassignment
    elsewhere ("other") or not at all (None)."""
    path = tmp_path / "nested.annotary"
    set_up(path)
    with open_project(path) as project:
        for name in ("alice", "bob"):
            c = Annotator(project, name)
            reversal = c.event("Policy reversal", "Meta reverses decision")
            reassign = c.event("Reassignment", "reassign employees")
            other = c.event("Reassignment", "reassign 7,000")
            filler = {"same": reassign, "other": other, None: None}[bob_fills] if name == "bob" else reassign
            if filler is not None:
                c.fill_policy(reversal, filler)
            if name == "alice":
                c.ws.delete_event(other)
            c.ws.set_done(DOC, True)
    return report_of(path)


def test_a_role_filled_by_matched_events_agrees(tmp_path):
    report = nested(tmp_path, "same")
    (events,) = report["events"]["pairs"]
    assert events["matched"] == 2 and (events["n_a"], events["n_b"]) == (2, 3)
    assert events["roles"]["Policy"] == {"compared": 1, "agreed": 1, "agreement": 1.0}
    assert not [d for d in report["disagreements"] if d["kind"] == "event role"]


def test_a_role_filled_by_an_unmatched_event_disagrees(tmp_path):
    report = nested(tmp_path, "other")
    (events,) = report["events"]["pairs"]
    assert events["roles"]["Policy"] == {"compared": 1, "agreed": 0, "agreement": 0.0}
    (role,) = [d for d in report["disagreements"] if d["kind"] == "event role"]
    assert (role["type"], role["text"]) == ("Policy reversal", "Policy")
    assert role["value_a"] == "Reassignment “reassign employees”"
    assert role["value_b"] == "Reassignment “reassign 7,000”"


def test_a_role_filled_by_one_coder_only_disagrees(tmp_path):
    report = nested(tmp_path, None)
    (events,) = report["events"]["pairs"]
    assert events["roles"]["Policy"] == {"compared": 1, "agreed": 0, "agreement": 0.0}
    (role,) = [d for d in report["disagreements"] if d["kind"] == "event role"]
    assert (role["value_a"], role["value_b"]) == ("Reassignment “reassign employees”", "nothing")


def gold_relations(project) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        return sorted((s.get_one(RelationType, r.relation_type_id).name, s.get_one(Mention, r.source_mention_id).text,
                       s.get_one(Mention, r.target_mention_id).text)
                      for r in s.scalars(select(Relation).where(Relation.coder_id == gold)))


def test_accepting_a_relation_links_the_gold_copies_of_its_mentions_and_undo_removes_them(linked):
    with open_project(linked) as project:
        ws = Workspace(project, "lead")
        with project.read() as s:
            bob = s.scalar(select(Coder.id).where(Coder.name == "bob"))
            employs = s.scalar(select(Relation.id).where(Relation.coder_id == bob).order_by(Relation.id))
            meta = s.scalar(select(Relation.source_mention_id).where(Relation.id == employs))
        ws.history.run(AcceptMention(meta))  # gold already has one end: it is used, not copied again
        ws.history.run(AcceptRelation(employs))
        assert gold_relations(project) == [("Employs", "Meta", "reassign employees")]
        with project.read() as s:
            gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
            assert sorted(m.text for m in s.scalars(select(Mention).where(Mention.coder_id == gold))) == [
                "Meta", "reassign employees"]
        with pytest.raises(AnnotaryError, match="gold already has this relation"):
            ws.history.run(AcceptRelation(employs))
        ws.undo()  # the relation and the end it copied; the accepted mention stays
        assert gold_relations(project) == []
        with project.read() as s:
            assert [m.text for m in s.scalars(select(Mention).where(Mention.coder_id == gold))] == ["Meta"]
        ws.redo()
        assert gold_relations(project) == [("Employs", "Meta", "reassign employees")]
