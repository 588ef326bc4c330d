"""What the app remembers between runs (QSettings): coder name, recent projects, layout."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


def settings() -> QSettings:
    return QSettings("Annotary", "Annotary")


def coder_name() -> str:
    return str(settings().value("coder/name", "") or "")


def set_coder_name(name: str) -> None:
    settings().setValue("coder/name", name)


def _project_key(project_path: str) -> str:
    """A settings key for one project file (QSettings keys cannot hold every path character)."""
    import hashlib

    return hashlib.sha1(project_path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def project_coder(project_path: str) -> str:
    """The coder who last worked in this project on this machine ('' if none yet)."""
    return str(settings().value(f"project/{_project_key(project_path)}/coder", "") or "")


def set_project_coder(project_path: str, name: str) -> None:
    settings().setValue(f"project/{_project_key(project_path)}/coder", name)


def last_document(project_path: str) -> int | None:
    value = settings().value(f"project/{_project_key(project_path)}/document")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def set_last_document(project_path: str, document_id: int) -> None:
    settings().setValue(f"project/{_project_key(project_path)}/document", document_id)


def recent_projects() -> list[str]:
    value = settings().value("projects/recent", [])
    if isinstance(value, str):  # QSettings gives a list of one as its string
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def add_recent_project(path: str) -> None:
    recent = [p for p in recent_projects() if p != path]
    settings().setValue("projects/recent", [path, *recent][:MAX_RECENT])


def save_bytes(key: str, value: QByteArray) -> None:
    settings().setValue(key, value)


def load_bytes(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) else None
