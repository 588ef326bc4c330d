"""Find in the reader (Ctrl+F): a small bar under the text, searching as the user types.

Every hit is underlined in the reader, the current one is selected and scrolled into view;
Enter goes to the next hit, Shift+Enter to the previous one, both wrapping around; Esc or the
close button hides the bar, clears the underlines and gives the reader its focus back.
Matching (case, Arabic diacritics, whole graphemes) is app/core/find.py's.
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.find import find_all
from app.ui.reader import ReaderView


class FindBar(QWidget):
    def __init__(self, reader: ReaderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find-bar")
        self.reader = reader
        self.hits: list[tuple[int, int]] = []
        self.current = -1  # index into hits of the selected hit, -1 for none
        self._searched_text: str | None = None
        self._anchor = 0  # where the search started: the first hit shown is at or after it

        self.field = QLineEdit()
        self.field.setObjectName("find-field")
        self.field.setPlaceholderText("Find in this document (Enter: next, Shift+Enter: previous)")
        self.field.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("find-count")
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance("9999 of 9999"))
        close = QToolButton()
        close.setObjectName("find-close")
        close.setText("✕")
        close.setToolTip("Close the find bar (Esc)")
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(close)

        self.field.textChanged.connect(lambda _text: self.search(move=True))
        self.field.installEventFilter(self)
        close.clicked.connect(self.close_bar)
        reader.documentShown.connect(self._document_shown)
        self.hide()

    # ------------------------------------------------------------ opening and closing

    def open(self) -> None:
        """Show the bar (or return to it) with its query selected, searching from the caret."""
        self._anchor = self.reader.selection_cp()[0]
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text():
            self.search(move=True)

    def close_bar(self) -> None:
        self.hide()
        self.hits, self.current = [], -1
        self.reader.set_find_hits([])
        self.reader.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ searching

    def search(self, move: bool) -> None:
        """Find the query in the reader's text; with `move`, select the first hit after the anchor."""
        text = self.reader.text
        self.hits = find_all(text, self.field.text())
        self._searched_text = text
        self.reader.set_find_hits(self.hits)
        self.current = -1
        if move and self.hits:
            i = bisect_left(self.hits, (self._anchor, -1))
            self._go(i % len(self.hits))
        self._show_count()

    def step(self, delta: int) -> None:
        """Next (1) or previous (-1) hit, wrapping around."""
        if not self.hits:
            return
        if self.current < 0:
            i = bisect_left(self.hits, (self.reader.selection_cp()[0], -1))
            self._go(i % len(self.hits) if delta > 0 else (i - 1) % len(self.hits))
        else:
            self._go((self.current + delta) % len(self.hits))
        self._show_count()

    def _go(self, index: int) -> None:
        self.current = index
        start, end = self.hits[index]
        self.reader.select_cp(start, end, precise=True)  # the hit as found, not widened to words
        self.reader.ensureCursorVisible()

    def _show_count(self) -> None:
        if not self.field.text():
            self.count_label.setText("")
        elif not self.hits:
            self.count_label.setText("No matches")
        elif self.current < 0:
            self.count_label.setText(f"{len(self.hits)} matches" if len(self.hits) != 1 else "1 match")
        else:
            self.count_label.setText(f"{self.current + 1} of {len(self.hits)}")

    def _document_shown(self) -> None:
        """Another document (or the same one reloaded): search it again, selecting nothing."""
        if not self.isVisible() or not self.field.text():
            return
        same = self.reader.text == self._searched_text
        current = self.current
        self.search(move=False)
        if same and 0 <= current < len(self.hits):
            self.current = current
            self._show_count()

    # ------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.step(-1 if shift else 1)
                return True
        return super().eventFilter(watched, event)


def reader_with_find_bar(reader: ReaderView) -> tuple[QWidget, FindBar]:
    """The reader with its find bar underneath, as one widget for the window's splitter."""
    panel = QWidget()
    panel.setObjectName("reader-panel")
    bar = FindBar(reader, panel)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(reader, 1)
    layout.addWidget(bar)
    return panel, bar
