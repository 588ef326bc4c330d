"""Relations between two mentions: codebook types, undoable create/retype/delete, a deleted
mention taking its relations with it (undo brings them back), the workbook, the codebook file,
the migration and merging a coder's copy."""

import shutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.changes import Change
from app.core.codebook import (
    RelationTypeSpec,
    apply_codebook,
    codebook_to_dict,
    load_codebook,
    read_codebook,
    save_codebook,
)
from app.core.errors import AnnotaryError, CodebookError
from app.core.export.xlsx import export_xlsx
from app.core.models import Relation
from app.core.project import open_project
from app.core.services.merge import merge_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from tests.test_upgrade_fixtures import FIXTURES

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL

DOC = 1  # "Meta reverses decision to reassign employees to AI training roles"


def add_relation_types(project) -> None:  # type: ignore[no-untyped-def]
    with project.uow() as s:
        spec = read_codebook(s)
        spec.relation_types = [
            RelationTypeSpec("Employs", "#aa3300", "Shift+E", "An organisation employs people.",
                             ["Organization"], ["Worker group", "Person"]),
            RelationTypeSpec("Same as", "#0033aa", None, "Two mentions of one thing.", symmetric=True),
        ]
        apply_codebook(s, spec)


def relations(project) -> list[tuple]:  # type: ignore[no-untyped-def]
    with project.read() as s:
        return [(r.id, r.relation_type_id, r.source_mention_id, r.target_mention_id, r.document_id, r.coder_id)
                for r in s.scalars(select(Relation).order_by(Relation.id))]


class Coding:
    def __init__(self, project, coder="alice"):  # type: ignore[no-untyped-def]
        add_relation_types(project)
        self.ws = ws = Workspace(project, coder)
        self.text = ws.document_text(DOC)
        self.entities = {t.name: t.id for t in ws.codebook.entity_types}
        self.rtypes = {t.name: t.id for t in ws.codebook.relation_types}
        self.changes: list[Change] = []
        project.changes.subscribe(self.changes.append)

    def tag(self, needle: str, type_name: str, nth: int = 0) -> int:
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(needle, start + 1)
        return self.ws.tag(DOC, self.text, start, start + len(needle), self.entities[type_name]).mention_id

    def link(self, type_name: str, source: int, target: int) -> int:
        relation_id = self.ws.create_relation(self.rtypes[type_name], source, target).relation_id
        assert relation_id is not None
        return relation_id


@pytest.fixture
def coding(seeded_project):
    return Coding(seeded_project)


def test_the_codebook_view_lists_relation_types(coding):
    employs = next(t for t in coding.ws.codebook.relation_types if t.name == "Employs")
    assert (employs.hotkey, employs.symmetric) == ("Shift+E", False)
    assert employs.source_accepts == (coding.entities["Organization"],)
    assert set(employs.target_accepts) == {coding.entities["Worker group"], coding.entities["Person"]}


def test_create_undo_redo_restore_exactly(coding, seeded_project):
    meta, staff = coding.tag("Meta", "Organization", 1), coding.tag("employees", "Worker group")
    rid = coding.link("Employs", meta, staff)
    made = relations(seeded_project)
    assert made == [(rid, coding.rtypes["Employs"], meta, staff, DOC, coding.ws.coder_id)]
    assert coding.changes[-1].relations == {rid} and coding.changes[-1].document_id == DOC
    (view,) = coding.ws.relations(DOC)
    assert (view.type_name, view.source_text, view.target_text) == ("Employs", "Meta", "employees")
    assert view.summary() == "Meta → employees (Employs)"
    coding.ws.undo()
    assert relations(seeded_project) == [] and coding.changes[-1].relations == {rid}
    coding.ws.redo()
    assert relations(seeded_project) == made  # the same id
    coding.ws.retype_relation(rid, coding.rtypes["Same as"])
    assert coding.ws.relations(DOC)[0].summary() == "Meta ↔ employees (Same as)"
    coding.ws.undo()
    assert relations(seeded_project) == made
    coding.ws.delete_relation(rid)
    assert relations(seeded_project) == []
    coding.ws.undo()
    assert relations(seeded_project) == made


def test_refusals_have_clear_messages(coding, seeded_project):
    meta, staff = coding.tag("Meta", "Organization", 1), coding.tag("employees", "Worker group")
    with pytest.raises(AnnotaryError, match=r"^the source of Employs accepts Organization, not Worker group$"):
        coding.link("Employs", staff, meta)
    with pytest.raises(AnnotaryError, match="two different mentions"):
        coding.link("Same as", meta, meta)
    coding.link("Same as", meta, staff)
    with pytest.raises(AnnotaryError, match=r"^'employees' and 'Meta' are already linked as Same as$"):
        coding.link("Same as", staff, meta)  # symmetric: the same relation
    bob = Workspace(seeded_project, "bob")
    start = coding.text.index("AI training")
    theirs = bob.tag(DOC, coding.text, start, start + 11, coding.entities["Team/Unit"]).mention_id
    with pytest.raises(AnnotaryError, match="by the same coder"):
        coding.link("Same as", meta, theirs)
    rid = coding.link("Employs", meta, staff)
    with pytest.raises(AnnotaryError, match=r"^this mention is the target of a relation of type Employs, which "
                                            "does not accept Organization there$"):
        coding.ws.retype_mention(staff, coding.entities["Organization"])
    assert len(relations(seeded_project)) == 2 and rid


def test_deleting_a_mention_removes_its_relations_and_undo_restores_them(coding, seeded_project):
    meta, staff = coding.tag("Meta", "Organization", 1), coding.tag("employees", "Worker group")
    other = coding.tag("Meta", "Organization", 2)
    one, two = coding.link("Employs", meta, staff), coding.link("Same as", other, meta)
    before = relations(seeded_project)
    coding.ws.delete_mention(meta)
    assert relations(seeded_project) == []
    assert coding.changes[-1].relations == {one, two}
    coding.ws.undo()
    assert relations(seeded_project) == before
    assert coding.changes[-1].source == "undo" and coding.changes[-1].relations == {one, two}
    coding.ws.redo()
    assert relations(seeded_project) == []


def test_the_workbook_reads_back_equal(coding, seeded_project, tmp_path):
    meta, staff = coding.tag("Meta", "Organization", 1), coding.tag("employees", "Worker group")
    rid = coding.link("Employs", meta, staff)
    export_xlsx(seeded_project, tmp_path / "out.xlsx")
    wb = load_workbook(tmp_path / "out.xlsx")
    rows = list(wb["Relations"].iter_rows(values_only=True))
    assert rows[0][:13] == ("relation_id", "document_id", "coder", "type", "source_mention_id", "source_text",
                            "source_start", "source_end", "target_mention_id", "target_text", "target_start",
                            "target_end", "symmetric")
    m_start = coding.text.index("Meta", coding.text.index("Meta") + 1)
    s_start = coding.text.index("employees")
    assert rows[1][:13] == (rid, DOC, "alice", "Employs", meta, "Meta", m_start, m_start + 4, staff, "employees",
                            s_start, s_start + 9, False)
    codebook = {r[2]: r for r in wb["Codebook"].iter_rows(values_only=True) if r[0] == "relation_type"}
    assert codebook["Employs"][7] == "source: Organization → target: Person; Worker group" or \
        codebook["Employs"][7] == "source: Organization → target: Worker group; Person"
    assert codebook["Same as"][7] == "source: any → target: any (symmetric)"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_codebook_file_round_trip_with_relation_types(seeded_project, tmp_path, suffix):
    add_relation_types(seeded_project)
    with seeded_project.read() as s:
        spec = read_codebook(s)
    save_codebook(spec, tmp_path / f"cb{suffix}")
    text = (tmp_path / f"cb{suffix}").read_text(encoding="utf-8")
    assert "relation_types" in text and "source_accepts" in text
    again = load_codebook(tmp_path / f"cb{suffix}")
    assert codebook_to_dict(again) == codebook_to_dict(spec)
    same_as = again.relation_type("Same as")
    assert same_as is not None and same_as.symmetric and same_as.source_accepts == []


def test_codebook_file_refusals(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("entity_types: [{name: Org, color: '#112233', hotkey: o}]\n"
                    "relation_types: [{name: Owns, color: '#223344', hotkey: o}]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="hotkey 'o' is used by both 'Org' and 'Owns'"):
        load_codebook(path)
    path.write_text("entity_types: [{name: Org, color: '#112233'}]\n"
                    "relation_types: [{name: Owns, color: '#223344', target_accepts: [Orgg]}]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="the target of relation type 'Owns' accepts unknown entity type 'Orgg'"):
        load_codebook(path)
    path.write_text("relation_types: [{name: Owns, color: '#223344', symmetric: 'yes'}]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="symmetric must be true or false"):
        load_codebook(path)


def test_a_used_relation_type_cannot_be_removed_from_the_codebook(coding, seeded_project):
    coding.link("Employs", coding.tag("Meta", "Organization", 1), coding.tag("employees", "Worker group"))
    with seeded_project.uow() as s:
        spec = read_codebook(s)
        spec.relation_types = [t for t in spec.relation_types if t.name != "Employs"]
        with pytest.raises(CodebookError, match="relation type 'Employs' is used by 1 relation"):
            apply_codebook(s, spec)


@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_fixtures_upgrade_and_then_take_relations(tmp_path, revision):
    path = tmp_path / "corpus.annotary"
    shutil.copyfile(FIXTURES / f"schema-{revision}.annotary", path)
    with open_project(path) as project:
        add_relation_types(project)
        ws = Workspace(project, "alice")
        mentions = {m.text: m.id for m in ws.mentions(1)}
        same_as = next(t.id for t in ws.codebook.relation_types if t.name == "Same as")
        rid = ws.create_relation(same_as, mentions["Meta"], mentions["600 employees"]).relation_id
        assert [r.id for r in ws.relations(1)] == [rid]


def test_merging_a_copy_with_relations_is_idempotent(tmp_path):
    lead = tmp_path / "lead.annotary"
    init_project(lead).close()
    add_relation_types_at(lead)
    copy = tmp_path / "alice.annotary"
    shutil.copy(lead, copy)
    with open_project(copy) as project:
        c = Coding(project)
        meta, staff = c.tag("Meta", "Organization", 1), c.tag("employees", "Worker group")
        c.link("Employs", meta, staff)
        c.link("Same as", staff, meta)
    with open_project(lead) as project:
        first = merge_project(project, copy)
        state = relations(project)
        again = merge_project(project, copy)
        assert relations(project) == state
        views = Workspace(project, "alice").relations(DOC)
    assert first.relations_added == 2 and again.relations_added == 0
    assert sorted(v.summary() for v in views) == ["Meta → employees (Employs)", "employees ↔ Meta (Same as)"]


def add_relation_types_at(path) -> None:  # type: ignore[no-untyped-def]
    with open_project(path) as project:
        add_relation_types(project)


def test_codebook_edits_of_entity_types_a_relation_type_accepts_come_back_whole_on_undo(coding, seeded_project):
    from app.core.codebook.rows import ENTITY
    from app.core.services.codebook_edits import commands as cb

    staff = coding.entities["Worker group"]

    def target() -> list[str]:
        with seeded_project.read() as s:
            return read_codebook(s).relation_type("Employs").target_accepts

    cb.remove(coding.ws, ENTITY, staff)
    assert target() == ["Person"]
    coding.ws.undo()
    assert target() == ["Person", "Worker group"]
    cb.merge(coding.ws, ENTITY, staff, coding.entities["Person"])
    assert target() == ["Person"]
    coding.ws.undo()
    assert target() == ["Person", "Worker group"]
    cb.set_relation_accepts(coding.ws, coding.rtypes["Employs"], "target", [staff])
    with pytest.raises(AnnotaryError, match=r"^Worker group is the only type the target of the relation type Employs "
                       r"accepts"):  # with it gone, the end would accept any type
        cb.remove(coding.ws, ENTITY, staff)

