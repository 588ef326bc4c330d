"""Making a relation: from the mention selected in the Mentions tab, of a type, to another mention.

Keyboard-first: Ctrl+R (from the reader or the mention list) opens the Relations tab with the
selected mention as the source and the focus on the type; Tab to the target (mentions the type
accepts, nearest first, with their place and context, as role choices show them), Enter adds.
Under the source: its external references and typed notes, if it has any.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.core.services.workspace import CodebookView, MentionView, RelationTypeInfo
from app.core.snippets import distance, mention_choice
from app.ui.extras_box import ExtrasBox


class RelationForm(QWidget):
    createRelation = Signal(int, int, int)  # relation type id, source mention id, target mention id
    targetHovered = Signal(int)  # mention id under the pointer in the target list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        self.source_label = QLabel()
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.source_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("relation-type")
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("relation-target")
        self.target_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target_combo.setMinimumContentsLength(16)
        self.add_button = QPushButton("Add relation")
        self.add_button.setObjectName("relation-add")
        self.extras = ExtrasBox("mention")  # the source's references and notes
        self.extras.updated.connect(lambda any_: form.setRowVisible(self.extras, any_))
        form.addRow("From", self.source_label)
        form.addRow("", self.extras)
        form.addRow("Type", self.type_combo)
        form.addRow("To", self.target_combo)
        form.addRow("", self.add_button)
        self._codebook = CodebookView()
        self._mentions: list[MentionView] = []
        self._text = ""
        self._source: MentionView | None = None
        self.type_combo.currentIndexChanged.connect(lambda _i: self._fill_targets())
        self.target_combo.highlighted.connect(self._hover)
        self.add_button.clicked.connect(lambda _=False: self._add())
        self.show_source(None, CodebookView(), [], "")

    def show_source(self, source: MentionView | None, codebook: CodebookView, mentions: list[MentionView],
                    text: str) -> None:
        """The selected mention as the source; the types that accept it, the mentions each can reach."""
        self._codebook, self._mentions, self._text, self._source = codebook, mentions, text, source
        chosen = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        for t in self._types():
            self.type_combo.addItem(f"{t.name}  [{t.hotkey}]" if t.hotkey else t.name, t.id)
        index = self.type_combo.findData(chosen)
        self.type_combo.setCurrentIndex(index if index >= 0 else 0)
        self.type_combo.blockSignals(False)
        if not codebook.relation_types:
            self.source_label.setText("The codebook has no relation types (Edit → Codebook… or a codebook file).")
        elif source is None:
            self.source_label.setText("Select a mention in the Mentions tab (or click a highlight) first.")
        else:
            self.source_label.setText(f"{source.text}  ({source.type_name})")
            self.source_label.setToolTip(self.source_label.text())
        self.extras.show_owner(source.id if source is not None else None)
        self._fill_targets()

    def _types(self) -> list[RelationTypeInfo]:
        source = self._source
        if source is None:
            return []
        return [t for t in self._codebook.relation_types if not t.source_accepts or source.type_id in t.source_accepts]

    def _fill_targets(self) -> None:
        self.target_combo.clear()
        type_id = self.type_combo.currentData()
        source = self._source
        rtype = next((t for t in self._codebook.relation_types if t.id == type_id), None)
        if source is None or rtype is None:
            self.add_button.setEnabled(False)
            return
        targets = [m for m in self._mentions
                   if m.id != source.id and (not rtype.target_accepts or m.type_id in rtype.target_accepts)]
        targets.sort(key=lambda m: distance(m.start, m.end, source.start, source.end))
        for m in targets:
            label = (mention_choice(self._text, m.start, m.end, m.text, m.type_name)
                     if m.end <= len(self._text) else f"{m.text}  ({m.type_name})")
            self.target_combo.addItem(label, m.id)
        self.add_button.setEnabled(bool(targets))

    def _hover(self, index: int) -> None:
        mention_id = self.target_combo.itemData(index)
        if mention_id is not None:
            self.targetHovered.emit(mention_id)

    def _add(self) -> None:
        type_id, target = self.type_combo.currentData(), self.target_combo.currentData()
        if self._source is not None and type_id is not None and target is not None:
            self.createRelation.emit(type_id, self._source.id, target)

    def focus_type(self) -> None:
        self.type_combo.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.add_button.isEnabled():
            self._add()
            return
        super().keyPressEvent(event)
