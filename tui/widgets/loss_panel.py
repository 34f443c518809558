"""The loss: prediction o, truth y and δ = o − y (the flow entering the last layer) per output,
and the loss value."""

from __future__ import annotations

from nnstep.engine.records import BACKWARD_LOSS, LOSS
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from .common import View, num, output_names, short

LOSS_NAMES = {"half_squared_error": "½(o−y)²"}


class LossPanel(Static):
    """Classes: -active while the loss or its δ is being computed."""

    def show(self, view: View) -> None:
        rec, style = view.record, view.style
        self.border_title = f"loss · {LOSS_NAMES.get(view.model.loss, view.model.loss)}"
        self.set_class(rec.op.kind in (LOSS, BACKWARD_LOSS), "-active")
        batch = min(len(rec.samples) or 1, 4)  # big batches: the first samples
        table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
        table.add_column("", no_wrap=True)
        for head in ("o", "y", "δ"):
            table.add_column(head, justify="right", no_wrap=True)
        o = rec.outputs[-1] if rec.outputs else None
        for b in range(batch):
            for i, name in enumerate(output_names(view)):
                label = short(name, 10) + (f" #{rec.samples[b] + 1}" if b or batch > 1 else "")
                table.add_row(label,
                              num(None if o is None else o[b, i], style),
                              num(None if rec.y is None else rec.y[b, i], style),
                              num(None if rec.loss_delta is None else rec.loss_delta[b, i], style))
        if len(rec.samples) > batch:
            table.add_row(Text(f"{batch} of {len(rec.samples)} samples", style="dim"))
        loss = Text("loss ", style="bold").append_text(num(rec.loss, style))
        self.update(Group(table, Text(""), loss))
