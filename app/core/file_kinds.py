"""What a path that is not a regular file is, in words: the one wording every reader and writer uses."""

from __future__ import annotations

import stat


def not_regular(mode: int) -> str | None:
    """``is a named pipe (FIFO), not a regular file`` and the like; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"
