"""May a file be written here? One check for every export, and the final move into place.

Never written over, even when asked to replace: the open project and its -wal/-shm/
-journal files, any SQLite database (an Annotary project or not) and its journal
files, anything that is not a regular file (a folder, a FIFO, a device, a socket).
An existing regular file is replaced only with `force` (``--force`` on the command
line; the GUI's save dialog asks). The target's kind is found with os.stat, without
opening it: opening a FIFO would block.

`publish` repeats the check just before the move, because a long export gives the
target time to appear; without `force` it moves by hard link, which fails rather than
replace a file that appeared after the check.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from app.core import open_files
from app.core.errors import AnnotaryError
from app.core.file_kinds import not_regular
from app.core.project import APPLICATION_ID
from app.core.temp_files import remove_entry, temp_path

_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILES = ("-wal", "-shm", "-journal")
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EXDEV}


class WriteRefused(AnnotaryError):
    """The target must never be written over, whatever the user says."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"refusing to write over {path}: {reason}")
        self.path = path


class TargetExists(AnnotaryError):
    """The target is an ordinary existing file: it may be replaced when the user says so."""

    def __init__(self, path: Path, message: str | None = None, names: list[str] | None = None) -> None:
        super().__init__(message or f"refusing to write over {path}: it exists; add --force to replace it")
        self.path = path
        # the files that would be replaced, by name, and the folder they are in
        self.names, self.folder = (names, Path(path)) if names else ([Path(path).name], Path(path).parent)


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _project_files(project: Path) -> list[Path]:
    return [Path(project)] + [Path(f"{project}{side}") for side in _SIDE_FILES]


def _project_file_reason(path: Path, project: Path | None) -> str | None:
    """Why `path` is the open project or one of its -wal/-shm/-journal files (else None)."""
    if project is None:
        return None
    real = _real(path)
    for i, protected in enumerate(_project_files(project)):
        same = real == _real(protected)
        if not same:
            with contextlib.suppress(OSError):
                same = os.path.samefile(path, protected)  # a hard link, another spelling of the path
        if same:
            return "it is the open project" if i == 0 else f"it belongs to the open project {project}"
    return None


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    problem = not_regular(mode)
    return None if problem is None else f"it {problem}"


def _header(path: Path) -> bytes:
    """The first 100 bytes of a regular file, opened so that nothing can block."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the stat
            raise WriteRefused(path, "it is not a regular file")
        return os.read(fd, 100)
    finally:
        os.close(fd)


def _database_kind(header: bytes) -> str | None:
    if header.startswith(_SQLITE_MAGIC):
        if len(header) >= 72 and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
            return "it is an Annotary project"
        return "it is a SQLite database"
    if header[:4] in _WAL_MAGICS:
        return "it is a SQLite write-ahead log"
    return None


def _side_file_of_database(path: Path) -> Path | None:
    """The database `path` belongs to, when it is named like a -wal/-shm/-journal file of one."""
    for side in _SIDE_FILES:
        if path.name.endswith(side) and len(path.name) > len(side):
            base = path.with_name(path.name[: -len(side)])
            try:
                if stat.S_ISREG(os.stat(base).st_mode) and _header(base).startswith(_SQLITE_MAGIC):
                    return base
            except (OSError, AnnotaryError):
                pass
    return None


def check_file_target(path: Path, *, force: bool, project: Path | None = None) -> None:
    """Raise WriteRefused or TargetExists unless `path` may be written (see the module docstring)."""
    path = Path(path)
    reason = _project_file_reason(path, project)
    if reason is not None:
        raise WriteRefused(path, reason)
    database = _side_file_of_database(path)
    if database is not None:
        raise WriteRefused(path, f"it belongs to the SQLite database {database}")
    if open_files.is_open_here(path):  # reading its header would release this process's locks on it
        raise WriteRefused(path, "it is an Annotary project open in this program")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path) and not force:  # a symbolic link to nowhere: replacing it replaces the link
            raise TargetExists(path) from None
        return
    except OSError as exc:
        raise AnnotaryError(f"cannot write {path}: {exc.strerror}") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise WriteRefused(path, kind)
    try:
        header = _header(path)
    except OSError as exc:
        raise AnnotaryError(f"cannot write {path}: {exc.strerror}") from None
    kind = _database_kind(header)
    if kind is not None:
        raise WriteRefused(path, kind)
    if not force:
        raise TargetExists(path)


def check_folder_target(folder: Path, *, project: Path | None = None) -> None:
    """A folder to write files into must be a folder (or not exist yet)."""
    folder = Path(folder)
    reason = _project_file_reason(folder, project)
    if reason is not None:
        raise WriteRefused(folder, reason)
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AnnotaryError(f"cannot write into {folder}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        return
    kind = _kind(st.st_mode)
    if kind is None:
        with contextlib.suppress(OSError):
            kind = _database_kind(_header(folder))
    raise WriteRefused(folder, (kind or "it is a file") + "; give a folder")


def check_files_in_folder(folder: Path, names: list[str], *, force: bool, project: Path | None = None) -> None:
    """Check every file an export will write into `folder` before writing any; without
    `force`, one TargetExists names the files that would be replaced."""
    existing: list[str] = []
    for name in names:
        try:
            check_file_target(Path(folder) / name, force=force, project=project)
        except TargetExists:
            existing.append(name)
    if existing:
        shown = ", ".join(existing[:3]) + (", …" if len(existing) > 3 else "")
        raise TargetExists(
            Path(folder),
            f"refusing to write into {folder}: {len(existing)} file(s) there would be replaced ({shown}); "
            "add --force to replace them",
            names=existing,
        )


def publish(tmp: Path, target: Path, *, force: bool, project: Path | None = None) -> None:
    """Move the finished temporary file `tmp` to `target`, checking the target once more."""
    check_file_target(target, force=force, project=project)
    if not force:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise TargetExists(target) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
        else:
            os.unlink(tmp)
            return
    os.replace(tmp, target)


def write_text_file(path: Path, text: str, *, force: bool, project: Path | None = None) -> None:
    """Write UTF-8 text (no BOM, newlines as given) to a temporary file beside `path`, then
    `publish` it. OSError is left to the caller to word."""
    path = Path(path)
    check_file_target(path, force=force, project=project)
    tmp = temp_path(path)
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as fh:  # ordinary permissions (umask)
            fh.write(text)
        publish(tmp, path, force=force, project=project)
    finally:
        if os.path.lexists(tmp):
            remove_entry(tmp)
