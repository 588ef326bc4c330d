"""Krippendorff's unitizing alpha (αu) on synthetic mentions: time of `unitizing_alpha` (all types at once).

    python bench/bench_unitizing.py [--docs 5] [--coders 3] [--mentions 2000] [--types 4] [--repeat 5]
    python bench/bench_unitizing.py --project-docs 20000 [--mentions-per-doc 30]   # in the agreement report

Each document is 10 characters per mention long; a reference coder's mentions (3 to 12 characters,
never overlapping within a type) are copied by every coder with each boundary moved by up to 2
characters, 10 % dropped and 10 % added elsewhere, as when coders mostly agree. The documents are
read one after another (as the agreement report does), `--mentions` per coder per document.
Prints the median and best time, the number of units and the alpha of each type.

`--project-docs N` instead builds a project as bench_agreement.py does (N documents of 1,500
characters, `corpus.generate`, three coders, every document done by everyone) and times the report's
unitizing section (`unitizing_section`: reading document lengths, uniting, αu per type) apart from
`load_agreement_data`, which the report does anyway.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app.core.stats.unitizing import union_spans, unitizing_alpha


def study(docs: int, coders: int, mentions: int, types: int, seed: int = 0) -> tuple[list[tuple[int, int, int, str]], int]:
    rnd = random.Random(seed)
    doc_length = 10 * mentions
    spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for d in range(docs):
        base = d * doc_length
        reference = []
        for _ in range(mentions):
            start = base + rnd.randrange(doc_length - 12)
            reference.append((start, start + rnd.randint(3, 12), f"T{rnd.randrange(types)}"))
        for coder in range(coders):
            for start, end, kind in reference:
                if rnd.random() < 0.1:  # dropped; another one elsewhere instead
                    start = base + rnd.randrange(doc_length - 12)
                    end = start + rnd.randint(3, 12)
                s = max(base, start + rnd.randint(-2, 2))
                e = min(base + doc_length, max(s + 1, end + rnd.randint(-2, 2)))
                spans.setdefault((coder, kind), []).append((s, e))
    units = []
    for (coder, kind), own in spans.items():
        united, _ = union_spans(own)
        units += [(coder, s, e, kind) for s, e in united]
    return units, docs * doc_length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--mentions", type=int, default=2000, help="per coder per document")
    parser.add_argument("--types", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project-docs", type=int, default=0, help="time the report's section on a built project")
    parser.add_argument("--mentions-per-doc", type=int, default=30, help="with --project-docs: per coder")
    args = parser.parse_args()
    if args.project_docs:
        time_project(args.project_docs, args.mentions_per_doc, args.repeat)
        return
    units, length = study(args.docs, args.coders, args.mentions, args.types)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = unitizing_alpha(units, args.coders, length)
        times.append(time.perf_counter() - t)
    print(f"{args.docs} docs x {args.coders} coders x {args.mentions} mentions: {len(units)} units "
          f"(after uniting overlaps), continuum {length:,} characters, {args.types} types")
    print(f"unitizing_alpha: median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms "
          f"({args.repeat} rounds)")
    for kind, r in sorted(report.per_category.items(), key=lambda kv: str(kv[0])):
        print(f"  {kind}: alpha {r.alpha:.4f}  D_o {r.observed_disagreement:.3e}  D_e {r.expected_disagreement:.3e}  "
              f"units {r.n_units}")
    assert report.overall is not None
    print(f"  all types: alpha {report.overall.alpha:.4f}")


def time_project(n_docs: int, mentions_per_doc: int, repeat: int) -> None:
    import tempfile

    from sqlalchemy import insert, select

    from app.core.models import Coder, Document, DocumentStatus
    from app.core.services.agreement_data import load_agreement_data
    from app.core.services.agreement_unitizing import unitizing_section
    from app.core.services.projects import init_project
    from corpus import generate

    coders = ("alice", "bob", "carol")
    with tempfile.TemporaryDirectory() as tmp:
        project = init_project(Path(tmp) / "units.annotary", empty=True)
        t0 = time.perf_counter()
        generate(project, n_docs, mentions_per_doc * len(coders), 2, coders=coders, doc_chars=1500)
        with project.uow() as s:
            coder_ids = list(s.scalars(select(Coder.id)))
            doc_ids = list(s.scalars(select(Document.id)))
            s.query(DocumentStatus).delete()
            s.execute(insert(DocumentStatus), [
                {"document_id": d, "coder_id": c, "status": "done"} for d in doc_ids for c in coder_ids])
        print(f"(corpus: {n_docs:,} documents, 3 coders; built in {time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        data = load_agreement_data(project, list(coders))
        print(f"load_agreement_data: {time.perf_counter() - t0:.2f} s, "
              f"{sum(len(m) for m in data.mentions.values()):,} mentions")
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            section = unitizing_section(project, data)
            times.append(time.perf_counter() - t0)
        notes = section["unitizing_notes"]
        print(f"unitizing_section: median {statistics.median(times):.2f} s, best {min(times):.2f} s ({repeat} rounds); "
              f"{sum(notes['n_units'].values()):,} units after uniting {sum(notes['merged_overlaps'].values()):,} "
              f"overlapping mentions, {len(notes['n_units'])} types, length {notes['overall']['length']:,}")
        project.close()


if __name__ == "__main__":
    main()
