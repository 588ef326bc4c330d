"""Undoing or redoing a gold decision after another adjudicator settled its item, or built on it:
refused with the conflict named, nothing stored, the action still on its stack. Only one's own
decisions since, or others' decisions elsewhere, let it through. (Processes: test_gold_conflict_processes.py.)"""

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Document, GoldRejection, Mention
from app.core.services.adjudication import GoldConflict
from app.core.services.coders import get_gold_coder, set_role
from app.core.services.review import ReviewService
from app.core.services.workspace import Workspace

pytestmark = pytest.mark.both_backends

DOC = 1


def _adjudicator(project, name):
    with project.uow() as s:
        set_role(s, name, "adjudicator")
    return ReviewService(Workspace(project, name))


def _coded(project, event=False):
    """alice: "Meta" an Organization (with `event`: the Actor of her Layoff event), "Applied AI" a
    Team/Unit; bob: "Meta" a Person."""
    alice, bob = Workspace(project, "alice"), Workspace(project, "bob")
    text = alice.document_text(DOC)
    types = {t.name: t.id for t in alice.codebook.entity_types}
    meta = text.index("Meta is reversing")
    mention = alice.tag(DOC, text, meta, meta + 4, types["Organization"]).mention_id
    bob.tag(DOC, text, meta, meta + 4, types["Person"])
    unit = text.index("Applied AI")
    alice.tag(DOC, text, unit, unit + len("Applied AI"), types["Team/Unit"])
    if event:
        layoff = next(t for t in alice.codebook.event_types if t.name == "Layoff")
        created = alice.create_event(DOC, layoff.id).event_id
        alice.add_argument(created, next(r.id for r in layoff.roles if r.name == "Actor"), mention)
    return _adjudicator(project, "lead"), _adjudicator(project, "carol")


def _item(service, description):
    (item,) = [i for i in service.document_review(DOC).items if i.description == description]
    return item


def _gold(project):
    with project.read() as s:
        gold = get_gold_coder(s).id
        return sorted(s.execute(select(Mention.start, Mention.entity_type_id)
                                .where(Mention.document_id == DOC, Mention.coder_id == gold)).all())


def _version(project):
    with project.read() as s:
        return s.execute(select(Document.gold_version, Document.gold_settled_by).where(Document.id == DOC)).one()


def _refused(step, message):
    with pytest.raises(AnnotaryError) as refused:
        step()
    assert isinstance(refused.value.__cause__, GoldConflict)
    assert str(refused.value) == message


def test_undo_does_not_take_back_what_another_adjudicator_settled_since(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    carol.accept(_item(carol, "Person “Meta”"), "bob")  # carol, having seen lead's, overrules it
    settled, version = _gold(seeded_project), _version(seeded_project)
    _refused(lead.workspace.undo,
             "cannot undo accept mention into gold: carol settled Organization “Meta” after you: "
             "gold now has Person “Meta” — look again")
    assert (_gold(seeded_project), _version(seeded_project)) == (settled, version)  # nothing stored
    history = lead.workspace.history
    assert (history.undo_label, history.redo_label) == ("accept mention into gold", None)  # still to undo
    carol.workspace.undo()  # carol takes hers back: gold is as lead left it, and lead may undo
    lead.workspace.undo()
    assert _gold(seeded_project) == []
    assert history.redo_label == "accept mention into gold"


def test_undo_does_not_pull_a_mention_from_under_an_event_settled_on_it(seeded_project):
    lead, carol = _coded(seeded_project, event=True)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    (layoff,) = [i for i in carol.document_review(DOC).items if i.kind == "event"]
    carol.accept(layoff, "alice")  # gold's Layoff takes lead's gold "Meta" as its Actor
    with pytest.raises(AnnotaryError, match=r"^cannot undo accept mention into gold: carol settled Layoff .* after you: "
                       r"undoing this would change it too \(gold now has it .*\) — look again$") as refused:
        lead.workspace.undo()
    assert isinstance(refused.value.__cause__, GoldConflict)
    assert len(_gold(seeded_project)) == 1
    assert lead.workspace.history.undo_label == "accept mention into gold"


def test_redo_does_not_overwrite_what_was_settled_after_the_undo(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    lead.workspace.undo()
    carol.accept(_item(carol, "Person “Meta”"), "bob")
    settled = _gold(seeded_project)
    _refused(lead.workspace.redo,
             "cannot redo accept mention into gold: carol settled Organization “Meta” after your undo: "
             "gold now has Person “Meta” — look again")
    assert _gold(seeded_project) == settled
    history = lead.workspace.history
    assert (history.undo_label, history.redo_label) == (None, "accept mention into gold")


def test_undoing_a_rejection_someone_accepted_since_is_refused(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.reject(_item(lead, "Organization “Meta”"))
    carol.accept(_item(carol, "Organization “Meta”"), "alice")  # overrules the rejection
    _refused(lead.workspace.undo, "cannot undo reject: carol settled Organization “Meta” after you: "
                                  "gold now has it (Organization “Meta”) — look again")
    with seeded_project.read() as s:
        assert len(s.scalars(select(GoldRejection)).all()) == 1


def test_others_decisions_elsewhere_and_ones_own_since_let_undo_through(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    carol.reject(_item(carol, "Team/Unit “Applied AI”"))  # another item of the same document
    lead.workspace.undo()
    assert _gold(seeded_project) == []
    lead.workspace.redo()
    # lead again, from another window of the same program (another review service): their own
    other_window = ReviewService(Workspace(seeded_project, "lead"))
    other_window.accept(_item(other_window, "Person “Meta”"), "bob")  # replaces lead's first
    other_window.workspace.undo()
    lead.workspace.undo()
    assert _gold(seeded_project) == []


def test_several_changes_since_name_the_latest_not_a_guess(seeded_project):
    lead, carol = _coded(seeded_project)
    lead.accept(_item(lead, "Organization “Meta”"), "alice")
    carol.accept(_item(carol, "Person “Meta”"), "bob")
    dave = _adjudicator(seeded_project, "dave")
    dave.reject(_item(dave, "Team/Unit “Applied AI”"))  # the latest decision is dave's, elsewhere
    _refused(lead.workspace.undo,
             "cannot undo accept mention into gold: gold of Organization “Meta” changed after you "
             "(latest decision in this document by dave): gold now has Person “Meta” — look again")


def test_a_stale_accept_after_several_decisions_does_not_name_the_wrong_one(seeded_project):
    lead, carol = _coded(seeded_project)
    seen_by_lead = lead.document_review(DOC)
    carol.accept(_item(carol, "Person “Meta”"), "bob")
    carol.reject(_item(carol, "Team/Unit “Applied AI”"))
    (meta,) = [i for i in seen_by_lead.items if i.description == "Organization “Meta”"]
    with pytest.raises(GoldConflict, match=r"^gold changed meanwhile \(latest decision in this document by carol\): "
                                           r"gold now has Person “Meta” — look again$"):
        lead.accept(meta, "alice")


def test_accept_all_agreements_is_undone_only_as_it_was_left(seeded_project):
    from app.core.services.gold_edits import install

    lead, _carol = _coded(seeded_project)
    bob = Workspace(seeded_project, "bob")
    text = bob.document_text(DOC)
    unit = text.index("Applied AI")
    types = {t.name: t.id for t in bob.codebook.entity_types}
    bob.tag(DOC, text, unit, unit + len("Applied AI"), types["Team/Unit"])
    assert lead.accept_agreements(DOC) == (1, 0)
    gold = Workspace(seeded_project, "gold")  # carol codes as gold: "Applied AI" is an Organization
    install(seeded_project, gold.history, "carol").look(DOC)
    (mention,) = gold.mentions(DOC)
    gold.retype_mention(mention.id, types["Organization"])
    _refused(lead.workspace.undo, "cannot undo accept all agreements: carol settled Team/Unit “Applied AI” after "
                                  "you: gold now has Organization “Applied AI” — look again")
    gold.undo()
    lead.workspace.undo()
    assert _gold(seeded_project) == []
