"""The data: the current sample(s) with feature and target names, the prediction, the loss, α."""

from __future__ import annotations

from nnstep.engine.records import PICK
from rich.text import Text

from .common import View, input_names, num, output_names, short
from .grid import Columns
from .panel import Panel

MAX_FEATURES = 16  # inputs listed; the rest are counted (the drill-in, d, shows them all)


class DataPanel(Panel):
    """Classes: -active at the pick operation."""

    HOLDS_STILL = True

    def inputs(self, view: View) -> tuple:
        rec = view.record
        last = rec.outputs[-1] if rec.outputs else None
        return (view.style, rec.samples, rec.x, rec.y, last, rec.loss, rec.lr, rec.op.kind == PICK)

    def decorate(self, view: View) -> None:
        rec = view.record
        n = len(view.scenario.samples)
        self.set_class(rec.op.kind == PICK, "-active")
        if not rec.samples:
            self.border_title = "data"
            return
        picked = ", ".join(str(s + 1) for s in rec.samples)
        self.border_title = f"sample{'s' if len(rec.samples) > 1 else ''} {picked} of {n}"

    def drawing(self, view: View) -> Text:
        rec, style = view.record, view.style
        n = len(view.scenario.samples)
        if not rec.samples:
            return (Text("\n").join([Text(f"{n} samples; none picked yet", style="dim"),
                                         Text(""),
                                         Text("α ", style="bold").append_text(num(rec.lr, style))]))
        batch = range(min(len(rec.samples), 3))  # big batches: the first samples
        table = Columns("", *[f"#{rec.samples[b] + 1}" for b in batch])
        names = input_names(view, 0)
        for j, name in enumerate(names[:MAX_FEATURES]):  # 784 rows would cost ~0.1 s a paint
            table.add_row(short(name, 20), *[num(rec.x[b, j], style) for b in batch])
        if len(names) > MAX_FEATURES:
            table.add_line(Text(f"… {len(names) - MAX_FEATURES} more inputs", style="dim"))
        o = rec.outputs[-1] if rec.outputs else None
        for i, name in enumerate(output_names(view)):
            table.add_row(Text(f"→ {short(name, 18)}", style="bold"),
                          *[num(rec.y[b, i], style) for b in batch])
            table.add_row(Text("  prediction", style="italic"),
                          *[num(None if o is None else o[b, i], style) for b in batch])
        tail = Text("loss ", style="bold").append_text(num(rec.loss, style))
        tail.append("   α ", style="bold").append_text(num(rec.lr, style))
        return Text("\n").join([table.text(), tail])
