"""The Compare view and adjudication through the real main window: settle a disagreement into
gold, accept all agreements, reject, undo; blind coding; coding as gold."""

import pytest
from sqlalchemy import select

from app.core.models import Coder, Mention
from app.core.project import open_project
from app.core.services.coders import set_role
from app.ui import review_actions
from app.ui.main_window import MainWindow
from team_coding import coded  # noqa: F401  (a fixture)


def _gold_mentions(path):
    """Gold's mentions as (text, start, end), read through a separate connection."""
    with open_project(path) as project, project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        rows = s.execute(select(Mention.text, Mention.start, Mention.end).where(Mention.coder_id == gold)).all()
        return sorted(tuple(r) for r in rows)


@pytest.fixture
def lead_window(qtbot, coded):
    project = open_project(coded)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    win.open_document(5)
    yield win
    win.close()


def _compare(win):
    review_actions.show_compare(win)
    assert win.last_error is None if hasattr(win, "last_error") else True
    return win.compare_window


def test_compare_shows_each_coder_and_gold(lead_window):
    compare = _compare(lead_window)
    assert list(compare.readers) == ["alice", "bob", "gold"]
    text = compare.readers["alice"].text
    assert text == lead_window.workspace.document_text(5)
    alice_spans = {text[s.start:s.end] for s in compare.readers["alice"]._spans}
    assert alice_spans == {"OpenAI", "Meta", "ثمانية باحثين"}
    assert compare.items.rowCount() == 6  # the unresolved disagreements
    assert "Unresolved here: 6" in compare.summary.text()
    # disagreeing mentions are marked in the columns of the coders who made them
    assert (text.index("باحثين"), text.index("باحثين") + len("باحثين")) in compare.readers["bob"]._marks


def test_settle_a_disagreement_accept_agreements_and_undo(lead_window, coded, qtbot):
    from PySide6.QtCore import Qt

    compare = _compare(lead_window)
    text = compare.readers["alice"].text
    qtbot.mouseClick(compare.accept_all_button, Qt.MouseButton.LeftButton)
    assert compare.notice.text() == "Accepted 2 agreed annotation(s) into gold."
    i = text.index("OpenAI")
    assert _gold_mentions(coded) == [("OpenAI", i, i + 6)]
    assert len(compare.readers["gold"]._spans) == 1
    # settle the Meta disagreement with bob's version (Person)
    person = next(item for item in compare.review.items if item.description == "Person “Meta”")
    assert compare.select_ref(person.ref)
    assert compare.accept_buttons["bob"].isEnabled() and not compare.accept_buttons["alice"].isEnabled()
    qtbot.mouseClick(compare.accept_buttons["bob"], Qt.MouseButton.LeftButton)
    j = text.index("Meta")
    assert _gold_mentions(coded) == sorted([("OpenAI", i, i + 6), ("Meta", j, j + 4)])
    assert compare.review.unresolved == 4 and compare.items.rowCount() == 4
    assert (j, j + 4) not in compare.readers["alice"]._marks  # settled: no longer marked
    # reject the first remaining item
    compare.table.selectRow(0)
    rejected = compare.selected_item()
    qtbot.mouseClick(compare.reject_button, Qt.MouseButton.LeftButton)
    assert compare.review.unresolved == 3
    assert next(it for it in compare.review.items if it.ref == rejected.ref).status == "rejected"
    # undo the rejection, then bob's Meta; the main window's Undo follows the same history
    compare.undo()
    assert compare.review.unresolved == 4
    assert lead_window.action_undo.text() == "&Undo accept mention into gold"
    lead_window.undo()
    compare.reload()
    assert _gold_mentions(coded) == [("OpenAI", i, i + 6)] and compare.review.unresolved == 6
    lead_window.redo()
    assert len(_gold_mentions(coded)) == 2


def test_blind_coding_keeps_coders_out_of_compare(qtbot, coded):
    win = MainWindow(open_project(coded), "alice", testing=True)
    qtbot.addWidget(win)
    win.open_document(5)
    win._do(lambda: review_actions.show_compare(win))
    assert win.compare_window is None and "blind coding is on" in win.last_error
    win._do(win.show_agreement)
    assert win.agreement_window is None and "blind coding is on" in win.last_error
    win._do(lambda: review_actions.set_blind_coding(win, False))
    assert "only an adjudicator" in win.last_error and win.action_blind.isChecked()
    win.close()


def test_edit_gold_in_the_main_window(lead_window, coded, qtbot):
    compare = _compare(lead_window)
    compare.edit_button.click()
    assert lead_window.workspace.coder_name == "gold" and lead_window.document_id == 5
    text = lead_window.reader.text
    org = next(t.id for t in lead_window.workspace.codebook.entity_types if t.name == "Organization")
    k = text.index("ميتا")
    lead_window.reader.select_cp(k, k + 4)
    lead_window.tag_selection(org)
    assert _gold_mentions(coded) == [("ميتا", k, k + 4)]
    # coming back to the Compare view re-reads what changed meanwhile
    compare.show()
    lead_window.activateWindow()
    compare.activateWindow()
    qtbot.waitUntil(lambda: len(compare.readers["gold"]._spans) == 1, timeout=3000)
    lead_window._do(lambda: review_actions.stop_gold(lead_window))
    assert lead_window.workspace.coder_name == "lead"
    lead_window.undo()  # the history carried over the switch of coder
    assert _gold_mentions(coded) == []


def test_columns_scroll_together(lead_window, qtbot):
    compare = _compare(lead_window)
    compare.resize(900, 400)
    compare.show()
    qtbot.waitExposed(compare)
    alice, bob = compare.readers["alice"], compare.readers["bob"]
    assert alice.verticalScrollBar().maximum() > 0
    alice.verticalScrollBar().setValue(alice.verticalScrollBar().maximum() // 2)
    from PySide6.QtCore import QPoint

    def top_char(reader):
        return reader.position_map.to_code_point(reader.cursorForPosition(QPoint(4, 4)).position())

    assert abs(top_char(alice) - top_char(bob)) < 80  # the same line is on top in both columns
    # the project's counter comes from a worker thread, then follows this document's decisions
    qtbot.waitUntil(lambda: compare.project_counter() is not None, timeout=5000)
    assert "Project: 6 unresolved in 1 document(s)" in compare.summary.text()
    compare.select_ref(compare.items.row_at(0).ref)
    compare.reject_selected()
    assert "Project: 5 unresolved in 1 document(s)" in compare.summary.text()


def test_export_the_gold_set_only_from_the_menu(lead_window, coded, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    _compare(lead_window).accept_agreements()
    target = tmp_path / "gold-only"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    action = next(a for a in lead_window.findChildren(type(lead_window.action_export))
                  if a.text() == "Excel workbook, gold set only…")
    action.trigger()
    wb = load_workbook(tmp_path / "gold-only.xlsx", read_only=True)
    rows = list(wb["Mentions"].iter_rows(values_only=True))
    assert [(dict(zip(rows[0], r))["coder"], dict(zip(rows[0], r))["text"]) for r in rows[1:]] == [("gold", "OpenAI")]
    assert "Agreement" not in wb.sheetnames


def test_next_document_with_unresolved_disagreements(lead_window, coded, qtbot):
    from app.core.services.workspace import Workspace

    with open_project(coded) as project:  # alice and bob also disagree on document 2's tone
        for coder, tone in (("alice", "negative"), ("bob", "positive")):
            ws = Workspace(project, coder)
            code = next(c for c in ws.codebook.document_codes if c.name == "tone")
            ws.set_document_code(2, code.id, tone)
    compare = _compare(lead_window)
    qtbot.waitUntil(lambda: compare.project_counter() is not None, timeout=5000)
    assert compare.project_counter() == (7, 2) and compare.next_unresolved_document() == 2
    assert compare.next_button.isEnabled()
    compare.next_button.click()
    assert lead_window.document_id == 2
    second = lead_window.compare_window
    assert second is not compare and second.document_id == 2
    assert [i.description for i in second.review.items] == ["tone: negative / positive"]
    qtbot.waitUntil(lambda: second.project_counter() is not None, timeout=5000)
    second.table.selectRow(0)
    second.reject_selected()
    assert second.project_counter() == (6, 1) and second.next_unresolved_document() == 5


def test_coders_and_roles_dialog(lead_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    assert lead_window.status_label.text().startswith("Coder: lead (adjudicator)")
    answers = iter([("bob (coder)", True), ("adjudicator", True)])
    offered = []

    def fake_get_item(parent, title, label, items, current, editable):
        offered.append(list(items))
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(fake_get_item))
    lead_window._do(lambda: review_actions.ask_role(lead_window))
    assert lead_window.last_error is None
    assert offered[0] == ["alice (coder)", "bob (coder)", "lead (adjudicator)"]
    assert ("bob", "adjudicator") in review_actions.ReviewService(lead_window.workspace).coders()
    assert lead_window.statusBar().currentMessage() == "bob is now an adjudicator"


def test_a_coder_joining_the_document_gets_a_column(lead_window):
    """Coders take turns on a shared file: one who starts on the document while the view is open
    gets a column and an Accept button the next time the view re-reads."""
    from app.core.services.workspace import Workspace

    compare = _compare(lead_window)
    carol = Workspace(lead_window.project, "carol")
    text = carol.document_text(5)
    i = text.index("OpenAI")
    org = next(t.id for t in carol.codebook.entity_types if t.name == "Organization")
    carol.tag(5, text, i, i + 6, org)
    compare.reload()
    assert list(compare.readers) == ["alice", "bob", "carol", "gold"]
    assert list(compare.accept_buttons) == ["alice", "bob", "carol"]
    assert compare.items.COLUMNS[4:] == ("alice", "bob", "carol", "gold")
    assert _item_by(compare, "Organization “OpenAI”").agreed  # all three made it
    carol.undo()  # carol had not started the document before: she is gone again
    compare.reload()
    assert list(compare.readers) == ["alice", "bob", "gold"]


def _item_by(compare, description):
    return next(i for i in compare.review.items if i.description == description)


def test_compare_undoes_only_its_own_documents_changes(lead_window):
    compare = _compare(lead_window)
    compare.accept_agreements()
    ws = lead_window.workspace
    lead_window.open_document(3)
    text = ws.document_text(3)
    org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
    i = text.index("Meta")
    lead_window.reader.select_cp(i, i + 4)
    lead_window.tag_selection(org)  # the newest change is in document 3
    compare.undo()
    assert "changes another document (id 3)" in lead_window.last_error
    assert ws.history.undo_label == "tag mention"  # nothing was undone
    lead_window.undo()
    compare.undo()  # now the accept-all in this document
    assert lead_window.last_error is None and compare.review.agreed_pending == 2


def test_coders_compare_without_blind_coding_but_only_adjudicators_settle_gold(qtbot, coded):
    from app.core.errors import AnnotaryError

    with open_project(coded) as project, project.uow() as s:
        from app.core.services.project_settings import set_setting

        set_setting(s, "blind_coding", "off")
    win = MainWindow(open_project(coded), "alice", testing=True)
    qtbot.addWidget(win)
    win.open_document(5)
    review_actions.show_compare(win)
    compare = win.compare_window
    assert compare is not None and compare.items.rowCount() == 6
    compare.accept_agreements()
    assert "only an adjudicator can settle the gold set" in win.last_error
    win._do(lambda: review_actions.edit_gold(win, 5))
    assert "only an adjudicator can edit the gold set" in win.last_error
    assert win.workspace.coder_name == "alice"
    with pytest.raises(AnnotaryError, match="adjudicated set, not a person's name"):
        win.set_coder("gold")
    win.close()


@pytest.fixture
def related_window(qtbot, coded):
    """Document 5 where bob also says OpenAI Employs Meta (his Meta is a Person) and both say
    OpenAI is the Same as ميتا (alice from ميتا's side: a symmetric relation either way round)."""
    from app.core.services.workspace import Workspace
    from tests.test_relations import add_relation_types

    project = open_project(coded)
    add_relation_types(project)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")
    for coder in ("alice", "bob"):
        ws = Workspace(project, coder)
        text = ws.document_text(5)
        org = next(t.id for t in ws.codebook.entity_types if t.name == "Organization")
        k = text.index("ميتا")
        ws.tag(5, text, k, k + 4, org)
        ids = {m.text: m.id for m in ws.mentions(5)}
        rtypes = {t.name: t.id for t in ws.codebook.relation_types}
        if coder == "bob":
            ws.create_relation(rtypes["Employs"], ids["OpenAI"], ids["Meta"])
            ws.create_relation(rtypes["Same as"], ids["OpenAI"], ids["ميتا"])
        else:
            ws.create_relation(rtypes["Same as"], ids["ميتا"], ids["OpenAI"])
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    win.open_document(5)
    yield win
    win.close()


def _gold_relations(path):
    from app.core.models import Relation

    with open_project(path) as project, project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        return [(s.get_one(Mention, r.source_mention_id).text, s.get_one(Mention, r.target_mention_id).text)
                for r in s.scalars(select(Relation).where(Relation.coder_id == gold))]


def test_accept_a_relation_in_compare_and_undo_it(related_window, coded, qtbot):
    from PySide6.QtCore import Qt

    compare = _compare(related_window)
    rows = [compare.items.row_at(r) for r in range(compare.items.rowCount())]
    relations = [item for item in rows if item.kind == "relation"]
    assert [item.description for item in relations] == ["Employs: “OpenAI” → “Meta”"]  # the unresolved one
    assert "Unresolved here: 7" in compare.summary.text()
    employs = relations[0]
    row = compare.items.row_of(employs.ref)
    assert compare.items.index(row, 1).data() == "relation"
    text = compare.readers["bob"].text
    i, j = text.index("OpenAI"), text.index("Meta")
    assert compare.items.index(row, 2).data() == f"{i}–{i + 6}, {j}–{j + 4}"
    assert compare.items.index(row, 4).data() == "—" and compare.items.index(row, 5).data() == "✓ this"
    compare.filter.setCurrentIndex(compare.filter.findData("all"))
    same = next(item for item in compare.review.items if item.kind == "relation" and item.agreed)
    assert same.description == "Same as: “ميتا” ↔ “OpenAI”" and set(same.holders) == {"alice", "bob"}
    assert compare.select_ref(employs.ref)
    text = compare.readers["bob"].text
    i, j = text.index("OpenAI"), text.index("Meta")
    # both ends are shown in every column
    assert sorted(compare.readers["gold"]._emphasis) == sorted([(i, i + 6, "#ffbf00"), (j, j + 4, "#ffbf00")])
    assert compare.accept_buttons["bob"].isEnabled() and not compare.accept_buttons["alice"].isEnabled()
    qtbot.mouseClick(compare.accept_buttons["bob"], Qt.MouseButton.LeftButton)
    # one action: the relation and gold copies of both its ends; the view follows by itself
    assert _gold_relations(coded) == [("OpenAI", "Meta")]
    assert _gold_mentions(coded) == sorted([("OpenAI", i, i + 6), ("Meta", j, j + 4)])
    assert next(it for it in compare.review.items if it.ref == employs.ref).status == "accepted"
    assert len(compare.readers["gold"]._spans) == 2
    assert related_window.action_undo.text() == "&Undo accept relation into gold"
    compare.undo()
    assert _gold_relations(coded) == [] and _gold_mentions(coded) == []
    assert next(it for it in compare.review.items if it.ref == employs.ref).status == "unresolved"
    assert len(compare.readers["gold"]._spans) == 0
    compare.redo()
    assert _gold_relations(coded) == [("OpenAI", "Meta")]
    assert next(it for it in compare.review.items if it.ref == employs.ref).status == "accepted"


def test_a_coder_deleting_a_relation_updates_the_open_compare(related_window):
    """A DeleteRelation change names no coder: the view must not take it for gold's."""
    from app.core.services.workspace import Workspace

    compare = _compare(related_window)
    employs = next(item for item in compare.review.items if item.description == "Employs: “OpenAI” → “Meta”")
    Workspace(related_window.project, "bob").delete_relation(employs.holders["bob"].annotation_id)
    assert all(item.ref != employs.ref for item in compare.review.items)
    assert "Unresolved here: 6" in compare.summary.text()
