"""Where Annotary finds its shipped files and keeps the user's."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.core.address import is_server_address
from app.core.errors import ProjectError

APP_NAME = "Annotary"
PROJECT_SUFFIX = ".annotary"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _shipped(name: str) -> Path:
    """`resources/` and `seeds/` sit inside the package in a wheel, beside it in a checkout."""
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


def resources_dir() -> Path:
    return _shipped("resources")


def seeds_dir() -> Path:
    return _shipped("seeds")


def default_codebook_path() -> Path:
    return resources_dir() / "default_codebook.yaml"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_project_path() -> Path:
    return user_data_dir() / f"default{PROJECT_SUFFIX}"


def resolve_project_path(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The project file to use: `--project`, then `$ANNOTARY_PROJECT`, then the default.

    Returns the path and whether it is the built-in default project. A server address is refused
    here: callers that accept one use `resolve_project_address`.
    """
    address, is_default = resolve_project_address(explicit)
    if isinstance(address, str):
        raise ProjectError(f"{address} is a project on a server; a project file is needed here")
    return address, is_default


def resolve_project_address(explicit: str | os.PathLike[str] | None) -> tuple[Path | str, bool]:
    """The project to use: `--project`, then `$ANNOTARY_PROJECT`, then the default: a file's path, or a
    server's postgresql:// address (kept as text: a Path would fold its `//`). Returns it and whether it
    is the built-in default project."""
    if explicit is not None:
        if not str(explicit).strip():  # `--project "$UNSET"`: never fall back to the default project
            raise ProjectError("--project is empty: name a project file, or leave --project out for the "
                               "default project")
        return _as_address(explicit), False
    env = os.environ.get("ANNOTARY_PROJECT")
    if env is not None and env.strip():
        return _as_address(env), False
    return default_project_path(), True


def _as_address(given: str | os.PathLike[str]) -> Path | str:
    if is_server_address(given):
        return str(given).strip()
    return Path(given).expanduser()


def default_exports_dir() -> Path:
    """`exports/` of a checkout when running from one, else the current folder."""
    checkout_exports = _PACKAGE_DIR.parent / "exports"
    if (_PACKAGE_DIR.parent / "pyproject.toml").is_file() and checkout_exports.is_dir():
        return checkout_exports
    return Path.cwd()
