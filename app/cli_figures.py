"""`annotary figures OUTDIR`: the standard figures of the project, each with its CSV. Core only."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from app.core.terminal import printable

Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(add: Add) -> None:
    p = add("figures", cmd_figures,
            "draw the standard figures (counts, event roles, agreement per type), each with a CSV of its numbers")
    p.add_argument("outdir", metavar="OUTDIR", help="the folder to write into (created if needed)")
    p.add_argument("--coder", metavar="NAME", help="only this coder's annotations (default: every coder but gold)")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="the figures' format (default png)")
    p.add_argument("--force", action="store_true",
                   help="replace figures and CSVs already in OUTDIR (never a project, a database or a non-regular file)")


def cmd_figures(args: argparse.Namespace) -> int:
    from app.cli import _open
    from app.core.figures import render_figures

    with _open(args) as project:
        written = render_figures(project, Path(args.outdir), coder=args.coder, fmt=args.format, force=args.force)
    for path in written:
        print(printable(f"wrote\t{path}", keep="\t"))
    return 0
