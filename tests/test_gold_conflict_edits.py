"""Coding as gold (Edit gold…) next to another adjudicator: each edit locks the document's gold and
moves its version, so a decision from an older view is refused; an edit of an item someone settled
since the editor looked is refused, not overwritten; its undo is checked like a decision's."""

import pytest
from sqlalchemy import select

from app.core.changes import everything
from app.core.errors import AnnotaryError
from app.core.models import Document, Mention
from app.core.services.adjudication import GoldConflict
from app.core.services.coders import get_gold_coder
from app.core.services.gold_edits import install
from app.core.services.workspace import Workspace
from tests.test_gold_conflict_undo import DOC, _coded, _item

pytestmark = pytest.mark.both_backends


def _gold_editor(project, by, document_id=DOC):
    """`by` codes as gold (their own history, as Review → Edit gold… in the app) and looks at the document."""
    gold = Workspace(project, "gold")
    edits = install(project, gold.history, by)
    edits.look(document_id)
    text = gold.document_text(document_id)
    types = {t.name: t.id for t in gold.codebook.entity_types}
    meta = text.index("Meta is reversing")
    return gold, types, (meta, meta + 4), text


def _version(project):
    with project.read() as s:
        return s.execute(select(Document.gold_version, Document.gold_settled_by).where(Document.id == DOC)).one()


def _gold_types(project):
    with project.read() as s:
        gold = get_gold_coder(s).id
        return sorted(s.scalars(select(Mention.entity_type_id).where(Mention.document_id == DOC,
                                                                     Mention.coder_id == gold)))


def test_a_gold_edit_moves_the_version_so_an_accept_from_an_older_view_is_refused(seeded_project):
    _lead, carol = _coded(seeded_project)
    seen_by_carol = carol.document_review(DOC)
    gold, types, (start, end), text = _gold_editor(seeded_project, "lead")
    gold.tag(DOC, text, start, end, types["Location"])
    assert _version(seeded_project) == (1, "lead")
    (person,) = [i for i in seen_by_carol.items if i.description == "Person “Meta”"]
    with pytest.raises(GoldConflict, match=r"^lead settled this item meanwhile: gold now has Location “Meta” — look again$"):
        carol.accept(person, "bob")
    assert len(_gold_types(seeded_project)) == 1
    gold.undo()
    gold.redo()
    assert _version(seeded_project) == (3, "lead")


def test_an_edit_of_an_item_settled_since_the_editor_looked_is_refused(seeded_project):
    _lead, carol = _coded(seeded_project)
    gold, types, (start, end), text = _gold_editor(seeded_project, "lead")  # gold has nothing here
    carol.accept(_item(carol, "Organization “Meta”"), "alice")
    with pytest.raises(GoldConflict, match=r"^carol settled (Organization|Person) “Meta” meanwhile: "
                                           r"(gold now has it \(Organization “Meta”\)|gold now has Organization “Meta”)"
                                           r" — look again$"):
        gold.tag(DOC, text, start, end, types["Person"])
    assert _gold_types(seeded_project) == [types["Organization"]]  # carol's decision stands
    assert gold.history.undo_label is None
    # the program shows others' commits (the window's poll): the editor now sees carol's, and may change it
    seeded_project.changes.publish(everything("outside"))
    gold.tag(DOC, text, start, end, types["Person"])
    assert sorted(_gold_types(seeded_project)) == sorted([types["Organization"], types["Person"]])


def test_an_edit_elsewhere_in_the_document_goes_through(seeded_project):
    _lead, carol = _coded(seeded_project)
    gold, types, (start, end), text = _gold_editor(seeded_project, "lead")
    carol.reject(_item(carol, "Team/Unit “Applied AI”"))
    gold.tag(DOC, text, start, end, types["Location"])  # "Meta": carol did not touch it
    assert _version(seeded_project) == (2, "lead")


def test_editing_a_gold_mention_another_adjudicator_replaced_is_refused(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    gold, types, _, _ = _gold_editor(seeded_project, "lead")
    (mention,) = gold.mentions(DOC)
    carol.accept(_item(carol, "Person “Meta”"), "bob")  # replaces gold's Organization
    # its id is gone (a server), or a file gave it to carol's new gold mention: either way, refused
    with pytest.raises(GoldConflict, match=r"^(the mention you are editing is no longer there: gold changed meanwhile"
                                           r"|carol settled Organization “Meta” meanwhile: gold now has Person “Meta”)"):
        gold.retype_mention(mention.id, types["Location"])
    assert _gold_types(seeded_project) == [types["Person"]]


def test_ones_own_decisions_are_no_conflict_for_ones_gold_edits(seeded_project):
    lead, carol = _coded(seeded_project)
    gold, types, _, _ = _gold_editor(seeded_project, "lead")
    lead.accept(_item(lead, "Organization “Meta”"), "alice")  # lead's own decision, in the Compare view
    carol.reject(_item(carol, "Team/Unit “Applied AI”"))  # and carol's, elsewhere
    (mention,) = gold.mentions(DOC)
    gold.retype_mention(mention.id, types["Location"])
    assert _gold_types(seeded_project) == [types["Location"]]


def test_undo_of_a_gold_edit_another_adjudicator_built_on_is_refused(seeded_project):
    _lead, carol = _coded(seeded_project, event=True)
    gold, types, (start, end), text = _gold_editor(seeded_project, "lead")
    gold.tag(DOC, text, start, end, types["Organization"])  # lead codes alice's "Meta" into gold by hand
    (layoff,) = [i for i in carol.document_review(DOC).items if i.kind == "event"]
    carol.accept(layoff, "alice")  # its Actor is lead's gold "Meta"
    with pytest.raises(AnnotaryError, match=r"^cannot undo tag mention: carol settled Layoff .* after you: "
                                            r"undoing this would change it too") as refused:
        gold.undo()
    assert isinstance(refused.value.__cause__, GoldConflict)
    assert gold.history.undo_label == "tag mention"
    assert _gold_types(seeded_project) == [types["Organization"]]


def test_an_adjudicators_undo_is_refused_after_anothers_gold_edit_of_its_item(seeded_project):
    lead, _carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    gold, types, _, _ = _gold_editor(seeded_project, "carol")
    (mention,) = gold.mentions(DOC)
    gold.retype_mention(mention.id, types["Location"])  # carol, coding as gold
    with pytest.raises(AnnotaryError, match=r"^cannot undo accept mention into gold: carol settled Organization "
                                            r"“Meta” after you: gold now has Location “Meta” — look again$"):
        lead.workspace.undo()
    assert _gold_types(seeded_project) == [types["Location"]]


def test_coding_as_oneself_is_left_alone(seeded_project):
    lead, _ = _coded(seeded_project)
    install(seeded_project, lead.workspace.history, "lead", coding_as_gold=lambda: False)
    text = lead.workspace.document_text(DOC)
    lead.workspace.tag(DOC, text, 0, 4, lead.workspace.codebook.entity_types[0].id)
    assert _version(seeded_project) == (0, None)
