"""What an annotation import (brat folder, doccano file) gives back, and how it refuses.

An import is ONE transaction for the whole command: every file (brat) or line
(doccano) is checked and stored inside it, each in a savepoint of its own, and
only then is it committed. When any file or line is invalid the import is
refused with `ImportRefused`, which lists every one of them, and the project is
left exactly as it was; the same when the user cancels (the progress callback
raises `ImportCancelled`, see `cancellable`, within the transaction); with ``skip_invalid`` the valid ones are committed and
the invalid ones are listed on the result (`ImportReports.refused`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError, AnnotationInputError
from app.core.interchange.common import FileReport

STATUSES = ("in_progress", "done")
"""What an import may set as the coder's status of its documents (None: in progress, unless
the coder already marked the document done)."""

_MAX_LISTED = 5  # invalid files or lines named in the one-line message (all are on `problems`)

T = TypeVar("T")


class ImportReports(list[FileReport]):
    """One FileReport per document stored (a list, as before), with what was refused
    (`skip_invalid`: the invalid files or lines, not stored) and the entity, event and
    relation types added to the codebook (doccano's `add_labels`)."""

    def __init__(self, reports: Iterable[FileReport] = (), refused: Iterable[AnnotationInputError] = (),
                 added_types: Iterable[str] = ()) -> None:
        super().__init__(reports)
        self.refused = list(refused)
        self.added_types = list(added_types)  # entity types
        self.added_event_types: list[str] = []
        self.added_relation_types: list[str] = []

    @property
    def skipped(self) -> int:
        """Annotations left out because the coder already had them in that document."""
        return sum(r.skipped_mentions + r.skipped_events for r in self)


KINDS = ("entity type", "event type", "relation type")
"""The kinds of labels a doccano import can add to the codebook (`add_labels`)."""


class ImportRefused(AnnotationInputError):
    """Nothing was imported: some files or lines are invalid (all of them in `problems`), or
    (doccano) the file uses labels the codebook lacks: span labels (`unknown_labels`, added as
    entity types), event types (`unknown_event_types`) and relation types
    (`unknown_relation_types`); `unknown` lists them all with their kind.

    It reads as the first problem (its `path`, `line` and `reason`), followed on the same line
    by how many more there are, the labels, and the ways out."""

    def __init__(self, problems: list[AnnotationInputError], total: int, refused: int, unit: str,
                 unknown_labels: list[str] | None = None, *, unknown_event_types: list[str] | None = None,
                 unknown_relation_types: list[str] | None = None) -> None:
        first = problems[0]
        self.problems = problems
        self.total = total
        self.unit = unit  # "file" or "line"
        self.unknown_labels = list(unknown_labels or [])
        self.unknown_event_types = list(unknown_event_types or [])
        self.unknown_relation_types = list(unknown_relation_types or [])
        self.valid = max(total - refused, 0)
        extra = ""
        if len(problems) > 1:
            others = [_where(p) for p in problems[1:_MAX_LISTED + 1]]
            more = len(problems) - 1 - len(others)
            extra += f" (and {len(problems) - 1} more: {', '.join(others)}{f', … {more} more' if more else ''})"
        unknown = self.unknown
        if unknown and all(kind == "entity type" for _, kind in unknown):
            extra += (f"; the file uses {_labels(self.unknown_labels)} the codebook does not have: "
                      f"{', '.join(self.unknown_labels)}; --add-labels adds them as entity types")
        elif unknown:
            groups = [f"{', '.join(names)} ({kind}{'s' if len(names) > 1 else ''})"
                      for kind, names in self._by_kind() if names]
            extra += (f"; the file uses {_labels([n for n, _ in unknown])} the codebook does not have: "
                      f"{', '.join(groups)}; --add-labels adds them")
        extra += "; nothing was imported"
        if self.valid:
            extra += f" (--skip-invalid imports the {self.valid} valid {unit}(s) and lists the others)"
        super().__init__(first.path, first.line, first.reason + extra)

    def _by_kind(self) -> list[tuple[str, list[str]]]:
        return list(zip(KINDS, (self.unknown_labels, self.unknown_event_types, self.unknown_relation_types)))

    @property
    def unknown(self) -> list[tuple[str, str]]:
        """(label, kind) of every label the codebook lacks, kind one of `KINDS`."""
        return [(name, kind) for kind, names in self._by_kind() for name in names]


class ImportCancelled(AnnotaryError):
    """The user cancelled the import. Raised by the import's progress callback (see `cancellable`),
    which runs inside the import's one transaction: it is rolled back, nothing was imported."""

    def __init__(self) -> None:
        super().__init__("Import cancelled; nothing was imported")


def cancellable(progress: Callable[[int, int], None] | None,
                cancelled: Callable[[], bool]) -> Callable[[int, int], None]:
    """A progress callback for an import that raises `ImportCancelled` once `cancelled()` is true,
    and otherwise reports to `progress`."""
    def step(done: int, total: int) -> None:
        if cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(done, total)

    return step


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
           unknown_labels: list[str] | None = None, **unknown_types: list[str]) -> None:
    """Refuse the whole import (raise) unless every file or line was valid or `skip_invalid`;
    `refused` files or lines of the `total` were invalid. `unknown_labels` and `unknown_types`
    (``unknown_event_types``, ``unknown_relation_types``): what the codebook lacks."""
    if problems and not skip_invalid:
        raise ImportRefused(problems, total, refused, unit, unknown_labels, **unknown_types)


def clean_status(status: str | None) -> str | None:
    """`in-progress`/`in_progress`/`done` as stored, or None (the default)."""
    if status is None:
        return None
    value = status.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in STATUSES:
        raise AnnotaryError(f"status must be in-progress or done, not {status!r}")
    return value
