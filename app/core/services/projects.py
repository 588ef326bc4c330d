"""Creating a project with its codebook and corpus; opening the one a command asks for."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.core import paths
from app.core.codebook import apply_codebook, load_codebook
from app.core.errors import ProjectError
from app.core.project import Project, create_project, drop_server_schema, open_project
from app.core.search_index import sync_search_index
from app.core.services.coders import get_or_create_coder, set_role
from app.core.services.documents import add_document, read_text_file


def init_project(address: str | os.PathLike[str], *, empty: bool = False,
                 codebook: Path | None = None) -> Project:
    """A new project with a codebook (the default one unless given) and, unless `empty`, the
    built-in seed corpus: a new file, or the schema in an empty PostgreSQL database when `address`
    is a postgresql:// URL. Removed again if any step fails (the database is left empty)."""
    spec = load_codebook(codebook or paths.default_codebook_path())
    project = create_project(address)
    try:
        with project.uow() as session:
            apply_codebook(session, spec, codebook)
        if not empty:
            import_seeds(project)
        if project.on_server:  # coder and adjudicator groups, blind coding enforced by the server
            from app.core.server.security import install_security

            with project.engine.begin() as conn:
                install_security(conn)
                lead = str(conn.exec_driver_sql("SELECT current_user").scalar())
            with project.uow() as session:  # the one who made it is its first adjudicator
                set_role(session, get_or_create_coder(session, lead).name, "adjudicator")
    except BaseException:
        if project.file is None:
            try:
                drop_server_schema(project)
            finally:
                project.close()
            raise
        project.close()
        path = project.file
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return project


def seed_metadata() -> list[dict[str, str]]:
    data = json.loads((paths.seeds_dir() / "metadata.json").read_text(encoding="utf-8"))
    return data["documents"]


def import_seeds(project: Project) -> None:
    """The seed articles, with their recorded titles and languages, in one transaction."""
    with project.uow() as session:
        for meta in seed_metadata():
            text, encoding = read_text_file(paths.seeds_dir() / meta["file"])
            doc, added = add_document(session, text, meta["file"], encoding)
            if added:
                doc.title = meta["title"]
                doc.language = meta["language"]
        session.flush()
        sync_search_index(session)  # the seed texts are searchable from the first keystroke


def open_for_command(explicit: str | Path | None) -> Project:
    """The project named by --project, then $ANNOTARY_PROJECT, then the default one,
    which is created with the seed corpus on first use."""
    path, is_default = paths.resolve_project_address(explicit)
    if isinstance(path, str):  # a server: the database must exist (made by its administrator)
        return open_project(path)
    if path.exists():
        return open_project(path)
    if is_default:
        path.parent.mkdir(parents=True, exist_ok=True)
        return init_project(path)
    raise ProjectError(f"no project at {path} (create one with: annotary init {path})")
