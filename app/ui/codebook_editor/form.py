"""The form of the selected codebook item: its name, colour, hotkey, definition, what a role or a
relation type accepts, values…

Each field commits one edit when it is finished (Return or leaving a text field, a click on a
check box or a colour), through `commit`, which runs it as the window runs commands (so a
refusal is shown as a message) and then shows what is stored (a refused edit is reverted).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.codebook.rows import ATTRIBUTE, CODE, ENTITY, EVENT, RELATION, ROLE
from app.core.codebook.spec import LEVELS
from app.core.services.codebook_edits import commands as cb
from app.core.services.workspace import (
    ChoiceInfo,
    CodebookView,
    EventTypeInfo,
    RelationTypeInfo,
    RoleInfo,
    TypeInfo,
    Workspace,
)
from app.ui.codebook_editor.fields import CheckList, ColorButton, CommitTextEdit, named
from app.ui.codebook_editor.tree import Key, as_item

Item = TypeInfo | RoleInfo | ChoiceInfo


def lookup(book: CodebookView, key: tuple[str, int]) -> tuple[Item, str, EventTypeInfo | None] | None:
    """The item a key names, what kind it is ('entity type', 'event attribute', ...) and, for a
    role, its event type; None if it is gone."""
    table, ident = key
    if table == ENTITY:
        return next(((t, "entity type", None) for t in book.entity_types if t.id == ident), None)
    if table == EVENT:
        return next(((t, "event type", None) for t in book.event_types if t.id == ident), None)
    if table == ROLE:
        return next(((r, "role", t) for t in book.event_types for r in t.roles if r.id == ident), None)
    if table == ATTRIBUTE:
        found = [(a, "event attribute") for a in book.event_attributes if a.id == ident]
        found += [(a, "mention attribute") for a in book.mention_attributes if a.id == ident]
        return (found[0][0], found[0][1], None) if found else None
    if table == CODE:
        return next(((c, "document code", None) for c in book.document_codes if c.id == ident), None)
    if table == RELATION:
        return next(((t, "relation type", None) for t in book.relation_types if t.id == ident), None)
    return None


class ItemForm(QWidget):
    def __init__(self, workspace: Workspace, commit: Callable[[Callable[[], object]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.commit = commit
        self.key: tuple[str, int] | None = None
        self.item: Item | None = None
        self.kind = ""
        self.owner: EventTypeInfo | None = None
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("codebook-form-title")
        self.title.setStyleSheet("font-weight: bold;")
        self.usage = QLabel()
        self.usage.setObjectName("codebook-usage")
        self.usage.setWordWrap(True)
        outer.addWidget(self.title)
        outer.addWidget(self.usage)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        outer.addStretch(1)

        self.name = named(QLineEdit(), "codebook-name")
        self.color = named(ColorButton(), "codebook-color")
        self.hotkey = named(QLineEdit(), "codebook-hotkey")
        self.hotkey.setPlaceholderText("a letter or digit, or Shift+letter")
        self.hotkey.setMaximumWidth(220)
        self.repeatable = named(QCheckBox("takes several mentions"), "codebook-repeatable")
        self.accepts = named(CheckList(), "codebook-accepts")
        self.accepts.setToolTip("The entity types this role accepts; none ticked (and no events): any type")
        self.accepts_events = named(CheckList(), "codebook-accepts-events")
        self.accepts_events.setToolTip("The event types whose events may fill this role (nested events)")
        self.source = named(CheckList(), "codebook-source")
        self.source.setToolTip("The entity types a relation may start from; none ticked: any type")
        self.target = named(CheckList(), "codebook-target")
        self.target.setToolTip("The entity types a relation may point to; none ticked: any type")
        self.symmetric = named(QCheckBox("the same both ways (A ↔ B)"), "codebook-symmetric")
        self.transitive = named(QCheckBox("Transitive (an equivalence, brat's Equiv)"), "codebook-transitive")
        self.transitive.setToolTip("A ↔ B and B ↔ C make A ↔ C: brat export writes the relations as "
                                   "Equiv groups. Setting it makes the type symmetric too.")
        self.level = named(QComboBox(), "codebook-level")
        self.level.addItems(list(LEVELS))
        self.values = named(CommitTextEdit(), "codebook-values")
        self.values.setPlaceholderText("one value a line (none: a yes/no attribute)")
        self.values.setMaximumHeight(140)
        self.rename_value = named(QPushButton("Rename a value…"), "codebook-rename-value")
        self.applies = named(CheckList(), "codebook-applies")
        self.applies.setToolTip("The types this attribute applies to; none ticked: every type")
        self.definition = named(CommitTextEdit(), "codebook-definition")
        for label, widget in (("Name", self.name), ("Colour", self.color), ("Hotkey", self.hotkey),
                              ("Repeatable", self.repeatable), ("Accepts\n(none: any)", self.accepts),
                              ("Accepts events", self.accepts_events), ("Source accepts\n(none: any)", self.source),
                              ("Target accepts\n(none: any)", self.target), ("Symmetric", self.symmetric),
                              ("", self.transitive),
                              ("Level", self.level),
                              ("Values", self.values), ("", self.rename_value), ("Applies to\n(none: all)", self.applies),
                              ("Definition", self.definition)):
            self.form.addRow(label, widget)

        self.name.editingFinished.connect(self._name_done)
        self.hotkey.editingFinished.connect(self._hotkey_done)
        self.color.picked.connect(lambda c: self._edit(lambda t, i: cb.recolour(self.workspace, t, i, c)))
        self.definition.committed.connect(
            lambda text: self._edit(lambda t, i: cb.set_definition(self.workspace, t, i, text)))
        self.values.committed.connect(self._values_done)
        self.repeatable.clicked.connect(
            lambda on: self._edit(lambda t, i: cb.set_role_repeatable(self.workspace, i, bool(on))))
        self.accepts.toggled.connect(
            lambda ids: self._edit(lambda t, i: cb.set_role_accepts(self.workspace, i, ids)))
        self.accepts_events.toggled.connect(
            lambda ids: self._edit(lambda t, i: cb.set_role_accepts_events(self.workspace, i, ids)))
        self.source.toggled.connect(
            lambda ids: self._edit(lambda t, i: cb.set_relation_accepts(self.workspace, i, "source", ids)))
        self.target.toggled.connect(
            lambda ids: self._edit(lambda t, i: cb.set_relation_accepts(self.workspace, i, "target", ids)))
        self.symmetric.clicked.connect(
            lambda on: self._edit(lambda t, i: cb.set_relation_symmetric(self.workspace, i, bool(on))))
        self.transitive.clicked.connect(
            lambda on: self._edit(lambda t, i: cb.set_relation_transitive(self.workspace, i, bool(on))))
        self.applies.toggled.connect(
            lambda names: self._edit(lambda t, i: cb.set_applies_to(self.workspace, i, names)))
        self.level.activated.connect(
            lambda index: self._edit(lambda t, i: cb.set_level(self.workspace, i, self.level.itemText(index))))
        self.rename_value.clicked.connect(self._ask_rename_value)

    # ------------------------------------------------------------ showing

    def show_item(self, book: CodebookView, key: Key | None) -> None:
        item_key = as_item(key)
        found = lookup(book, item_key) if item_key is not None else None
        self.key = item_key if found is not None else None
        self.item, self.kind, self.owner = found if found is not None else (None, "", None)
        rows = {
            self.name: found is not None,
            self.color: isinstance(self.item, TypeInfo),
            self.hotkey: isinstance(self.item, TypeInfo),
            self.repeatable: isinstance(self.item, RoleInfo),
            self.accepts: isinstance(self.item, RoleInfo),
            self.accepts_events: isinstance(self.item, RoleInfo),
            self.source: isinstance(self.item, RelationTypeInfo),
            self.target: isinstance(self.item, RelationTypeInfo),
            self.symmetric: isinstance(self.item, RelationTypeInfo),
            self.transitive: isinstance(self.item, RelationTypeInfo),
            self.level: self.kind == "document code",
            self.values: isinstance(self.item, ChoiceInfo),
            self.rename_value: isinstance(self.item, ChoiceInfo),
            self.applies: isinstance(self.item, ChoiceInfo) and self.kind != "document code",
            self.definition: found is not None,
        }
        for widget, visible in rows.items():
            self.form.setRowVisible(widget, visible)
        if self.item is None:
            self.title.setText("Select a type, role, relation type, attribute or code, or add one.")
            self.usage.setText("")
            return
        item = self.item
        of = f" of {self.owner.name}" if self.owner is not None else ""
        self.title.setText(f"{self.kind.capitalize()}{of}")
        self.name.setText(item.name)
        self.definition.show_text(item.definition or "")
        if isinstance(item, TypeInfo):
            self.color.show_color(item.color)
            self.hotkey.setText(item.hotkey or "")
        if isinstance(item, RoleInfo):
            self.repeatable.setChecked(item.repeatable)
            self.accepts.show_items([(t.id, t.name, t.color) for t in book.entity_types], set(item.accepts))
            self.accepts_events.show_items([(t.id, t.name, t.color) for t in book.event_types],
                                           set(item.accepts_events))
        if isinstance(item, RelationTypeInfo):
            ends: list[tuple[object, str, str | None]] = [(t.id, t.name, t.color) for t in book.entity_types]
            self.source.show_items(ends, set(item.source_accepts))
            self.target.show_items(ends, set(item.target_accepts))
            self.symmetric.setChecked(item.symmetric)
            self.transitive.setChecked(cb.is_transitive(self.workspace, item.id))
        if isinstance(item, ChoiceInfo):
            self.values.show_text("\n".join(item.values))
            self.rename_value.setEnabled(bool(item.values))
            if self.kind == "document code":
                self.level.setCurrentText(item.level)
            else:
                types = book.event_types if self.kind == "event attribute" else book.entity_types
                self.applies.show_items([(t.name, t.name, t.color) for t in types], set(item.applies_to))
        self.show_usage()

    def show_usage(self) -> None:
        if self.key is not None:
            self.usage.setText(cb.usage_note(self.workspace, self.key[0], self.key[1]).capitalize())

    # ------------------------------------------------------------ committing

    def _edit(self, fn: Callable[[str, int], object]) -> None:
        key = self.key
        if key is not None:
            self.commit(lambda: fn(key[0], key[1]))

    def _name_done(self) -> None:
        text = self.name.text().strip()
        if self.item is not None and text != self.item.name:
            self._edit(lambda t, i: cb.rename(self.workspace, t, i, text))

    def _hotkey_done(self) -> None:
        text = self.hotkey.text().strip()
        if isinstance(self.item, TypeInfo) and text != (self.item.hotkey or ""):
            self._edit(lambda t, i: cb.set_hotkey(self.workspace, t, i, text or None))

    def _values_done(self, text: str) -> None:
        values = [line.strip() for line in text.splitlines() if line.strip()]
        if isinstance(self.item, ChoiceInfo) and tuple(values) != self.item.values:
            self._edit(lambda t, i: cb.set_values(self.workspace, t, i, values))

    def _ask_rename_value(self) -> None:
        item = self.item
        if not isinstance(item, ChoiceInfo) or not item.values:
            return
        old, ok = QInputDialog.getItem(self, "Rename a value", f"Value of {item.name}:", list(item.values), 0, False)
        if not ok:
            return
        new, ok = QInputDialog.getText(self, "Rename a value", f"New name of {old!r} (also where it is stored):",
                                       QLineEdit.EchoMode.Normal, old)
        if ok and new.strip() and new.strip() != old:
            self._edit(lambda t, i: cb.rename_value(self.workspace, t, i, old, new.strip()))


def focus_name(form: ItemForm) -> None:
    form.name.setFocus(Qt.FocusReason.OtherFocusReason)
    form.name.selectAll()
