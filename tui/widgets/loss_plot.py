"""The loss of the whole run computed so far (key l): one point per bucket of iterations at the
plot's width (engine.curve), the cursor's iteration marked, after an edit the parent branch's
curve beside this one's, a log scale (L), every inf / NaN stretch named under the plot (a line
plot cannot draw them), and for a classifier the accuracy of each batch below it. Drawn with
textual-plot's PlotWidget (braille, Textual-native).

Shown as a panel above the timeline or over the whole body (MainScreen classes -plot-panel,
-plot-full); it draws only while shown, and only when its inputs change. Its plot areas
(tui/widgets/curve_plot.py, textual-plot) are made the first time it is shown."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from nnstep.engine.format import fmt
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from .common import FRACTION_WIDTH, View

if TYPE_CHECKING:
    from nnstep.engine.curve import Curve

    from .curve_plot import CurvePlot

BRANCH, PARENT, CURSOR, NONFINITE, ACCURACY = "cyan", "yellow", "red", "magenta", "green"
MAX_MARKED = 3  # non-finite stretches marked in the plot and named below it


class LossPlot(Vertical):
    """Title, plot, notes. ``show(view)`` redraws when the series, the cursor or the scale
    changed since the last drawing."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.log_scale = False
        self.drawn_from: tuple | None = None
        self.view: View | None = None  # the last view pushed down, to redraw on a resize
        self.curves: tuple[Curve, Curve | None] | None = None  # last drawn, for tests

    def compose(self) -> ComposeResult:
        yield Static(id="plot-title")
        yield Static(id="plot-notes")  # the plot areas go above it when first shown

    def _plots(self) -> bool:
        """Whether the plot areas are there; made the first time the plot shows (they draw
        once laid out, after the next refresh)."""
        if self.query("#plot-area"):
            return True
        from .curve_plot import CurvePlot

        self.mount(CurvePlot(id="plot-area"),
                   CurvePlot(id="accuracy-area"),  # shown when the loss classifies (-accuracy)
                   before="#plot-notes")
        if self.view is not None:
            self.call_after_refresh(self.show, self.view)
        return False

    def on_resize(self) -> None:
        """Shown or resized: draw at the new width (the plot's points follow it)."""
        if self.view is not None:
            self.call_after_refresh(self.show, self.view)

    def show(self, view: View, economise: bool = True) -> None:
        self.view = view
        if not self.display or not self._plots():  # hidden, or the plots just made
            return
        from .curve_plot import MARGIN

        area = self.query_one("#plot-area").size.width
        if not area:  # not laid out yet (on_resize draws)
            return
        s = view.session
        losses, parent = s.loss_series(), s.loss_series(parent=True)
        width = max(10, area - MARGIN)
        key = (s.branch.id, len(losses), None if parent is None else len(parent),
               len(s.accuracy_series()),
               view.record.iteration, self.log_scale, width, view.style)
        if economise and key == self.drawn_from:
            return
        self.drawn_from = key
        self.draw(view, losses, parent, 2 * width)  # braille: two points a column

    def draw(self, view: View, losses: list, parent: list | None, points: int) -> None:
        s, rec = view.session, view.record
        from nnstep.engine.curve import curve

        from .curve_plot import LogTicks, ValueTicks

        mine = curve(losses, points, self.log_scale)
        before = curve(parent, points, self.log_scale) if parent else None
        self.curves = (mine, before)
        plot: CurvePlot = self.query_one("#plot-area")  # type: ignore[assignment]
        plot.clear()
        plot.set_y_formatter(LogTicks(plot.rows) if self.log_scale else ValueTicks(plot.rows))
        label = f"branch {s.branch.id}" if s.branch.id else "loss"
        for c, style, name in ((before, PARENT, f"branch {s.branch.parent} (before the edit)"),
                               (mine, BRANCH, label)):
            if c is not None and c.finite:
                keep = np.isfinite(c.y)
                plot.line(c.x[keep], c.y[keep], style, name if before is not None else None)
        last = max(mine.count, before.count if before else 0, rec.iteration, 2)
        plot.set_xlimits(0.5, last + 0.5)
        plot.set_ylimits(*_y_limits(mine, before))
        for stretch in mine.nonfinite[:MAX_MARKED]:  # where the line stops: inf / NaN begin
            plot.add_v_line(stretch.first, NONFINITE)
        if rec.iteration:
            plot.add_v_line(rec.iteration, CURSOR,
                            f"iteration {rec.iteration}" if before is not None else None)
        plot.show_legend(is_visible=before is not None)
        scale = "log scale" if self.log_scale else "linear scale"
        title = Text("loss per iteration", style="bold")
        title.append(f" · {mine.count} of {s.schedule.iterations} computed · {scale} (L)",
                     style="dim")
        self.query_one("#plot-title", Static).update(title)
        self.query_one("#plot-notes", Static).update(self._notes(view, losses, mine, before))
        self._accuracy(view, points)

    def _accuracy(self, view: View, points: int) -> None:
        """The share of each batch predicted right, under the loss, when the loss classifies."""
        s, rec = view.session, view.record
        values, parent = s.accuracy_series(), s.accuracy_series(parent=True)
        self.set_class(s.model.loss.classifies, "-accuracy")
        if not s.model.loss.classifies:
            return
        from nnstep.engine.curve import curve

        from .curve_plot import ValueTicks

        plot: CurvePlot = self.query_one("#accuracy-area")  # type: ignore[assignment]
        plot.clear()
        plot.set_y_formatter(ValueTicks(plot.rows))
        for series, style in ((parent, PARENT), (values, ACCURACY)):
            if series:
                c = curve(series, points)
                keep = np.isfinite(c.y)
                plot.line(c.x[keep], c.y[keep], style,
                          "accuracy" if style == ACCURACY else None)
        last = max(len(values), len(parent or ()), rec.iteration, 2)
        plot.set_xlimits(0.5, last + 0.5)
        plot.set_ylimits(-0.05, 1.05)
        if rec.iteration:
            plot.add_v_line(rec.iteration, CURSOR)
        plot.show_legend(is_visible=bool(values))

    def _notes(self, view: View, losses: list, mine: Curve, before: Curve | None) -> Text:
        """One line: what the plot cannot draw first (inf / NaN, zeros on a log scale), then
        the cursor and the last loss."""
        rec = view.record
        notes = Text()
        for c, whose in ((mine, ""), (before, "before the edit: ")):
            if c is None:
                continue
            for stretch in c.nonfinite[:MAX_MARKED]:
                notes.append(f"{whose}{stretch.describe()} · ", style=f"bold {NONFINITE}")
            if len(c.nonfinite) > MAX_MARKED:
                notes.append(f"{whose}{len(c.nonfinite) - MAX_MARKED} more non-finite "
                             "stretches · ", style=f"bold {NONFINITE}")
            if c.not_positive:
                notes.append(f"{whose}{c.not_positive} losses of 0 (no logarithm) not drawn · ",
                             style="dim")
        notes.append("│", style=f"bold {CURSOR}").append(
            f" cursor: iteration {rec.iteration}" if rec.iteration else " cursor: start",
            style="dim")
        if losses:
            notes.append(" · last loss ", style="dim").append(
                fmt(losses[-1], view.style, max_len=FRACTION_WIDTH))
        else:
            notes.append(" · no finished iteration yet", style="dim")
        accuracy = view.session.accuracy_series()
        if accuracy:
            notes.append(" · accuracy ", style="dim").append(f"{accuracy[-1]:.3g}",
                                                             style=ACCURACY)
        return notes


def _y_limits(*curves: Curve | None) -> tuple[float, float]:
    """The finite range of the curves, with a little room; a flat curve gets some height."""
    lows = [float(np.nanmin(c.low)) for c in curves if c is not None and c.finite]
    highs = [float(np.nanmax(c.high)) for c in curves if c is not None and c.finite]
    if not lows:
        return 0.0, 1.0
    lo, hi = min(lows), max(highs)
    span = hi - lo
    if not math.isfinite(span):  # finite values near the float limits
        return lo, hi
    pad = span * 0.05 if span > 0 else max(abs(lo) * 0.1, 1.0)
    return lo - pad, hi + pad
