"""The Agreement window: the project's agreement figures as sortable tables with their counts."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

from app.ui.models.row_table_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex


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
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return -1e9 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _table(columns: Sequence[str], rows: Sequence[tuple], name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    model = TupleTableModel(columns, rows, view)
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


def report_rows(report: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """The report as tables: name -> (columns, rows)."""
    codes = [
        (name, r["level"], r["krippendorff_alpha"],
         (r["krippendorff_alpha_ci95"] or [None, None])[0], (r["krippendorff_alpha_ci95"] or [None, None])[1],
         r["percent_agreement"], r["fleiss_kappa"], r["n_units"], r["n_pairable_values"])
        for name, r in report["codes"].items()
    ]
    mentions = []
    for pair in report["mentions"]["pairs"]:
        key = " | ".join(pair["coders"])
        for type_name, kinds in [("(all types)", {"exact": pair["exact"], "overlap": pair["overlap"]}),
                                 *sorted(pair["by_type"].items())]:
            e, o = kinds["exact"], kinds["overlap"]
            mentions.append((key, type_name, e["f1"], e["precision"], e["recall"], o["f1"], e["n_a"], e["n_b"],
                             e["matched"], o["matched"]))
    events = [(" | ".join(p["coders"]), p["f1"], p["precision"], p["recall"], p["n_a"], p["n_b"], p["matched"])
              for p in report["events"]["pairs"]]
    left = [(int(d), why) for d, why in report["documents_left_out"].items()]
    disagreements = [(d["kind"], d["document_id"], d["start"], d["end"], d["text"], d["coder_a"], d["value_a"],
                      d["coder_b"], d["value_b"]) for d in report.get("disagreements", [])]
    return {
        "Document codes": (("code", "level", "alpha", "ci95_low", "ci95_high", "percent", "fleiss_kappa",
                            "units", "pairable_values"), codes),
        "Mentions": (("coders (A | B)", "type", "exact_f1", "exact_precision", "exact_recall", "overlap_f1",
                      "n_a", "n_b", "exact_matched", "overlap_matched"), mentions),
        "Events": (("coders (A | B)", "f1", "precision", "recall", "n_a", "n_b", "matched"), events),
        "Disagreements": (("kind", "document", "start", "end", "text", "coder_a", "value_a", "coder_b",
                           "value_b"), disagreements),
        "Left out": (("document", "reason"), left),
    }


class AgreementWindow(QDialog):
    """Double-click a disagreement to open its document at that place."""

    openPlace = Signal(int, object, object)  # document id, start or None, end or None

    def __init__(self, report: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreement-window")
        self.setWindowTitle("Agreement")
        self.resize(1000, 600)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"Coders: {', '.join(report['coders'])}. Documents compared: {report['documents_compared']}; "
            f"left out: {len(report['documents_left_out'])} (see the last tab). Coder A is the reference for "
            "precision and recall; n/a means undefined (e.g. a side with no mentions), never 0."
        ))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        for name, (columns, rows) in report_rows(report).items():
            view = _table(columns, rows, name)
            self.tabs.addTab(view, f"{name} ({len(rows)})")
            if name in ("Disagreements", "Left out"):
                view.doubleClicked.connect(lambda index, v=view: self._open(v, index))

    def _open(self, view: QTableView, index: QModelIndex) -> None:
        model = view.model()
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        row = {h: model.index(index.row(), c).data(Qt.ItemDataRole.UserRole) for c, h in enumerate(headers)}
        start, end = row.get("start"), row.get("end")
        valid = isinstance(start, int) and isinstance(end, int) and start >= 0
        self.openPlace.emit(int(row["document"]), start if valid else None, end if valid else None)
