"""Review → Charts…: the standard figures of the project in a window of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.analysis.counts import coders_with_work
from app.core.services.review import ReviewService

if TYPE_CHECKING:
    from app.ui.host import Host


def show_charts(window: Host) -> None:
    """Open the Charts window. Under blind coding a coder sees only their own work, so only their
    own figures; whoever may review (an adjudicator, or anyone when blind coding is off) chooses
    all coders or any one."""
    from app.ui.charts_window import ChartsWindow

    own = window.workspace.coder_name
    if ReviewService(window.workspace).can_review():
        choices: list[tuple[str, str | None]] = [("All coders (gold left out)", None)]
        choices += [(name, name) for name in coders_with_work(window.project)]
    else:
        choices = [(own, own)]
    charts = ChartsWindow(window.project, choices, window.run, window.testing, window.window_widget())
    charts.show()
    charts.refresh()
