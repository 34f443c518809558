"""The loss of the whole run computed so far (key l): one point per bucket of iterations at the
plot's width (engine.curve), the cursor's iteration marked, after an edit the parent branch's
curve beside this one's, a log scale (L), every inf / NaN stretch named under the plot (a line
plot cannot draw them), and for a classifier the accuracy of each batch below it. Drawn with
textual-plot's PlotWidget (braille, Textual-native).

Shown as a panel above the timeline or over the whole body (MainScreen classes -plot-panel,
-plot-full); it draws only while shown, and only when its inputs change."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from nnstep.engine.curve import Curve, curve
from nnstep.engine.format import fmt
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plot import HiResMode, PlotWidget
from textual_plot.axis_formatter import NumericAxisFormatter

from .common import FRACTION_WIDTH, View

BRANCH, PARENT, CURSOR, NONFINITE, ACCURACY = "cyan", "yellow", "red", "magenta", "green"
MAX_MARKED = 3  # non-finite stretches marked in the plot and named below it
MARGIN = 12  # columns left of the plot area: the y ticks


class CurvePlot(PlotWidget, can_focus=False):
    """A PlotWidget that never takes focus (its arrow keys would stop stepping), with room for
    the y ticks on the left and the x ticks below."""

    def __init__(self, **kw) -> None:
        super().__init__(allow_pan_and_zoom=False, **kw)
        self.set_reactive(PlotWidget.margin_left, MARGIN)
        self.set_reactive(PlotWidget.margin_top, 0)
        self.set_reactive(PlotWidget.margin_bottom, 1)
        self.set_x_formatter(IterationTicks())


class ValueTicks(NumericAxisFormatter):
    """Ticks labelled with three significant digits: 0.25, 1.2e+300."""

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [f"{t:.3g}" for t in ticks]


class LogTicks(NumericAxisFormatter):
    """Ticks of a log10 axis, labelled with the values: 1e-3, 0.05, 2."""

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [f"1e{int(t)}" if float(t).is_integer() else f"{10 ** t:.2g}" for t in ticks]


class IterationTicks(NumericAxisFormatter):
    """Ticks at whole iterations only."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        ticks = [t for t in super().get_ticks(min_, max_, max_ticks) if float(t).is_integer()]
        return ticks or [float(round((min_ + max_) / 2))]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [str(int(t)) for t in ticks]


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
        yield CurvePlot(id="plot-area")
        yield CurvePlot(id="accuracy-area")  # shown when the loss classifies (-accuracy)
        yield Static(id="plot-notes")

    def on_resize(self) -> None:
        """Shown or resized: draw at the new width (the plot's points follow it)."""
        if self.view is not None:
            self.call_after_refresh(self.show, self.view)

    def show(self, view: View, economise: bool = True) -> None:
        self.view = view
        area = self.query_one("#plot-area", CurvePlot).size.width
        if not self.display or not area:  # hidden, or not laid out yet (on_resize draws)
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
        mine = curve(losses, points, self.log_scale)
        before = curve(parent, points, self.log_scale) if parent else None
        self.curves = (mine, before)
        plot = self.query_one("#plot-area", CurvePlot)
        plot.clear()
        plot.set_y_formatter(LogTicks() if self.log_scale else ValueTicks())
        label = f"branch {s.branch.id}" if s.branch.id else "loss"
        for c, style, name in ((before, PARENT, f"branch {s.branch.parent} (before the edit)"),
                               (mine, BRANCH, label)):
            if c is not None and c.finite:
                keep = np.isfinite(c.y)
                plot.plot(c.x[keep], c.y[keep], line_style=style, hires_mode=HiResMode.BRAILLE,
                          label=name if before is not None else None)
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
        plot = self.query_one("#accuracy-area", CurvePlot)
        plot.clear()
        plot.set_y_formatter(ValueTicks())
        for series, style in ((parent, PARENT), (values, ACCURACY)):
            if series:
                c = curve(series, points)
                keep = np.isfinite(c.y)
                plot.plot(c.x[keep], c.y[keep], line_style=style, hires_mode=HiResMode.BRAILLE,
                          label="accuracy" if style == ACCURACY else None)
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
