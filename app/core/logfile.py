"""The log file for unexpected errors (in the user log folder)."""

from __future__ import annotations

import logging
from pathlib import Path

from app.core.paths import user_log_dir

_LOGGER_NAME = "annotary"


def log_path() -> Path:
    return user_log_dir() / "annotary.log"


def logger() -> logging.Logger:
    log = logging.getLogger(_LOGGER_NAME)
    if not any(isinstance(h, logging.FileHandler) for h in log.handlers):
        try:
            log_path().parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(log_path(), encoding="utf-8")
        except OSError:
            return log
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return log


def log_exception(exc: BaseException) -> Path | None:
    """Write the exception with its traceback to the log; return the log's path (None if unwritable)."""
    log = logger()
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    for handler in log.handlers:
        handler.flush()
    return log_path() if any(isinstance(h, logging.FileHandler) for h in log.handlers) else None
