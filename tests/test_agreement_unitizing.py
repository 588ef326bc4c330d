"""Unitizing alpha (αu) per mention type in `annotary agreement --json`: the numbers equal a direct
computation (the literal 2004 definition, exact fractions) from the mentions stored in the project."""

import json

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.models import Coder, Document, EntityType, Mention
from app.core.project import open_project
from app.core.services.workspace import Workspace
from team_coding import coded  # noqa: F401  (a fixture)
from test_stats_unitizing import _reference

KEYS = ["alpha", "observed_disagreement", "expected_disagreement", "n_coders", "length"]


def _json(path, capsys):
    capsys.readouterr()
    assert main(["agreement", "--project", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _direct(path, coders, documents):
    """{type: (alpha, Do, De)} and the length, straight from the database: each document's text
    placed after the previous one, each coder's mentions united per type by hand."""
    with open_project(path) as project, project.read() as s:
        texts = dict(s.execute(select(Document.id, Document.text).where(Document.id.in_(documents))).all())
        names = dict(s.execute(select(Coder.id, Coder.name)).all())
        types = dict(s.execute(select(EntityType.id, EntityType.name)).all())
        rows = s.execute(select(Mention.document_id, Mention.coder_id, Mention.entity_type_id, Mention.start,
                                Mention.end)).all()
    offsets, at = {}, 0
    for d in sorted(texts):
        offsets[d] = at
        at += len(texts[d])
    positions: dict[tuple[int, str], set[int]] = {}
    for doc, coder_id, type_id, start, end in rows:
        if doc in offsets and names[coder_id] in coders:
            key = (coders.index(names[coder_id]), types[type_id])
            positions.setdefault(key, set()).update(range(offsets[doc] + start, offsets[doc] + end))
    units = []
    for (coder, type_name), covered in positions.items():  # maximal runs of covered positions
        run = sorted(covered)
        start = run[0]
        for p, q in zip(run, [*run[1:], None]):
            if q != p + 1:
                units.append((coder, start, p + 1, type_name))
                start = q
    ref = _reference(units, len(coders), at)
    return {t: (float(1 - do / de) if de else None, float(do), float(de)) for t, (do, de) in ref.items()}, at


def _same(report, direct, length, n_coders):
    table = report["mentions"]["unitizing_alpha"]
    assert sorted(table) == sorted(direct)
    for type_name, (alpha, do, de) in direct.items():
        entry = table[type_name]
        assert list(entry) == KEYS
        assert (entry["n_coders"], entry["length"]) == (n_coders, length)
        assert entry["observed_disagreement"] == pytest.approx(do, rel=1e-12)
        assert entry["expected_disagreement"] == pytest.approx(de, rel=1e-12)
        assert entry["alpha"] == pytest.approx(alpha, rel=1e-9)


def test_agreement_json_has_unitizing_alpha_per_type(coded, capsys):
    report = _json(coded, capsys)
    assert report["documents_compared"] == 1  # only document 5 is done by both
    direct, length = _direct(coded, ["alice", "bob"], [5])
    with open_project(coded) as project:
        assert length == len(Workspace(project, "alice").document_text(5))
    assert sorted(direct) == ["Organization", "Person", "Quantity"]
    _same(report, direct, length, 2)
    table = report["mentions"]["unitizing_alpha"]
    # alice and bob tagged the same OpenAI and Meta as Organization only once each: Meta is bob's Person
    assert 0 < table["Organization"]["alpha"] < 1 and table["Quantity"]["alpha"] < 1
    notes = report["mentions"]["unitizing_notes"]
    assert notes["merged_overlaps"] == {"Organization": 0, "Person": 0, "Quantity": 0}
    assert notes["n_units"] == {"Organization": 3, "Person": 1, "Quantity": 2}
    assert notes["undefined"] == {} and notes["overall"]["n_coders"] == 2


def test_the_continuum_runs_through_every_compared_document(coded, capsys):
    with open_project(coded) as project:
        alice, bob = Workspace(project, "alice"), Workspace(project, "bob")
        org = next(t.id for t in bob.codebook.entity_types if t.name == "Organization")
        text = bob.document_text(4)
        word = text.split()[3]
        i = text.index(word)
        bob.tag(4, text, i, i + len(word), org)
        alice.tag(4, text, i, i + len(word), org)
        bob.set_done(4, True)
    report = _json(coded, capsys)
    assert report["documents_compared"] == 2
    direct, length = _direct(coded, ["alice", "bob"], [4, 5])
    _same(report, direct, length, 2)


def test_overlapping_mentions_of_one_coder_are_united_and_counted(coded, capsys):
    with open_project(coded) as project:
        alice = Workspace(project, "alice")
        org = next(t.id for t in alice.codebook.entity_types if t.name == "Organization")
        text = alice.document_text(5)
        i = text.index("OpenAI")
        j = text.index(" ", i + len("OpenAI") + 1)  # OpenAI and the next word, overlapping her OpenAI
        alice.tag(5, text, i, j, org)
    report = _json(coded, capsys)
    assert report["mentions"]["unitizing_notes"]["merged_overlaps"]["Organization"] == 1
    assert report["mentions"]["unitizing_notes"]["n_units"]["Organization"] == 3
    direct, length = _direct(coded, ["alice", "bob"], [5])
    _same(report, direct, length, 2)


def test_a_compared_coder_who_marked_nothing_of_a_type_counts(coded, capsys):
    with open_project(coded) as project:
        carol = Workspace(project, "carol")
        carol.set_done(5, True)
    report = _json(coded, capsys)
    assert report["coders"] == ["alice", "bob", "carol"]
    direct, length = _direct(coded, ["alice", "bob", "carol"], [5])
    _same(report, direct, length, 3)
    assert all(e["n_coders"] == 3 for e in report["mentions"]["unitizing_alpha"].values())


def test_without_compared_documents_there_is_nothing_to_unitize(coded, capsys):
    with open_project(coded) as project:
        Workspace(project, "bob").set_done(5, False)
    report = _json(coded, capsys)
    assert report["documents_compared"] == 0
    assert report["mentions"]["unitizing_alpha"] == {}
    assert report["mentions"]["unitizing_notes"]["overall_note"] == "no characters compared"
