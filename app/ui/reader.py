"""The article reader: read-only text, each paragraph in its own direction, layered highlights."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QResizeEvent,
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


MARK_COLOR = "#c00000"
FIND_COLOR = "#1565c0"  # find hits: a dashed blue underline, apart from the spans' colours


_start = attrgetter("start")
_SELECTING_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
                   Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


class ReaderView(QTextEdit):
    """Shows one document; reports selections and clicks in code-point offsets.

    Pressing the mouse inside the selection starts a new selection (never a text drag).
    `precise_selection` tells whether Alt was held at some moment of the mouse selection
    (press, drag or release): tagging then keeps the selection's characters instead of
    snapping it to whole words. Alt is read from the mouse events themselves, so pressing
    it after starting the drag works where the desktop takes Alt+press to move windows.
    """

    spanClicked = Signal(int)  # id of the innermost span under a click
    pointClicked = Signal(int)  # code point under a click (emitted before spanClicked)
    selectionChangedCp = Signal(int, int)
    documentShown = Signal()  # a new text (or the same one again) was laid out

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
        self.precise_selection = False
        self._emphasis: list[tuple[int, int, str]] = []
        self._marks: list[tuple[int, int]] = []
        self._find_hits: list[tuple[int, int]] = []
        self._find_ends: list[int] = []
        self._starts: list[int] = []
        self._max_len = 0
        self._batch_depth = 0
        self._batch_dirty = False
        self.selectionChanged.connect(self._emit_selection)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.refresh_highlights())

    # ------------------------------------------------------------ content

    @property
    def text(self) -> str:
        return self._text

    @property
    def position_map(self) -> PositionMap:
        return self._map

    def show_document(self, text: str, spans: Sequence[Span] = ()) -> None:
        """Replace the text, lay out each paragraph in its own direction, and show the spans."""
        self._text = text
        self._map = PositionMap(text)
        self._set_span_list(spans)
        self._emphasis = []
        self._marks = []
        self._find_hits, self._find_ends = [], []
        # Fill a fresh document before the view lays it out, then hand it over.
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
        cursor.endEditBlock()
        self.setDocument(doc)  # the previous document, a child of this view, is deleted by Qt
        self.refresh_highlights()
        self.documentShown.emit()

    def set_spans(self, spans: Sequence[Span], changed: tuple[int, int] | None = None) -> None:
        """Replace the spans and redraw what is on screen (`changed` is a hint, not needed)."""
        self._set_span_list(spans)
        self.refresh_highlights()

    def _set_span_list(self, spans: Sequence[Span]) -> None:
        self._spans = sorted(spans, key=_start)
        self._starts = [s.start for s in self._spans]
        self._max_len = max((s.end - s.start for s in self._spans), default=0)

    # Highlights are drawn as extra selections of the paragraphs on screen only: the
    # document itself is never reformatted, so opening a document with thousands of
    # mentions costs what its visible part costs, and Qt draws bidi runs correctly.

    def visible_range(self) -> tuple[int, int]:
        """Code-point range of the paragraphs that are (partly) on screen.

        Found through the layout's block rectangles (asking for one lays out the text up
        to it), so paragraphs below the screen are not laid out just to draw highlights.
        """
        doc = self.document()
        layout = doc.documentLayout()
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        first = 0
        if top > 0:  # the first paragraph whose bottom is below the top of the screen
            lo, hi = 0, doc.blockCount() - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if layout.blockBoundingRect(doc.findBlockByNumber(mid)).bottom() <= top:
                    lo = mid + 1
                else:
                    hi = mid
            first = lo
        block = doc.findBlockByNumber(first)
        start = block.position()
        end = start
        while block.isValid():
            if layout.blockBoundingRect(block).top() >= bottom and block.position() > start:
                break
            end = block.position() + block.length() - 1
            block = block.next()
        to_cp = self._map.to_code_point
        return to_cp(start), to_cp(min(end, self._map.length_u16))

    def spans_between(self, lo: int, hi: int) -> list[Span]:
        i = bisect_left(self._starts, lo - self._max_len)
        j = bisect_left(self._starts, hi)
        return [s for s in self._spans[i:j] if s.end > lo]

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Redraw the highlights once at the end of the block, however many changes it makes (a
        command that adds a span and then outlines it pays for one redraw, not two)."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._batch_dirty:
                self._batch_dirty = False
                self.refresh_highlights()

    def refresh_highlights(self) -> None:
        if self._batch_depth:
            self._batch_dirty = True
            return
        lo, hi = self.visible_range()
        selections = [self._selection(seg.start, seg.end, self._format(seg))
                      for seg in segments(self.spans_between(lo, hi), lo, hi)]
        selections += [self._selection(max(start, lo), min(end, hi), self._mark_format())
                       for start, end in self._marks if start < hi and end > lo]
        i = bisect_left(self._find_ends, lo + 1)  # hits are sorted and never overlap
        for start, end in self._find_hits[i:]:
            if start >= hi:
                break
            selections.append(self._selection(start, end, self._find_format()))
        selections += [self._selection(start, end, self._strong(color)) for start, end, color in self._emphasis]
        self.setExtraSelections(selections)

    def set_marks(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Mark ranges with a red wavy underline and red text (disagreements in the Compare view)."""
        self._marks = sorted(ranges)
        self.refresh_highlights()

    def set_find_hits(self, hits: Sequence[tuple[int, int]]) -> None:
        """Underline the hits of a search (sorted, non-overlapping code-point spans)."""
        self._find_hits = list(hits)
        self._find_ends = [end for _start, end in self._find_hits]
        self.refresh_highlights()

    @property
    def find_hits(self) -> list[tuple[int, int]]:
        return self._find_hits

    def _find_format(self) -> QTextCharFormat:
        key = ("find", None, False)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(QColor(FIND_COLOR))
            fmt.setFontOverline(True)  # with the underline, a thin frame above and below the hit
            self._formats[key] = fmt
        return fmt

    def _mark_format(self) -> QTextCharFormat:
        key = ("mark", None, False)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(MARK_COLOR))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(MARK_COLOR))
            self._formats[key] = fmt
        return fmt

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        sel.format = fmt
        return sel

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

    def _strong(self, color: str) -> QTextCharFormat:
        key = ("strong", color, False)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            strong = QColor(color)
            strong.setAlpha(170)
            fmt.setBackground(strong)
            fmt.setForeground(QColor("#000000"))
            self._formats[key] = fmt
        return fmt

    # ------------------------------------------------------------ selection and emphasis

    def selection_cp(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return self._map.to_code_point(cursor.selectionStart()), self._map.to_code_point(cursor.selectionEnd())

    def select_cp(self, start: int, end: int, precise: bool = False) -> None:
        self.precise_selection = precise
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def emphasize(self, ranges: Sequence[tuple[int, int, str]]) -> None:
        """Outline the given ranges (a selected mention, or an event's trigger and arguments)."""
        self._emphasis = list(ranges)
        if ranges:
            self.scroll_to_cp(ranges[0][0])
        self.refresh_highlights()

    def scroll_to_cp(self, pos: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(pos))
        rect = self.cursorRect(cursor)
        if not self.viewport().rect().contains(rect):
            self.setTextCursor(cursor) if not self.textCursor().hasSelection() else None
            self.ensureCursorVisible()

    def top_cp(self) -> int:
        """The code point at the top left of the view (the reading position)."""
        cursor = self.cursorForPosition(QPoint(0, 0))
        return self._map.to_code_point(cursor.position())

    def scroll_to_top(self, pos: int) -> None:
        """Scroll so that the paragraph line holding code point `pos` is at the top of the view."""
        pos = max(0, min(pos, len(self._text)))
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(pos))
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.cursorRect(cursor).top())

    def code_point_at(self, point: QPoint) -> int:
        """The caret position (a code point) nearest to a point of the viewport."""
        return self._map.to_code_point(self.cursorForPosition(point).position())

    def spans_at_point(self, point: QPoint) -> list[Span]:
        pos = self.code_point_at(point)
        # cursorForPosition gives the nearest caret position; the character hit is before or after it
        hits = covering(self._spans, pos)
        return hits or (covering(self._spans, pos - 1) if pos > 0 else [])

    # ------------------------------------------------------------ events

    def _emit_selection(self) -> None:
        self.selectionChangedCp.emit(*self.selection_cp())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.refresh_highlights()

    @staticmethod
    def _alt(event: QMouseEvent) -> bool:
        return bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Shift+arrows select as usual (snapped to whole words when tagged); with Alt held too they
        select character by character and keep that precision, like Alt while selecting with the mouse."""
        mods = event.modifiers()
        if event.key() in _SELECTING_KEYS and mods & Qt.KeyboardModifier.ShiftModifier:
            alt = bool(mods & Qt.KeyboardModifier.AltModifier)
            self.precise_selection = alt or (self.precise_selection and self.textCursor().hasSelection())
            if alt:  # Qt has no Alt+Shift+arrow binding: the same key without Alt
                event = QKeyEvent(event.type(), event.key(), mods & ~Qt.KeyboardModifier.AltModifier,
                                  event.text(), event.isAutoRepeat(), event.count())
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            # Shift extends the selection; otherwise a new one begins, Alt or not.
            self.precise_selection = (self.precise_selection and shift) or self._alt(event)
            cursor = self.textCursor()
            if cursor.hasSelection() and not shift:
                # Qt would start dragging the selected text from a press inside it.
                cursor.clearSelection()
                self.setTextCursor(cursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._alt(event):
            self.precise_selection = True
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._alt(event):
            self.precise_selection = True
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if self._press_pos is not None and (pos - self._press_pos).manhattanLength() < 4 \
                and not self.textCursor().hasSelection():
            self.pointClicked.emit(self.code_point_at(pos))
            hits = self.spans_at_point(pos)
            if hits:
                self.spanClicked.emit(hits[0].id)
        self._press_pos = None

    def viewportEvent(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip and self.tooltip_for is not None:
            hits = self.spans_at_point(event.pos())
            if hits:
                QToolTip.showText(event.globalPos(), self.tooltip_for(hits), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)
