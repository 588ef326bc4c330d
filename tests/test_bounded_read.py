"""The bounded regular-file reader every importer uses: no hang, no unbounded read."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from app.core import bounded_read
from app.core.bounded_read import describe_size, read_regular_file
from app.core.errors import ImportRejected


def test_reads_a_regular_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n" * 1000)
    assert read_regular_file(path) == b"hello\n" * 1000


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result: list[str] = []

    def read() -> None:
        try:
            read_regular_file(fifo)
        except ImportRejected as exc:
            result.append(exc.message)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "reading a FIFO blocked"
    assert result == ["is a named pipe (FIFO), not a regular file"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_is_refused():
    with pytest.raises(ImportRejected, match=r"^is a device, not a regular file$"):
        read_regular_file("/dev/zero")


def test_socket_and_folder_and_missing_are_refused(tmp_path):
    sock_path = tmp_path / "s.txt"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(ImportRejected, match=r"^is a socket"):
            read_regular_file(sock_path)
    finally:
        sock.close()
    with pytest.raises(ImportRejected, match=r"^is a folder"):
        read_regular_file(tmp_path)
    with pytest.raises(ImportRejected, match=r"^no such file$"):
        read_regular_file(tmp_path / "missing.txt")


def test_symlink_loop_is_one_line(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(ImportRejected) as info:
        read_regular_file(loop)
    assert info.value.message.startswith("cannot read: ") and "\n" not in info.value.message


def test_size_limit_from_stat_on_a_sparse_file(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(bounded_read.MAX_FILE_BYTES + 1)  # sparse: nothing written
    with pytest.raises(ImportRejected, match="over the 50 MiB limit"):
        read_regular_file(big)


def test_limit_holds_while_reading_whatever_stat_says(tmp_path, monkeypatch):
    """A /proc file reports size 0; a file may grow after its stat: at most limit+1 bytes are read."""
    path = tmp_path / "grows.txt"
    path.write_bytes(b"x" * 100)
    real_stat = os.stat

    def lying_stat(p, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_stat(p, *args, **kwargs)
        return os.stat_result((result.st_mode, *result[1:6], 0, *result[7:]))  # st_size 0

    monkeypatch.setattr(bounded_read.os, "stat", lying_stat)
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd, n):  # type: ignore[no-untyped-def]
        reads.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(bounded_read.os, "read", counting_read)
    with pytest.raises(ImportRejected, match="limit"):
        read_regular_file(path, limit=10)
    assert sum(reads) <= 11
    assert read_regular_file(path, limit=100) == b"x" * 100


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc")
def test_proc_file_reported_as_size_zero_is_read_bounded():
    assert os.stat("/proc/self/status").st_size == 0
    assert b"Name:" in read_regular_file("/proc/self/status")
    with pytest.raises(ImportRejected, match="limit"):
        read_regular_file("/proc/self/status", limit=16)


def test_describe_size():
    assert describe_size(50 * 1048576) == "50 MiB"
    assert describe_size(1572864) == "1.5 MiB"
    assert describe_size(700) == "700 bytes"
