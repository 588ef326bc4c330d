"""The right-hand pane: palette, mentions, events with their form, document codes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.codes_form import CodesForm
from app.ui.event_form import EventForm
from app.ui.mention_form import MentionForm
from app.ui.models.event_list_model import EventListModel
from app.ui.models.mention_table_model import MentionTableModel
from app.ui.models.relation_list_model import RelationListModel
from app.ui.palette import Palette
from app.ui.relation_form import RelationForm

RELATIONS_TAB = 3  # after Mentions, Events and Document (whose places keys and tests rely on)


class AnnotationPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotation-pane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.palette_widget = Palette()
        layout.addWidget(self.palette_widget)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.mention_model = MentionTableModel(self)
        self.mention_view = QTableView()
        self.mention_view.setObjectName("mentions")
        self.mention_view.setModel(self.mention_model)
        self.mention_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.mention_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.mention_view.verticalHeader().hide()
        self.mention_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mention_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.mention_form = MentionForm()  # the selected mention's attributes, under the table
        mentions_tab = QWidget()  # the form takes the height it needs (none without mention attributes)
        mentions_layout = QVBoxLayout(mentions_tab)
        mentions_layout.setContentsMargins(0, 0, 0, 0)
        mentions_layout.addWidget(self.mention_view, 1)
        mentions_layout.addWidget(FormScroll(self.mention_form))
        self.tabs.addTab(mentions_tab, "Mentions")

        self.event_model = EventListModel(self)
        self.event_view = QListView()
        self.event_view.setObjectName("events")
        self.event_view.setModel(self.event_model)
        self.event_view.setWordWrap(True)
        self.event_form = EventForm()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.event_form)
        events_split = QSplitter(Qt.Orientation.Vertical)
        events_split.addWidget(self.event_view)
        events_split.addWidget(scroll)
        events_split.setSizes([110, 420])
        self.tabs.addTab(events_split, "Events")

        self.codes_form = CodesForm()
        self.tabs.addTab(self.codes_form, "Document")

        self.relation_model = RelationListModel(self)
        self.relation_view = QListView()
        self.relation_view.setObjectName("relations")
        self.relation_view.setModel(self.relation_model)
        self.relation_form = RelationForm()
        relations_tab = QWidget()
        relations_layout = QVBoxLayout(relations_tab)
        relations_layout.setContentsMargins(0, 0, 0, 0)
        relations_layout.addWidget(self.relation_view, 1)
        relations_layout.addWidget(self.relation_form)
        self.tabs.addTab(relations_tab, "Relations")

    def set_counts(self, mentions: int, events: int, relations: int = 0) -> None:
        for tab, text in ((0, f"Mentions ({mentions})"), (1, f"Events ({events})"),
                          (RELATIONS_TAB, f"Relations ({relations})")):
            if self.tabs.tabText(tab) != text:  # a new tab text lays the tab bar out again
                self.tabs.setTabText(tab, text)


class FormScroll(QScrollArea):
    """A form under a list: as tall as the form up to a cap (then it scrolls, so twenty attributes
    of a brat corpus never squeeze their rows together), and no height while the form is hidden."""

    CAP = 260

    def __init__(self, form: QWidget) -> None:
        super().__init__()
        self.setObjectName("mention-form-scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(form)
        form.installEventFilter(self)
        self.setMaximumHeight(self.sizeHint().height())

    _FOLLOW = (QEvent.Type.ShowToParent, QEvent.Type.HideToParent, QEvent.Type.Show, QEvent.Type.Hide,
               QEvent.Type.LayoutRequest)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() in self._FOLLOW:
            QTimer.singleShot(0, self._fit)  # once the form has laid itself out
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        self.setMaximumHeight(self.sizeHint().height())  # no height at all while the form is hidden
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        form = self.widget()
        if form is None or form.isHidden():
            return QSize(0, 0)
        hint = form.sizeHint()
        return QSize(hint.width(), min(hint.height() + 2, self.CAP))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self.sizeHint().height(), 80))
