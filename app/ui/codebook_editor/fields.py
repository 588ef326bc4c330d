"""Small input widgets of the codebook form that commit once per finished edit, never per keystroke."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QColorDialog,
    QListView,
    QPushButton,
    QTextEdit,
    QWidget,
)

from app.core.text import RTL, paragraph_direction
from app.ui.palette import swatch

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """`widget` with its object name set (how tests and style sheets find it)."""
    widget.setObjectName(name)
    return widget


class CommitTextEdit(QTextEdit):
    """Several lines (a definition, values one a line); `committed` when focus leaves it."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAcceptRichText(False)  # plain text only, whatever is pasted
        self._shown = ""
        self.textChanged.connect(self._directions)

    def show_text(self, text: str) -> None:
        self._shown = text
        self.setPlainText(text)

    def _directions(self) -> None:
        """Each paragraph in its own direction: an Arabic definition reads right to left, at the right."""
        block = self.document().begin()
        while block.isValid():
            rtl = paragraph_direction(block.text()) == RTL
            wanted = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
            if block.blockFormat().layoutDirection() != wanted:
                cursor = QTextCursor(block)
                fmt = block.blockFormat()
                fmt.setLayoutDirection(wanted)
                cursor.setBlockFormat(fmt)  # a format change only: textChanged is not emitted again
            block = block.next()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.commit()

    def commit(self) -> None:
        if self.toPlainText() != self._shown:
            self._shown = self.toPlainText()
            self.committed.emit(self._shown)


class ColorButton(QPushButton):
    """Shows a colour; a click picks another one (`picked`)."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = "#000000"
        self.clicked.connect(self._pick)

    def show_color(self, color: str) -> None:
        self.color = color
        self.setIcon(swatch(color, 16))
        self.setText(color)

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Colour")
        if chosen.isValid() and chosen.name() != self.color.lower():
            self.picked.emit(chosen.name())


class CheckList(QListView):
    """Names with check boxes (what a role accepts, what an attribute applies to); `toggled`
    gives the checked keys after each click."""

    toggled = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self._loading = False
        self.model_.itemChanged.connect(self._changed)

    def show_items(self, items: list[tuple[object, str, str | None]], checked: set[object]) -> None:
        """(key, text, colour or None) rows, those in `checked` ticked."""
        self._loading = True
        try:
            self.model_.clear()
            for key, text, color in items:
                item = QStandardItem(text)
                item.setData(key, Qt.ItemDataRole.UserRole)
                item.setCheckable(True)
                item.setEditable(False)
                item.setCheckState(Qt.CheckState.Checked if key in checked else Qt.CheckState.Unchecked)
                if color:
                    item.setIcon(swatch(color))
                self.model_.appendRow(item)
        finally:
            self._loading = False

    def checked(self) -> list[object]:
        return [self.model_.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.model_.rowCount())
                if self.model_.item(r).checkState() == Qt.CheckState.Checked]

    def set_checked(self, key: object, on: bool) -> None:
        """Tick or untick one row as a click would."""
        for r in range(self.model_.rowCount()):
            item = self.model_.item(r)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _changed(self, _item: QStandardItem) -> None:
        if not self._loading:
            self.toggled.emit(self.checked())
