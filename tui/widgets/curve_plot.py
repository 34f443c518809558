"""The plot areas of the loss plot (tui/widgets/loss_plot.py): textual-plot's PlotWidget, which
never takes focus, and its tick labels. Loaded the first time the plot is shown: textual-plot
and these widgets are not needed before."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual_plot import HiResMode, PlotWidget
from textual_plot.axis_formatter import NumericAxisFormatter

MARGIN = 12  # columns left of the plot area: the y ticks
BRAILLE = HiResMode.BRAILLE
LONE = 0.3  # iterations on each side of a lone point's mark


class CurvePlot(PlotWidget, can_focus=False):
    """A PlotWidget that never takes focus (its arrow keys would stop stepping), with room for
    the y ticks on the left and the x ticks below."""

    def __init__(self, **kw) -> None:
        super().__init__(allow_pan_and_zoom=False, **kw)
        self.set_reactive(PlotWidget.margin_left, MARGIN)
        self.set_reactive(PlotWidget.margin_top, 0)
        self.set_reactive(PlotWidget.margin_bottom, 1)
        self.set_x_formatter(IterationTicks())

    def line(self, x: Sequence[float], y: Sequence[float], style: str,
             label: str | None = None) -> None:
        """The points joined by a line; a lone point (one iteration so far) as a short level
        across its iteration: a line of one point draws nothing, and a dot would hide under
        the cursor's line."""
        if len(x) == 1:
            x, y = [x[0] - LONE, x[0] + LONE], [y[0], y[0]]
        self.plot(x, y, line_style=style, hires_mode=BRAILLE, label=label)

    def rows(self) -> int:
        """The rows of the plot area: the widget less the x ticks and the frame."""
        return self.size.height - self.margin_top - self.margin_bottom - 2


class RowTicks(NumericAxisFormatter):
    """Ticks at nice intervals, at most one every other row of the plot area (``rows()``):
    two ticks on one row wrote one label over the other (a 5-row plot of 0 … 0.5 read 0.5,
    0.4, 0.3, 0.1, 0, its 0.2 under the 0.3)."""

    def __init__(self, rows: Callable[[], int]) -> None:
        self.rows = rows

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        most = max(2, (self.rows() + 1) // 2)
        ticks = [t for t in super().get_ticks(min_, max_, min(max_ticks, most))
                 if min_ <= t <= max_]  # the ones drawn
        while len(ticks) > most:  # every other one: the interval doubles, still a nice one
            ticks = ticks[::2]
        return ticks


class ValueTicks(RowTicks):
    """Ticks labelled with three significant digits: 0.25, 1.2e+300."""

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [f"{t:.3g}" for t in ticks]


class LogTicks(RowTicks):
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
