"""Showing what another program changed in the open project (an import or merge in a terminal).

The main window asks when it is activated and before each command; the check is one pragma.
After a change from elsewhere every view re-reads what it shows (a change on the channel), and
the undo history is cleared: its actions hold row ids, and the other program may have
deleted those rows or given their ids to new ones, so undoing them could touch the wrong rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.changes import everything

if TYPE_CHECKING:
    from app.ui.host import Host

HISTORY_CLEARED = ("the project was changed by another program (an import or merge, say), so the undo "
                   "history was cleared: it could have undone the wrong annotations")


def forget_history(window: Host) -> bool:
    """Clear the undo history after another program's writes (its ids may be stale); True if
    there was anything to forget."""
    history = window.workspace.history
    cleared = history.undo_label is not None or history.redo_label is not None
    if cleared:
        history.clear()
        window.history_note = HISTORY_CLEARED
    return cleared


def notice_external_changes(window: Host) -> bool:
    """If another program committed to the project since the window last looked, show the new
    state (keeping the open document and selection when they still exist). True if it had.

    On a server others' commits are the normal course of a team's work, and the undo history is
    kept: their rows take ids from the server's sequences, never one of this window's rows' ids,
    and row-level security keeps coders off each other's rows."""
    watch = window.external_changes
    if watch is None or not watch.changed():
        return False
    if window.project.on_server:
        window.project.changes.publish(everything("outside"))
        window.statusBar().showMessage("Brought up to date with the team's work on the server", 5000)
        return True
    cleared = forget_history(window)
    window.project.changes.publish(everything("outside"))  # every view re-reads what it shows
    window.statusBar().showMessage("The project was changed by another program: shown as it is now"
                                   + ("; the undo history was cleared" if cleared else ""), 10000)
    return True
