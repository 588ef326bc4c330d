"""Who a command codes as. On a project file the coder is named (`--coder NAME`); on a server
project the coder is the database role the connection logs in as, so the name may be left out and
any other name is refused ("you are connected as alice")."""

from __future__ import annotations

from app.core.errors import AnnotaryError
from app.core.project import Project
from app.core.server.roles import check_coder


def coder_for(project: Project, name: str | None) -> str:
    if project.on_server:
        with project.engine.connect() as conn:
            return check_coder(conn, name)
    if name is None or not name.strip():
        raise AnnotaryError("name the coder with --coder NAME (on a project file anyone may code under any name)")
    return name
