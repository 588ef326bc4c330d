"""Whether another connection (another process, a worker thread, another coder) committed to a project.

On a file, SQLite's ``PRAGMA data_version`` on a connection that stays open changes whenever a
different connection commits to the database; reading it costs one pragma, no table is
touched. On a server there is no such counter per database, so the watch reads a fingerprint of
what this login can see: per table, its number of rows and the newest row version (``xmin``, the
transaction that wrote the row). Any insert or update gives a row a newer ``xmin``, any delete
lowers a count, so another connection's commit changes the fingerprint; under row-level security
a coder's fingerprint covers only the rows the server shows them (their own under blind coding),
which is all their window shows anyway. Commits made by the watching program itself change it
too, so the program calls `acknowledge` after its own writes and `changed` elsewhere.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from app.core.errors import AnnotaryError
from app.core.models import Base
from app.core.project import Project


def _fingerprint_sql() -> str:
    """One statement: (rows, newest row version) of every table of the schema. Table names come
    from the models, never from user text."""
    parts = [f'SELECT {i} AS t, count(*) AS n, coalesce(max(xmin::text::bigint), 0) AS v FROM "{table.name}"'
             for i, table in enumerate(Base.metadata.sorted_tables)]
    return " UNION ALL ".join(parts) + " ORDER BY t"


class OutsideChange(AnnotaryError):
    """Another program wrote to the project between the last look and this write."""

    def __init__(self) -> None:
        super().__init__("another program changed the project just now, so this action was not made; "
                         "the window now shows the project as it is: check, then try again")


class ExternalChanges:
    """A watch on one project: on a file, a connection of its own that is never used to write; on
    a server, a read of the fingerprint through the project's own connections (a few ms)."""

    def __init__(self, project: Project) -> None:
        self.on_server = project.on_server
        self._project: Project | None = project if project.on_server else None
        self._conn: sqlite3.Connection | None = None
        if project.file is not None:
            # Autocommit (isolation_level=None): never holds a read transaction, so each pragma
            # sees the newest commit; check_same_thread=False, as the GUI may close it elsewhere.
            self._conn = sqlite3.connect(project.file, isolation_level=None, check_same_thread=False)
        self._sql = _fingerprint_sql() if project.on_server else ""
        self._seen: object = 0
        self._seen = self._version()
        self.outside_seen = False

    def _version(self) -> object:
        if self._conn is not None:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if self._project is not None:
            with self._project.engine.connect() as conn:  # its own short read transaction: the newest commits
                return tuple(tuple(row) for row in conn.execute(text(self._sql)))
        return self._seen

    def changed(self) -> bool:
        """True once for each batch of commits by other connections since the last call
        (never after `close`)."""
        current = self._version()
        noted = self.on_server and self.outside_seen  # seen by a write of this program (`note_if_changed`)
        if noted:
            self.outside_seen = False
        if current == self._seen and not noted:
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
        """For the `write_guard` of a background task's own connection, and of every write on a
        server (where others write all the time): remember, rather than refuse, that another
        program wrote before this write (the write goes on; the window then treats the project as
        changed elsewhere: on a server, at the next `changed`)."""
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
        self._project = None
