"""The window's project for a worker thread (an import, an export, a count), on connections of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.core.project import Project, open_project


@contextmanager
def worker_project(project: Project) -> Iterator[Project]:
    """A file is opened again (a connection of its own, closed after the block). A server project
    shares the window's engine, whose pool hands each thread its own connection: opening it again
    would need the password typed at login again, and the window's engine keeps it in memory only.
    The shared engine is closed with the window's project, not here."""
    if project.file is not None:
        with open_project(project.file) as own:
            yield own
    else:
        yield Project(None, project.engine, server=project.server)
