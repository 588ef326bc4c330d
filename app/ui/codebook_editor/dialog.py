"""Edit → Codebook…: the tree of the codebook, the form of the selected item, and its commands.

Non-modal: the window stays usable. Every change is one entry of the workspace's history (so
Ctrl+Z in the main window undoes it too), run through the window's command runner `run`
(which shows a refusal as a message). The editor listens on the change channel and re-reads
the codebook on any change of it, whoever made it (an undo in the main window, an import).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.changes import Change
from app.core.codebook.rows import ATTRIBUTE, CODE, ENTITY, EVENT, RELATION, ROLE
from app.core.errors import CodebookError
from app.core.services.codebook_edits import commands as cb
from app.core.services.workspace import Workspace
from app.core.validation import name_key
from app.ui.change_signals import ChangeSignals
from app.ui.codebook_editor import tree
from app.ui.codebook_editor.fields import named
from app.ui.codebook_editor.form import ItemForm, focus_name, lookup
from app.ui.codebook_editor.tree import Key

Run = Callable[[Callable[[], object]], object]

ADD_KINDS = (("entity", "Entity type"), ("event", "Event type"), ("role", "Role of the selected event type"),
             ("relation", "Relation type"),
             ("event_attribute", "Event attribute"), ("mention_attribute", "Mention attribute"),
             ("code", "Document code"))


class CodebookEditor(QDialog):
    def __init__(self, workspace: Workspace, run: Run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codebook-editor")
        self.setWindowTitle("Codebook")
        self.setModal(False)
        self.workspace = workspace
        self.run = run
        self._busy = False  # inside a commit: a field losing focus to a message box commits nothing
        self.model = QStandardItemModel(self)
        self._build()
        self.signals = ChangeSignals(workspace.project, self)
        self.signals.changed.connect(self._on_change)
        self.reload()
        self.tree.expand(self.model.index(0, 0))
        self.resize(900, 620)

    def _build(self) -> None:
        self.tree = named(QTreeView(), "codebook-tree")
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.form = ItemForm(self.workspace, self.commit, self)

        buttons = QHBoxLayout()
        self.add_button = named(QPushButton("Add"), "codebook-add")
        menu = QMenu(self.add_button)
        for kind, text in ADD_KINDS:
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, chosen=kind: self.add(chosen))
        self.add_button.setMenu(menu)
        self.remove_button = named(QPushButton("Remove"), "codebook-remove")
        self.merge_button = named(QPushButton("Merge into…"), "codebook-merge")
        self.up_button = named(QPushButton("Move up"), "codebook-up")
        self.down_button = named(QPushButton("Move down"), "codebook-down")
        self.undo_button = named(QPushButton("Undo"), "codebook-undo")
        self.redo_button = named(QPushButton("Redo"), "codebook-redo")
        close = QPushButton("Close")
        for button in (self.add_button, self.remove_button, self.merge_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.undo_button, self.redo_button, close):
            buttons.addWidget(button)
        for button in [*self.findChildren(QPushButton), self.add_button, self.remove_button, self.merge_button,
                       self.up_button, self.down_button, self.undo_button, self.redo_button, close]:
            button.setAutoDefault(False)  # Return in a field commits it; it never presses a button
            button.setDefault(False)
        self.remove_button.clicked.connect(self.remove)
        self.merge_button.clicked.connect(self.ask_merge)
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button.clicked.connect(lambda: self.move_item(1))
        self.undo_button.clicked.connect(lambda: self.commit(self.workspace.undo))
        self.redo_button.clicked.connect(lambda: self.commit(self.workspace.redo))
        close.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Undo, self, lambda: self.commit(self.workspace.undo))
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, lambda: self.commit(self.workspace.redo))

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.form)
        split.setSizes([340, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)

    # ------------------------------------------------------------ state

    def current_key(self) -> Key | None:
        return tree.decode(self.tree.currentIndex().data(tree.KEY_ROLE))

    def current_item(self) -> tuple[str, int] | None:
        """(table, id) of the selected type, role, attribute or code; None for a heading."""
        return tree.as_item(self.current_key())

    def select(self, key: Key) -> bool:
        item = tree.find(self.model, key)
        if item is None:
            return False
        index = item.index()
        self.tree.expand(index.parent())
        self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.tree.scrollTo(index)
        return True

    def reload(self) -> None:
        """Re-read the codebook and show it, keeping the selection (or its kind, if it is gone)."""
        key = self.current_key()
        expanded = {tree.decode(self.model.index(r, 0).data(tree.KEY_ROLE)) for r in range(self.model.rowCount())
                    if self.tree.isExpanded(self.model.index(r, 0))}
        open_events = self._expanded_events()
        book = self.workspace.load_codebook()
        self.tree.selectionModel().blockSignals(True)
        try:
            tree.fill(self.model, book)
            for k in expanded | open_events:
                item = tree.find(self.model, k) if k is not None else None
                if item is not None:
                    self.tree.expand(item.index())
        finally:
            self.tree.selectionModel().blockSignals(False)
        if key is None or not self.select(key):
            fallback = self._kind_of(key) if key is not None else None
            if fallback is None or not self.select(fallback):
                self.tree.selectionModel().clearCurrentIndex()
        self._show_current()

    def _expanded_events(self) -> set[Key]:
        head = tree.find(self.model, ("kind", "event"))
        if head is None:
            return set()
        out: set[Key] = set()
        for row in range(head.rowCount()):
            child = head.child(row)
            key = tree.decode(child.data(tree.KEY_ROLE))
            if key is not None and self.tree.isExpanded(child.index()):
                out.add(key)
        return out

    def _kind_of(self, key: Key) -> Key | None:
        table = key[0]
        return {ENTITY: ("kind", "entity"), EVENT: ("kind", "event"), ROLE: ("kind", "event"),
                RELATION: ("kind", "relation"),
                CODE: ("kind", "code"), ATTRIBUTE: ("kind", "event_attribute")}.get(table, key if table == "kind" else None)

    def _show_current(self) -> None:
        self.form.show_item(self.workspace.codebook, self.current_key())
        item = self.current_item()
        self.remove_button.setEnabled(item is not None)
        self.merge_button.setEnabled(item is not None and item[0] in (ENTITY, EVENT))
        index = self.tree.currentIndex()  # siblings in the tree are what an item moves among
        siblings = self.model.rowCount(index.parent())
        self.up_button.setEnabled(item is not None and index.row() > 0)
        self.down_button.setEnabled(item is not None and index.row() < siblings - 1)
        self._update_undo()

    def _update_undo(self) -> None:
        history = self.workspace.history
        self.undo_button.setEnabled(history.undo_label is not None)
        self.redo_button.setEnabled(history.redo_label is not None)
        self.undo_button.setToolTip(f"Undo {history.undo_label}" if history.undo_label else "")
        self.redo_button.setToolTip(f"Redo {history.redo_label}" if history.redo_label else "")

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def _on_change(self, change: Change) -> None:
        if change.codebook or change.everything:
            self.reload()
        else:  # an annotation was made or undone: the counts and the undo buttons change
            self.form.show_usage()
            self._update_undo()

    # ------------------------------------------------------------ commands

    def commit(self, fn: Callable[[], object]) -> None:
        """Run one edit as the window runs commands; then show what is stored (a refused edit is undone
        in the form too)."""
        if self._busy:
            return
        self._busy = True
        try:
            self.run(fn)
        finally:
            self._busy = False
            self._show_current()

    def add(self, kind: str) -> None:
        """Add an item of `kind` (see ADD_KINDS) with a free name, select it and put the cursor in its name."""
        book = self.workspace.codebook
        ws = self.workspace
        added: list[Key] = []

        def free_name(base: str, taken: list[str]) -> str:
            keys = {name_key(n) for n in taken}
            return next(n for n in (base if i == 1 else f"{base} {i}" for i in range(1, 10_000)) if name_key(n) not in keys)

        def do() -> None:
            if kind == "entity":
                added.append((ENTITY, cb.add_entity_type(ws, free_name("New entity type", [t.name for t in book.entity_types]))))
            elif kind == "event":
                added.append((EVENT, cb.add_event_type(ws, free_name("New event type", [t.name for t in book.event_types]))))
            elif kind == "role":
                event = self._selected_event_type()
                roles = [r.name for r in book.event_type(event).roles]
                added.append((ROLE, cb.add_role(ws, event, free_name("New role", roles))))
            elif kind == "relation":
                taken = [t.name for t in book.relation_types]
                added.append((RELATION, cb.add_relation_type(ws, free_name("New relation type", taken))))
            elif kind in ("event_attribute", "mention_attribute"):
                target = kind.split("_")[0]
                taken = [a.name for a in (book.event_attributes if target == "event" else book.mention_attributes)]
                added.append((ATTRIBUTE, cb.add_attribute(ws, free_name("New attribute", taken), target)))
            elif kind == "code":
                added.append((CODE, cb.add_document_code(ws, free_name("New code", [c.name for c in book.document_codes]),
                                                         "nominal", ["yes", "no"])))

        self.commit(do)
        if added and self.select(added[0]):
            focus_name(self.form)

    def _selected_event_type(self) -> int:
        key = self.current_item()
        if key is not None and key[0] == EVENT:
            return key[1]
        if key is not None and key[0] == ROLE:
            found = lookup(self.workspace.codebook, key)
            if found is not None and found[2] is not None:
                return found[2].id
        raise CodebookError("select the event type to add a role to first")

    def remove(self) -> None:
        key = self.current_item()
        if key is not None:
            self.commit(lambda: cb.remove(self.workspace, key[0], key[1]))

    def move_item(self, step: int) -> None:
        key = self.current_item()
        if key is not None:
            self.commit(lambda: cb.move(self.workspace, key[0], key[1], step))

    def merge_into(self, target_id: int) -> None:
        key = self.current_item()
        if key is not None and key[0] in (ENTITY, EVENT):
            self.commit(lambda: cb.merge(self.workspace, key[0], key[1], target_id))
            self.select((key[0], target_id))

    def ask_merge(self) -> None:
        key = self.current_item()
        if key is None or key[0] not in (ENTITY, EVENT):
            return
        book = self.workspace.codebook
        types = book.entity_types if key[0] == ENTITY else book.event_types
        source = next(t for t in types if t.id == key[1])
        others = [t for t in types if t.id != source.id]
        if not others:
            return
        name, ok = QInputDialog.getItem(self, "Merge into another type",
                                        f"Merge {source.name} into:", [t.name for t in others], 0, False)
        if not ok:
            return
        target = next(t for t in others if t.name == name)
        note = cb.usage_note(self.workspace, key[0], source.id)
        what = "mentions" if key[0] == ENTITY else "events"
        answer = QMessageBox.question(
            self, "Merge", f"{source.name} is {note}.\n\nAll its {what} become {target.name}, and {source.name} "
            "is removed. Attribute values that do not apply to it are dropped.\n\nYou can undo this (Ctrl+Z).")
        if answer == QMessageBox.StandardButton.Yes:
            self.merge_into(target.id)

    def closeEvent(self, event: QCloseEvent) -> None:
        focused = self.focusWidget()
        if focused is not None:
            focused.clearFocus()  # a field being edited commits before the editor closes
        super().closeEvent(event)
