"""The codebook as a tree (kinds, their items, an event type's roles) in a QStandardItemModel.

Relation types show their arrow: "→" directed, "↔" symmetric.

Each item holds its key in `KEY_ROLE`: "table:id" for a type, role, attribute or code, and
"kind:name" for the headings (KINDS below), so a selection survives a reload by key.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from app.core.codebook.rows import ATTRIBUTE, CODE, ENTITY, EVENT, RELATION, ROLE
from app.core.services.workspace import ChoiceInfo, CodebookView, TypeInfo
from app.ui.palette import swatch

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
Key = tuple[str, int | str]


def encode(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def as_item(key: Key | None) -> tuple[str, int] | None:
    """(table, id) when the key names an item, None for a heading or nothing."""
    if key is None or key[0] == "kind" or not isinstance(key[1], int):
        return None
    return key[0], key[1]


def decode(text: object) -> Key | None:
    if not isinstance(text, str) or ":" not in text:
        return None
    table, ident = text.split(":", 1)
    return (table, ident) if table == "kind" else (table, int(ident))

KINDS: tuple[tuple[str, str], ...] = (
    ("entity", "Entity types"), ("event", "Event types"), ("relation", "Relation types"),
    ("event_attribute", "Event attributes"),
    ("mention_attribute", "Mention attributes"), ("code", "Document codes"),
)


def type_label(t: TypeInfo) -> str:
    return f"{t.name}   [{t.hotkey}]" if t.hotkey else t.name


def choice_label(c: ChoiceInfo) -> str:
    shown = ", ".join(c.values[:4]) + (", …" if len(c.values) > 4 else "")
    if not c.values:
        shown = "yes/no" if not c.level or c.level == "nominal" else c.level
    return f"{c.name}   ({shown})"


def _item(text: str, key: Key, color: str | None = None, tip: str = "") -> QStandardItem:
    item = QStandardItem(text)
    item.setData(encode(key), KEY_ROLE)
    item.setEditable(False)
    if color:
        item.setIcon(swatch(color))
    if tip:
        item.setToolTip(tip)
    return item


def fill(model: QStandardItemModel, book: CodebookView) -> None:
    """Replace the model's rows with the codebook's."""
    model.clear()
    root = model.invisibleRootItem()
    heads = {kind: _item(title, ("kind", kind)) for kind, title in KINDS}
    for kind, _title in KINDS:
        root.appendRow(heads[kind])
    for t in book.entity_types:
        heads["entity"].appendRow(_item(type_label(t), (ENTITY, t.id), t.color, t.definition))
    for et in book.event_types:
        parent = _item(type_label(et), (EVENT, et.id), et.color, et.definition)
        for r in et.roles:
            parent.appendRow(_item(r.name + ("  (repeatable)" if r.repeatable else ""), (ROLE, r.id), tip=r.definition))
        heads["event"].appendRow(parent)
    for rt in book.relation_types:
        label = f"{rt.name}  {'↔' if rt.symmetric else '→'}" + (f"   [{rt.hotkey}]" if rt.hotkey else "")
        heads["relation"].appendRow(_item(label, (RELATION, rt.id), rt.color, rt.definition))
    for a in book.event_attributes:
        heads["event_attribute"].appendRow(_item(choice_label(a), (ATTRIBUTE, a.id), tip=a.definition))
    for a in book.mention_attributes:
        heads["mention_attribute"].appendRow(_item(choice_label(a), (ATTRIBUTE, a.id), tip=a.definition))
    for c in book.document_codes:
        heads["code"].appendRow(_item(choice_label(c), (CODE, c.id), tip=c.definition))


def find(model: QStandardItemModel, key: Key) -> QStandardItem | None:
    stack = [model.invisibleRootItem()]
    while stack:
        item = stack.pop()
        for row in range(item.rowCount()):
            child = item.child(row)
            if child.data(KEY_ROLE) == encode(key):
                return child
            stack.append(child)
    return None
