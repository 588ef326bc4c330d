"""Whether another connection (another process, a worker thread) committed to a project file.

SQLite's ``PRAGMA data_version`` on a connection that stays open changes whenever a
different connection commits to the database; reading it costs one pragma, no table is
touched. Commits made by the watching program itself through other connections change it
too, so the program calls `acknowledge` after its own writes and `changed` elsewhere.
"""

from __future__ import annotations

import sqlite3

from app.core.errors import AnnotaryError
from app.core.project import Project


class OutsideChange(AnnotaryError):
    """Another program wrote to the project between the last look and this write."""

    def __init__(self) -> None:
        super().__init__("another program changed the project just now, so this action was not made; "
                         "the window now shows the project as it is: check, then try again")


class ExternalChanges:
    """A watch on one project file, on a connection of its own that is never used to write."""

    def __init__(self, project: Project) -> None:
        self.path = project.path
        # Autocommit (isolation_level=None): never holds a read transaction, so each pragma
        # sees the newest commit; check_same_thread=False, as the GUI may close it elsewhere.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            project.path, isolation_level=None, check_same_thread=False)
        self._seen = 0
        self._seen = self._version()
        self.outside_seen = False

    def _version(self) -> int:
        if self._conn is None:
            return self._seen
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """True once for each batch of commits by other connections since the last call
        (never after `close`)."""
        current = self._version()
        if current == self._seen:
            return False
        self._seen = current
        return True

    def pending(self) -> bool:
        """Whether other connections committed since the last look, without taking it as seen."""
        return self._version() != self._seen

    def refuse_if_changed(self) -> None:
        """For `Project.write_guard`: inside a write transaction, nobody else can commit any more,
        so a change seen here happened before this write and the write must not go ahead."""
        if self.pending():
            raise OutsideChange()

    def note_if_changed(self) -> None:
        """For the `write_guard` of a background task's own connection: remember, rather than
        refuse, that another program wrote before this write (the task goes on; the window then
        treats the project as changed elsewhere)."""
        if self.pending():
            self.outside_seen = True

    def take_outside_seen(self) -> bool:
        """Whether a background task noticed another program's writes; resets the note."""
        seen, self.outside_seen = self.outside_seen, False
        return seen

    def acknowledge(self) -> None:
        """Take the current state as seen (call after the program's own writes)."""
        self._seen = self._version()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
