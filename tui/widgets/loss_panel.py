"""The loss: prediction o, truth y and the loss's δ (the flow entering the last layer) per output,
and the loss value; for a loss that classifies, each output's probability p, the predicted
class(es) marked ▸ and the batch's accuracy; after the update, the change of this batch's loss
that a small step predicts (Σ δw·Δw, −α·Σ‖δw‖² for plain SGD) against the change the step really
makes, so a too-large α shows at once."""

from __future__ import annotations

import numpy as np
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

    def looks(self, view: View) -> dict[str, bool]:
        return {"-active": view.record.op.kind in (LOSS, BACKWARD_LOSS)}

    def decorate(self, view: View) -> None:
        super().decorate(view)
        self.border_title = f"loss · {view.model.loss.label}"

    def drawing(self, view: View) -> Text:
        rec, style, loss = view.record, view.style, view.model.loss
        batch = min(len(rec.samples) or 1, 4)  # big batches: the first samples
        classes = loss.classifies
        table = Columns("", "o", *(["p"] if classes else []), "y", "δ")
        o = rec.outputs[-1] if rec.outputs else None
        p = chosen = None
        if classes and o is not None:
            with np.errstate(all="ignore"):
                p, chosen = loss.probabilities(o), loss.predicted(o)
        for b in range(batch):
            for i, name in enumerate(output_names(view)):
                label = short(name, 10) + (f" #{rec.samples[b] + 1}" if b or batch > 1 else "")
                if classes:
                    label = ("▸ " if chosen is not None and chosen[b, i] else "  ") + label
                cells = [num(None if o is None else o[b, i], style)]
                if classes:
                    cells.append(num(None if p is None else p[b, i], "decimal"))
                table.add_row(label, *cells,
                              num(None if rec.y is None else rec.y[b, i], style),
                              num(None if rec.loss_delta is None else rec.loss_delta[b, i], style))
        if len(rec.samples) > batch:
            table.add_line(Text(f"{batch} of {len(rec.samples)} samples", style="dim"))
        lines = [table.text(), Text(""), Text("loss ", style="bold").append_text(
            num(rec.loss, style))]
        if classes:
            lines.append(self.accuracy(view))
        return Text("\n").join([*lines, *self.change(view)])

    @staticmethod
    def accuracy(view: View) -> Text:
        """The batch's accuracy once the loss is known (· before): ▸ marks the prediction."""
        rec = view.record
        line = Text("accuracy ", style="bold")
        if rec.loss is None:
            return line.append("·", style="dim").append("  ▸ predicted", style="dim")
        right = view.model.loss.correct(rec.outputs[-1], rec.y)
        share = float(np.mean(right))
        line.append(f"{share:.0%}", style="green" if share == 1 else "")
        if len(right) > 1:
            line.append(f" ({float(np.sum(right)):g} of {len(right)})", style="dim")
        return line.append("  ▸ predicted", style="dim")

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
