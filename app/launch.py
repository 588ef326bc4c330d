"""The `annotary` command: the command line of `app.cli`, with the desktop app as its `gui`
subcommand (and its default). The one module that knows both: `app.cli` uses the core only."""

from __future__ import annotations

from collections.abc import Sequence

from app import cli
from app.core.errors import AnnotaryError


def run_gui(project_path: str | None, coder: str | None) -> int:
    try:
        from app.ui.main import run_gui as run
    except ImportError:
        raise AnnotaryError(
            "the desktop GUI is not part of this build yet; use the subcommands (annotary --help)"
        ) from None
    return run(project_path, coder)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, gui=run_gui)
