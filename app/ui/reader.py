"""The article reader: read-only text, each paragraph in its own direction, layered highlights."""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from app.core.text import RTL, paragraph_direction
from app.ui.fonts import reading_font
from app.ui.highlights import Segment, Span, covering, segments
from app.ui.positions import PositionMap

BACKGROUND_ALPHA = 80


class ReaderView(QTextEdit):
    """Shows one document; reports selections and clicks in code-point offsets."""

    spanClicked = Signal(int)  # id of the innermost span under a click
    selectionChangedCp = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reader")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFont(reading_font())
        self.setMouseTracking(True)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(16)
        option = self.document().defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDefaultTextOption(option)
        self._text = ""
        self._map = PositionMap("")
        self._spans: list[Span] = []
        self._formats: dict[tuple[str, str | None, bool], QTextCharFormat] = {}
        self.tooltip_for: Callable[[list[Span]], str] | None = None
        self._press_pos: QPoint | None = None
        self.selectionChanged.connect(self._emit_selection)

    # ------------------------------------------------------------ content

    @property
    def text(self) -> str:
        return self._text

    @property
    def position_map(self) -> PositionMap:
        return self._map

    def show_document(self, text: str, spans: Sequence[Span] = ()) -> None:
        """Replace the text; lay out each paragraph in its direction; draw all spans."""
        self._text = text
        self._map = PositionMap(text)
        self._spans = list(spans)
        # Fill a fresh document that no view lays out yet, then hand it to the view: formats
        # applied to a shown document would force the layout of the whole text at once.
        old = self.document()
        doc = QTextDocument(self)
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(old.documentMargin())
        doc.setDefaultTextOption(old.defaultTextOption())
        doc.setUndoRedoEnabled(False)
        doc.setPlainText(text)
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        rtl_format = QTextBlockFormat()
        rtl_format.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        rtl_format.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        ltr_format = QTextBlockFormat()
        ltr_format.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        ltr_format.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute)
        block = doc.begin()
        while block.isValid():
            cursor.setPosition(block.position())
            cursor.setBlockFormat(rtl_format if paragraph_direction(block.text()) == RTL else ltr_format)
            block = block.next()
        self._apply_segments(cursor, segments(self._spans))
        cursor.endEditBlock()
        self.setDocument(doc)  # the previous document, a child of this view, is deleted by Qt
        self.setExtraSelections([])

    def set_spans(self, spans: Sequence[Span], changed: tuple[int, int] | None = None) -> None:
        """Redraw highlights: only the range `changed` (code points) if given, else everything."""
        self._spans = list(spans)
        lo, hi = changed if changed is not None else (0, len(self._text))
        # widen to the spans that overlap the range, so their segments are redrawn whole
        for s in self._spans:
            if s.end > lo and s.start < hi:
                lo, hi = min(lo, s.start), max(hi, s.end)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(self._map.to_utf16(lo))
        cursor.setPosition(self._map.to_utf16(hi), QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(QTextCharFormat())
        self._apply_segments(cursor, segments(self._spans, lo, hi))
        cursor.endEditBlock()

    def _format(self, seg: Segment) -> QTextCharFormat:
        outer = seg.outer[0].color if seg.outer else None
        key = (seg.inner.color, outer, len(seg.outer) > 1)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            color = QColor(seg.inner.color)
            color.setAlpha(BACKGROUND_ALPHA)
            fmt.setBackground(color)
            if outer is not None:
                fmt.setUnderlineStyle(
                    QTextCharFormat.UnderlineStyle.WaveUnderline if len(seg.outer) > 1
                    else QTextCharFormat.UnderlineStyle.SingleUnderline
                )
                fmt.setUnderlineColor(QColor(outer))
            self._formats[key] = fmt
        return fmt

    def _apply_segments(self, cursor: QTextCursor, segs: list[Segment]) -> None:
        to16 = self._map.to_utf16
        for seg in segs:
            cursor.setPosition(to16(seg.start))
            cursor.setPosition(to16(seg.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(self._format(seg))

    # ------------------------------------------------------------ selection and emphasis

    def selection_cp(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return self._map.to_code_point(cursor.selectionStart()), self._map.to_code_point(cursor.selectionEnd())

    def select_cp(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def emphasize(self, ranges: Sequence[tuple[int, int, str]]) -> None:
        """Outline the given ranges (a selected mention, or an event's trigger and arguments)."""
        selections = []
        for start, end, color in ranges:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_utf16(start))
            cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            fmt = QTextCharFormat()
            strong = QColor(color)
            strong.setAlpha(170)
            fmt.setBackground(strong)
            fmt.setForeground(QColor("#000000"))
            sel.format = fmt
            selections.append(sel)
        self.setExtraSelections(selections)
        if ranges:
            self.scroll_to_cp(ranges[0][0])

    def scroll_to_cp(self, pos: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(pos))
        rect = self.cursorRect(cursor)
        if not self.viewport().rect().contains(rect):
            self.setTextCursor(cursor) if not self.textCursor().hasSelection() else None
            self.ensureCursorVisible()

    def spans_at_point(self, point: QPoint) -> list[Span]:
        cursor = self.cursorForPosition(point)
        pos = self._map.to_code_point(cursor.position())
        # cursorForPosition gives the nearest caret position; the character hit is before or after it
        hits = covering(self._spans, pos)
        return hits or (covering(self._spans, pos - 1) if pos > 0 else [])

    # ------------------------------------------------------------ events

    def _emit_selection(self) -> None:
        self.selectionChangedCp.emit(*self.selection_cp())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if self._press_pos is not None and (pos - self._press_pos).manhattanLength() < 4 \
                and not self.textCursor().hasSelection():
            hits = self.spans_at_point(pos)
            if hits:
                self.spanClicked.emit(hits[0].id)
        self._press_pos = None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.tooltip_for is not None:
            hits = self.spans_at_point(event.pos())
            if hits:
                QToolTip.showText(event.globalPos(), self.tooltip_for(hits), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)
