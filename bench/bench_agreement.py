"""Agreement for 3 coders over many documents: time and peak memory of the project report,
and Krippendorff's alpha against the `krippendorff` package on the same rating table.

    python bench/bench_agreement.py [--docs 20000] [--mentions-per-doc 30] [--alpha-repeat 7]
    python bench/bench_agreement.py --alpha-only [--docs 20000]   # alpha only, no project
    python bench/bench_agreement.py --alpha-only --levels all     # ... at every level of measurement
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

from sqlalchemy import insert, select

from app.core import paths
from app.core.codebook import load_codebook
from app.core.models import Coder, Document, DocumentStatus
from app.core.services.agreement import agreement_report
from app.core.services.agreement_data import load_agreement_data
from app.core.services.projects import init_project
from app.core.stats.krippendorff import krippendorff_alpha
from corpus import generate

CODERS = ("alice", "bob", "carol")


def tone_values() -> list[str]:
    """The values of the default codebook's ordinal document code `tone`, lowest first."""
    spec = load_codebook(paths.default_codebook_path())
    return list(next(code.values for code in spec.document_codes if code.name == "tone"))


def synthetic_tone_table(n_docs: int, seed: int = 0) -> dict[int, dict[str, str | None]]:
    """A `tone` table shaped like the corpus one, without building a project: document ids
    1..n_docs, each coder's value drawn as `corpus.generate` does (a coder whose random
    status was none has no value: a third of the cells are empty)."""
    rng = random.Random(seed)
    values = tone_values()
    return {
        doc: {c: (rng.choice(values) if rng.choice((None, "in_progress", "done")) else None) for c in CODERS}
        for doc in range(1, n_docs + 1)
    }


LEVELS = ("nominal", "ordinal", "interval", "ratio")


def level_tables(table: dict, order: list[str]) -> dict[str, tuple[dict, list[str] | None]]:
    """The same ratings at each level, as a project would hold them: the labels at nominal and
    ordinal (with their order), their ranks as numbers at interval (0, 1, ...) and ratio (1, 2, ...)."""
    rank = {v: i for i, v in enumerate(order)}
    numeric = {d: {c: None if v is None else rank[v] for c, v in row.items()} for d, row in table.items()}
    return {
        "nominal": (table, None),
        "ordinal": (table, order),
        "interval": (numeric, None),
        "ratio": ({d: {c: None if v is None else v + 1 for c, v in row.items()} for d, row in numeric.items()}, None),
    }


def time_alpha(table: dict, order: list[str], repeat: int, levels: tuple[str, ...] = ("ordinal",)) -> None:
    """Our alpha and the `krippendorff` package's on the same table, timed in turn each round
    (10 % more cells emptied first, as ratings would be missing), at each of `levels`."""
    rng = random.Random(0)
    table = {d: {c: v if rng.random() > 0.1 else None for c, v in row.items()} for d, row in table.items()}
    cells = sum(len(row) for row in table.values())
    missing = sum(v is None for row in table.values() for v in row.values())
    try:
        import krippendorff
        import numpy as np
    except ImportError:
        krippendorff = None
    tables = level_tables(table, order)
    index = {v: i for i, v in enumerate(order)}
    for level in levels:
        shape = f"{level}, {len(table):,} units x 3 coders, {missing / cells:.0%} of cells missing"
        ours_table, ours_order = tables[level]
        # the package takes a coders x units matrix of numbers (ranks for labels, the values
        # for numbers) and the value domain: building it is not in its time
        code = index.__getitem__ if level in ("nominal", "ordinal") else (lambda v: v)
        domain = list(range(len(order))) if level in ("nominal", "ordinal") else None
        ours_t, theirs_t, matrix_t = [], [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            ours = krippendorff_alpha(ours_table, level, ours_order).alpha
            ours_t.append(time.perf_counter() - t0)
            if krippendorff is not None:
                t0 = time.perf_counter()
                matrix = np.array([[np.nan if row[c] is None else code(row[c]) for row in ours_table.values()]
                                   for c in CODERS], dtype=float)
                matrix_t.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level,
                                            value_domain=domain)
                theirs_t.append(time.perf_counter() - t0)
        ours_med, ours_best = statistics.median(ours_t) * 1000, min(ours_t) * 1000
        if krippendorff is None:
            print(f"alpha ({shape}): {ours:.6f}, median {ours_med:.1f} ms, best {ours_best:.1f} ms "
                  f"over {repeat} rounds; `krippendorff` not installed for the comparison")
            continue
        theirs_med, theirs_best = statistics.median(theirs_t) * 1000, min(theirs_t) * 1000
        print(f"alpha ({shape}), {repeat} rounds, median / best: ours {ours:.6f} in {ours_med:.1f} / "
              f"{ours_best:.1f} ms; krippendorff package {theirs:.6f} in {theirs_med:.1f} / {theirs_best:.1f} ms; "
              f"ratio {ours_med / theirs_med:.2f}x (median), {ours_best / theirs_best:.2f}x (best); "
              f"building the package's input matrix from the table (not in its time): "
              f"{statistics.median(matrix_t) * 1000:.1f} ms (median)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--mentions-per-doc", type=int, default=30)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--alpha-only", action="store_true",
                        help="only time alpha against the package, on a synthetic tone table (no project)")
    parser.add_argument("--alpha-repeat", type=int, default=7, help="rounds of the alpha timing (default 7)")
    parser.add_argument("--levels", default="ordinal",
                        help="comma-separated levels to time alpha at (default ordinal; 'all': "
                             "nominal,ordinal,interval,ratio)")
    args = parser.parse_args(argv)
    levels = LEVELS if args.levels == "all" else tuple(args.levels.split(","))
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        parser.error(f"unknown level(s): {', '.join(unknown)}")
    if args.alpha_only:
        time_alpha(synthetic_tone_table(args.docs), tone_values(), args.alpha_repeat, levels)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        project = init_project(Path(tmp) / "agree.annotary", empty=True)
        t0 = time.perf_counter()
        # each coder codes every document: three corpora over the same texts would differ in
        # text, so generate once per coder share and mark every document done by everyone
        generate(project, args.docs, args.mentions_per_doc * len(CODERS), 2, coders=CODERS, doc_chars=1500)
        with project.uow() as s:
            coder_ids = list(s.scalars(select(Coder.id)))
            doc_ids = list(s.scalars(select(Document.id)))
            s.query(DocumentStatus).delete()
            s.execute(insert(DocumentStatus), [
                {"document_id": d, "coder_id": c, "status": "done"} for d in doc_ids for c in coder_ids
            ])
        print(f"(corpus: {args.docs:,} documents, {args.docs * args.mentions_per_doc * len(CODERS):,} mentions, "
              f"3 coders; built in {time.perf_counter() - t0:.1f} s)")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0, c0 = time.perf_counter(), time.process_time()
        report = agreement_report(project, list(CODERS), n_boot=args.n_boot)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"project agreement report (codes with {args.n_boot} bootstrap replicates, mentions and events, "
              f"3 pairs): {elapsed:.2f} s ({cpu:.2f} s of CPU: on a shared machine, the steadier figure), peak resident memory {rss_after:.0f} MB "
              f"(was {rss_before:.0f} MB before the report); "
              f"documents compared {report['documents_compared']:,}")
        data = load_agreement_data(project, list(CODERS))
        _level, values, table = data.codes["tone"]
        time_alpha(table, values, args.alpha_repeat, levels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
