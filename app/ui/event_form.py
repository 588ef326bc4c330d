"""The selected event: its roles with their mentions, and its attributes."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
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
from app.core.snippets import distance, mention_choice
from app.ui.extras_box import ExtrasBox

NONE_LABEL = "—"


class RoleCombo(QComboBox):
    """A role's mention choices; tells when its popup closes (however it closes)."""

    popupClosed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._popup = self.view().window()  # the popup's container
        self._popup.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and watched is self._popup:
            self.popupClosed.emit()
        return super().eventFilter(watched, event)


def event_choice(e: EventView) -> str:
    """An event as a role's choice: its type, trigger and place (`⟶ Reassignment “reassign” · 45`)."""
    trigger = f" “{e.trigger_text}”" if e.trigger_text else ""
    place = f" · {e.trigger[0]}" if e.trigger is not None else ""
    return f"⟶ {e.type_name}{trigger}{place} (event)"


class EventForm(QWidget):
    addArgument = Signal(int, int, int)  # event id, role id, mention id
    addEventArgument = Signal(int, int, int)  # event id, role id, id of the event that fills the role
    removeArgument = Signal(int)  # argument id
    pickRole = Signal(int, int)  # event id, role id: the next click in the reader fills it
    setAttribute = Signal(int, int, object)  # type: ignore[assignment]  # event id, attribute id, value or None (shadows QWidget.setAttribute)
    deleteEvent = Signal(int)
    mentionHovered = Signal(int)  # mention id under the pointer in a role's open choice list
    hoverEnded = Signal()  # that list closed (or its placeholder is hovered): outline the event again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # scroll, never squeeze
        self._body: QWidget | None = None
        self.role_combos: dict[str, QComboBox] = {}
        self.attribute_combos: dict[str, QComboBox] = {}
        self._hovering = False
        self.extras = ExtrasBox("event", self._layout)  # its references and typed notes, below the form
        self.show_event(None, CodebookView(), [])

    def show_event(self, event: EventView | None, codebook: CodebookView, mentions: list[MentionView],
                   text: str = "", events: list[EventView] | None = None) -> None:
        """Rebuild the form; keyboard focus stays on the same role or attribute field.

        `text` is the document's text: each mention is shown with its offset and context in it.
        """
        focused = QApplication.focusWidget()
        keep_focus = focused.objectName() if focused is not None and self.isAncestorOf(focused) else None
        self._build(event, codebook, mentions, text, events or [])
        self.extras.show_owner(event.id if event is not None else None)
        if keep_focus:
            target = self.findChild(QWidget, keep_focus)
            if target is not None:
                target.setFocus()

    def _fill_role(self, combo: QComboBox, event_id: int, role_id: int, index: int) -> None:
        data = combo.itemData(index)
        if isinstance(data, tuple):  # ("event", id): another event fills the role
            self.addEventArgument.emit(event_id, role_id, data[1])
        elif data is not None:
            self.addArgument.emit(event_id, role_id, data)

    def _hover(self, mention_id: object) -> None:
        if isinstance(mention_id, int):
            self._hovering = True
            self.mentionHovered.emit(mention_id)
        elif self._hovering:
            self._hovering = False
            self.hoverEnded.emit()

    @staticmethod
    def _choices(event: EventView, mentions: list[MentionView]) -> list[MentionView]:
        """Nearest to the trigger first (ties and trigger-less events: document order)."""
        if event.trigger is None:
            return list(mentions)
        lo, hi = event.trigger
        return sorted(mentions, key=lambda m: distance(m.start, m.end, lo, hi))

    def _build(self, event: EventView | None, codebook: CodebookView, mentions: list[MentionView],
               text: str, events: list[EventView]) -> None:
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
        title = QLabel(f"<b>{escape(etype.name)}</b>"
                       + (f" — “{escape(event.trigger_text)}”" if event.trigger_text else ""))
        delete = QPushButton("Delete event")
        delete.clicked.connect(lambda: self.deleteEvent.emit(event.id))
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(delete)
        form.addRow(head)
        by_id = {m.id: m for m in mentions}
        labels: dict[int, str] = {}

        def choice(m: MentionView) -> str:  # each mention's once, whatever the number of roles
            if m.id not in labels:
                labels[m.id] = (mention_choice(text, m.start, m.end, m.text, m.type_name)
                                if m.end <= len(text) else f"{m.text}  ({m.type_name})")
            return labels[m.id]

        choices = self._choices(event, mentions)
        for role in etype.roles:
            row = QVBoxLayout()
            for arg in (a for a in event.arguments if a.role_id == role.id):
                line = QHBoxLayout()
                linked = QLabel("• " + (choice(by_id[arg.mention_id]) if arg.mention_id in by_id else arg.text))
                linked.setTextFormat(Qt.TextFormat.PlainText)
                # one line, cut at the pane's edge (a wrapped label was clipped by its form row);
                # the whole label, context included, is the tooltip
                linked.setToolTip(linked.text())
                linked.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                line.addWidget(linked, 1)
                remove = QToolButton()
                remove.setText("✕")
                remove.setToolTip(f"Remove {arg.text} from {role.name}")
                remove.clicked.connect(lambda _=False, aid=arg.id: self.removeArgument.emit(aid))
                line.addWidget(remove)
                row.addLayout(line)
            filled = any(a.role_id == role.id for a in event.arguments)
            if role.repeatable or not filled:
                combo = RoleCombo()
                combo.setObjectName(f"role-{role.name}")
                combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                # long choices widen the popup, not the form
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(16)
                # a role takes mentions of the types it accepts (any type if it names none), and
                # events of the event types it accepts: a Policy reversal's Policy is a Reassignment
                nested = [e for e in events if e.type_id in role.accepts_events and e.id != event.id]
                combo.addItem("add a mention or an event…" if nested else "add a mention…", None)
                taken = {a.mention_id for a in event.arguments if a.role_id == role.id}
                if role.accepts or not role.accepts_events:
                    for m in choices:
                        if (not role.accepts or m.type_id in role.accepts) and m.id not in taken:
                            combo.addItem(choice(m), m.id)
                taken_events = {a.argument_event_id for a in event.arguments if a.role_id == role.id}
                for e in nested:
                    if e.id not in taken_events:
                        combo.addItem(event_choice(e), ("event", e.id))
                combo.highlighted.connect(lambda i, c=combo: self._hover(c.itemData(i)))
                combo.popupClosed.connect(lambda: self._hover(None))
                combo.activated.connect(partial(self._fill_role, combo, event.id, role.id))
                pick = QToolButton()
                pick.setText("Pick")
                pick.setObjectName(f"pick-{role.name}")
                pick.setToolTip("Click a highlight in the reader to fill this role")
                pick.clicked.connect(lambda _=False, rid=role.id: self.pickRole.emit(event.id, rid))
                line = QHBoxLayout()
                line.addWidget(combo, 1)
                line.addWidget(pick)
                row.addLayout(line)
                self.role_combos[role.name] = combo
            accepted = ", ".join([codebook.entity_type(t).name for t in role.accepts]
                                 + [f"{codebook.event_type(t).name} events" for t in role.accepts_events])
            accepted = accepted or "any type"
            label = QLabel(role.name + ("*" if role.repeatable else ""))
            label.setToolTip(f"{role.definition}\nAccepts: {accepted}" + ("\nMay repeat." if role.repeatable else ""))
            form.addRow(label, row)
        for attr in codebook.event_attributes:
            if attr.applies_to and etype.name not in attr.applies_to:
                continue
            attribute_combo = QComboBox()
            attribute_combo.setObjectName(f"attribute-{attr.name}")
            attribute_combo.addItem(NONE_LABEL, None)
            for value in attr.values or ("true",):
                attribute_combo.addItem(value, value)
            current = event.attributes.get(attr.name)
            attribute_combo.setCurrentIndex(max(0, attribute_combo.findData(current)) if current is not None else 0)
            attribute_combo.setToolTip(attr.definition)
            attribute_combo.activated.connect(
                lambda i, c=attribute_combo, aid=attr.id: self.setAttribute.emit(event.id, aid, c.itemData(i))
            )
            form.addRow(attr.name, attribute_combo)
            self.attribute_combos[attr.name] = attribute_combo
