"""Reading a file an import names: regular files only, never more than a limit.

Every importer (documents, brat, doccano, codebooks, ratings CSV) reads through
`read_regular_file`, so that

* a FIFO, socket or device (``/dev/zero``) is refused from its ``stat`` before it
  is opened, and the file is opened non-blocking and checked again (``fstat``),
  so a FIFO swapped in between never blocks the import;
* reading stops after ``limit + 1`` bytes, whatever ``stat`` said: a file that
  grows while it is read, or a ``/proc`` file reporting size 0, cannot exhaust
  memory.

Refusals are ImportRejected with a one-line reason (the caller names the file).
The limits are module attributes read at call time, so tests can patch them.
"""

from __future__ import annotations

import os

from app.core import open_files
from app.core.errors import ImportRejected
from app.core.file_kinds import not_regular

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Documents, codebooks and ratings files larger than this (50 MiB) are refused."""

MAX_ANNOTATION_BYTES = 256 * 1024 * 1024
"""brat .ann and doccano .jsonl files may hold a whole project: 256 MiB."""

_CHUNK = 1 << 20
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def describe_size(n: int) -> str:
    """`50 MiB`, `1.5 MiB` or `700 bytes`."""
    if n < 1048576:
        return f"{n} bytes"
    mib = n / 1048576
    return f"{mib:.0f} MiB" if mib == int(mib) else f"{mib:.1f} MiB"


def over_limit(size: int, limit: int) -> ImportRejected:
    return ImportRejected(f"file is {describe_size(size)}, over the {describe_size(limit)} limit")


def _os_problem(exc: OSError) -> ImportRejected:
    if isinstance(exc, FileNotFoundError):
        return ImportRejected("no such file")
    return ImportRejected(f"cannot read: {exc.strerror or exc}")


def read_regular_file(path: os.PathLike[str] | str, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` (default MAX_FILE_BYTES)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_problem(exc) from None
    problem = not_regular(info.st_mode)
    if problem:
        raise ImportRejected(problem)
    if info.st_size > limit:
        raise over_limit(info.st_size, limit)
    if open_files.is_open_here(path):  # closing a descriptor of it would release SQLite's locks
        raise ImportRejected("is an Annotary project open in this program, not a text file")
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise _os_problem(exc) from None
    try:
        problem = not_regular(os.fstat(fd).st_mode)  # replaced since the stat?
        if problem:
            raise ImportRejected(problem)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _os_problem(exc) from None
    finally:
        os.close(fd)
    if total > limit:
        raise ImportRejected(f"file is over the {describe_size(limit)} limit (it grew while being read)")
    return b"".join(chunks)
