"""Benchmark of the document list's text filter: the FTS5 trigram index against a plain scan.

    python -m bench.bench_search                  # 2,000 documents of ~5,000 characters, 5 rounds
    python -m bench.bench_search --docs 20000 --repeat 3

Data: the synthetic corpus of bench/corpus.py (English, Arabic and Hindi in turn, no
annotations), indexed with `sync_search_index` (timed: it is also what revision 0004
spends upgrading such a project). Three copies of the file are searched:

- index:   the index holds every document;
- scan:    the index dropped (as on an SQLite without FTS5 trigrams): every text is
           folded in Python and searched;
- partial: the index lacks 5 % of the documents (as when another program inserted them):
           those are scanned, the rest found through the index.

The scan keeps the folded texts in memory (up to 20 million characters), so only its first
keystroke folds them; that one is printed apart. Each query is timed as one keystroke of the filter box costs: `count_documents` plus the
first page of `document_rows` (200 rows). Prints the milliseconds (median of the rounds)
and the ratio scan/index per query.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.project import open_project
from app.core.search_index import (
    FTS_TABLE,
    SOURCES_TABLE,
    drop_search_index,
    sync_search_index,
)
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace
from bench.corpus import generate

QUERIES = [
    ("en phrase", "laid off a team"),
    ("en, no hit", "quarterly dividend"),
    ("ar word", "الذكاء"),
    ("ar, no hit", "مليارات الدولارات"),
    ("hi word", "कर्मचारियों"),
    ("2 chars", "مل"),
]


def keystroke(ws: Workspace, query: str) -> tuple[float, int]:
    t = time.perf_counter()
    n = ws.count_documents(query)
    ws.document_rows(0, 200, query)
    return time.perf_counter() - t, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--chars", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "index.annotary"
        project = init_project(path, empty=True)
        generate(project, n_docs=args.docs, mentions_per_doc=0, events_per_doc=0, coders=("alice",),
                 doc_chars=args.chars)
        t = time.perf_counter()
        with project.uow() as session:
            indexed = sync_search_index(session)
        sync_s = time.perf_counter() - t
        t = time.perf_counter()
        with project.uow() as session:  # what each import pays when the index is already complete
            sync_search_index(session)
        idle_ms = (time.perf_counter() - t) * 1000
        with project.engine.connect() as conn:
            chars = conn.exec_driver_sql("SELECT sum(chars) FROM documents").scalar()
        project.close()
        print(f"{args.docs} documents, {chars / args.docs:,.0f} characters each on average; "
              f"indexing {indexed} documents took {sync_s:.2f} s; file {path.stat().st_size / 1e6:.1f} MB; "
              f"a sync with nothing to add (one unit of work) {idle_ms:.1f} ms")

        copies = {"index": path, "scan": folder / "scan.annotary", "partial": folder / "partial.annotary"}
        shutil.copyfile(path, copies["scan"])
        shutil.copyfile(path, copies["partial"])
        with open_project(copies["scan"]) as p, p.uow() as s:
            drop_search_index(s)
        with open_project(copies["partial"]) as p, p.uow() as s:
            s.connection().exec_driver_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid % 20 = 0")
            s.connection().exec_driver_sql(f"DELETE FROM {SOURCES_TABLE} WHERE id % 20 = 0")

        projects = {name: open_project(p) for name, p in copies.items()}
        try:
            spaces = {name: Workspace(p, "alice") for name, p in projects.items()}
            times: dict[tuple[str, str], list[float]] = {}
            hits: dict[tuple[str, str], int] = {}
            for _ in range(args.repeat):
                for label, query in QUERIES:
                    for name, ws in spaces.items():
                        seconds, n = keystroke(ws, query)
                        times.setdefault((label, name), []).append(seconds)
                        hits[label, name] = n
        finally:
            for p in projects.values():
                p.close()

    print(f"\nms per keystroke (count + first page), median of {args.repeat}")
    print("(the scan keeps folded texts in memory: its first keystroke folds them all, shown apart)")
    print(f"{'query':<14}{'hits':>6}{'index':>10}{'partial':>10}{'scan':>10}{'scan/index':>12}")
    for label, _query in QUERIES:
        ms = {name: statistics.median(times[label, name]) * 1000 for name in copies}
        assert hits[label, "index"] == hits[label, "scan"] == hits[label, "partial"], label
        print(f"{label:<14}{hits[label, 'index']:>6}{ms['index']:>10.1f}{ms['partial']:>10.1f}{ms['scan']:>10.1f}"
              f"{ms['scan'] / ms['index']:>11.1f}x")
    first = times[QUERIES[0][0], "scan"][0] * 1000
    print(f"first keystroke of the scan (folding every text): {first:.0f} ms")


if __name__ == "__main__":
    main()
