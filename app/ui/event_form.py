"""The selected event: its roles with their mentions, and its attributes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.services.workspace import CodebookView, EventView, MentionView

NONE_LABEL = "—"


class EventForm(QWidget):
    addArgument = Signal(int, int, int)  # event id, role id, mention id
    removeArgument = Signal(int)  # argument id
    pickRole = Signal(int, int)  # event id, role id: the next click in the reader fills it
    setAttribute = Signal(int, int, object)  # event id, attribute id, value or None
    deleteEvent = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # scroll, never squeeze
        self._body: QWidget | None = None
        self.role_combos: dict[str, QComboBox] = {}
        self.attribute_combos: dict[str, QComboBox] = {}
        self.show_event(None, CodebookView(), [])

    def show_event(self, event: EventView | None, codebook: CodebookView, mentions: list[MentionView]) -> None:
        """Rebuild the form; keyboard focus stays on the same role or attribute field."""
        focused = QApplication.focusWidget()
        keep_focus = focused.objectName() if focused is not None and self.isAncestorOf(focused) else None
        self._build(event, codebook, mentions)
        if keep_focus:
            target = self.findChild(QWidget, keep_focus)
            if target is not None:
                target.setFocus()

    def _build(self, event: EventView | None, codebook: CodebookView, mentions: list[MentionView]) -> None:
        if self._body is not None:
            self._body.hide()
            self._layout.removeWidget(self._body)
            self._body.setParent(None)
            self._body.deleteLater()
        self._body = QWidget(self)
        self._layout.addWidget(self._body)
        self.role_combos, self.attribute_combos = {}, {}
        form = QFormLayout(self._body)
        form.setContentsMargins(4, 4, 4, 4)
        if event is None:
            form.addRow(QLabel("Select an event to edit its roles and attributes."))
            return
        etype = codebook.event_type(event.type_id)
        title = QLabel(f"<b>{etype.name}</b>" + (f" — “{event.trigger_text}”" if event.trigger_text else ""))
        delete = QPushButton("Delete event")
        delete.clicked.connect(lambda: self.deleteEvent.emit(event.id))
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(delete)
        form.addRow(head)
        for role in etype.roles:
            row = QVBoxLayout()
            for arg in (a for a in event.arguments if a.role_id == role.id):
                line = QHBoxLayout()
                line.addWidget(QLabel(f"• {arg.text}"), 1)
                remove = QToolButton()
                remove.setText("✕")
                remove.setToolTip(f"Remove {arg.text} from {role.name}")
                remove.clicked.connect(lambda _=False, aid=arg.id: self.removeArgument.emit(aid))
                line.addWidget(remove)
                row.addLayout(line)
            filled = any(a.role_id == role.id for a in event.arguments)
            if role.repeatable or not filled:
                combo = QComboBox()
                combo.setObjectName(f"role-{role.name}")
                combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                combo.addItem("add a mention…", None)
                taken = {a.mention_id for a in event.arguments if a.role_id == role.id}
                for m in mentions:
                    if (not role.accepts or m.type_id in role.accepts) and m.id not in taken:
                        combo.addItem(f"{m.text}  ({m.type_name})", m.id)
                combo.activated.connect(
                    lambda i, c=combo, rid=role.id: c.itemData(i) is not None
                    and self.addArgument.emit(event.id, rid, c.itemData(i))
                )
                pick = QToolButton()
                pick.setText("Pick")
                pick.setToolTip("Click a highlight in the reader to fill this role")
                pick.clicked.connect(lambda _=False, rid=role.id: self.pickRole.emit(event.id, rid))
                line = QHBoxLayout()
                line.addWidget(combo, 1)
                line.addWidget(pick)
                row.addLayout(line)
                self.role_combos[role.name] = combo
            accepted = ", ".join(codebook.entity_type(t).name for t in role.accepts) or "any type"
            label = QLabel(role.name + ("*" if role.repeatable else ""))
            label.setToolTip(f"{role.definition}\nAccepts: {accepted}" + ("\nMay repeat." if role.repeatable else ""))
            form.addRow(label, row)
        for attr in codebook.event_attributes:
            if attr.applies_to and etype.name not in attr.applies_to:
                continue
            combo = QComboBox()
            combo.setObjectName(f"attribute-{attr.name}")
            combo.addItem(NONE_LABEL, None)
            for value in attr.values or ("true",):
                combo.addItem(value, value)
            current = event.attributes.get(attr.name)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
            combo.setToolTip(attr.definition)
            combo.activated.connect(
                lambda i, c=combo, aid=attr.id: self.setAttribute.emit(event.id, aid, c.itemData(i))
            )
            form.addRow(attr.name, combo)
            self.attribute_combos[attr.name] = combo
