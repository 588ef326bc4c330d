"""Two adjudicators settling the same item at once: the second is told who settled it and how,
never silently overwrites it. (Separate processes: tests/test_concurrency_server.py.)"""

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Document, GoldRejection, Mention
from app.core.services.adjudication import GoldConflict
from app.core.services.coders import get_gold_coder, set_role
from app.core.services.review import ReviewService
from app.core.services.workspace import Workspace

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL

DOC = 1  # "Meta reverses decision to reassign employees …"


def _adjudicator(project, name):
    with project.uow() as s:
        set_role(s, name, "adjudicator")
    return ReviewService(Workspace(project, name))


def _coded(project):
    """alice tags "Meta" an Organization and "Applied AI" a Team/Unit; bob tags "Meta" a Person."""
    alice, bob = Workspace(project, "alice"), Workspace(project, "bob")
    text = alice.document_text(DOC)
    types = {t.name: t.id for t in alice.codebook.entity_types}
    meta = text.index("Meta is reversing")
    alice.tag(DOC, text, meta, meta + 4, types["Organization"])
    bob.tag(DOC, text, meta, meta + 4, types["Person"])
    unit = text.index("Applied AI")
    alice.tag(DOC, text, unit, unit + len("Applied AI"), types["Team/Unit"])
    return _adjudicator(project, "lead"), _adjudicator(project, "carol")


def _item(review, description):
    (item,) = [i for i in review.items if i.description == description]
    return item


def _gold(project):
    with project.read() as s:
        gold = get_gold_coder(s).id
        return sorted(s.execute(select(Mention.start, Mention.entity_type_id)
                                .where(Mention.document_id == DOC, Mention.coder_id == gold)).all())


def _version(project):
    with project.read() as s:
        return s.execute(select(Document.gold_version, Document.gold_settled_by).where(Document.id == DOC)).one()


def test_the_second_adjudicator_of_one_item_gets_a_conflict_not_an_overwrite(seeded_project):
    lead, carol = _coded(seeded_project)
    seen_by_lead, seen_by_carol = lead.document_review(DOC), carol.document_review(DOC)
    lead.accept(_item(seen_by_lead, "Organization “Meta”"), "alice")
    settled = _gold(seeded_project)
    with pytest.raises(GoldConflict) as conflict:  # carol still sees the item undecided
        carol.accept(_item(seen_by_carol, "Person “Meta”"), "bob")
    assert str(conflict.value) == "lead settled this item meanwhile: gold now has Organization “Meta” — look again"
    assert _gold(seeded_project) == settled  # lead's decision stands
    assert carol.workspace.history.undo_label is None  # nothing of carol's was done
    with pytest.raises(GoldConflict, match=r"^lead settled this item meanwhile: gold now has it"):
        carol.reject(_item(seen_by_carol, "Organization “Meta”"))
    with seeded_project.read() as s:
        assert s.scalars(select(GoldRejection)).all() == []
    # having looked again, carol may overrule lead: her decision is made on what gold now holds
    fresh = _item(carol.document_review(DOC), "Person “Meta”")
    assert fresh.gold == "gold differs"
    carol.accept(fresh, "bob")
    assert [t for _, t in _gold(seeded_project)] != [t for _, t in settled]


def test_a_rejection_meanwhile_is_named_and_a_decision_elsewhere_is_no_conflict(seeded_project):
    lead, carol = _coded(seeded_project)
    seen_by_carol = carol.document_review(DOC)
    lead.reject(_item(lead.document_review(DOC), "Organization “Meta”"))
    with pytest.raises(GoldConflict, match=r"^lead settled this item meanwhile: it is now rejected — look again$"):
        carol.accept(_item(seen_by_carol, "Organization “Meta”"), "alice")
    # another item of the same document, which lead's decision did not touch: carol's view of it holds
    carol.accept(_item(seen_by_carol, "Team/Unit “Applied AI”"), "alice")
    assert len(_gold(seeded_project)) == 1


def test_an_undo_meanwhile_is_a_change_too(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead.document_review(DOC), "Organization “Meta”"), "alice")
    seen_by_carol = carol.document_review(DOC)  # carol sees it accepted …
    lead.workspace.undo()  # … and lead takes it back
    with pytest.raises(GoldConflict, match=r"^lead settled this item meanwhile: it is now undecided"):
        carol.reject(_item(seen_by_carol, "Organization “Meta”"))


def test_the_gold_version_moves_with_every_decision_undo_and_redo(seeded_project):
    lead, carol = _coded(seeded_project)
    assert _version(seeded_project) == (0, None)
    review = lead.document_review(DOC)
    assert {i.gold_version for i in review.items} == {0}
    lead.accept(_item(review, "Organization “Meta”"), "alice")
    assert _version(seeded_project) == (1, "lead")
    lead.workspace.undo()
    lead.workspace.redo()
    assert _version(seeded_project) == (3, "lead")
    carol.reject(_item(carol.document_review(DOC), "Team/Unit “Applied AI”"))
    assert _version(seeded_project) == (4, "carol")
    assert {i.gold_version for i in lead.document_review(DOC).items} == {4}
    regolded, _ = lead.regold(review)  # the Compare view's quick refresh carries the version too
    assert {i.gold_version for i in regolded.items} == {4}


def test_gold_edited_directly_meanwhile_is_a_conflict(seeded_project):
    _, carol = _coded(seeded_project)
    seen_by_carol = carol.document_review(DOC)
    gold = Workspace(seeded_project, "gold")  # Edit gold…: coding as gold, not a decision
    text = gold.document_text(DOC)
    meta = text.index("Meta is reversing")
    types = {t.name: t.id for t in gold.codebook.entity_types}
    gold.tag(DOC, text, meta, meta + 4, types["Location"])
    with pytest.raises(GoldConflict, match=r"^gold was edited meanwhile: gold now has Location “Meta”"):
        carol.accept(_item(seen_by_carol, "Person “Meta”"), "bob")


def test_ones_own_earlier_decisions_do_not_conflict(seeded_project):
    """An adjudicator deciding from a view only their own decisions made stale gets the usual
    answers (here: their second accept replaces their first), not a conflict."""
    lead, _ = _coded(seeded_project)
    review = lead.document_review(DOC)
    lead.accept(_item(review, "Organization “Meta”"), "alice")
    lead.accept(_item(review, "Person “Meta”"), "bob")
    assert lead.workspace.history.undo_label == "accept mention into gold (replacing 1)"
    with pytest.raises(AnnotaryError, match="gold already has “Meta” with this type"):
        lead.accept(_item(review, "Person “Meta”"), "bob")
