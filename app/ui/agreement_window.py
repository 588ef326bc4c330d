"""The Agreement window: the project's agreement figures as sortable tables with their counts.

Selecting a row of "Document codes", "Mentions", "Events" or "Relations" lists that row's disagreements in the
table below the tabs; "Show all" lists every one again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.changes import Change
from app.core.project import Project
from app.ui.agreement_rows import (
    DISAGREEMENT_COLUMNS,
    UNITIZING,
    DisagreementFilter,
    report_rows,
    report_tables,
)
from app.ui.change_signals import ChangeSignals
from app.ui.models.row_table_model import RowTableModel

__all__ = ["AgreementWindow", "DisagreementProxy", "TupleTableModel", "report_rows"]

Index = QModelIndex | QPersistentModelIndex
SUMMARY_TABS = ("Document codes", "Mentions", UNITIZING, "Events", "Relations")
HINT = ("Select a row of Document codes, Mentions, Unitizing alpha, Events or Relations to list only its "
        "disagreements.")
UNITIZING_TIP = ("Krippendorff's unitizing alpha (2004 definition, as DKPro Statistics computes it): agreement on "
                 "where every compared coder put the mentions of a type, over the characters of the compared "
                 "documents read one after another. D_o and D_e are the observed and expected disagreement; "
                 "alpha = 1 - D_o/D_e. A coder's overlapping mentions of one type are united first (merged_overlaps).")


class TupleTableModel(RowTableModel[tuple]):
    """Rows of plain values; numbers sort as numbers, None shows as n/a."""

    def __init__(self, columns: Sequence[str], rows: Sequence[tuple], parent: Any = None) -> None:
        super().__init__(parent)
        self.COLUMNS = tuple(columns)
        self._rows = list(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return "n/a"
            if isinstance(value, float):  # tiny disagreements (αu's D_o, D_e) keep their digits
                return f"{value:.3f}" if value == 0 or abs(value) >= 0.001 else f"{value:.3e}"
            return str(value)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return -1e9 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DisagreementProxy(QSortFilterProxyModel):
    """Sorts the disagreements and keeps those a `DisagreementFilter` accepts (all without one).
    `items` are the report's disagreement dicts, in the source model's row order."""

    def __init__(self, items: Sequence[Mapping[str, Any]], parent: Any = None) -> None:
        super().__init__(parent)
        self._items = list(items)
        self._filter: DisagreementFilter | None = None

    @property
    def current_filter(self) -> DisagreementFilter | None:
        return self._filter

    def set_filter(self, row_filter: DisagreementFilter | None) -> None:
        self.beginFilterChange()
        self._filter = row_filter
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._filter is None or self._filter.accepts(self._items[source_row])


def _table(columns: Sequence[str], rows: Sequence[tuple], name: str,
           proxy: QSortFilterProxyModel | None = None) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    model = TupleTableModel(columns, rows, view)
    if proxy is None:
        proxy = QSortFilterProxyModel()
    proxy.setParent(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class AgreementWindow(QDialog):
    """Double-click a disagreement to open its document at that place."""

    openPlace = Signal(int, object, object)  # document id, start or None, end or None
    recompute = Signal()  # the user asked for the figures of the project as it is now

    def __init__(self, report: dict[str, Any], parent: QWidget | None = None, project: Project | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreement-window")
        self.setWindowTitle("Agreement")
        self.resize(1000, 700)
        layout = QVBoxLayout(self)
        self.stale_bar = QWidget()  # shown once a change reaches the project after the computation
        self.stale_bar.setObjectName("agreement-stale")
        stale = QHBoxLayout(self.stale_bar)
        stale.setContentsMargins(0, 0, 0, 0)
        self.stale_label = QLabel()
        stale.addWidget(self.stale_label, 1)
        again = QPushButton("Recompute")
        again.setObjectName("agreement-recompute")
        again.clicked.connect(lambda _=False: self.recompute.emit())
        stale.addWidget(again)
        self.stale_bar.hide()
        layout.addWidget(self.stale_bar)
        self._changes_seen = 0
        if project is not None:
            self._signals = ChangeSignals(project, self)
            self._signals.changed.connect(self._project_changed)
        self.header = QLabel(
            f"Coders: {', '.join(report['coders'])}. Documents compared: {report['documents_compared']} "
            f"({'every document any two coders worked on' if report.get('include_unfinished') else 'those every coder marked done'}); "
            f"left out: {len(report['documents_left_out'])} (see the last tab). Coder A is the reference for "
            "precision and recall; n/a means undefined (e.g. a side with no mentions), never 0."
        )
        self.header.setObjectName("agreement-header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        splitter = QSplitter(Qt.Orientation.Vertical)
        layout.addWidget(splitter)
        self.tabs = QTabWidget()
        splitter.addWidget(self.tabs)
        tables = report_tables(report)
        disagreements = tables["Disagreements"]
        for name, table in tables.items():
            view = _table(table.columns, table.rows, name)
            if name == UNITIZING:
                view.setToolTip(UNITIZING_TIP)
            self.tabs.addTab(view, f"{name} ({len(table.rows)})")
            if name in ("Disagreements", "Left out"):
                view.doubleClicked.connect(lambda index, v=view: self._open(v, index))
            if name in SUMMARY_TABS:
                self._make_selectable(view, table.filters)
        splitter.addWidget(self._selected_panel(disagreements.rows, disagreements.items))
        splitter.setSizes([350, 300])
        self.show_disagreements(None)

    def _project_changed(self, change: Change) -> None:
        """Figures are not recomputed by themselves (that can take a while): the window says they are
        out of date and offers to recompute them."""
        self._changes_seen += 1
        what = change.label or ("changes by another program" if change.source == "outside" else change.source)
        self.stale_label.setText(f"<b>Out of date:</b> the project changed since these figures were computed "
                                 f"({self._changes_seen} change(s), the last: {what}).")
        self.stale_bar.show()

    def _selected_panel(self, rows: list[tuple[Any, ...]], items: list[dict[str, Any]]) -> QWidget:
        """The label, "Show all" and the table of the selected row's disagreements."""
        panel = QWidget()
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.selected_label = QLabel()
        self.selected_label.setObjectName("selected-disagreements-label")
        self.selected_label.setWordWrap(True)
        bar.addWidget(self.selected_label, 1)
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.setObjectName("show-all-disagreements")
        self.show_all_button.clicked.connect(lambda _=False: self.show_disagreements(None))
        bar.addWidget(self.show_all_button)
        box.addLayout(bar)
        self.selected_proxy = DisagreementProxy(items)
        self.selected_view = _table(DISAGREEMENT_COLUMNS, rows, "selected-disagreements", self.selected_proxy)
        self.selected_view.setToolTip("Double-click a disagreement to open its document at that place.")
        self.selected_view.doubleClicked.connect(lambda index: self._open(self.selected_view, index))
        box.addWidget(self.selected_view)
        return panel

    def _make_selectable(self, view: QTableView, filters: list[DisagreementFilter]) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        proxy = view.model()
        assert isinstance(proxy, QSortFilterProxyModel)

        def chosen(index: QModelIndex) -> None:
            if index.isValid():
                self.show_disagreements(filters[proxy.mapToSource(index).row()])

        view.selectionModel().currentRowChanged.connect(lambda current, _previous: chosen(current))
        view.clicked.connect(chosen)  # again after another tab's row was chosen

    def show_disagreements(self, row_filter: DisagreementFilter | None) -> None:
        """List the disagreements `row_filter` accepts below the tabs (None: all of them)."""
        self.selected_proxy.set_filter(row_filter)
        n = self.selected_proxy.rowCount()
        if row_filter is None:
            self.selected_label.setText(f"Disagreements: all — {n}. {HINT}")
        else:
            self.selected_label.setText(f"Disagreements: {row_filter.label} — {n}")
        self.show_all_button.setEnabled(row_filter is not None)

    def _open(self, view: QTableView, index: QModelIndex) -> None:
        model = view.model()
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        row = {h: model.index(index.row(), c).data(Qt.ItemDataRole.UserRole) for c, h in enumerate(headers)}
        start, end = row.get("start"), row.get("end")
        valid = isinstance(start, int) and isinstance(end, int) and start >= 0
        self.openPlace.emit(int(row["document"]), start if valid else None, end if valid else None)
