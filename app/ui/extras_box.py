"""A compact, read-only section of the mention, event and relation forms: the annotation's
external references (`Wikipedia:534366 — Barack Obama`) and typed notes (`Lemma: word`),
hidden when it has none. Selectable plain text.

It reads through `app.core.services.annotation_extras` from the coding session's project: the
session given to `bind`, else the one of the window the form sits in (found when first needed).
It re-reads when a change on the session's channel names its annotation (or may have changed
every annotation), so a delete and its undo show the right lines whoever called the form.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.changes import Change
from app.core.services.annotation_extras import Extras, annotation_extras
from app.ui.coding_session import CodingSession


class ExtrasBox(QWidget):
    updated = Signal(bool)  # read again: whether there is anything to show

    def __init__(self, owner: str, layout: QBoxLayout | None = None, parent: QWidget | None = None) -> None:
        """`owner`: "mention", "event" or "relation". With `layout` (a form's own, whose body it
        rebuilds), the box adds itself to it and stays below what the form adds."""
        super().__init__(parent)
        self.owner = owner
        self.setObjectName(f"{owner}-extras")
        self.owner_id: int | None = None
        self.extras = Extras()
        self._session: CodingSession | None = None
        self._host = layout
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 0, 4, 4)
        box.setSpacing(2)
        self.references = self._label("References", f"{owner}-references")
        self.notes = self._label("Notes", f"{owner}-notes")
        box.addWidget(self.references)
        box.addWidget(self.notes)
        if layout is not None:
            layout.addWidget(self)
        self.hide()

    def _label(self, tip: str, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                      | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        label.setWordWrap(True)
        label.setToolTip(tip)
        return label

    def bind(self, session: CodingSession) -> None:
        """Read from this session's project and follow its changes (once)."""
        if self._session is session:
            return
        if self._session is not None:
            self._session.changed.disconnect(self._changed)
        self._session = session
        session.changed.connect(self._changed)

    def _find_session(self) -> CodingSession | None:
        if self._session is None:
            found = self.window().findChild(CodingSession)
            if found is not None:
                self.bind(found)
        return self._session

    def show_owner(self, owner_id: int | None) -> None:
        """Show the lines of this mention, event or relation (None: nothing selected)."""
        self.owner_id = owner_id
        if self._host is not None and self._host.indexOf(self) != self._host.count() - 1:
            self._host.removeWidget(self)  # the form added its body after: back below it
            self._host.addWidget(self)
        self._read()

    def _read(self) -> None:
        session = self._find_session() if self.owner_id is not None else self._session
        if self.owner_id is None or session is None:
            self.extras = Extras()
        else:
            self.extras = annotation_extras(session.project, self.owner, self.owner_id)
        self.references.setText("\n".join(self.extras.references))
        self.references.setVisible(bool(self.extras.references))
        self.notes.setText("\n".join(self.extras.notes))
        self.notes.setVisible(bool(self.extras.notes))
        self.setVisible(bool(self.extras))
        self.updated.emit(bool(self.extras))

    def _changed(self, change: Change) -> None:
        if self.owner_id is None:
            return
        named = {"mention": change.mentions, "event": change.events, "relation": change.relations}[self.owner]
        if self.owner_id in named or change.annotations or change.everything:
            self._read()
