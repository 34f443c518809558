"""The drill-in (d): one neuron of a linear layer with every input in full — the input o^{k−1}
it multiplies, w, δw, ŵ, the predicted move and whether the weight moved that way. The cursor
starts on the selected weight; enter selects the weight under it; n / p show the next or the
previous neuron; escape closes."""

from __future__ import annotations

from nnstep.engine.format import count
from nnstep.engine.signs import sign_rows
from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from ..widgets.common import (
    View,
    Weight,
    input_names,
    neuron_label,
    num,
    short,
    sub,
    sup,
    weight_label,
)
from .dialog import DIALOG_CSS

MOVES = {"increase": "↑", "decrease": "↓", "keep": "="}
ROW_WIDTH, ROW_PERCENT = 110, 100  # #row-dialog in dialogs.tcss: width, max-width
ROW_FRAME = 2 + 4 + 2  # its border, its padding and the table's scroll bar
NAME_LEAST = 4  # letters of an input's name kept however narrow the screen


class RowScreen(ModalScreen["Weight | None"]):
    """Dismissed with the weight chosen by enter, or None (escape)."""

    CSS_PATH = DIALOG_CSS
    BINDINGS = [Binding("escape,q,d", "close", "close"),
                Binding("n", "neuron(1)", "next neuron"),
                Binding("p", "neuron(-1)", "previous neuron")]

    def __init__(self, view: View, weight: Weight) -> None:
        super().__init__()
        self.view, self.k, self.i = view, weight[0], weight[1]
        self.start = weight[2]  # the input the cursor starts on (None: the bias)
        self.places: list[Weight] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="row-dialog"):
            yield Label("", id="dialog-title", markup=False)
            yield Static("", id="dialog-prompt")
            yield DataTable(id="row-table", cursor_type="row", zebra_stripes=True)
            yield Static("↑ ↓ move · enter selects that weight · n / p next / previous neuron · "
                         "escape closes", id="dialog-hint")

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        """(Re)build the table for neuron ``self.i`` of layer ``self.k``."""
        view, k, i = self.view, self.k, self.i
        rec, style, model = view.record, view.style, view.model
        spec, K = model.layers[k], sup(k + 1)
        names = input_names(view, k)
        self.places = [(k, i, j) for j in range(len(names))] + ([(k, i, None)] if spec.bias
                                                               else [])
        self.query_one("#dialog-title", Label).update(
            f"{neuron_label(view, k, i)} (of {count(spec.size, 'neuron')}): its "
            f"{count(len(self.places), 'weight')}")
        o = rec.outputs[k] if rec.outputs else None
        nxt = rec.loss_delta if k == len(model.layers) - 1 else (
            rec.deltas[k + 1] if rec.deltas else None)
        head = Text(f"o{K}{sub(i + 1)} ", style="bold").append_text(
            num(None if o is None else o[0, i], style))
        head.append(f"   δ{sup(k + 2)}{sub(i + 1)} ", style="bold").append_text(
            num(None if nxt is None else nxt[0, i], style))
        if len(rec.samples) > 1:
            head.append(f"   (first of {len(rec.samples)} samples; δw is the batch mean)",
                        style="dim")
        self.query_one("#dialog-prompt", Static).update(head)
        x_in = rec.layer_input(k)
        w, g = rec.params[k], rec.grads[k] if rec.grads else None
        new = rec.new_params[k] if rec.new_params is not None else None
        known = {(r.layer, r.row, r.col): r for r in sign_rows(rec, model, self.places)}
        rows = []
        for place in self.places:
            j = place[2]
            values = [None if p is None else (p["b"][i] if j is None else p["w"][i, j])
                      for p in (w, g, new)]
            x = Text("1") if j is None else num(None if x_in is None else x_in[0, j], style)
            row = known.get(place)
            move = Text("·", style="dim")
            if row is not None:
                move = Text(MOVES.get(row.move, row.move))
                if row.moved is not None:
                    move.append(" ✓" if row.moved else f" ✗ {row.actual}",
                                style="green" if row.moved else "bold red")
            rows.append([Text(weight_label(view, place)), "bias" if j is None else names[j], x,
                         *(num(v, style) for v in values), move])
        heads = ["weight", "input", f"o{sup(k)}", "w", "δw", "ŵ", "move"]
        name_width = self._name_width(heads, rows)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*(heads if name_width else heads[:1] + heads[2:]))
        for row in rows:  # a feature's name: never markup
            name = [Text(short(row[1], name_width))] if name_width else []
            table.add_row(row[0], *name, *row[2:])
        at = len(self.places) - 1 if self.start is None and spec.bias else (self.start or 0)
        table.move_cursor(row=min(at, len(self.places) - 1))
        table.focus()

    def _name_width(self, heads: list[str], rows: list[list]) -> int:
        """The letters of the input names that let the table fit the dialog; 0: the input
        column is left out (the weight's name says which input it is). Names give way, never
        numbers: a table wider than the dialog scrolls sideways, and the column at its edge
        read as a shorter number (ŵ = -0.126875 as -0.12687)."""
        widths = [max([cell_len(h)] + [cell_len(str(r[n])) for r in rows])
                  for n, h in enumerate(heads)]
        room = (min(ROW_WIDTH, self.app.size.width * ROW_PERCENT // 100) - ROW_FRAME
                - 2 * len(heads))  # each cell's padding
        fits = widths[1] - max(0, sum(widths) - room)
        return fits if fits >= NAME_LEAST else 0

    def action_neuron(self, step: int) -> None:
        self.i = (self.i + step) % self.view.model.layers[self.k].size
        self.fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.places[event.cursor_row])

    def action_close(self) -> None:
        self.dismiss(None)
