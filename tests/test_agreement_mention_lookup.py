"""The agreement report's mention disagreements: what each coder has where the other's unmatched
mention is, found through the per-document window, equals a scan of every mention of the document,
in any input order."""

from __future__ import annotations

import gc
import random

from app.core.services.agreement import _CoderMentions, _mention_disagreements, agreement_report
from app.core.services.agreement_data import MentionUnit
from team_coding import coded  # noqa: F401  (a fixture)


def scanned(a, b, ma, mb, pairs):
    """The disagreements as the report listed them before the window: every mention of the document scanned."""
    out = []
    for i, j in pairs:
        x, y = ma[i], mb[j]
        if (x.start, x.end) != (y.start, y.end):
            out.append({"kind": "mention span", "document_id": x.document_id, "start": min(x.start, y.start),
                        "end": max(x.end, y.end), "text": x.text, "coder_a": a,
                        "value_a": f"{x.type} {x.start}-{x.end} “{x.text}”", "coder_b": b,
                        "value_b": f"{y.type} {y.start}-{y.end} “{y.text}”", "type": x.type, "code": None})
    for mentions, others, matched, side in ((ma, mb, {i for i, _ in pairs}, "a"), (mb, ma, {j for _, j in pairs}, "b")):
        for k, m in enumerate(mentions):
            if k in matched:
                continue
            there = [o for o in others if o.document_id == m.document_id and o.start < m.end and m.start < o.end]
            theirs = "; ".join(f"{o.type} “{o.text}”" for o in there) or "nothing"
            mine = f"{m.type} “{m.text}”"
            out.append({"kind": "mention", "document_id": m.document_id, "start": m.start, "end": m.end,
                        "text": m.text, "coder_a": a, "value_a": mine if side == "a" else theirs,
                        "coder_b": b, "value_b": theirs if side == "a" else mine, "type": m.type, "code": None})
    return out


def random_mentions(rng, first_id, sort):
    mentions = []
    for k in range(rng.randint(0, 40)):
        doc = rng.randint(1, 4)
        start = rng.randint(0, 60)
        end = start + rng.randint(1, 25) if rng.random() < 0.9 else start + 1
        mentions.append(MentionUnit(doc, start, end, rng.choice("PO"), first_id + k, f"t{first_id + k}"))
    if sort:
        mentions.sort(key=lambda m: (m.document_id, m.start))
    return mentions


def test_window_lookup_equals_scanning_the_document_in_any_order():
    rng = random.Random(4)
    for trial in range(300):
        sort = trial % 3 != 0  # sorted as the project reads them, or in any order
        ma, mb = random_mentions(rng, 0, sort), random_mentions(rng, 1000, sort)
        pairs = tuple(sorted({(rng.randrange(len(ma)), rng.randrange(len(mb)))
                              for _ in range(min(len(ma), len(mb)) // 3)})) if ma and mb else ()
        pairs = tuple({i: (i, j) for i, j in {j: (i, j) for i, j in pairs}.values()}.values())  # one-to-one
        fast = _mention_disagreements("a", "b", _CoderMentions(ma), _CoderMentions(mb), pairs)
        assert fast == scanned("a", "b", ma, mb, pairs)
        assert _mention_disagreements("a", "b", ma, mb, pairs) == fast


def test_the_report_leaves_the_garbage_collector_as_it_found_it(coded):
    from app.core.project import open_project

    project = open_project(coded)
    try:
        assert gc.isenabled()
        report = agreement_report(project, ["alice", "bob"])
        assert report["documents_compared"] == 1 and gc.isenabled()
        gc.disable()
        try:
            agreement_report(project, ["alice", "bob"])
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        project.close()
