"""The codebook palette: entity and event types with their colours and hotkeys."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QGroupBox, QPushButton, QVBoxLayout, QWidget

from app.core.services.workspace import CodebookView, TypeInfo
from app.ui.flow_layout import FlowLayout


def swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def _label(t: TypeInfo) -> str:
    return f"{t.name}  [{t.hotkey}]" if t.hotkey else t.name


class Palette(QWidget):
    entityTypeChosen = Signal(int)
    eventTypeChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._entities = QGroupBox("Entity types — select text, then press the key")
        self._events = QGroupBox("Event types — optionally select the trigger first")
        layout.addWidget(self._entities)
        layout.addWidget(self._events)
        # buttons wrap to the pane's width: the reader keeps the room
        self._entity_flow = FlowLayout(self._entities)
        self._event_flow = FlowLayout(self._events)
        self.buttons: dict[str, QPushButton] = {}

    def set_codebook(self, codebook: CodebookView) -> None:
        self.buttons = {}  # a renamed or removed type's button goes with its key
        for grid, types, signal, kind in (
            (self._entity_flow, codebook.entity_types, self.entityTypeChosen, "entity"),
            (self._event_flow, codebook.event_types, self.eventTypeChosen, "event"),
        ):
            while grid.count():
                item = grid.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:  # gone from the screen now, not at the next turn of the event loop
                    widget.hide()
                    widget.setParent(None)
                    widget.deleteLater()
            for t in types:
                button = QPushButton(swatch(t.color), _label(t))
                button.setObjectName(f"palette-{kind}-{t.name}")
                button.setToolTip(t.definition)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep focus (and the selection) in the reader
                button.setStyleSheet("text-align: left; padding: 2px 6px;")
                button.clicked.connect(lambda _=False, tid=t.id, sig=signal: sig.emit(tid))
                grid.addWidget(button)
                self.buttons[f"{kind}:{t.name}"] = button
