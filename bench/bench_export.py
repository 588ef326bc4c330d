"""Benchmark of the Excel export against two references, on a synthetic corpus.

    python -m bench.bench_export                     # 200,000 mentions, 3 runs each
    python -m bench.bench_export --mentions 20000 --repeat 1

Timed, in turn within each round so that machine load affects all alike:
- export:  app.core.export.xlsx.export_xlsx of the whole project (all seven sheets);
- floor:   openpyxl write-only mode writing the same Mentions rows (header and the
           rows of the export's own query, empty text as empty cells, prebuilt as a
           Python list before timing; no styles, no sanitising);
- pandas:  pandas.read_sql of the same mentions join query + DataFrame.to_excel
           (openpyxl engine), the usual "quick" route.
Prints each run, the median and best, and the ratios export/floor and export/pandas.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook

from app.core.export import rows as q
from app.core.export.xlsx import export_xlsx
from app.core.project import Project
from app.core.services.projects import init_project
from bench.corpus import generate

MENTION_HEADERS = ["mention_id", "document_id", "document_title", "coder", "type", "start", "end",
                   "text", "created", "note"]


def build_project(folder: Path, mentions: int, per_doc: int, events_per_doc: int, doc_chars: int) -> Project:
    project = init_project(folder / "bench.annotary", empty=True)
    n_docs = max(1, mentions // per_doc)
    s = generate(project, n_docs, per_doc, events_per_doc, doc_chars=doc_chars)
    print(f"corpus: {s.documents} documents, {s.mentions} mentions, {s.events} events, "
          f"{s.arguments} arguments; generated in {s.seconds:.1f} s")
    return project


def mention_rows(project: Project) -> tuple[list[str], list[tuple[Any, ...]], Any]:
    """The Mentions sheet's header and rows as the export queries them, and the query."""
    with project.read() as session:
        conn = session.connection()
        attrs = q.attribute_columns(conn, "mention", set(MENTION_HEADERS))
        stmt = q.mentions_query(None, attrs)
        # An empty note is an empty cell in the export, so it is one here too (writing ""
        # would cost the floor an extra cell per row).
        data = [tuple(None if v == "" else v for v in r) for chunk in q.stream(conn, stmt, 5000) for r in chunk]
    return MENTION_HEADERS + [a.column for a in attrs], data, stmt


def floor(path: Path, headers: list[str], data: list[tuple[Any, ...]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Mentions")
    ws.append(headers)
    for row in data:
        ws.append(row)
    wb.save(path)


def pandas_route(project: Project, path: Path, stmt: Any) -> None:
    import pandas as pd

    with project.engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df.to_excel(path, sheet_name="Mentions", index=False, engine="openpyxl")


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU time is less disturbed by other processes)."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--mentions-per-doc", type=int, default=100)
    parser.add_argument("--events-per-doc", type=int, default=10)
    parser.add_argument("--doc-chars", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of export and floor")
    parser.add_argument("--pandas-repeat", type=int, default=None,
                        help="rounds that also time the pandas route (default: all)")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep the project and workbooks here")
    args = parser.parse_args(argv)

    folder = args.workdir or Path(tempfile.mkdtemp(prefix="annotary-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    pandas_rounds = 0 if args.no_pandas else (args.repeat if args.pandas_repeat is None else args.pandas_repeat)
    times: dict[str, list[float]] = {"export": [], "floor": [], "pandas": []}
    cpu: dict[str, list[float]] = {"export": [], "floor": [], "pandas": []}
    try:
        project = build_project(folder, args.mentions, args.mentions_per_doc, args.events_per_doc, args.doc_chars)
        with project:
            headers, data, stmt = mention_rows(project)
            for r in range(max(args.repeat, pandas_rounds)):
                line = [f"round {r + 1}:"]
                if r < args.repeat:
                    report: list[Any] = []
                    t, c = timed(lambda: report.append(  # noqa: B023 - timed() calls it at once
                        export_xlsx(project, folder / "export.xlsx", agreement=False, force=True)))
                    times["export"].append(t)
                    cpu["export"].append(c)
                    line.append(f"export {t:.2f} s (cpu {c:.2f})")
                    t, c = timed(lambda: floor(folder / "floor.xlsx", headers, data))
                    times["floor"].append(t)
                    cpu["floor"].append(c)
                    line.append(f"floor {t:.2f} s (cpu {c:.2f})")
                if r < pandas_rounds:
                    t, c = timed(lambda: pandas_route(project, folder / "pandas.xlsx", stmt))
                    times["pandas"].append(t)
                    cpu["pandas"].append(c)
                    line.append(f"pandas {t:.2f} s (cpu {c:.2f})")
                print("  ".join(line), flush=True)
            rows = report[0].rows if report else {}
            # the same export with the Agreement and Disagreements sheets (two coders here), once
            full: list[Any] = []
            t, c = timed(lambda: full.append(export_xlsx(project, folder / "export_agreement.xlsx", force=True)))
            extra = {k: v for k, v in full[0].rows.items() if k not in rows}
            print(f"export with agreement sheets {extra}: {t:.2f} s (cpu {c:.2f})", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"\nrows exported: {rows}")
    print(f"{'route':<8}{'median s':>10}{'best s':>10}{'median cpu':>12}{'best cpu':>10}")
    for name, values in times.items():
        if values:
            print(f"{name:<8}{statistics.median(values):>10.2f}{min(values):>10.2f}"
                  f"{statistics.median(cpu[name]):>12.2f}{min(cpu[name]):>10.2f}")

    def ratio(a: str, b: str, series: dict[str, list[float]]) -> str:
        return (f"{statistics.median(series[a]) / statistics.median(series[b]):.2f} median, "
                f"{min(series[a]) / min(series[b]):.2f} best")

    if times["export"] and times["floor"]:
        print(f"export/floor   wall {ratio('export', 'floor', times)}; cpu {ratio('export', 'floor', cpu)}"
              f"  (target <= 1.5)")
    if times["export"] and times["pandas"]:
        print(f"export/pandas  wall {ratio('export', 'pandas', times)}; cpu {ratio('export', 'pandas', cpu)}"
              f"  (target < 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
