"""The data: the current sample(s) with feature and target names, the prediction, the loss, α."""

from __future__ import annotations

from nnstep.engine.format import count
from nnstep.engine.records import PICK
from rich.cells import cell_len
from rich.text import Text

from .common import View, input_names, num, output_names, short
from .grid import ByWidth, Columns, ever_drawn, first_fitting
from .panel import Panel

MAX_FEATURES = 16  # inputs listed; the rest are counted (the drill-in, d, shows them all)
MAX_SAMPLES = 10  # samples of a batch listed when the width has room (at least the first)
NAME_WIDTHS = (32, 20, 12)  # letters of a feature's name, as the width has room
TITLE_SAMPLES = 3  # samples of a batch the title names (the table's columns name the others)


class DataPanel(Panel):
    """Classes: -active at the pick operation."""

    HOLDS_STILL = True

    def inputs(self, view: View) -> tuple:
        rec = view.record
        last = rec.outputs[-1] if rec.outputs else None
        return (view.style, rec.samples, rec.x, rec.y, last, rec.loss, rec.lr, rec.op.kind == PICK)

    def looks(self, view: View) -> dict[str, bool]:
        return {"-active": view.record.op.kind == PICK}

    def decorate(self, view: View) -> None:
        super().decorate(view)
        rec = view.record
        n = len(view.scenario.samples)
        if not rec.samples:
            self.border_title = "data"
            return
        picked = ", ".join(str(s + 1) for s in rec.samples[:TITLE_SAMPLES])
        if len(rec.samples) > TITLE_SAMPLES:  # the title sets the panel's least width
            self.border_title = f"{len(rec.samples)} samples: {picked} … of {n}"
            return
        self.border_title = f"sample{'s' if len(rec.samples) > 1 else ''} {picked} of {n}"

    def drawing(self, view: View) -> Text | ByWidth:
        rec, style = view.record, view.style
        n = len(view.scenario.samples)
        if not rec.samples:
            return (Text("\n").join([Text(f"{count(n, 'sample')}; none picked yet", style="dim"),
                                     Text(""),
                                     Text("α ", style="bold").append_text(num(rec.lr, style))]))
        # as many samples of the batch and letters of names as the width has room for,
        # chosen on the end of the iteration (view.end) so the columns hold still
        most = min(len(rec.samples), MAX_SAMPLES)
        choices = [(most, w) for w in NAME_WIDTHS] + [(b, NAME_WIDTHS[-1])
                                                      for b in range(most - 1, 0, -1)]
        sizing = view.end or view
        widths: dict[tuple[int, int], int] = {}

        def width_of(choice: tuple[int, int]) -> int:
            if choice not in widths:
                widths[choice] = _widest(self._table(sizing, *choice))
            return widths[choice]

        def draw(width: int) -> list[Text]:
            chosen = next((c for c in choices if width_of(c) <= width), choices[-1])
            return [first_fitting([self._table(view, *chosen)], width)]

        # it asks for three samples' room; more room shows more (MainScreen.fit_panels)
        least = (min(most, 3), NAME_WIDTHS[-1])
        return ByWidth(draw, lambda _: width_of(least),
                       lambda: ever_drawn(width_of(c) for c in choices))

    @staticmethod
    def _table(view: View, batch: int, name_width: int) -> Text:
        """The first ``batch`` samples with names cut to ``name_width`` letters."""
        rec, style = view.record, view.style
        shown = range(min(len(rec.samples), batch))
        table = Columns("", *[f"#{rec.samples[b] + 1}" for b in shown])
        names = input_names(view, 0)
        for j, name in enumerate(names[:MAX_FEATURES]):  # 784 rows would cost ~0.1 s a paint
            table.add_row(short(name, name_width), *[num(rec.x[b, j], style) for b in shown])
        if len(names) > MAX_FEATURES:
            table.add_line(Text(f"… {len(names) - MAX_FEATURES} more inputs", style="dim"))
        o = rec.outputs[-1] if rec.outputs else None
        for i, name in enumerate(output_names(view)):
            table.add_row(Text(f"→ {short(name, name_width - 2)}", style="bold"),
                          *[num(rec.y[b, i], style) for b in shown])
            table.add_row(Text("  prediction", style="italic"),
                          *[num(None if o is None else o[b, i], style) for b in shown])
        if len(rec.samples) > len(shown):
            table.add_line(Text(f"{len(shown)} of {len(rec.samples)} samples", style="dim"))
        tail = Text("loss ", style="bold").append_text(num(rec.loss, style))
        tail.append("   α ", style="bold").append_text(num(rec.lr, style))
        return Text("\n").join([table.text(), tail])


def _widest(text: Text) -> int:
    return max(cell_len(line) for line in text.plain.split("\n"))
