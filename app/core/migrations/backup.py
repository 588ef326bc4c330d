"""The copy of a project kept before its schema is upgraded: one per schema revision, complete or absent."""

from __future__ import annotations

import filecmp
import glob
import itertools
import os
import sqlite3
from pathlib import Path

_PARTIAL = ".partial"


def backup_name(path: Path, revision: str, n: int = 1) -> Path:
    """`corpus.annotary` at schema 0002 -> `corpus.before-upgrade-from-0002.annotary` (then `-2`, `-3`...)."""
    extra = "" if n == 1 else f"-{n}"
    return path.with_name(f"{path.stem}.before-upgrade-from-{revision}{extra}{path.suffix}")


def remove_stale_partials(path: Path) -> None:
    """Half-written backups of a killed upgrade. Call it only when no other process can be writing
    one: while holding the write lock for an upgrade, or when the file is at the newest schema."""
    pattern = f"{glob.escape(path.stem)}.before-upgrade-from-*{_PARTIAL}*"  # with its -journal
    for stale in path.parent.glob(pattern):
        stale.unlink(missing_ok=True)


def backup_before_upgrade(path: Path, revision: str) -> Path:
    """A consistent copy of the project (SQLite's backup API, WAL included) beside it, written under a
    temporary name and renamed into place when complete. An identical backup of this revision left by
    an earlier failed attempt is reused instead of adding another."""
    remove_stale_partials(path)
    temp = backup_name(path, revision).with_name(backup_name(path, revision).name + _PARTIAL)
    _copy(path, temp)
    for n in itertools.count(1):
        target = backup_name(path, revision, n)
        if not target.exists():
            os.replace(temp, target)
            return target
        if filecmp.cmp(temp, target, shallow=False):
            temp.unlink()
            return target
    raise AssertionError("unreachable")


def _copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    with target.open("rb+") as fh:
        os.fsync(fh.fileno())
