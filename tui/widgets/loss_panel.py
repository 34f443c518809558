"""The loss: prediction o, truth y and δ = o − y (the flow entering the last layer) per output,
and the loss value; after the update, the change of this batch's loss that a small step predicts
(Σ δw·Δw, −α·Σ‖δw‖² for plain SGD) against the change the step really makes, so a too-large α
shows at once."""

from __future__ import annotations

from nnstep.engine.diagnostics import loss_change
from nnstep.engine.format import fmt
from nnstep.engine.records import BACKWARD_LOSS, LOSS
from rich.text import Text

from .common import View, num, output_names, short, sign_style
from .grid import Columns
from .panel import Panel

CHANGE_WIDTH = 10  # characters of a predicted / actual change


class LossPanel(Panel):
    """Classes: -active while the loss or its δ is being computed."""

    HOLDS_STILL = True

    def inputs(self, view: View) -> tuple:
        rec = view.record
        last = rec.outputs[-1] if rec.outputs else None
        return (view.style, rec.samples, rec.y, last, rec.loss_delta, rec.loss,
                rec.op.kind in (LOSS, BACKWARD_LOSS),  # the -active class
                rec.new_params is not None and rec.index)  # the loss change: at the update

    def decorate(self, view: View) -> None:
        self.border_title = f"loss · {view.model.loss.label}"
        self.set_class(view.record.op.kind in (LOSS, BACKWARD_LOSS), "-active")

    def drawing(self, view: View) -> Text:
        rec, style = view.record, view.style
        batch = min(len(rec.samples) or 1, 4)  # big batches: the first samples
        table = Columns("", "o", "y", "δ")
        o = rec.outputs[-1] if rec.outputs else None
        for b in range(batch):
            for i, name in enumerate(output_names(view)):
                label = short(name, 10) + (f" #{rec.samples[b] + 1}" if b or batch > 1 else "")
                table.add_row(label,
                              num(None if o is None else o[b, i], style),
                              num(None if rec.y is None else rec.y[b, i], style),
                              num(None if rec.loss_delta is None else rec.loss_delta[b, i], style))
        if len(rec.samples) > batch:
            table.add_line(Text(f"{batch} of {len(rec.samples)} samples", style="dim"))
        loss = Text("loss ", style="bold").append_text(num(rec.loss, style))
        return Text("\n").join([table.text(), Text(""), loss, *self.change(view)])

    @staticmethod
    def change(view: View) -> list[Text]:
        """Predicted and actual change of the batch loss by the update (from the update on)."""
        change = loss_change(view.record, view.model)
        if change is None:
            return []
        predicted, actual = change
        lines = [Text("Δ pred. ", style="dim").append_text(_short(predicted, view.style)),
                 Text("Δ actual ", style="dim").append_text(_short(actual, view.style))]
        if actual > 0:
            lines.append(Text("⚠ α too large", style="bold red"))
        return lines


def _short(value, style: str) -> Text:
    """A derived number kept narrow: long values read ≈ with 4 significant digits."""
    text = fmt(value, style, digits=4, max_len=CHANGE_WIDTH)
    if len(text) > CHANGE_WIDTH:
        text = "≈" + fmt(value, "scientific", digits=3)
    return Text(text, style=sign_style(value))
