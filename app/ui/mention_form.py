"""The selected mention's attributes: a choice per attribute with values, a checkbox per yes/no
flag; under them its external references and typed notes (read-only, hidden when it has none)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.services.workspace import ChoiceInfo, CodebookView, MentionView
from app.core.validation import FLAG_VALUE
from app.ui.extras_box import ExtrasBox

NONE_LABEL = "—"


def applicable(codebook: CodebookView, type_name: str) -> list[ChoiceInfo]:
    """The mention attributes that apply to an entity type (no `applies_to`: every type)."""
    return [a for a in codebook.mention_attributes if not a.applies_to or type_name in a.applies_to]


class MentionForm(QWidget):
    setAttribute = Signal(int, int, object)  # type: ignore[assignment]  # mention id, attribute id, value or None (QWidget has a setAttribute method)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mention-form")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None
        self.mention_id: int | None = None
        self.combos: dict[str, QComboBox] = {}
        self.checks: dict[str, QCheckBox] = {}
        self._has_attributes = False
        self.extras = ExtrasBox("mention", self._layout)
        self.extras.updated.connect(lambda _any: self._show_or_hide())
        self.show_mention(None, CodebookView())

    def show_mention(self, mention: MentionView | None, codebook: CodebookView) -> None:
        """Rebuild for `mention` (None: nothing selected); keyboard focus stays on the same field."""
        focused = QApplication.focusWidget()
        keep = focused.objectName() if focused is not None and self.isAncestorOf(focused) else ""
        self._build(mention, codebook)
        self._has_attributes = bool(codebook.mention_attributes)
        self.extras.show_owner(mention.id if mention is not None else None)
        self._show_or_hide()
        if keep:
            target = self.findChild(QWidget, keep)
            if target is not None:
                target.setFocus()

    def _show_or_hide(self) -> None:
        """Hidden when the codebook has no mention attributes and the mention no references or
        notes: the table keeps its room."""
        self.setVisible(self._has_attributes or bool(self.extras.extras))

    def _build(self, mention: MentionView | None, codebook: CodebookView) -> None:
        if self._body is not None:  # later: the change may come from one of its own controls' signals
            self._body.hide()
            self._layout.removeWidget(self._body)
            self._body.setParent(None)
            self._body.deleteLater()
        self._body = QWidget(self)
        self._layout.addWidget(self._body)
        self._form = QFormLayout(self._body)
        self._form.setContentsMargins(4, 4, 4, 4)
        self.combos, self.checks = {}, {}
        self.mention_id = mention.id if mention is not None else None
        attrs = applicable(codebook, mention.type_name) if mention is not None else []
        if mention is None:
            self._form.addRow(QLabel("Select a mention to set its attributes."))
            return
        title = QLabel(f"<b>{escape(mention.type_name)}</b> — “{escape(mention.text)}”")
        title.setWordWrap(True)
        self._form.addRow(title)
        if not attrs:
            if codebook.mention_attributes:
                self._form.addRow(QLabel(f"No attributes apply to {escape(mention.type_name)}."))
            return
        for attr in attrs:
            current = mention.attribute(attr.name)
            if attr.values:
                combo = QComboBox()
                combo.setObjectName(f"mention-attribute-{attr.name}")
                combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel guard: no change by scrolling past
                combo.addItem(NONE_LABEL, None)
                for value in attr.values:
                    combo.addItem(value, value)
                if current is not None and combo.findData(current) < 0:
                    combo.addItem(f"{current} (not in the codebook)", current)
                combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
                combo.setToolTip(attr.definition)
                combo.activated.connect(
                    lambda i, c=combo, aid=attr.id, mid=mention.id, was=current: self._set(mid, aid, c.itemData(i), was)
                )
                self._form.addRow(attr.name, combo)
                self.combos[attr.name] = combo
            else:
                check = QCheckBox(attr.name)
                check.setObjectName(f"mention-attribute-{attr.name}")
                check.setChecked(current is not None)
                check.setToolTip(attr.definition or f"{attr.name}: yes or no")
                check.clicked.connect(
                    lambda on, aid=attr.id, mid=mention.id, was=current:
                    self._set(mid, aid, FLAG_VALUE if on else None, was)
                )
                self._form.addRow("", check)
                self.checks[attr.name] = check

    def _set(self, mention_id: int, attribute_id: int, value: str | None, current: str | None) -> None:
        if value != current:  # choosing the value already set is no command (and no undo entry)
            self.setAttribute.emit(mention_id, attribute_id, value)
