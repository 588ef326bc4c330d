"""Review items and adjudication into gold: what counts as agreed, accepted, rejected, unresolved;
every decision committed and undoable; blind coding."""

import pytest
from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import Coder, DocumentCodeValue, Event, GoldRejection, Mention
from app.core.project import open_project
from app.core.services.coders import set_role
from app.core.services.review import ReviewService
from app.core.services.workspace import Workspace
from team_coding import coded  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL


def _adjudicator(project, name="lead"):
    with project.uow() as s:
        set_role(s, name, "adjudicator")
    return ReviewService(Workspace(project, name))


def _gold(project):
    """Gold's mentions as (start, end, type name, text) and its codes, read through a fresh session."""
    with project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        if gold is None:
            return set(), {}, 0
        text = {m.id: m for m in s.scalars(select(Mention).where(Mention.coder_id == gold))}
        mentions = {(m.start, m.end, m.entity_type_id, m.text) for m in text.values()}
        codes = dict(s.execute(select(DocumentCodeValue.code_id, DocumentCodeValue.value)
                               .where(DocumentCodeValue.coder_id == gold)).all())
        events = len(s.scalars(select(Event.id).where(Event.coder_id == gold)).all())
        return mentions, codes, events


def _item(review, kind, description_part, holder=None):
    found = [i for i in review.items if i.kind == kind and description_part in i.description
             and (holder is None or set(i.holders) == {holder})]
    assert len(found) == 1, [i.description for i in review.items]
    return found[0]


def test_review_lines_up_agreements_and_disagreements(coded):
    with open_project(coded) as project:
        review = _adjudicator(project).document_review(5)
        assert review.coders == ["alice", "bob"]
        openai = _item(review, "mention", "OpenAI")
        assert openai.agreed and openai.status == "agreed" and not openai.disagreement
        meta_org = _item(review, "mention", "Organization “Meta”")
        assert set(meta_org.holders) == {"alice"} and meta_org.elsewhere == {"bob": "Person “Meta”"}
        assert meta_org.unresolved and meta_org.status == "unresolved"
        tone = _item(review, "code", "tone")
        assert tone.agreed and tone.holders["alice"].value == "negative"
        # the two events differ in their Actor: two event items, each held by one coder
        events = [i for i in review.items if i.kind == "event"]
        assert len(events) == 2 and all(e.unresolved for e in events)
        assert review.unresolved == 6 and review.agreed_pending == 2  # OpenAI, tone
        # offsets of every mention item are the slice of the text
        text = Workspace(project, "lead").document_text(5)
        for item in review.items:
            if item.kind == "mention":
                (holder,) = list(item.holders.values())[:1]
                assert f"“{text[item.start:item.end]}”" in holder.description
        # document 4 was coded by alice alone: nothing to disagree about
        assert Workspace(project, "lead") and _adjudicator(project).document_review(4).unresolved == 0


def test_accept_all_agreements_then_undo_and_redo(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        text = service.workspace.document_text(5)
        assert service.accept_agreements(5) == (2, 0)
        mentions, codes, _ = _gold(project)
        i = text.index("OpenAI")
        org = next(t.id for t in service.workspace.codebook.entity_types if t.name == "Organization")
        assert mentions == {(i, i + 6, org, "OpenAI")}
        assert list(codes.values()) == ["negative"]
        review = service.document_review(5)
        assert review.agreed_pending == 0 and _item(review, "mention", "OpenAI").status == "agreed, in gold"
        with pytest.raises(AnnotaryError, match="nothing agreed"):
            service.accept_agreements(5)
        service.workspace.undo()
        assert _gold(project)[:2] == (set(), {})
        service.workspace.redo()
        assert _gold(project)[0] == mentions and _gold(project)[1] == codes


def test_accept_one_coders_version_resolves_the_place(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        review = service.document_review(5)
        before = review.unresolved
        meta_person = _item(review, "mention", "Person “Meta”")
        service.accept(meta_person, "bob")
        review = service.document_review(5)
        assert _item(review, "mention", "Person “Meta”").status == "accepted"
        # alice's Organization at the same place is decided too: gold holds something else there
        org = _item(review, "mention", "Organization “Meta”")
        assert org.status == "gold differs" and org.gold_description == "Person “Meta”"
        assert review.unresolved == before - 2
        with pytest.raises(AnnotaryError, match="already"):
            service.accept(_item(review, "mention", "Person “Meta”"), "bob")
        service.workspace.undo()
        assert service.document_review(5).unresolved == before


def test_accept_event_brings_its_arguments_and_attributes(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        review = service.document_review(5)
        alices = next(i for i in review.items if i.kind == "event" and "alice" in i.holders)
        assert "Actor: Meta" in alices.description and "Modality: reported" in alices.description
        service.accept(alices, "alice")
        mentions, _, events = _gold(project)
        assert events == 1 and {m[3] for m in mentions} == {"Meta"}  # the Actor came along
        review = service.document_review(5)
        assert next(i for i in review.items if i.ref == alices.ref).status == "accepted"
        bobs = next(i for i in review.items if i.kind == "event" and "bob" in i.holders)
        assert bobs.status == "gold differs"
        service.workspace.undo()
        assert _gold(project)[0] == set() and _gold(project)[2] == 0
        service.workspace.redo()
        assert _gold(project)[2] == 1


def test_reject_resolves_and_undo_reopens(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        item = _item(service.document_review(5), "mention", "Organization “Meta”")
        service.reject(item)
        assert _item(service.document_review(5), "mention", "Organization “Meta”").status == "rejected"
        with project.read() as s:
            assert s.scalars(select(GoldRejection.ref)).all() == [item.ref]
        with pytest.raises(AnnotaryError, match="already rejected"):
            service.reject(_item(service.document_review(5), "mention", "Organization “Meta”"))
        service.workspace.undo()
        assert _item(service.document_review(5), "mention", "Organization “Meta”").unresolved


def test_blind_coding_hides_other_coders_from_coders(coded):
    with open_project(coded) as project:
        as_alice = ReviewService(Workspace(project, "alice"))
        assert as_alice.blind_coding()
        with pytest.raises(AnnotaryError, match="blind coding is on"):
            as_alice.document_review(5)
        with pytest.raises(AnnotaryError, match="only an adjudicator"):
            as_alice.set_blind_coding(False)
        lead = _adjudicator(project)
        lead.set_blind_coding(False)
        assert ReviewService(Workspace(project, "alice")).document_review(5).coders == ["alice", "bob"]


def test_project_counter(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        assert service.project_unresolved() == (6, 1)
        service.accept_agreements(5)  # agreements are not disagreements: the count stays
        assert service.project_unresolved() == (6, 1)
        for item in service.document_review(5).items:
            if item.unresolved:
                service.reject(item)
        assert service.project_unresolved() == (0, 0)


def test_roles_are_assigned_by_adjudicators_once_there_is_one(coded):
    with open_project(coded) as project:
        as_bob = ReviewService(Workspace(project, "bob"))
        assert as_bob.coders() == [("alice", "coder"), ("bob", "coder")]
        as_bob.set_role("carol", "adjudicator")  # no adjudicator yet: anyone may name the first
        with pytest.raises(AnnotaryError, match=r"only an adjudicator \(carol\)"):
            as_bob.set_role("bob", "adjudicator")
        as_carol = ReviewService(Workspace(project, "carol"))
        as_carol.set_role("bob", "adjudicator")
        assert ("bob", "adjudicator") in as_carol.coders()


def test_fast_counts_equal_the_detailed_review(tmp_path):
    """`count_reviews` (counters) and `load_reviews` (the Compare view) agree, on a synthetic corpus
    of three coders with agreements, accepted, rejected and overridden items."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from app.core.services.projects import init_project
    from app.core.services.review_items import count_reviews, load_reviews
    from corpus import generate

    with init_project(tmp_path / "synthetic.annotary", empty=True) as project:
        ids = list(generate(project, 12, 45, 6, ("alice", "bob", "carol"), doc_chars=600).document_ids)
        service = _adjudicator(project)
        with project.read() as s:
            first = load_reviews(s, ids)
        for review in first[:6]:  # settle some items in several ways
            for k, item in enumerate(i for i in review.items if i.unresolved):
                if k % 3 == 0:
                    service.accept(item, next(iter(item.holders)))
                elif k % 3 == 1:
                    service.reject(item)
        with project.read() as s:
            reviews = load_reviews(s, ids)
            fast = {c.document_id: (c.coders, c.disagreements, c.unresolved, c.agreed_pending)
                    for c in count_reviews(s, ids)}
        detailed = {r.document_id: (r.coders, r.disagreements, r.unresolved, r.agreed_pending) for r in reviews}
        assert fast == detailed
        assert sum(v[2] for v in detailed.values()) < sum(r.unresolved for r in first)
        statuses = {i.status for r in reviews for i in r.items}
        assert {"accepted", "rejected", "gold differs", "unresolved"} <= statuses


def _layoff_with_actor(ws, text, twice=False):
    ents = {t.name: t.id for t in ws.codebook.entity_types}
    layoff = next(t for t in ws.codebook.event_types if t.name == "Layoff")
    actor = next(r.id for r in layoff.roles if r.name == "Actor")
    i = text.index("Meta")
    event = ws.create_event(5, layoff.id).event_id
    for _ in range(2 if twice else 1):  # the same span and type tagged twice, both as the Actor
        ws.add_argument(event, actor, ws.tag(5, text, i, i + 4, ents["Organization"]).mention_id)


def test_a_coders_duplicate_mentions_are_one_argument_in_gold(tmp_path, capsys):
    from app.cli import main
    from app.core.services.projects import init_project

    path = tmp_path / "dup.annotary"
    init_project(path).close()
    with open_project(path) as project:
        for coder in ("alice", "bob"):
            ws = Workspace(project, coder)
            _layoff_with_actor(ws, ws.document_text(5), twice=coder == "alice")
            tone = next(c for c in ws.codebook.document_codes if c.name == "tone")
            ws.set_document_code(3, tone.id, "neutral")  # an agreement in another document too
        service = _adjudicator(project)
        event = next(i for i in service.document_review(5).items if i.kind == "event")
        assert event.agreed  # identical events: the duplicate mention is the same argument
    assert main(["gold", "accept-agreements", "--project", str(path)]) == 0
    assert capsys.readouterr().out == "accepted 3 agreed annotation(s) into gold\n"  # Meta, the Layoff, tone
    with open_project(path) as project:
        _, codes, events = _gold(project)
        assert events == 1 and list(codes.values()) == ["neutral"]


def test_batch_accept_leaves_a_failing_document_as_it_was_and_goes_on(coded, capsys, monkeypatch):
    from app.cli import main
    from app.core.services import adjudication

    def broken(self, session):  # fails after its first steps: they must not stay
        original(self, session)
        if self.document_id == 5:
            raise AnnotaryError("something in document 5")

    original = adjudication.AcceptAgreements.build
    monkeypatch.setattr(adjudication.AcceptAgreements, "build", broken)
    with open_project(coded) as project:
        ws = Workspace(project, "bob")
        tone = next(c for c in ws.codebook.document_codes if c.name == "tone")
        ws.set_document_code(4, tone.id, "neutral")  # alice has "neutral" there too: an agreement
        ws.set_done(4, True)
    assert main(["gold", "accept-agreements", "--project", str(coded)]) == 1
    out, err = capsys.readouterr()
    assert out == "accepted 1 agreed annotation(s) into gold\n"
    assert err == "annotary: document 5 left as it was: something in document 5\n"
    with open_project(coded) as project:
        assert list(_gold(project)[1].values()) == ["neutral"]


def test_accepting_a_mention_carries_its_attributes_but_not_leftovers_of_an_old_type(coded):
    from app.core.models import Attribute, MentionAttributeValue
    from app.core.services import annotations as svc

    with open_project(coded) as project:
        with project.uow() as s:
            for name, applies in (("named", '["Person"]'), ("checked", "[]")):
                s.add(Attribute(name=name, target="mention", values_json="[]", applies_to_json=applies))
        with project.uow() as s:
            ids = dict(s.execute(select(Attribute.name, Attribute.id)).all())
            alice = s.scalar(select(Coder.id).where(Coder.name == "alice"))
            openai = s.scalar(select(Mention).where(Mention.coder_id == alice, Mention.text == "OpenAI"))
            person = s.scalar(select(Mention.entity_type_id).where(Mention.text == "Meta", Mention.coder_id != alice))
            org = openai.entity_type_id
            # as a file from an older Annotary could hold it: set while Person, then retyped
            svc.retype_mention(s, openai.id, person)
            svc.set_mention_attribute(s, openai.id, ids["named"], "true")
            svc.set_mention_attribute(s, openai.id, ids["checked"], "true")
            svc.retype_mention(s, openai.id, org)
        service = _adjudicator(project)
        item = _item(service.document_review(5), "mention", "OpenAI")
        service.accept(item, "alice")
        with project.read() as s:
            gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
            copied = s.execute(select(MentionAttributeValue.attribute_id).join(
                Mention, Mention.id == MentionAttributeValue.mention_id).where(Mention.coder_id == gold)).all()
        assert copied == [(ids["checked"],)]


def test_accept_all_leaves_agreed_events_that_use_a_rejected_mention(tmp_path):
    from app.core.services.projects import init_project

    path = tmp_path / "rejected.annotary"
    init_project(path).close()
    with open_project(path) as project:
        for coder in ("alice", "bob"):
            ws = Workspace(project, coder)
            _layoff_with_actor(ws, ws.document_text(5))
        service = _adjudicator(project)
        meta = _item(service.document_review(5), "mention", "Meta")
        assert meta.agreed
        service.reject(meta)  # the adjudicator does not want "Meta" in gold
        with pytest.raises(AnnotaryError, match="1 agreed event"):
            service.accept_agreements(5)
        assert _gold(project) == (set(), {}, 0)
        event = next(i for i in service.document_review(5).items if i.kind == "event")
        assert event.argument_refs == (meta.ref,)
        service.accept(event, "alice")  # an explicit decision may bring it back
        assert _item(service.document_review(5), "mention", "Meta").status == "agreed, in gold"


def _gold_rows(project):
    with project.read() as s:
        gold = s.scalar(select(Coder.id).where(Coder.name == "gold"))
        mentions = sorted(s.execute(select(Mention.id, Mention.text, Mention.entity_type_id)
                                    .where(Mention.coder_id == gold)).all())
        events = sorted(s.scalars(select(Event.id).where(Event.coder_id == gold)).all())
    return mentions, events


def test_accepting_another_version_replaces_golds_and_undo_brings_it_back(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        review = service.document_review(5)
        service.accept(_item(review, "mention", "Organization “Meta”"), "alice")
        first = _gold_rows(project)
        service.accept(_item(service.document_review(5), "mention", "Person “Meta”"), "bob")
        mentions, _ = _gold_rows(project)
        assert [(t) for _, t, _ in mentions] == ["Meta"] and mentions[0][2] != first[0][0][2]
        assert service.workspace.history.undo_label == "accept mention into gold (replacing 1)"
        assert _item(service.document_review(5), "mention", "Organization “Meta”").status == "gold differs"
        service.workspace.undo()
        assert _gold_rows(project) == first  # alice's version back, with its id
        # events: bob's version of the poaching offer replaces alice's
        events = [i for i in service.document_review(5).items if i.kind == "event"]
        alices = next(i for i in events if "alice" in i.holders)
        bobs = next(i for i in events if "bob" in i.holders)
        service.accept(alices, "alice")
        with_alices = _gold_rows(project)
        service.accept(bobs, "bob")
        assert len(_gold_rows(project)[1]) == 1  # one event at that place: bob's (see the statuses)
        statuses = {i.ref: i.status for i in service.document_review(5).items}
        assert statuses[bobs.ref] == "accepted" and statuses[alices.ref] == "gold differs"
        service.workspace.undo()
        assert _gold_rows(project) == with_alices


def test_a_gold_mention_used_by_a_gold_event_is_not_replaced(coded):
    with open_project(coded) as project:
        service = _adjudicator(project)
        alices = next(i for i in service.document_review(5).items if i.kind == "event" and "alice" in i.holders)
        service.accept(alices, "alice")  # brings gold "Meta" (Organization) as the Actor
        before = _gold_rows(project)
        with pytest.raises(AnnotaryError, match="argument of a gold event"):
            service.accept(_item(service.document_review(5), "mention", "Person “Meta”"), "bob")
        assert _gold_rows(project) == before


def test_a_nested_mention_of_another_type_is_not_settled_by_its_container(tmp_path):
    """Gold holding a Team mention does not decide whether a part of it is an Organization
    mention of its own: that disagreement stays open."""
    from app.core.services.projects import init_project

    path = tmp_path / "nested.annotary"
    init_project(path).close()
    with open_project(path) as project:
        for coder in ("alice", "bob"):
            ws = Workspace(project, coder)
            types = {t.name: t.id for t in ws.codebook.entity_types}
            text = ws.document_text(1)
            i = text.index("Applied AI (AAI) task force")
            ws.tag(1, text, i, i + len("Applied AI (AAI) task force"), types["Team/Unit"])
            if coder == "alice":
                ws.tag(1, text, i, i + len("Applied AI"), types["Organization"])
        service = _adjudicator(project)
        service.accept_agreements(1)
        inner = _item(service.document_review(1), "mention", "Organization “Applied AI”")
        assert inner.status == "unresolved" and inner.gold_description == ""


@pytest.mark.parametrize("name", ["Gold", "GOLD", " gold "])
def test_gold_in_another_case_is_not_a_name_to_code_under(name):
    """Coder names are compared casefolded, so "Gold" would be the gold coder itself."""
    from app.core.errors import AnnotaryError
    from app.core.services.coders import check_personal_name

    with pytest.raises(AnnotaryError, match="adjudicated set"):
        check_personal_name(name)


@pytest.mark.parametrize("name", ["eve\x1b[2J", "\u202eevil", "a\x00b", "bob\u2066"])
def test_coder_names_cannot_hold_control_characters(name):
    from app.core.errors import AnnotaryError
    from app.core.services.coders import clean_coder_name

    with pytest.raises(AnnotaryError, match=r"contains a (control|bidirectional control) character"):
        clean_coder_name(name)
