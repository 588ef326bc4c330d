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


def recent_projects() -> list[str]:
    value = settings().value("projects/recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent_project(path: str) -> None:
    recent = [p for p in recent_projects() if p != path]
    settings().setValue("projects/recent", [path, *recent][:MAX_RECENT])


def save_bytes(key: str, value: QByteArray) -> None:
    settings().setValue(key, value)


def load_bytes(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) else None
