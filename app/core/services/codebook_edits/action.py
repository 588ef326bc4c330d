"""The undoable codebook edit: reads the rows, changes a copy, checks it, stores the difference.

Each edit is an `Action` of the history (app/core/services/history.py), so Ctrl+Z in the main
window undoes it like any annotation. Its first `do` runs `edit` on a copy of the codebook
rows and keeps the difference (`RowDiff`); redo applies that same difference again (the same
ids), undo applies it backwards.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.changes import Change
from app.core.codebook.checks import check_codebook
from app.core.codebook.rows import (
    CodebookRows,
    RowDiff,
    apply_diff,
    diff_rows,
    read_rows,
)
from app.core.services.history import Action


class CodebookEdit(Action):
    label = "edit codebook"
    document_id: int | None = None
    moves_annotations = False
    """True for edits that change stored annotations too (merges, renaming a used value)."""

    _diff: RowDiff | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        """Change `rows` (raise CodebookError to refuse); `session` is for counting annotations."""
        raise NotImplementedError

    def do(self, session: Session) -> None:
        if self._diff is None:
            before = read_rows(session)
            after = before.copy()
            self.edit(session, after)
            check_codebook(after, before)
            self._diff = diff_rows(before, after)
        apply_diff(session, self._diff, forward=True)

    def undo(self, session: Session) -> None:
        assert self._diff is not None
        apply_diff(session, self._diff, forward=False)

    def change(self) -> Change:
        if self.moves_annotations:
            return Change(label=self.label, codebook=True, annotations=True, everything=True)
        return Change(label=self.label, codebook=True)
