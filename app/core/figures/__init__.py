"""The standard figures of a project, each written with the CSV of exactly the numbers it shows.

matplotlib (Agg, through `matplotlib.figure.Figure`: no pyplot, no GUI toolkit) is imported only
when a figure is drawn, so the command line starts without it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.analysis.counts import Table, figure_tables
from app.core.errors import AnnotaryError

if TYPE_CHECKING:
    from app.core.project import Project

FORMATS = ("png", "svg", "pdf")
DPI = 150


def csv_text(table: Table) -> str:
    """The table as CSV: a header of its columns, then its rows; None as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return out.getvalue()


def figure_bytes(table: Table, fmt: str = "png") -> bytes:
    """The table's figure, drawn and saved in `fmt`."""
    import matplotlib

    from app.core.figures import style
    from app.core.figures.draw import draw

    if fmt not in FORMATS:
        raise AnnotaryError(f"unknown figure format {fmt!r} (choose {', '.join(FORMATS)})")
    with matplotlib.rc_context():
        style.apply_rc()
        fig = draw(table)
        out = io.BytesIO()
        # no creation date in the file: the same data gives the same figure
        metadata = {"Software": None} if fmt == "png" else {"Date": None} if fmt == "svg" else {"CreationDate": None}
        fig.savefig(out, format=fmt, dpi=DPI, metadata=metadata)
    return out.getvalue()


def render_figures(project: Project, outdir: Path, coder: str | None = None, fmt: str = "png",
                   force: bool = False) -> list[Path]:
    """Write STEM.FMT and STEM.csv for every table of `figure_tables(project, coder)` into
    `outdir` (created if needed); the paths written, in order.

    Every target is checked before anything is drawn (see app.core.write_target): an existing
    file is replaced only with `force`, never the project or a database. Each file is written
    under a temporary name beside its target, then moved into place."""
    from app.core.temp_files import remove_entry, remove_stale, temp_path
    from app.core.write_target import check_files_in_folder, check_folder_target, publish

    if fmt not in FORMATS:
        raise AnnotaryError(f"unknown figure format {fmt!r} (choose {', '.join(FORMATS)})")
    outdir = Path(outdir)
    check_folder_target(outdir, project=project.file)
    tables = figure_tables(project, coder)
    names = [name for t in tables for name in (f"{t.stem}.{fmt}", f"{t.stem}.csv")]
    check_files_in_folder(outdir, names, force=force, project=project.file)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        if not os.access(outdir, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        raise AnnotaryError(f"cannot write into {outdir}: {exc.strerror}") from None
    remove_stale(outdir)
    written: list[Path] = []
    for table in tables:
        for target, data in ((outdir / f"{table.stem}.{fmt}", figure_bytes(table, fmt)),
                             (outdir / f"{table.stem}.csv", csv_text(table).encode("utf-8"))):
            tmp = temp_path(target)
            try:
                with open(tmp, "xb") as fh:
                    fh.write(data)
                publish(tmp, target, force=force, project=project.file)
            except OSError as exc:
                raise AnnotaryError(f"cannot write {target}: {exc.strerror}") from None
            finally:
                if os.path.lexists(tmp):
                    remove_entry(tmp)
            written.append(target)
    return written
