"""Draw one `Table` of `app.core.analysis.counts` as a matplotlib Figure (Agg, no pyplot, no Qt).

Every number drawn is a cell of the table (the CSV beside the figure); every text handed to
matplotlib goes through `labels.display_label`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.analysis.counts import Table
from app.core.figures import style
from app.core.figures.labels import display_label as L

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH = 9.0  # inches
_GREY = "#BBBBBB"


def draw(table: Table) -> Figure:
    """A new Figure showing `table` (call after `style.apply_rc()` in an rc_context)."""
    from matplotlib.figure import Figure

    drawer = _DRAWERS.get(table.stem, _draw_table_text)
    fig = Figure(figsize=(WIDTH, _height(table)), layout="constrained")
    fig.suptitle(L(textwrap.fill(table.title, 110)), fontsize=10, x=0.01, ha="left")
    if not table.rows:
        fig.text(0.5, 0.5, "No annotations to show", ha="center", va="center", color="#555555")
        return fig
    drawer(fig, table)
    return fig


def _height(table: Table) -> float:
    n = len(table.rows)
    if table.stem in ("top_mention_texts", "event_roles_filled"):
        groups = len({r[0] for r in table.rows})
        return min(60.0, 1.4 + 0.32 * n + 0.7 * groups)
    return min(40.0, 2.2 + 0.35 * n)


def _grouped_barh(fig: Figure, table: Table, group_label: Callable[[object], str], xlabel: str) -> None:
    """Rows (category, group, count): one row of bars per category, one colour per group."""
    ax = fig.add_subplot()
    categories = list(dict.fromkeys(r[0] for r in table.rows))
    groups = sorted({r[1] for r in table.rows}, key=str)
    counts = {(r[0], r[1]): r[2] for r in table.rows}
    height = 0.8 / len(groups)
    for k, g in enumerate(groups):
        ys = [i - 0.4 + height * (k + 0.5) for i in range(len(categories))]
        values = [_num(counts.get((c, g), 0)) for c in categories]
        bars = ax.barh(ys, values, height=height, color=style.PALETTE[k % len(style.PALETTE)], label=L(group_label(g)))
        ax.bar_label(bars, labels=[str(counts[(c, g)]) if (c, g) in counts else "" for c in categories],
                     padding=2, fontsize=8)
    ax.set_yticks(range(len(categories)), [L(str(c)) for c in categories])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    _whole_numbers(ax)
    ax.margins(x=0.08)
    fig.legend(loc="outside lower center", ncols=min(len(groups), 6), fontsize=8)


def _mentions(fig: Figure, table: Table) -> None:
    _grouped_barh(fig, table, lambda code: f"{style.language_name(code)} ({code})", "mentions")


def _events(fig: Figure, table: Table) -> None:
    _grouped_barh(fig, table, str, "events")


def _subplots(fig: Figure, table: Table) -> list[tuple[object, list[tuple[object, ...]], Axes]]:
    """One axes per distinct first column, stacked, each as tall as its rows."""
    by_first: dict[object, list[tuple[object, ...]]] = {}
    for r in table.rows:
        by_first.setdefault(r[0], []).append(r)
    axes = fig.subplots(len(by_first), 1, squeeze=False, sharex=True,
                        gridspec_kw={"height_ratios": [len(rows) + 1 for rows in by_first.values()]})[:, 0]
    for ax in axes:
        _whole_numbers(ax)
        ax.tick_params(labelbottom=True)
    return [(first, rows, ax) for (first, rows), ax in zip(by_first.items(), axes)]


def _whole_numbers(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _top_texts(fig: Figure, table: Table) -> None:
    languages = sorted({r[1] for r in table.rows}, key=str)
    colour = {code: style.PALETTE[k % len(style.PALETTE)] for k, code in enumerate(languages)}
    for entity_type, rows, ax in _subplots(fig, table):
        bars = ax.barh(range(len(rows)), [_num(r[3]) for r in rows], color=[colour[r[1]] for r in rows])
        ax.bar_label(bars, labels=[str(r[3]) for r in rows], padding=2, fontsize=8)
        ax.set_yticks(range(len(rows)), [L(str(r[2])) for r in rows])
        ax.invert_yaxis()
        ax.set_title(L(str(entity_type)), loc="left", fontsize=10)
        ax.margins(x=0.08)
    handles = [_patch(colour[code], f"{style.language_name(code)} ({code})") for code in languages]
    ax.set_xlabel("mentions")
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)


def _roles(fig: Figure, table: Table) -> None:
    for event_type, rows, ax in _subplots(fig, table):
        ys = range(len(rows))
        filled = [_num(r[2]) for r in rows]
        empty = [_num(r[3]) for r in rows]
        a = ax.barh(ys, filled, color=style.PALETTE[0])
        b = ax.barh(ys, empty, left=filled, color=_GREY)
        ax.bar_label(a, labels=[str(v) if v else "" for v in filled], label_type="center", fontsize=8, color="white")
        ax.bar_label(b, labels=[str(v) if v else "" for v in empty], label_type="center", fontsize=8)
        ax.set_yticks(ys, [L(str(r[1])) for r in rows])
        ax.invert_yaxis()
        ax.set_title(L(str(event_type)), loc="left", fontsize=10)
    ax.set_xlabel("events")
    fig.legend(handles=[_patch(style.PALETTE[0], "filled"), _patch(_GREY, "empty")],
               loc="outside lower center", ncols=2, fontsize=8)


def _agreement(fig: Figure, table: Table) -> None:
    ax = fig.add_subplot()
    for i, (_type, _pairs, f1, low, high, n) in enumerate(table.rows):
        if f1 is None:
            ax.text(0.01, i, f"not defined (no pair where both coders marked it), n = {n}", va="center",
                    fontsize=8, color="#555555")
            continue
        ax.plot([_num(f1)], [i], "o", color=style.PALETTE[0])
        if low is not None and high is not None:
            ax.plot([_num(low), _num(high)], [i, i], "-", color=style.PALETTE[0], linewidth=2)
        ax.annotate(f"{f1} [{low}, {high}], n = {n}", (_num(f1), i), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=8)
    ax.set_yticks(range(len(table.rows)), [L(str(r[0])) for r in table.rows])
    ax.set_ylim(len(table.rows) - 0.5, -0.7)
    ax.set_xlim(-0.03, 1.05)
    ax.set_xlabel("exact-match F1 (mean over coder pairs) with 95 % bootstrap interval")
    ax.grid(axis="x", color="#DDDDDD")


def _num(value: object) -> float:
    if not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return value


def _draw_table_text(fig: Figure, table: Table) -> None:
    """A table without a chart of its own: its rows as text."""
    lines = [", ".join(table.columns)] + [", ".join(str(v) for v in r) for r in table.rows[:40]]
    fig.text(0.02, 0.95, L("\n".join(lines)), va="top", fontsize=8)


def _patch(colour: str, label: str) -> object:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=L(label))


_DRAWERS: dict[str, Callable[[Figure, Table], None]] = {
    "mentions_by_type_and_language": _mentions,
    "events_by_type_and_modality": _events,
    "top_mention_texts": _top_texts,
    "event_roles_filled": _roles,
    "agreement_by_type": _agreement,
}
