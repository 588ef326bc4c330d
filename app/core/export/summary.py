"""The workbook's Summary sheet: the numbers of the standard figures, each with a native chart.

Each `Table` of `app.core.analysis.counts.figure_tables` becomes a block of cells, one below the
other: a bold line with the table's stem (the file name the figure and its CSV get from
``annotary figures``) and its title, a bold header row (`Table.columns`), then `Table.rows`
exactly, then at least one empty row. Beside the block an Excel bar chart (openpyxl, drawn by
Excel or LibreOffice, which shape and order Arabic labels themselves) references those cells: its
values are the block's count columns, its categories the label column or, when a row is named by
several columns, a label column `LABEL_HEADER` written just right of the block (the row's names
joined with " · "); a value with a 95 % interval (``ci_low``, ``ci_high``) gets error bars
from two more columns there, `ERROR_MINUS` and `ERROR_PLUS` (the interval's reach below and
above the value). Text is stored logical, never reshaped, never a formula (`CellMaker`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.analysis.counts import Table
from app.core.export.cells import RTL_ALIGNMENT, CellMaker
from app.core.text import is_rtl_text

SUMMARY = "Summary"
LABEL_HEADER = "chart_label"
LABEL_JOIN = " · "
ERROR_MINUS, ERROR_PLUS = "error_minus", "error_plus"
INTRO = ("The numbers of the standard figures (annotary figures): one block per figure, its rows exactly the "
         "figure's CSV, with a chart of them beside it")
_BOLD = Font(bold=True)
_VALUE_COLUMNS = ("count", "filled", "empty", "f1")
"""The columns a chart plots, in this order when a table has several (stacked)."""
_NOT_LABELS = ("coder_pairs", "ci_low", "ci_high", "n")
"""Numbers beside a plotted value that are not part of a row's name."""
_ROW_CM = 0.53  # a default row (15 pt) in centimetres
_MIN_CHART_CM, _BAR_CM = 7.5, 0.55
_WIDTHS = (30, 16, 24, 12, 10, 10, 12, 12, 12)


@dataclass(frozen=True)
class ChartPlan:
    """Where a block's chart takes its numbers: sheet rows and 1-based columns."""
    stem: str
    header_row: int
    first_row: int
    last_row: int
    value_columns: tuple[int, ...]
    label_column: int
    anchor: str
    height_cm: float
    error_columns: tuple[int, int] | None = None
    """Columns of the error bars' lengths below and above the value (a 95 % interval)."""


def chart_layout(table: Table) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The 0-based columns of `table` a chart plots, and those that name a row."""
    values = tuple(table.columns.index(c) for c in _VALUE_COLUMNS if c in table.columns)
    if not values:  # a table the figures helper adds later: its numeric columns
        values = tuple(i for i in range(len(table.columns))
                       if table.rows and all(isinstance(r[i], int | float) or r[i] is None for r in table.rows))
    labels = tuple(i for i, c in enumerate(table.columns) if i not in values and c not in _NOT_LABELS)
    return values, labels


def row_label(table: Table, row: Sequence[object], labels: Sequence[int]) -> str:
    return LABEL_JOIN.join("" if row[i] is None else str(row[i]) for i in labels)


def _interval(table: Table, values: Sequence[int]) -> tuple[int, int, int] | None:
    """The columns of a single plotted value and its interval's bounds, if the table has them."""
    if len(values) == 1 and "ci_low" in table.columns and "ci_high" in table.columns:
        return values[0], table.columns.index("ci_low"), table.columns.index("ci_high")
    return None


def _error_lengths(row: Sequence[object], value: int, low: int, high: int) -> list[float | None]:
    """How far the interval reaches below and above the value (what an error bar is drawn from)."""
    v, lo, hi = row[value], row[low], row[high]
    if isinstance(v, int | float) and isinstance(lo, int | float) and isinstance(hi, int | float):
        return [round(max(v - lo, 0.0), 6), round(max(hi - v, 0.0), 6)]
    return [None, None]  # undefined: no bar, no interval


def write_summary(wb: Any, tables: Sequence[Table], attach: Callable[[Any], None] | None = None) -> list[ChartPlan]:
    """Append the Summary sheet to the write-only workbook `wb`; returns where each chart looks.
    `attach(ws)` gives the new sheet its writer once its column widths are set."""
    ws = wb.create_sheet(SUMMARY)
    width = max([len(t.columns) + 3 for t in tables] + [len(_WIDTHS)])  # with the label and error columns
    for i in range(1, width + 1):  # write-only: widths before the first row
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS[i - 1] if i <= len(_WIDTHS) else 12
    if attach is not None:
        attach(ws)
    maker = CellMaker(ws)
    rows: list[list[Any]] = [[_bold(ws, maker, INTRO)], []]
    plans: list[ChartPlan] = []
    for table in tables:
        values, labels = chart_layout(table)
        top = len(rows) + 1  # the block's first sheet row
        rows.append([_bold(ws, maker, table.stem), _bold(ws, maker, table.title)])
        ncols = len(table.columns)
        joined = len(labels) > 1
        interval = _interval(table, values)
        extra = ([LABEL_HEADER] if joined else []) + ([ERROR_MINUS, ERROR_PLUS] if interval else [])
        rows.append([_bold(ws, maker, c) for c in (*table.columns, *extra)])
        for r in table.rows:
            line = [maker.text(v) if isinstance(v, str) else v for v in r]
            if joined:
                line.append(maker.text(row_label(table, r, labels)))
            if interval:
                line.extend(_error_lengths(r, *interval))
            rows.append(line)
        n = len(table.rows)
        height = max(_MIN_CHART_CM, _BAR_CM * n + 2.5)
        if n and values and labels:
            plans.append(ChartPlan(
                stem=table.stem, header_row=top + 1, first_row=top + 2, last_row=top + 1 + n,
                value_columns=tuple(i + 1 for i in values),
                label_column=ncols + 1 if joined else labels[0] + 1,
                anchor=f"{get_column_letter(ncols + len(extra) + 2)}{top + 1}", height_cm=height,
                error_columns=(ncols + len(extra) - 1, ncols + len(extra)) if interval else None))
        under_chart = math.ceil(height / _ROW_CM) + 2 - (2 + n) if plans and plans[-1].stem == table.stem else 0
        rows.extend([] for _ in range(max(2, under_chart)))  # the next block starts below the chart
    for line in rows:
        ws.append(line)
    for plan in plans:
        ws.add_chart(_chart(ws, plan), plan.anchor)
    return plans


def _bold(ws: Any, maker: CellMaker, text: str) -> Cell:
    """A bold text cell that is never a formula; right-aligned when the text is right-to-left."""
    prepared = maker.text(text)
    cell = Cell(ws, row=1, column=1, value=prepared.value if isinstance(prepared, Cell) else prepared)
    if isinstance(prepared, Cell) and is_rtl_text(str(prepared.value)):
        cell.alignment = RTL_ALIGNMENT
    cell.font = _BOLD
    cell.data_type = "s"
    return cell


def _chart(ws: Any, plan: ChartPlan) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long labels stay readable
    chart.style = 10
    chart.title = plan.stem.replace("_", " ")
    stacked = len(plan.value_columns) > 1
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    for column in plan.value_columns:
        data = Reference(ws, min_col=column, max_col=column, min_row=plan.header_row, max_row=plan.last_row)
        chart.add_data(data, titles_from_data=True)
    labels = Reference(ws, min_col=plan.label_column, max_col=plan.label_column,
                       min_row=plan.first_row, max_row=plan.last_row)
    for series in chart.series:  # text categories (set_categories would declare them numbers)
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the cells
    chart.y_axis.crosses = "max"  # and the value axis below the bars
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    if plan.error_columns is not None:
        minus, plus = (Reference(ws, min_col=c, max_col=c, min_row=plan.first_row, max_row=plan.last_row)
                       for c in plan.error_columns)
        chart.series[0].errBars = ErrorBars(errBarType="both", errValType="cust",
                                            minus=NumDataSource(numRef=NumRef(f=str(minus))),
                                            plus=NumDataSource(numRef=NumRef(f=str(plus))))
    if not stacked:
        chart.legend = None
    chart.height = plan.height_cm
    chart.width = 18
    return chart
