"""The coder's commands: tag, create events, fill roles, delete, retype, mark done, undo and redo.

Each command is one call into the workspace (one committed transaction); the views follow
from the change channel, so a command never redraws anything itself. Only what belongs to
the gesture stays here: clearing the reader's selection after tagging, selecting what was
made, picking a role's mention by a click.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QMenu, QWidget

from app.core.errors import AnnotaryError
from app.core.services.history import Action, known
from app.core.services.workspace import EventView, RoleInfo
from app.ui.annotation_pane import RELATIONS_TAB, AnnotationPane
from app.ui.document_views import DocumentViews
from app.ui.external_refresh import notice_external_changes
from app.ui.host import Host
from app.ui.reader import ReaderView


class CodingCommands(QObject):
    def __init__(self, host: Host, views: DocumentViews, reader: ReaderView, pane: AnnotationPane) -> None:
        super().__init__(reader)
        self.host, self.views, self.reader, self.pane = host, views, reader, pane
        self.pick: tuple[int, int] | None = None  # (event id, role id) waiting for a click in the reader
        self._click_took_pick = False  # the reader's click filled the role with an event: not a mention too
        self._type_actions: list[QAction] = []
        self.last_error: str | None = None
        palette = pane.palette_widget
        palette.entityTypeChosen.connect(lambda t: host.run(lambda: self.tag_selection(t)))
        palette.eventTypeChosen.connect(lambda t: host.run(lambda: self.create_event(t)))
        reader.pointClicked.connect(lambda cp: host.run(lambda: self.point_clicked(cp)))
        reader.spanClicked.connect(lambda m: host.run(lambda: self.span_clicked(m)))
        pane.event_view.viewport().installEventFilter(self)
        pane.mention_view.customContextMenuRequested.connect(self._mention_menu)
        form = pane.event_form
        ws = lambda: host.workspace  # noqa: E731  (the coder may change: always the current workspace)
        form.addArgument.connect(lambda e, r, m: host.run(lambda: ws().add_argument(e, r, m)))
        form.addEventArgument.connect(
            lambda e, r, inner: host.run(lambda: ws().add_argument(e, r, argument_event_id=inner)))
        pane.relation_form.createRelation.connect(lambda t, a, b: host.run(lambda: self.create_relation(t, a, b)))
        form.removeArgument.connect(lambda a: host.run(lambda: ws().remove_argument(a)))
        form.setAttribute.connect(lambda e, a, v: host.run(lambda: ws().set_event_attribute(e, a, v)))
        form.deleteEvent.connect(lambda e: host.run(lambda: ws().delete_event(e)))
        form.pickRole.connect(self.start_pick)
        pane.mention_form.setAttribute.connect(lambda m, a, v: host.run(lambda: ws().set_mention_attribute(m, a, v)))
        codes = pane.codes_form
        codes.codeChanged.connect(lambda c, v: host.run(lambda: ws().set_document_code(host.require_document(), c, v)))
        codes.doneChanged.connect(lambda done: host.run(lambda: ws().set_done(host.require_document(), done)))
        host.session.codebookChanged.connect(self.install_type_shortcuts)
        self.install_type_shortcuts()

    # ------------------------------------------------------------ tagging

    def tag_selection(self, entity_type_id: int) -> None:
        """Tag the reader's selection; with no selection, retype the selected mention."""
        doc = self.host.require_document()
        start, end = self.reader.selection_cp()
        ws = self.host.workspace
        if start == end:
            mention = self.views.selected_mention()
            if mention is None:
                raise AnnotaryError("select some text to tag first")
            ws.retype_mention(mention.id, entity_type_id)
            return
        precise = self.reader.precise_selection  # Alt held while selecting: no snapping to words
        with self.reader.batched():  # the new highlight and its outline: one redraw
            action = ws.tag(doc, self.reader.text, start, end, entity_type_id, precise)
            cursor = self.reader.textCursor()
            cursor.clearSelection()
            self.reader.setTextCursor(cursor)
            self.views.select_mention(known(action.mention_id), emphasize=False)
        event = self.views.selected_event()
        if event is not None and self.pane.tabs.currentIndex() == 1:
            self.views.select_event(event.id)  # the new mention may fill one of its roles

    def create_event(self, event_type_id: int) -> None:
        doc = self.host.require_document()
        action = self.host.workspace.create_event(doc, event_type_id, self.reader.text, self.reader.selection_cp(),
                                                  self.reader.precise_selection)
        self.pane.tabs.setCurrentIndex(1)
        self.views.select_event(known(action.event_id))

    def delete_selected(self) -> None:
        event = self.views.selected_event()
        ws = self.host.workspace
        relation = self.views.selected_relation()
        if self.pane.tabs.currentIndex() == RELATIONS_TAB and relation is not None:
            ws.delete_relation(relation.id)
            return
        if self.pane.tabs.currentIndex() == 1 and event is not None:
            ws.delete_event(event.id)
            return
        mention = self.views.selected_mention()
        if mention is None:
            raise AnnotaryError("select a mention (or an event) to delete")
        uses = [(e.type_name, a.role) for e in self.host.session.state.events for a in e.arguments
                if a.mention_id == mention.id]
        ws.delete_mention(mention.id)
        if uses:  # the event keeps going without it: say so (undo brings both back)
            roles = "; ".join(f"{role} of {event}" for event, role in uses)
            self.host.statusBar().showMessage(f"Deleted the mention and its place in {len(uses)} event role(s) "
                                              f"({roles}); Ctrl+Z brings both back", 10000)

    def create_relation(self, relation_type_id: int, source_mention_id: int, target_mention_id: int) -> None:
        action = self.host.workspace.create_relation(relation_type_id, source_mention_id, target_mention_id)
        row = self.pane.relation_model.row_of(known(action.relation_id))
        if row is not None:
            self.pane.relation_view.setCurrentIndex(self.pane.relation_model.index(row))

    def start_relation(self) -> None:
        """Ctrl+R: a relation from the selected mention: the Relations tab, the focus on its type."""
        if self.views.selected_mention() is None:
            raise AnnotaryError("select a mention first: the relation starts from it")
        if not self.host.workspace.codebook.relation_types:
            raise AnnotaryError("the codebook has no relation types yet (Edit → Codebook…)")
        self.pane.tabs.setCurrentIndex(RELATIONS_TAB)
        self.pane.relation_form.focus_type()

    def toggle_done(self) -> None:
        doc = self.host.require_document()
        row = self.host.workspace.document_row(doc)
        self.host.workspace.set_done(doc, row is None or row.status != "done")

    def _mention_menu(self, pos: QPoint) -> None:
        mention = self.views.selected_mention()
        if mention is None:
            return
        ws = self.host.workspace
        menu = QMenu(self.host.window_widget())
        retype = menu.addMenu("Change type to")
        for t in ws.codebook.entity_types:
            retype.addAction(t.name, partial(self.host.run, partial(ws.retype_mention, mention.id, t.id)))
        menu.addAction("Delete", lambda: self.host.run(lambda: ws.delete_mention(mention.id)))
        menu.exec(self.pane.mention_view.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------ filling a role by a click

    def start_pick(self, event_id: int, role_id: int) -> None:
        self.pick = (event_id, role_id)
        role = self._pick_role()
        what = "a highlighted mention in the reader"
        if role is not None and role.accepts_events:
            what = ("an event's trigger or an event in the list" if not role.accepts
                    else "a highlighted mention, an event's trigger or an event in the list")
        name = f" {role.name}" if role is not None else ""
        self.host.statusBar().showMessage(f"Click {what} to fill{name} (Esc cancels)")
        self.reader.setFocus()

    def cancel_pick(self) -> bool:
        if self.pick is None:
            return False
        self.pick = None
        self.host.statusBar().showMessage("Role picking cancelled", 3000)
        return True

    def _pick_role(self) -> RoleInfo | None:
        if self.pick is None:
            return None
        event = next((e for e in self.host.session.state.events if e.id == self.pick[0]), None)
        if event is None:
            return None
        etype = self.host.workspace.codebook.event_type(event.type_id)
        return next((r for r in etype.roles if r.id == self.pick[1]), None)

    def _fill_pick_with_event(self, inner: EventView) -> None:
        """Fill the role being picked with `inner` (the workspace refuses what the role does not take)."""
        assert self.pick is not None
        event_id, role_id = self.pick
        self.pick = None
        self.host.statusBar().clearMessage()
        self.host.workspace.add_argument(event_id, role_id, argument_event_id=inner.id)

    def point_clicked(self, position: int) -> None:
        """While a role that takes events is picked, a click on an event's trigger fills it with that event."""
        self._click_took_pick = False
        role = self._pick_role()
        if role is None or not role.accepts_events or self.pick is None:
            return
        outer = self.pick[0]
        for inner in self.host.session.state.events:
            if inner.trigger is None or inner.id == outer or inner.type_id not in role.accepts_events:
                continue
            start, end = inner.trigger
            if start <= position <= end and start < end:
                self._click_took_pick = True
                self._fill_pick_with_event(inner)
                return

    def span_clicked(self, mention_id: int) -> None:
        if self._click_took_pick:  # the same click filled the role with the event whose trigger it hit
            self._click_took_pick = False
            return
        if self.pick is not None:
            event_id, role_id = self.pick
            self.pick = None
            self.host.statusBar().clearMessage()
            self.host.workspace.add_argument(event_id, role_id, mention_id)
            return
        self.pane.tabs.setCurrentIndex(0)
        self.views.select_mention(mention_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While a role is picked, a click in the events list fills it with that event (the list's
        selection, and so the event being edited, stays)."""
        if (self.pick is not None and event.type() == QEvent.Type.MouseButtonPress
                and isinstance(event, QMouseEvent) and event.button() == Qt.MouseButton.LeftButton):
            view = self.pane.event_view
            inner = self.pane.event_model.event_at(view.indexAt(event.position().toPoint()).row())
            if inner is not None and inner.id != self.pick[0]:
                self.host.run(lambda: self._fill_pick_with_event(inner))
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ type hotkeys

    def install_type_shortcuts(self) -> None:
        """Type hotkeys work while the reader or the mention list has focus (not in text fields)."""
        widgets: tuple[QWidget, ...] = (self.reader, self.pane.mention_view)
        for action in self._type_actions:
            for widget in widgets:
                widget.removeAction(action)
            action.deleteLater()
        self._type_actions = []
        codebook = self.host.workspace.codebook
        entries: list[tuple[str, str, Callable[[], None]]] = []
        for t in codebook.entity_types:
            if t.hotkey:
                entries.append((t.hotkey, f"Tag as {t.name}", partial(self._hotkey, t.hotkey, t.name, "entity")))
        for t in codebook.event_types:
            if t.hotkey:
                entries.append((t.hotkey, f"New {t.name} event", partial(self._hotkey, t.hotkey, t.name, "event")))
        for key, text, slot in entries:
            action = QAction(text, self.reader)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, run=slot: self.host.run(run))
            for widget in widgets:
                widget.addAction(action)
            self._type_actions.append(action)

    @property
    def type_actions(self) -> list[QAction]:
        return list(self._type_actions)

    def _hotkey(self, key: str, name: str, kind: str) -> None:
        """A type's hotkey: the type that has the key now, if it is still the one the user saw
        (another program may have changed the codebook: the runner has shown that first)."""
        codebook = self.host.workspace.codebook
        types = codebook.entity_types if kind == "entity" else codebook.event_types
        current = next((t for t in types if t.hotkey == key), None)
        if current is None or current.name != name:
            now = f"it now stands for {current.name}" if current is not None else "no type has it now"
            raise AnnotaryError(f"the codebook was changed by another program: the key {key} was {name}, {now}; "
                                "nothing was tagged")
        if kind == "entity":
            self.tag_selection(current.id)
        else:
            self.create_event(current.id)

    # ------------------------------------------------------------ undo and redo

    def undo(self) -> None:
        notice_external_changes(self.host)  # may clear the history: its ids may be stale
        self._after_history(self.host.workspace.undo())

    def redo(self) -> None:
        notice_external_changes(self.host)
        self._after_history(self.host.workspace.redo())

    def _after_history(self, action: Action | None) -> None:
        if action is None:
            if self.host.history_note is not None:
                raise AnnotaryError(self.host.history_note)
            self.host.statusBar().showMessage("Nothing to undo or redo", 3000)
            return
        if action.document_id is not None and action.document_id != self.host.session.document_id:
            self.host.open_document(action.document_id)  # it changed another document: show it
        self.host.statusBar().showMessage(f"Done: {action.label}", 3000)
