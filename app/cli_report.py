"""`annotary report OUT.html`: the reliability report for a methods section. Core only."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from app.core.terminal import printable

Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(add: Add) -> None:
    p = add("report", cmd_report, "write the reliability report: one self-contained HTML page for a methods section")
    p.add_argument("out", metavar="OUT.html", help="the page to write")
    p.add_argument("--coders", metavar="A,B,...", help="the coders to compare (default: all but gold)")
    p.add_argument("--include-unfinished", action="store_true",
                   help="also compare documents not marked done by every coder")
    p.add_argument("--no-figures", action="store_true", help="leave the figures out")
    p.add_argument("--force", action="store_true", help="replace an existing OUT.html")


def cmd_report(args: argparse.Namespace) -> int:
    from app.cli import _open
    from app.core.errors import AnnotaryError
    from app.core.report.reliability import write_report

    out = Path(args.out)
    if out.is_dir():
        raise AnnotaryError(f"refusing to write over {out}: it is a folder; give the name of the page to write")
    if not out.parent.is_dir():
        raise AnnotaryError(f"folder {out.parent} does not exist")
    coders = [c.strip() for c in args.coders.split(",") if c.strip()] if args.coders else None
    with _open(args) as project:
        write_report(project, out, force=args.force, coders=coders, include_unfinished=args.include_unfinished,
                     figures=not args.no_figures)
    print(printable(f"wrote {out}"))
    return 0
