"""Review-menu commands of the main window: the Compare view, coding as gold, blind coding, roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtWidgets import QInputDialog

from app.core.errors import AnnotaryError
from app.core.services import gold_edits
from app.core.services.coders import GOLD
from app.core.services.review import ReviewService

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from app.ui.host import Host

    class ReviewHost(Host, Protocol):
        """What the Review menu's commands use of the window, besides a Host's."""

        compare_window: Any
        coder_before_gold: str | None
        action_blind: QAction

        def set_coder(self, name: str, remember: bool = True) -> None: ...

        def open_place(self, document_id: int, start: int | None, end: int | None) -> None: ...

        def update_title(self) -> None: ...


def show_compare(window: ReviewHost) -> None:
    from app.ui.compare_window import CompareWindow

    document_id = window.require_document()
    service = ReviewService(window.workspace)
    service.require_review()
    row = window.workspace.document_row(document_id)
    if window.compare_window is not None:  # one Compare view at a time: the old one goes for good
        window.compare_window.close()
        window.compare_window.deleteLater()
        window.compare_window = None
    compare = CompareWindow(service, document_id, row.title if row else str(document_id), window.run, window.window_widget())
    compare.openPlace.connect(window.open_place)
    compare.editGold.connect(lambda doc: window.run(lambda: edit_gold(window, doc)))

    def go_to(document_id: int) -> None:
        window.open_document(document_id)
        show_compare(window)

    compare.goToDocument.connect(lambda doc: window.run(lambda: go_to(doc)))
    window.compare_window = compare
    compare.show()


def open_disagreement(window: ReviewHost, document_id: int, start: int | None, end: int | None) -> None:
    """From the Agreement window: the document at that place, and the Compare view there."""
    window.open_place(document_id, start, end)
    show_compare(window)
    if start is not None and end is not None:
        window.compare_window.select_place(start, end)


def edit_gold(window: ReviewHost, document_id: int) -> None:
    """Code as gold in the main window (edit, delete or add gold annotations); undo keeps working.
    Each edit made as gold is the adjudicator's settling of gold (`gold_edits`): it locks and
    versions the document's gold, and is refused when it would change an item someone else settled
    since the document was opened here (or since this window last showed others' commits)."""
    service = ReviewService(window.workspace)
    service.require_review()
    if window.workspace.coder_name != GOLD:
        service.require_adjudicator("edit the gold set")
        window.coder_before_gold = window.workspace.coder_name
        window.set_coder(GOLD, remember=False)
    edits = gold_edits.install(window.project, window.workspace.history, window.coder_before_gold or GOLD,
                               coding_as_gold=lambda: window.workspace.coder_name == GOLD)
    edits.look(document_id)
    window.open_document(document_id)
    window.statusBar().showMessage(
        f"Coding as gold. Review → Stop coding as gold returns to {window.coder_before_gold}.", 10000)


def stop_gold(window: ReviewHost) -> None:
    if window.workspace.coder_name != GOLD or not window.coder_before_gold:
        raise AnnotaryError("you are not coding as gold")
    window.set_coder(window.coder_before_gold, remember=False)
    window.coder_before_gold = None


def set_blind_coding(window: ReviewHost, on: bool) -> None:
    try:
        ReviewService(window.workspace).set_blind_coding(on)
    finally:
        sync_blind_action(window)
    window.statusBar().showMessage(f"Blind coding is {'on' if on else 'off'} for this project", 5000)


def sync_blind_action(window: ReviewHost) -> None:
    window.action_blind.setChecked(ReviewService(window.workspace).blind_coding())


def ask_role(window: ReviewHost) -> None:
    service = ReviewService(window.workspace)
    coders = service.coders()
    if not coders:
        raise AnnotaryError("this project has no coders yet")
    labels = [f"{name} ({role})" for name, role in coders]
    chosen, ok = QInputDialog.getItem(window.window_widget(), "Coders and roles", "Coder:", labels, 0, False)
    if not ok:
        return
    name = coders[labels.index(chosen)][0]
    role, ok = QInputDialog.getItem(window.window_widget(), "Coders and roles", f"Role of {name}:", ["coder", "adjudicator"],
                                    0 if dict(coders)[name] == "coder" else 1, False)
    if ok:
        service.set_role(name, role)
        window.update_title()
        window.statusBar().showMessage(f"{name} is now {'an' if role == 'adjudicator' else 'a'} {role}", 5000)
