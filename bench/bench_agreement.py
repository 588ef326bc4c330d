"""Agreement for 3 coders over many documents: time and peak memory of the project report,
and Krippendorff's alpha against the `krippendorff` package on the same rating table.

    python bench/bench_agreement.py [--docs 20000] [--mentions-per-doc 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import resource
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, select  # noqa: E402

from corpus import generate  # noqa: E402

from app.core.models import Coder, Document, DocumentStatus  # noqa: E402
from app.core.services.agreement import agreement_report  # noqa: E402
from app.core.services.agreement_data import load_agreement_data  # noqa: E402
from app.core.services.projects import init_project  # noqa: E402
from app.core.stats.krippendorff import krippendorff_alpha  # noqa: E402

CODERS = ("alice", "bob", "carol")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--mentions-per-doc", type=int, default=30)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args(argv)
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
        t0 = time.perf_counter()
        report = agreement_report(project, list(CODERS), n_boot=args.n_boot)
        elapsed = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"project agreement report (codes with {args.n_boot} bootstrap replicates, mentions and events, "
              f"3 pairs): {elapsed:.2f} s, peak resident memory {rss_after:.0f} MB "
              f"(was {rss_before:.0f} MB before the report); "
              f"documents compared {report['documents_compared']:,}")
        data = load_agreement_data(project, list(CODERS))
        level, values, table = data.codes["tone"]
        rng = random.Random(0)
        table = {d: {c: v if rng.random() > 0.1 else None for c, v in row.items()} for d, row in table.items()}
        order = values
        t0 = time.perf_counter()
        ours = krippendorff_alpha(table, "ordinal", order).alpha
        t_ours = time.perf_counter() - t0
        try:
            import krippendorff
            import numpy as np
        except ImportError:
            print(f"alpha (ordinal, {len(table):,} units x 3 coders): {t_ours * 1000:.0f} ms; "
                  "`krippendorff` not installed for the comparison")
            return 0
        index = {v: i for i, v in enumerate(order)}
        matrix = np.array([[np.nan if row[c] is None else index[row[c]] for row in table.values()] for c in CODERS])
        t0 = time.perf_counter()
        theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal",
                                    value_domain=list(range(len(order))))
        t_theirs = time.perf_counter() - t0
        print(f"alpha (ordinal, {len(table):,} units x 3 coders, 10% missing): ours {ours:.6f} in "
              f"{t_ours * 1000:.0f} ms; krippendorff package {theirs:.6f} in {t_theirs * 1000:.0f} ms; "
              f"ratio {t_ours / t_theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
