"""Guards the PySide6 pin: 6.12.0 on Python 3.11 decrements None's refcount on every void call
and aborts the process after ~5,000 calls (shared/ENVIRONMENT.md)."""

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_do_not_leak_none_references():
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        obj.setObjectName("x")
    after = sys.getrefcount(None)
    assert abs(after - before) < 100, f"None refcount drifted by {after - before}"
