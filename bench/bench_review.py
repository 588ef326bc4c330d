"""Adjudication at project scale: lining up review items and counting unresolved disagreements.

    python bench/bench_review.py [--docs 2000] [--mentions-per-doc 30] [--repeat 3]

Builds a temporary project with the synthetic corpus (3 coders, mentions shared out among them,
so nearly every mention is a disagreement), then times in each round, in the same process:

| route | what it does |
| --- | --- |
| plain read | one SELECT of every mention, event, argument and code value of the project into tuples: the floor for any review of the whole project |
| project count | `count_reviews` of every document (what `annotary gold status` and the Compare view's project counter do) |
| project review | `load_reviews` with every item's description (to compare with the count) |
| one document | `load_review` of one document (opening or refreshing the Compare view), median over 50 documents |
| accept agreements | `AcceptAgreements` on one document with agreed items, then undone (the database work of the button) |

It prints every figure, the ratio project count / plain read, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select

from app.core.models import (
    Coder,
    Document,
    DocumentCodeValue,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
)
from app.core.services.adjudication import AcceptAgreements
from app.core.services.projects import init_project
from app.core.services.review_items import count_reviews, load_review, load_reviews
from corpus import generate

CODERS = ("alice", "bob", "carol")


def plain_read(project) -> int:  # type: ignore[no-untyped-def]
    with project.engine.connect() as conn:
        n = 0
        for query in (
            select(Mention.id, Mention.document_id, Mention.coder_id, Mention.entity_type_id, Mention.start,
                   Mention.end, Mention.text),
            select(Event.id, Event.document_id, Event.coder_id, Event.event_type_id, Event.trigger_start,
                   Event.trigger_end, Event.trigger_text),
            select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id),
            select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value),
            select(DocumentCodeValue.document_id, DocumentCodeValue.coder_id, DocumentCodeValue.code_id,
                   DocumentCodeValue.value),
        ):
            n += len(conn.execute(query).all())
    return n


def agree_on_one_document(project, doc_id: int) -> None:  # type: ignore[no-untyped-def]
    """Give every coder the same five mentions in one document, so it has agreements to accept."""
    with project.uow() as s:
        coders = {c.name: c.id for c in s.scalars(select(Coder))}
        text = s.get(Document, doc_id).text
        type_id = s.scalar(select(Mention.entity_type_id).limit(1))
        for k in range(5):
            start = k * 20
            for name in CODERS:
                s.add(Mention(document_id=doc_id, coder_id=coders[name], entity_type_id=type_id, start=start,
                              end=start + 5, text=text[start:start + 5]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--mentions-per-doc", type=int, default=30, help="per coder")
    parser.add_argument("--events-per-doc", type=int, default=2, help="per coder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project = init_project(Path(tmp) / "review.annotary", empty=True)
        t0 = time.perf_counter()
        summary = generate(project, args.docs, args.mentions_per_doc * len(CODERS),
                           args.events_per_doc * len(CODERS), CODERS, doc_chars=2000)
        print(f"corpus: {summary.documents} documents, {summary.mentions} mentions, {summary.events} events "
              f"({len(CODERS)} coders) in {time.perf_counter() - t0:.1f} s")
        doc_ids = list(summary.document_ids)
        agree_on_one_document(project, doc_ids[0])
        sample = random.Random(0).sample(doc_ids, min(50, len(doc_ids)))
        rows: dict[str, list[float]] = {"plain read": [], "project count": [], "project review": [],
                                        "one document": [], "accept agreements": []}
        for r in range(args.repeat):
            t = time.perf_counter()
            n_rows = plain_read(project)
            rows["plain read"].append(time.perf_counter() - t)
            t = time.perf_counter()
            with project.read() as s:
                reviews = count_reviews(s, doc_ids)
            rows["project count"].append(time.perf_counter() - t)
            unresolved = sum(rv.unresolved for rv in reviews)
            t = time.perf_counter()
            with project.read() as s:
                detailed = load_reviews(s, doc_ids)
            rows["project review"].append(time.perf_counter() - t)
            assert sum(rv.unresolved for rv in detailed) == unresolved
            per_doc = []
            for doc_id in sample:
                t = time.perf_counter()
                with project.read() as s:
                    load_review(s, doc_id)
                per_doc.append(time.perf_counter() - t)
            rows["one document"].append(statistics.median(per_doc))
            action = AcceptAgreements(doc_ids[0])
            t = time.perf_counter()
            with project.uow() as s:
                action.do(s)
            rows["accept agreements"].append(time.perf_counter() - t)
            with project.uow() as s:
                action.undo(s)
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1] * 1000:.1f} ms" for k, v in rows.items()))
        project.close()
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"rows read by the plain read: {n_rows:,}; review items: {sum(len(rv.items) for rv in detailed):,}; "
          f"unresolved: {unresolved:,}; accepted per click: {action.accepted}")
    for k, v in med.items():
        print(f"median {k}: {v * 1000:.1f} ms")
    print(f"ratio project count / plain read: {med['project count'] / med['plain read']:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
