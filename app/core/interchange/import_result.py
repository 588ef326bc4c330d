"""What an annotation import (brat folder, doccano file) gives back, and how it refuses.

An import is ONE transaction for the whole command: every file (brat) or line
(doccano) is checked and stored inside it, each in a savepoint of its own, and
only then is it committed. When any file or line is invalid the import is
refused with `ImportRefused`, which lists every one of them, and the project is
left exactly as it was; with ``skip_invalid`` the valid ones are committed and
the invalid ones are listed on the result (`ImportReports.refused`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from app.core.errors import AnnotationInputError
from app.core.interchange.common import FileReport

STATUSES = ("in_progress", "done")
"""What an import may set as the coder's status of its documents (None: in progress, unless
the coder already marked the document done)."""

_MAX_LISTED = 5  # invalid files or lines named in the one-line message (all are on `problems`)

T = TypeVar("T")


class ImportReports(list[FileReport]):
    """One FileReport per document stored (a list, as before), with what was refused
    (`skip_invalid`: the invalid files or lines, not stored) and the entity types
    added to the codebook (doccano's `add_labels`)."""

    def __init__(self, reports: Iterable[FileReport] = (), refused: Iterable[AnnotationInputError] = (),
                 added_types: Iterable[str] = ()) -> None:
        super().__init__(reports)
        self.refused = list(refused)
        self.added_types = list(added_types)

    @property
    def skipped(self) -> int:
        """Annotations left out because the coder already had them in that document."""
        return sum(r.skipped_mentions + r.skipped_events for r in self)


class ImportRefused(AnnotationInputError):
    """Nothing was imported: some files or lines are invalid (all of them in `problems`), or
    (doccano) the file uses labels the codebook lacks (`unknown_labels`).

    It reads as the first problem (its `path`, `line` and `reason`), followed on the same line
    by how many more there are, the labels, and the ways out."""

    def __init__(self, problems: list[AnnotationInputError], total: int, refused: int, unit: str,
                 unknown_labels: list[str] | None = None) -> None:
        first = problems[0]
        self.problems = problems
        self.total = total
        self.unit = unit  # "file" or "line"
        self.unknown_labels = list(unknown_labels or [])
        self.valid = max(total - refused, 0)
        extra = ""
        if len(problems) > 1:
            others = [_where(p) for p in problems[1:_MAX_LISTED + 1]]
            more = len(problems) - 1 - len(others)
            extra += f" (and {len(problems) - 1} more: {', '.join(others)}{f', … {more} more' if more else ''})"
        if self.unknown_labels:
            extra += (f"; the file uses {_labels(self.unknown_labels)} the codebook does not have: "
                      f"{', '.join(self.unknown_labels)}; --add-labels adds them as entity types")
        extra += "; nothing was imported"
        if self.valid:
            extra += f" (--skip-invalid imports the {self.valid} valid {unit}(s) and lists the others)"
        super().__init__(first.path, first.line, first.reason + extra)


def _where(problem: AnnotationInputError) -> str:
    return f"{problem.path}:{problem.line}" if problem.line is not None else str(problem.path)


def _labels(labels: list[str]) -> str:
    return "1 label" if len(labels) == 1 else f"{len(labels)} labels"


def in_savepoint(session: Session, problems: list[AnnotationInputError], work: Callable[[], T]) -> T | None:
    """`work()` in a savepoint: its result, or None when it refused its input (the error is added
    to `problems` and everything it stored is rolled back, the rest of the import kept)."""
    try:
        with session.begin_nested():
            return work()
    except AnnotationInputError as exc:
        if not any(str(exc) == str(p) for p in problems):  # one bad annotation.conf: named once
            problems.append(exc)
        return None


def finish(problems: list[AnnotationInputError], total: int, refused: int, unit: str, skip_invalid: bool,
           unknown_labels: list[str] | None = None) -> None:
    """Refuse the whole import (raise) unless every file or line was valid or `skip_invalid`;
    `refused` files or lines of the `total` were invalid."""
    if problems and not skip_invalid:
        raise ImportRefused(problems, total, refused, unit, unknown_labels)


def clean_status(status: str | None) -> str | None:
    """`in-progress`/`in_progress`/`done` as stored, or None (the default)."""
    if status is None:
        return None
    value = status.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in STATUSES:
        from app.core.errors import AnnotaryError

        raise AnnotaryError(f"status must be in-progress or done, not {status!r}")
    return value
