"""Where this operation sits among all of training: cursor, computed part, edit forks, iteration
ends, and the loss of each finished iteration (a sparkline and the latest values). A click
asks to go there (``Timeline.Seek``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from nnstep.engine.format import fmt
from nnstep.engine.numbers import to_float
from rich.text import Text
from textual import events
from textual.content import Content
from textual.message import Message

from .common import FRACTION_WIDTH, View
from .grid import to_content
from .panel import Panel

if TYPE_CHECKING:
    from ..controllers.navigation import Progress

SPARKS = "▁▂▃▄▅▆▇█"
RECENT = 6  # the latest losses written out after the sparkline, as many as fit


def sparkline(values: list[float], width: int) -> str:
    """The last ``width`` values as block characters, scaled to their min … max."""
    values = [v for v in values[-width:] if math.isfinite(v)]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo
    if span <= 1e-9 * max(abs(lo), abs(hi)):  # rounding noise, not a change: draw it flat
        span = 0
    return "".join(SPARKS[0 if span == 0 else min(7, int((v - lo) / span * 8))] for v in values)


class Timeline(Panel):
    """Three lines: position, the bar, the losses; drawn at every change (``render``)."""

    class Seek(Message):
        """The person clicked the bar: go to operation ``index``."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.view: View | None = None
        self.progress: Progress | None = None  # of a long run, set by the app

    def draw(self, view: View) -> None:
        self.view = view
        self.refresh()

    def _bar_width(self) -> int:
        return max(10, self.content_size.width - 1)

    def _index_at(self, x: int) -> int:
        last = self.view.session.last_index if self.view else 0
        return round(min(max(x, 0), self._bar_width() - 1) * last / max(1, self._bar_width() - 1))

    def render(self) -> Content:
        """The three lines, as Content with their styles converted once (``to_content``)."""
        if self.view is None:
            return Content("")
        s, style = self.view.session, self.view.style
        last, cursor, computed = s.last_index, s.cursor, s.computed
        width = self._bar_width()
        forks = s.forks()
        head = Text(f"operation {cursor} / {last}", style="bold")
        head.append(f" · computed {computed}")
        if forks:
            head.append(" · branched at ", style="magenta").append(  # where a branch starts
                ", ".join(str(f) for f in forks), style="bold magenta")
        if self.progress:
            head.append(f" · computing {self.progress.done}/{self.progress.goal}",
                        style="bold yellow")

        def col(index: int) -> int:
            return round(index * (width - 1) / max(1, last))

        cells = [("─", "dim")] * width
        for c in range(min(width, col(computed) + 1)):
            cells[c] = ("━", "cyan")
        opi = s.schedule.ops_per_iteration
        if s.schedule.iterations <= width // 3:
            for t in range(1, s.schedule.iterations):
                cells[col(t * opi)] = ("┼" if t * opi <= computed else "┊", "dim")
        for f in forks:
            cells[col(f)] = ("◆", "bold magenta")
        cells[col(cursor)] = ("▲", "bold reverse")
        bar = Text()  # one span per run of a style: a span each costs ~20 µs to paint
        run_start = 0
        for c in range(1, width + 1):
            if c == width or cells[c][1] != cells[run_start][1]:
                bar.append("".join(ch for ch, _ in cells[run_start:c]), style=cells[run_start][1])
                run_start = c
        losses = s.losses()
        tail = Text("loss ", style="bold")
        tail.append(sparkline([to_float(v) for _, v in losses], max(10, width // 3)), style="cyan")
        recent = [Text().append(f"  it{t} ", style="dim").append(
            fmt(v, style, max_len=FRACTION_WIDTH)) for t, v in losses[-RECENT:]]
        while len(recent) > 1 and tail.cell_len + sum(r.cell_len for r in recent) > width + 1:
            recent.pop(0)  # the oldest give way: the latest loss (an inf too) stays in view
        for entry in recent:
            tail.append_text(entry)
        if not losses:
            tail.append("no finished iteration yet", style="dim")
        tail.truncate(width + 1, overflow="ellipsis")
        return to_content(Text("\n").join([head, bar, tail]))

    def on_click(self, event: events.Click) -> None:
        if self.view is not None and event.y == 1:
            self.post_message(self.Seek(self._index_at(event.x - self.gutter.left)))
