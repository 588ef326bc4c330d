"""Temporary files and folders beside a write target, named so a later run can clean up.

A temporary entry is called ``.NAME.annotary-tmp-<host>-<pid>-<hex>``: NAME is the
target's name, <host> a short tag of this machine, <pid> the writing process. A
writer killed halfway (power cut, SIGKILL) leaves it behind; `remove_stale` (called
by every export before it writes) removes the entries of processes that are gone
from this machine, and any older than `STALE_AFTER_HOURS` (a pid can be reused, and
another machine's entries on a shared folder cannot be checked).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import time
from pathlib import Path

MARK = ".annotary-tmp-"
STALE_AFTER_HOURS = 24
_NAME_KEEP = 100  # bytes (UTF-8) of the target's name kept in the temporary name: names are limited in bytes
_PATTERN = re.compile(r"^\..*\.annotary-tmp-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}$")


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def temp_path(target: Path) -> Path:
    """A fresh, unused-looking name beside `target` for this process's temporary entry."""
    target = Path(target)
    kept = target.name.encode("utf-8", "surrogateescape")[:_NAME_KEEP].decode("utf-8", "ignore")
    return target.with_name(f".{kept}{MARK}{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's live process
        return True
    return True


def is_stale(entry: Path, now: float | None = None) -> bool:
    """True for a temporary entry of ours whose writer is gone (or that is very old)."""
    match = _PATTERN.match(entry.name)
    if match is None:
        return False
    try:
        st = entry.lstat()
    except OSError:
        return False
    now = time.time() if now is None else now
    if now - st.st_mtime > STALE_AFTER_HOURS * 3600:
        return True
    return match.group(1) == _host_tag() and not _alive(int(match.group(2)))


def remove_entry(entry: Path) -> None:
    """Remove a temporary file or folder (never following a symbolic link); best effort."""
    try:
        if stat.S_ISDIR(entry.lstat().st_mode):
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()
    except OSError:
        pass


def remove_stale(folder: Path) -> list[Path]:
    """Remove the stale temporary entries in `folder`; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = [Path(e.path) for e in os.scandir(folder) if e.name.startswith(".") and MARK in e.name]
    except OSError:
        return removed
    for entry in entries:
        if is_stale(entry):
            remove_entry(entry)
            removed.append(entry)
    return removed


def make_work_folder(target: Path) -> Path:
    """A new private folder beside `target` for the pieces of one write; the caller
    removes it (`remove_entry`) when done."""
    folder = temp_path(target)
    folder.mkdir(mode=0o700)
    return folder
