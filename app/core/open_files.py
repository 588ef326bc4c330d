"""Which project files this process has open through SQLite.

POSIX record locks belong to a process and a file, not to a file descriptor: closing *any*
descriptor of a database file releases every lock SQLite holds on it in this process
(the "POSIX advisory locking is broken" caveat of SQLite's documentation). A Python
``open()``/``close()`` of a project that is already open here (to read its header, say)
would make another process believe it is the file's last user, delete its WAL and lose
committed writes. So code that reads a project's bytes itself asks `is_open_here` first,
and opened projects register (`register`/`unregister`). Files are told apart by device
and inode, so another name or a hard link of an open file counts as open.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

_open: Counter[tuple[int, int]] = Counter()
_lock = threading.Lock()


def file_key(path: os.PathLike[str] | str) -> tuple[int, int] | None:
    """(device, inode) of the file, from stat (which opens nothing); None if it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def register(path: Path) -> tuple[int, int] | None:
    key = file_key(path)
    if key is not None:
        with _lock:
            _open[key] += 1
    return key


def unregister(key: tuple[int, int] | None) -> None:
    if key is None:
        return
    with _lock:
        _open[key] -= 1
        if _open[key] <= 0:
            del _open[key]


def is_open_here(path: os.PathLike[str] | str) -> bool:
    key = file_key(path)
    with _lock:
        return key is not None and _open[key] > 0
