"""What the app remembers between runs (QSettings): coder name, recent projects, layout."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


_settings: QSettings | None = None


def settings() -> QSettings:
    """One object for the process: a new QSettings per call writes the file each time it is
    destroyed (17 ms on every document switch). Qt writes changes back from the event loop;
    `sync()` writes them at once (the window does on closing)."""
    global _settings
    if _settings is None:
        _settings = QSettings("Annotary", "Annotary")
    return _settings


def sync() -> None:
    settings().sync()


def coder_name() -> str:
    return str(settings().value("coder/name", "") or "")


def set_coder_name(name: str) -> None:
    settings().setValue("coder/name", name)


def _project_key(project_path: str) -> str:
    """A settings key for one project: its file's path or its server's printable address
    (`Project.address`; QSettings keys cannot hold every path character)."""
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


def reading_position(project_path: str, document_id: int) -> int:
    """The code point at the top of the reader when the coder last left this document (0: none)."""
    value = settings().value(f"project/{_project_key(project_path)}/position/{document_id}")
    try:
        return max(0, int(value)) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def set_reading_position(project_path: str, document_id: int, position: int) -> None:
    settings().setValue(f"project/{_project_key(project_path)}/position/{document_id}", int(position))


def recent_projects() -> list[str]:
    value = settings().value("projects/recent", [])
    if isinstance(value, str):  # QSettings gives a list of one as its string
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def add_recent_project(path: str) -> None:
    recent = [p for p in recent_projects() if p != path]
    settings().setValue("projects/recent", [path, *recent][:MAX_RECENT])


def recent_servers() -> list[str]:
    """The team project addresses opened last (printable addresses: never a password)."""
    value = settings().value("projects/recent_servers", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def add_recent_server(address: str) -> None:
    recent = [a for a in recent_servers() if a != address]
    settings().setValue("projects/recent_servers", [address, *recent][:MAX_RECENT])


def save_bytes(key: str, value: QByteArray) -> None:
    settings().setValue(key, value)


def load_bytes(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) else None
