"""Benchmark of the brat and doccano annotation imports against a baseline, same process.

    python -m bench.bench_import                         # 10k, 100k and 1M mentions
    python -m bench.bench_import --sizes 10000 --formats brat
    python -m bench.bench_import --sizes 5000 --profile  # cProfile of one brat import

Data: documents of 1,000 mentions each (one-word spans of a generated text, an
entity type of the default codebook, the covered text in the .ann), written once
per size into a temporary folder, then imported into a fresh empty project.

Timed per size and format:
- import:   `import_brat` of the folder / `import_doccano` of the JSONL file;
- baseline: a plain Core `insert` executemany of the same mention rows (ids,
            offsets, covered text) into a fresh project, in one transaction, with
            no reading, parsing or checking: the cost of just storing the rows.
Prints the seconds, mentions per second and the ratio import/baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from app.core.interchange.brat import import_brat
from app.core.interchange.doccano import import_doccano
from app.core.models import EntityType, Mention
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.projects import init_project

PER_DOC = 1000
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def _document(n: int, doc: int) -> tuple[str, list[tuple[int, int]]]:
    words, spans, pos = [], [], 0
    words.append(f"Document {doc}.")
    pos = len(words[0]) + 1
    for i in range(n):
        w = WORDS[(i + doc) % len(WORDS)]
        spans.append((pos, pos + len(w)))
        words.append(w)
        pos += len(w) + 1
    return " ".join(words) + "\n", spans


def _entity_type(project) -> str:  # type: ignore[no-untyped-def]
    with project.read() as s:
        return s.scalars(select(EntityType.name).order_by(EntityType.id)).first()


def write_brat(folder: Path, mentions: int, label: str) -> None:
    folder.mkdir(parents=True)
    for d in range(max(1, mentions // PER_DOC)):
        text, spans = _document(min(PER_DOC, mentions), d)
        (folder / f"doc{d:05d}.txt").write_text(text, encoding="utf-8")
        lines = [f"T{i}\t{label} {s} {e}\t{text[s:e]}" for i, (s, e) in enumerate(spans, 1)]
        (folder / f"doc{d:05d}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_doccano(path: Path, mentions: int, label: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for d in range(max(1, mentions // PER_DOC)):
            text, spans = _document(min(PER_DOC, mentions), d)
            fh.write(json.dumps({"text": text, "label": [[s, e, label] for s, e in spans]}) + "\n")


def baseline(project, mentions: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds for a plain executemany of the same mention rows (documents added untimed)."""
    with project.uow() as s:
        coder = get_or_create_coder(s, "bench").id
        etype = s.scalars(select(EntityType.id).order_by(EntityType.id)).first()
        docs = []
        for d in range(max(1, mentions // PER_DOC)):
            text, spans = _document(min(PER_DOC, mentions), d)
            docs.append((add_document(s, text, f"doc{d}.txt")[0].id, text, spans))
    rows = [
        {"document_id": doc_id, "coder_id": coder, "entity_type_id": etype, "start": a, "end": b,
         "text": text[a:b], "note": ""}
        for doc_id, text, spans in docs for a, b in spans
    ]
    t0 = time.perf_counter()
    with project.uow() as s:
        s.execute(insert(Mention), rows)
    return time.perf_counter() - t0


def run(size: int, fmt: str, tmp: Path, profile: bool = False) -> tuple[float, float]:
    work = tmp / f"{fmt}-{size}"
    work.mkdir()
    project = init_project(work / "import.annotary", empty=True)
    label = _entity_type(project)
    source = work / ("brat" if fmt == "brat" else "data.jsonl")
    (write_brat if fmt == "brat" else write_doccano)(source, size, label)
    importer = import_brat if fmt == "brat" else import_doccano
    profiler = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    reports = importer(project, source, "bench")
    if profiler:
        profiler.disable()
    took = time.perf_counter() - t0
    assert sum(r.mentions for r in reports) == size, "not every mention was imported"
    project.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    base_project = init_project(work / "baseline.annotary", empty=True)
    base = baseline(base_project, size)
    base_project.close()
    shutil.rmtree(work)
    return took, base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=("brat", "doccano"), default=["brat", "doccano"])
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        print(f"{'format':8} {'mentions':>9} {'import s':>9} {'per s':>9} {'baseline s':>10} {'ratio':>6}")
        for size in args.sizes:
            for fmt in args.formats:
                took, base = run(size, fmt, tmp, profile=args.profile)
                args.profile = False
                print(f"{fmt:8} {size:9d} {took:9.2f} {size / took:9.0f} {base:10.2f} {took / base:6.1f}",
                      flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
