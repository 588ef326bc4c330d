"""Document-level codes of the current document, and its done mark."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QWidget

from app.core.services.workspace import CodebookView

NONE_LABEL = "—"


class CodesForm(QWidget):
    codeChanged = Signal(int, object)  # code id, value or None
    doneChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = QFormLayout(self)
        self.widgets: dict[str, QComboBox | QLineEdit] = {}
        self.done = self._done_box()

    def _done_box(self) -> QCheckBox:
        box = QCheckBox("Done with this document")
        box.setObjectName("done")
        # clicked(bool) with the state: connected to the signal's emit, PySide6 picked the
        # argument-less clicked() and the checkbox failed with a TypeError
        box.clicked.connect(lambda checked: self.doneChanged.emit(bool(checked)))
        return box

    def set_codebook(self, codebook: CodebookView) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.done = self._done_box()
        self.widgets = {}
        for code in codebook.document_codes:
            if code.values:
                combo = QComboBox()
                combo.addItem(NONE_LABEL, None)
                for v in code.values:
                    combo.addItem(v, v)
                combo.activated.connect(lambda i, c=combo, cid=code.id: self.codeChanged.emit(cid, c.itemData(i)))
                widget: QComboBox | QLineEdit = combo
            else:
                edit = QLineEdit()
                edit.setValidator(QDoubleValidator())
                edit.setPlaceholderText(f"a number ({code.level})")
                edit.editingFinished.connect(
                    lambda e=edit, cid=code.id: self.codeChanged.emit(cid, e.text().strip() or None)
                )
                widget = edit
            widget.setObjectName(f"code-{code.name}")
            widget.setToolTip(f"{code.definition}\nLevel of measurement: {code.level}")
            self._form.addRow(code.name.replace("_", " "), widget)
            self.widgets[code.name] = widget
            widget.setProperty("code_id", code.id)
        self._form.addRow(self.done)

    def show_values(self, codebook: CodebookView, values: dict[int, str], done: bool) -> None:
        for code in codebook.document_codes:
            widget = self.widgets.get(code.name)
            value = values.get(code.id)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)) if value is not None else 0)
            elif isinstance(widget, QLineEdit):
                widget.setText(value or "")
        self.done.setChecked(done)
