"""The open document's views (reader, mention table, event list and form, mention form, codes)
kept in step with the coding session.

Connected once, in the constructor: a new document is shown afresh; a change redraws only what
it names (the mention rows inserted, removed or updated, the text ranges they cover), and the
selection and outline follow the rows that are still there.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject

from app.core.services.document_state import MentionDelta, Update
from app.core.services.workspace import EventView, MentionView, RelationView
from app.ui.annotation_pane import RELATIONS_TAB, AnnotationPane
from app.ui.coding_session import CodingSession
from app.ui.highlights import Span
from app.ui.models.mention_table_model import attribute_note
from app.ui.reader import ReaderView

_ROWS = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


class DocumentViews(QObject):
    def __init__(self, session: CodingSession, reader: ReaderView, pane: AnnotationPane,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.reader, self.pane = session, reader, pane
        self._outlined: tuple[frozenset[int], int | None] = (frozenset(), None)  # mention ids, event id
        self._spans: list[Span] = []  # the reader's spans, in the order of the session's mentions
        reader.tooltip_for = self.tooltip
        for form in (pane.mention_form, pane.event_form, pane.relation_form):
            form.extras.bind(session)  # references and typed notes follow this session's changes
        session.documentOpened.connect(self.show_document)
        session.documentUpdated.connect(self._updated)
        session.codebookChanged.connect(self._codebook_changed)
        pane.mention_view.selectionModel().currentRowChanged.connect(self._mention_row_changed)
        pane.event_view.selectionModel().currentRowChanged.connect(self._event_row_changed)
        pane.event_form.mentionHovered.connect(self.outline_mention)
        pane.event_form.hoverEnded.connect(lambda: self.outline_event(self.selected_event()))
        pane.relation_view.selectionModel().currentRowChanged.connect(self._relation_row_changed)
        pane.relation_form.targetHovered.connect(self.outline_mention)
        pane.tabs.currentChanged.connect(lambda _i: self._show_relation_form())
        self._relation_form_stale = True
        self._codebook_changed()

    # ------------------------------------------------------------ whole document

    def spans(self) -> list[Span]:
        return list(self._spans)

    def _all_spans(self) -> list[Span]:
        self._spans = [Span(m.id, m.start, m.end, m.color) for m in self.session.mentions]
        return self._spans

    def show_document(self) -> None:
        """Another document (or none): everything shown afresh, the reader at the top."""
        self._outlined = (frozenset(), None)
        self.reader.show_document(self.session.text, self._all_spans())
        self.reader.moveCursor(self.reader.textCursor().MoveOperation.Start)
        self.reader.verticalScrollBar().setValue(0)
        self.pane.mention_model.set_mentions(self.session.mentions, self.session.text)
        self.pane.event_model.set_events(self.session.state.events)
        self.pane.relation_model.set_relations(self.session.state.relations)
        self._show_counts()
        self.show_forms()

    def show_forms(self) -> None:
        """The mention, event and codes forms from what is stored (also after a refused command:
        a control the user changed goes back to the stored value)."""
        ws = self.session.workspace
        self.pane.mention_form.show_mention(self.selected_mention(), ws.codebook)
        self._show_event_form(self.selected_event())
        self._relation_form_stale = True
        self._show_relation_form()
        self._show_codes()

    def _codebook_changed(self) -> None:
        codebook = self.session.workspace.codebook
        self.pane.palette_widget.set_codebook(codebook)
        self.pane.codes_form.set_codebook(codebook)

    # ------------------------------------------------------------ changes

    def _updated(self, update: Update) -> None:
        if update.reopened:
            self._reshow_annotations()
            return
        if update.mentions is not None:
            delta = update.mentions
            self.pane.mention_model.apply(delta, self.session.mentions)
            self.reader.set_spans(self._patch_spans(delta), delta.span())
            selected = self.selected_mention()
            if selected is not None and selected.id in delta.updated:
                self.pane.mention_form.show_mention(selected, self.session.workspace.codebook)
            if not update.events and (delta.updated or delta.removed) and self.selected_event() is not None:
                self._show_event_form(self.selected_event())  # its role choices show the mentions' types
        if update.events:
            self._reset_events()
        if update.relations:
            self._reset_relations()
        if update.mentions is not None:
            self._relation_form_stale = True  # its targets are the mentions
            self._show_relation_form()
        if update.mentions is not None or update.events or update.relations:
            self._show_counts()
            self._clear_ghost_outline()
        if update.codes or update.status:
            self._show_codes()

    def _patch_spans(self, delta: MentionDelta) -> list[Span]:
        """The spans after the delta, patched the way the mention table is (no list of thousands rebuilt)."""
        mentions = self.session.mentions
        for row in delta.removed:
            del self._spans[row]
        for row in delta.inserted:
            m = mentions[row]
            self._spans.insert(row, Span(m.id, m.start, m.end, m.color))
        if delta.updated:
            ids = set(delta.updated)
            for row, m in enumerate(mentions):
                if m.id in ids:
                    self._spans[row] = Span(m.id, m.start, m.end, m.color)
        return self._spans

    def _reshow_annotations(self) -> None:
        """Every annotation may have changed: the lists are reset, selections kept by id."""
        mention = self.selected_mention()
        self.pane.mention_model.set_mentions(self.session.mentions, self.session.text)
        self.reader.set_spans(self._all_spans())
        if mention is not None:
            self.select_mention(mention.id, emphasize=False)
        self._reset_events()
        self._reset_relations()
        self._show_counts()
        self._clear_ghost_outline()
        self.show_forms()

    def _reset_events(self) -> None:
        selected = self.selected_event()
        self.pane.event_model.set_events(self.session.state.events)
        if selected is not None and self.pane.event_model.row_of(selected.id) is not None:
            self.select_event(selected.id)
        else:
            self._show_event_form(None)

    def _reset_relations(self) -> None:
        selected = self.selected_relation()
        self.pane.relation_model.set_relations(self.session.state.relations)
        row = self.pane.relation_model.row_of(selected.id) if selected is not None else None
        if row is not None:
            self.pane.relation_view.selectionModel().setCurrentIndex(
                self.pane.relation_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def selected_relation(self) -> RelationView | None:
        return self.pane.relation_model.relation_at(self.pane.relation_view.currentIndex().row())

    def _relation_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        relation = self.pane.relation_model.relation_at(current.row())
        if relation is None:
            return
        ends = [self.session.state.mention(i) for i in (relation.source_mention_id, relation.target_mention_id)]
        shown = [m for m in ends if m is not None]
        self._outlined = (frozenset(m.id for m in shown), None)
        self.reader.emphasize([(m.start, m.end, relation.color) for m in shown])

    def _show_relation_form(self) -> None:
        """The new-relation row follows the selected mention; built only while its tab shows
        (its target list holds every mention the type accepts)."""
        if not self._relation_form_stale or self.pane.tabs.currentIndex() != RELATIONS_TAB:
            return
        self._relation_form_stale = False
        self.pane.relation_form.show_source(self.selected_mention(), self.session.workspace.codebook,
                                            self.session.mentions, self.session.text)

    def _clear_ghost_outline(self) -> None:
        """An outlined mention or event that is gone (undo, delete) leaves no outline behind."""
        mentions, event = self._outlined
        if not mentions and event is None:
            return
        ids = {m.id for m in self.session.mentions} if mentions else set()
        gone = not mentions <= ids or (event is not None and self.pane.event_model.row_of(event) is None)
        if gone:
            self._outlined = (frozenset(), None)
            self.reader.emphasize([])

    def _show_counts(self) -> None:
        state = self.session.state
        self.pane.set_counts(len(state.mentions), len(state.events), len(state.relations))

    def _show_codes(self) -> None:
        doc = self.session.document_id
        ws = self.session.workspace
        if doc is None:
            self.pane.codes_form.show_values(ws.codebook, {}, False)
            return
        row = ws.document_row(doc)
        self.pane.codes_form.show_values(ws.codebook, ws.document_codes(doc), row is not None and row.status == "done")

    # ------------------------------------------------------------ selection and outline

    def selected_mention(self) -> MentionView | None:
        return self.pane.mention_model.mention_at(self.pane.mention_view.currentIndex().row())

    def selected_event(self) -> EventView | None:
        return self.pane.event_model.event_at(self.pane.event_view.currentIndex().row())

    def select_mention(self, mention_id: int, emphasize: bool = True) -> None:
        row = self.pane.mention_model.row_of(mention_id)
        if row is None:
            return
        index = self.pane.mention_model.index(row, 0)
        self.pane.mention_view.selectionModel().setCurrentIndex(index, _ROWS)
        self.pane.mention_view.scrollTo(index)
        if emphasize:
            self.outline_mention(mention_id)

    def select_event(self, event_id: int) -> None:
        row = self.pane.event_model.row_of(event_id)
        if row is None:
            return
        self.pane.event_view.selectionModel().setCurrentIndex(
            self.pane.event_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        event = self.pane.event_model.event_at(row)
        self._show_event_form(event)
        self.outline_event(event)

    def _mention_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        m = self.pane.mention_model.mention_at(current.row())
        self.pane.mention_form.show_mention(m, self.session.workspace.codebook)
        self._relation_form_stale = True
        self._show_relation_form()
        if m is not None:
            self.outline_mention(m.id)

    def _event_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        event = self.pane.event_model.event_at(current.row())
        self._show_event_form(event)
        self.outline_event(event)

    def _show_event_form(self, event: EventView | None) -> None:
        self.pane.event_form.show_event(event, self.session.workspace.codebook, self.session.mentions,
                                        self.session.text, self.session.state.events)

    def outline_mention(self, mention_id: int) -> None:
        m = self.session.state.mention(mention_id)
        if m is not None:
            self._outlined = (frozenset({m.id}), None)
            self.reader.emphasize([(m.start, m.end, m.color)])

    def outline_event(self, event: EventView | None) -> None:
        if event is None:
            return
        by_id = {m.id: m for m in self.session.mentions}
        ranges = [(event.trigger[0], event.trigger[1], event.color)] if event.trigger else []
        used = [by_id[a.mention_id] for a in event.arguments if a.mention_id in by_id]
        ranges += [(m.start, m.end, m.color) for m in used]
        inner = {a.argument_event_id for a in event.arguments if a.argument_event_id is not None}
        ranges += [(e.trigger[0], e.trigger[1], e.color) for e in self.session.state.events
                   if e.id in inner and e.trigger]  # a role filled by an event: its trigger
        self._outlined = (frozenset(m.id for m in used), event.id)
        self.reader.emphasize(ranges)

    def tooltip(self, spans: list[Span]) -> str:
        lines = []
        for s in spans:
            m = self.session.state.mention(s.id)
            if m is not None:
                lines.append(f"{m.type_name} — “{m.text}” (by {m.coder})" + attribute_note(m))
        return "\n".join(lines)
