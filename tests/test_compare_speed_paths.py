"""The Compare view's quick paths: a decision (or an undo of one, here or in the main window)
updates only gold's side of the open view; what it then shows must be exactly what opening the
view afresh shows: the same items, the same listed rows, the same gold layer and red marks."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Coder, Mention
from app.core.project import open_project
from app.core.services.coders import set_role
from app.core.services.review import ReviewService
from app.core.services.review_items import load_review, load_reviews, regold
from app.core.services.workspace import Workspace
from app.ui import review_actions
from app.ui.main_window import MainWindow
from app.ui.models.review_item_model import FILTERS, ReviewItemModel
from team_coding import add_differences, coded  # noqa: F401  (a fixture)


@pytest.fixture
def lead_window(qtbot, coded):
    add_differences(coded)  # codes, an event attribute and an event only alice has differ too
    project = open_project(coded)
    with project.uow() as s:
        set_role(s, "lead", "adjudicator")
    win = MainWindow(project, "lead", testing=True)
    qtbot.addWidget(win)
    win.open_document(5)
    yield win
    win.close()


def _open(win):
    win._do(lambda: review_actions.show_compare(win))
    assert win.last_error is None
    return win.compare_window


def _count_full_reads(compare, monkeypatch):
    calls = []
    real = compare.service.document_review
    monkeypatch.setattr(compare.service, "document_review", lambda doc: calls.append(doc) or real(doc))
    return calls


def _shown(compare):
    """What the view shows: its items, the rows of each filter, gold's spans and every column's marks."""
    rows = {}
    for which in FILTERS:
        model = ReviewItemModel()
        model.set_items(compare.review.items, compare.coders, which)
        rows[which] = [model.row_at(r).ref for r in range(model.rowCount())]
    listed = [compare.items.row_at(r) for r in range(compare.items.rowCount())]
    gold = sorted((s.start, s.end, s.color) for s in compare.readers["gold"]._spans)
    marks = {name: sorted(reader._marks) for name, reader in compare.readers.items()}
    return compare.review.items, listed, rows, gold, marks, compare.summary.text()


def _assert_as_if_reopened(win, compare):
    """The open view, updated in place, equals a Compare view opened now."""
    filter_index = compare.filter.currentIndex()
    items, listed, rows, gold, marks, summary = _shown(compare)
    fresh = _open(win)
    fresh.filter.setCurrentIndex(filter_index)
    f_items, f_listed, f_rows, f_gold, f_marks, _ = _shown(fresh)
    assert items == f_items
    assert listed == f_listed
    assert rows == f_rows
    assert gold == f_gold and marks == f_marks
    summary_here = summary.split("Project:")[0]
    assert summary_here == fresh.summary.text().split("Project:")[0]
    return fresh


def _gold_mentions(project):
    with project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        return sorted(s.execute(select(Mention.start, Mention.end, Mention.entity_type_id)
                                .where(Mention.coder_id == gold)).all())


def test_each_decision_updates_in_place_to_what_reopening_shows(lead_window, monkeypatch):
    compare = _open(lead_window)
    reads = _count_full_reads(compare, monkeypatch)
    before = compare.review.unresolved
    # a mention (bob's Person “Meta”), replacing nothing
    person = next(i for i in compare.review.items if i.description == "Person “Meta”")
    assert compare.select_ref(person.ref)
    compare.accept_selected("bob")
    assert reads == []  # gold's side only: the review was not read again
    assert compare.review.unresolved < before
    # the accepted item left the list of unresolved ones; the next one is selected
    assert compare.items.row_of(person.ref) is None and compare.selected_item() is not None
    compare = _assert_as_if_reopened(lead_window, compare)
    reads = _count_full_reads(compare, monkeypatch)
    # alice's Organization “Meta” now replaces bob's version in gold (a gold mention deleted)
    org = next(i for i in compare.review.items if i.description == "Organization “Meta”")
    compare.filter.setCurrentIndex(compare.filter.findData("all"))
    reads.clear()
    assert compare.select_ref(org.ref)
    compare.accept_selected("alice")
    assert reads == []
    assert next(i for i in compare.review.items if i.ref == org.ref).status == "accepted"
    assert next(i for i in compare.review.items if i.ref == person.ref).status == "gold differs"
    compare = _assert_as_if_reopened(lead_window, compare)
    reads = _count_full_reads(compare, monkeypatch)
    # a code value, an event, a rejection, then all agreements
    for kind in ("code", "event"):
        item = next(i for i in compare.review.items if i.kind == kind and i.unresolved)
        assert compare.select_ref(item.ref)
        compare.accept_selected(next(iter(item.holders)))
        assert lead_window.last_error is None
        assert next(i for i in compare.review.items if i.ref == item.ref).gold == "accepted"
    item = next(i for i in compare.review.items if i.unresolved)
    assert compare.select_ref(item.ref)
    compare.reject_selected()
    assert next(i for i in compare.review.items if i.ref == item.ref).status == "rejected"
    compare.accept_agreements()
    assert lead_window.last_error is None and reads == []
    compare = _assert_as_if_reopened(lead_window, compare)
    # and back, one step at a time, through the view's own undo
    reads = _count_full_reads(compare, monkeypatch)
    for _ in range(6):
        compare.undo()
        assert lead_window.last_error is None
        compare = _assert_as_if_reopened(lead_window, compare)
    assert _gold_mentions(lead_window.project) == []


def test_an_undo_in_the_main_window_shows_in_the_open_view(lead_window, monkeypatch):
    compare = _open(lead_window)
    compare.show()
    start = _shown(compare)
    item = next(i for i in compare.review.items if i.kind == "mention" and i.unresolved)
    assert compare.select_ref(item.ref)
    holder = next(iter(item.holders))
    compare.accept_selected(holder)
    accepted = _shown(compare)
    assert accepted[3] != start[3]  # gold's column shows the accepted mention
    reads = _count_full_reads(compare, monkeypatch)
    lead_window.undo()  # Ctrl+Z in the main window
    assert reads == []
    assert _shown(compare)[:5] == start[:5]
    assert "Unresolved here: " + str(sum(i.unresolved for i in start[0])) in compare.summary.text()
    lead_window.redo()
    assert _shown(compare)[:5] == accepted[:5]
    _assert_as_if_reopened(lead_window, compare)


def test_coding_as_gold_and_a_coders_change_update_the_open_view(lead_window, monkeypatch):
    """Gold edited in the main window updates gold's side; a coder's own change (a new
    column here) re-reads the whole review, without anyone asking the view to."""
    compare = _open(lead_window)
    compare.show()
    gold = Workspace(lead_window.project, "gold")
    text = gold.document_text(5)
    org = next(t.id for t in gold.codebook.entity_types if t.name == "Organization")
    reads = _count_full_reads(compare, monkeypatch)
    k = text.index("OpenAI")
    gold.tag(5, text, k, k + 6, org)
    assert reads == [] and len(compare.readers["gold"]._spans) == 1
    gold.undo()
    assert reads == [] and compare.readers["gold"]._spans == []
    carol = Workspace(lead_window.project, "carol")
    carol.tag(5, text, k, k + 6, org)
    assert reads == [5] and list(compare.readers) == ["alice", "bob", "carol", "gold"]
    _assert_as_if_reopened(lead_window, compare)


def test_a_closed_view_stops_listening_and_catches_up_when_shown(lead_window, monkeypatch):
    compare = _open(lead_window)
    compare.show()
    compare.close()
    reads = _count_full_reads(compare, monkeypatch)
    gold = Workspace(lead_window.project, "gold")
    text = gold.document_text(5)
    k = text.index("OpenAI")
    gold.tag(5, text, k, k + 6, next(t.id for t in gold.codebook.entity_types if t.name == "Organization"))
    assert reads == [] and compare.readers["gold"]._spans == []  # closed: not updated
    compare.show()
    assert reads == [5] and len(compare.readers["gold"]._spans) == 1


def test_regold_equals_reading_the_review_again(tmp_path):
    """On a synthetic corpus of three coders, after accepting, rejecting and undoing in many
    ways, the review brought up to date from gold alone equals the review read afresh."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from app.core.services.projects import init_project
    from corpus import generate

    with init_project(tmp_path / "synthetic.annotary", empty=True) as project:
        ids = list(generate(project, 4, 40, 6, ("alice", "bob", "carol"), doc_chars=600).document_ids)
        with project.uow() as s:
            set_role(s, "lead", "adjudicator")
        workspace = Workspace(project, "lead")
        service = ReviewService(workspace)
        checked = 0
        for doc in ids:
            with project.read() as s:
                review = load_review(s, doc)
            for k, item in enumerate(list(review.items)):
                item = next(i for i in review.items if i.ref == item.ref)
                try:
                    if k % 4 == 3:
                        service.reject(item)
                    elif k % 5 == 4:
                        workspace.undo()
                    else:
                        service.accept(item, list(item.holders)[k % len(item.holders)])
                except AnnotaryError:  # some decisions are refused; nothing changed then
                    pass
                with project.read() as s:
                    review, _changed = regold(s, review)
                    assert review.items == load_reviews(s, [doc])[0].items
                checked += 1
        assert checked > 50


def test_a_view_deleted_with_its_window_stops_listening(lead_window, qtbot):
    from PySide6.QtCore import QCoreApplication, QEvent

    compare = _open(lead_window)
    project = lead_window.project
    listening = len(project.changes._listeners)
    compare.deleteLater()  # as Qt does to the children of a main window that goes
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert len(project.changes._listeners) == listening - 1
    lead_window.compare_window = None
    gold = Workspace(project, "gold")
    text = gold.document_text(5)
    gold.tag(5, text, 0, 4, gold.codebook.entity_types[0].id)  # publishing to nobody deleted: no error
