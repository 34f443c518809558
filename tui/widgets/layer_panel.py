"""One layer of the model: its neurons' outputs o^k and the flow δ^k at its input; for a linear
layer the weight matrix (rows = output neurons, columns = inputs) with w, δw and ŵ."""

from __future__ import annotations

from nnstep.engine.records import BACKWARD, FORWARD
from rich.cells import cell_len
from rich.text import Text
from textual.visual import Visual

from .common import (
    FINDING_MARKS,
    STATE_LABELS,
    View,
    Weight,
    input_names,
    layer_inputs,
    neuron_label,
    num,
    optimizer_state,
    pointing_at,
    row_label,
    same_key,
    short,
    sup,
    window,
)
from .grid import ByWidth, Columns, ever_drawn, first_fitting
from .layer_summary import LinearBody, is_big, neurons_body
from .panel import Panel

NAME_WIDTH = 10  # the least letters of a name shown; more when the width has room
NAME_WIDTHS = (24, 16, NAME_WIDTH)
# big layers and batches: a window around the selection, the first samples (as many as fit)
MAX_NEURONS, MAX_INPUTS, MAX_ROWS, MAX_BATCH = 4, 6, 16, 4
COMFORTABLE_INPUTS = 3  # inputs of the table whose width a small linear layer asks for
MAX_FINDINGS = 6  # more findings in one layer are summarised per kind
MAX_LISTED = 3  # neurons a summary names (L3 n1, L3 n2, L3 n3 … (+63)); four: all of them
MAX_ROW_INPUTS = 16  # a big layer's selected row shows at most this many of its inputs
ROW_FRAME, INPUT_COLUMN = 28, 12  # the row's label, bias and →o columns; one input's column


def big_row_inputs(width: int) -> int:
    """How many inputs of a big layer's selected row to try first at ``width``: from the width
    alone (a value and its gap take about 12 cells), so the count holds through an iteration while
    values come and go."""
    return max(1, min(MAX_ROW_INPUTS, (width - ROW_FRAME) // INPUT_COLUMN))


class LayerPanel(Panel):
    """Layer ``k`` (0-based) of the model. Classes: -active (computed at this operation),
    -blocked (a blocked learning flow), -rounding (a sign decided by float rounding)."""

    def __init__(self, k: int, **kw) -> None:
        super().__init__(**kw)
        self.k = k
        self.heat_maps: list = []  # the heat maps shown (big linear layers), for tests
        self._sized_on: list[tuple] = []  # (inputs, table widths) of the views sized on

    HOLDS_STILL = True
    BIG_WIDTH = 60  # the width a big layer's panel (heat maps) asks for in an auto-sized column

    def _natural_width(self, container, viewport) -> int:
        if self.has_class("-big"):  # heat maps fill any width: ask for a comfortable one
            return self.BIG_WIDTH - self.styles.gutter.width
        return super()._natural_width(container, viewport)

    def _asks_width(self, content, container) -> int:
        if self.has_class("-big"):
            return self.BIG_WIDTH - self.styles.gutter.width
        return super()._asks_width(content, container)

    def _steps_of(self, reserve: Visual | None) -> list[int] | None:
        return None if self.has_class("-big") else super()._steps_of(reserve)

    def inputs(self, view: View) -> tuple:
        return layer_inputs(view, self.k)

    def looks(self, view: View) -> dict[str, bool]:
        k, op = self.k, view.record.op
        marks = {FINDING_MARKS.get(f.kind, ("", "", "", None))[3]
                 for f in view.findings if f.layer == k}
        return {"-active": op.kind in (FORWARD, BACKWARD) and op.layer == k,
                "-blocked": "-blocked" in marks, "-rounding": "-rounding" in marks,
                "-big": is_big(view.model, k) and view.model.layers[k].trainable}

    def decorate(self, view: View) -> None:
        super().decorate(view)
        spec = view.model.layers[self.k]
        self.border_title = f"{spec.name} · {spec.describe()}"

    def put(self, content: Text | ByWidth) -> None:
        self.heat_maps = content.maps if isinstance(content, ByWidth) else []
        super().put(content)

    def drawing(self, view: View) -> Text | ByWidth:
        k, rec = self.k, view.record
        spec = view.model.layers[k]
        mine = [f for f in view.findings if f.layer == k]
        big = is_big(view.model, k)
        body: LinearBody | list[Text]
        if big and spec.trainable:  # heat maps, statistics, and the selected neuron's row
            sel = view.selected
            here = bool(sel) and sel[0] == k
            i = sel[1] if here else 0
            whose = (f"the selected weight's row (d: all {view.model.layers[k - 1].size} "
                     "inputs)" if here else "the first neuron's row (no weight selected here)")
            title = Text(f"{neuron_label(view, k, i)}: {whose}", style="bold")
            def row(width: int) -> Text:  # as many inputs as the width has columns for
                return first_fitting((self._linear(view, max_neurons=1, max_inputs=n,
                                                   batch=2).text()
                                      for n in range(big_row_inputs(width), 0, -1)), width)

            body = LinearBody(view, k, title, row)
        elif big:
            body = neurons_body(view, k)
        else:  # as many inputs, samples and letters of names as the width has room for
            body = []
        findings: list[Text] = []
        if len(mine) > MAX_FINDINGS:  # one line per kind: how many, and the first few
            findings.extend(self._findings_summary(view, mine))
            mine = []
        lines: dict[tuple[str, str], int] = {}  # (text, colour) → how many, in order
        for f in mine:
            many = len(rec.samples) > 1 and f.sample >= 0
            where = (f.summary if f.summary  # a finding on the whole layer (a detector)
                     else f"×{int(f.value)}" if f.neuron < 0  # a summary finding: how many
                     else neuron_label(view, k, f.neuron)
                     + (f" #{f.sample + 1}" if many else ""))
            symbol, word, colour, _ = FINDING_MARKS.get(f.kind, ("•", f.kind, "yellow", None))
            line = (f"{symbol} {word} {where}", colour)
            lines[line] = lines.get(line, 0) + 1
        for (text, colour), count in lines.items():  # two sign flips in n1: one line, ×2
            findings.append(Text(text + (f" ×{count}" if count > 1 else ""), style=colour))
        # lines of one Text (or, for heat maps, drawn at the panel's width): cheap to measure
        # and paint, where Rich tables were measured and rendered anew at every paint
        if isinstance(body, LinearBody):
            drawn = ByWidth(lambda width, body=body: [*body.lines(width), *findings])
            drawn.maps = body.maps
            return drawn
        if body:
            return Text("\n").join([*body, *findings])
        return self._fitted(view, findings)

    @staticmethod
    def _findings_summary(view: View, mine: list) -> list[Text]:
        lines = []
        for kind in dict.fromkeys(f.kind for f in mine):
            units = sorted({f.neuron for f in mine if f.kind == kind and f.neuron >= 0})
            symbol, word, colour, _ = FINDING_MARKS.get(kind, ("•", kind, "yellow", None))
            summed = sum(int(f.value) for f in mine
                         if f.kind == kind and f.neuron < 0 and not f.summary)
            lines += [Text(f"{symbol} {word} {f.summary}", style=colour)
                      for f in mine if f.kind == kind and f.summary]
            if summed:  # summary findings (e.g. hundreds of sign flips) count, not list
                lines.append(Text(f"{symbol} {word} ×{summed}", style=colour))
            if not units:
                continue
            # "… (+1)" would take the room of the one it leaves out: all are named then
            shown = len(units) if len(units) <= MAX_LISTED + 1 else MAX_LISTED
            listed = ", ".join(neuron_label(view, mine[0].layer, n) for n in units[:shown])
            more = f" … (+{len(units) - shown})" if len(units) > shown else ""
            lines.append(Text(f"{symbol} {word} in {len(units)} units: {listed}{more}",
                              style=colour))
        return lines

    def _fitted(self, view: View, findings: list[Text]) -> ByWidth:
        """A small layer's table with as many inputs, samples of the batch and letters of
        names as the width has room for. The choice is made on what the end of the iteration
        shows (``view.end``), so the table keeps its columns through an iteration. It asks
        for the room of a comfortable table (``_comfortable``)."""
        spec = view.model.layers[self.k]
        build = self._linear if spec.trainable else self._neurons
        choices = self._choices(view)
        sizing = view.end or view
        tables = self._table_widths(sizing)
        noted = max((cell_len(line) for f in findings for line in f.plain.split("\n")),
                    default=0)

        def width_of(n: int) -> int:
            key = tuple(choices[n].items())
            if key not in tables:
                tables[key] = build(sizing, **choices[n]).width()
            return max(noted, tables[key])

        def draw(width: int) -> list[Text]:
            chosen = next((kw for n, kw in enumerate(choices) if width_of(n) <= width),
                          choices[-1])
            return [first_fitting([build(view, **chosen).text()], width), *findings]

        comfortable: list[int] = []  # the width it asks for, measured once

        def natural(_: int) -> int:
            if not comfortable:
                comfortable.append(max(noted, build(sizing, **self._comfortable(view)).width()))
            return comfortable[0]

        return ByWidth(draw, natural,
                       lambda: ever_drawn(width_of(n) for n in range(len(choices))))

    def _table_widths(self, sizing: View) -> dict[tuple, int]:
        """The widths of the tables of ``sizing`` (by choice), shared by every drawing sized
        on it: the cursor's at each step of the iteration, and the end's own."""
        key = self.inputs(sizing)
        for known, widths in self._sized_on:
            if same_key(known, key):
                return widths
        self._sized_on = [(key, {}), *self._sized_on[:1]]  # the iteration's end and the next
        return self._sized_on[0][1]

    def _choices(self, view: View) -> list[dict]:
        """Table sizes, richest first: the samples of the batch (as many as MAX_BATCH, then
        fewer), each with longer names first; then (a linear layer) fewer inputs around the
        selection, with one sample."""
        batch = min(len(view.record.samples) or 1, MAX_BATCH)
        out = [dict(batch=b, name_width=w) for b in range(batch, 0, -1) for w in NAME_WIDTHS]
        if view.model.layers[self.k].trainable:
            inputs = view.model.layers[self.k - 1].size
            out = [dict(max_inputs=inputs, **kw) for kw in out]
            out += [dict(max_inputs=n, batch=1, name_width=w)
                    for n in range(inputs - 1, 0, -1) for w in NAME_WIDTHS]
        return out

    def _comfortable(self, view: View) -> dict:
        """The table whose width the panel asks for: one sample of a batch, COMFORTABLE_INPUTS
        inputs; given a wider column (the grid's last, or a row of its own) it shows more."""
        if view.model.layers[self.k].trainable:
            inputs = view.model.layers[self.k - 1].size
            return dict(max_inputs=min(inputs, COMFORTABLE_INPUTS), batch=1)
        return dict(batch=1)

    def _neurons(self, view: View, batch: int, name_width: int = NAME_WIDTH) -> Columns:
        """Input / activation layers: one row per neuron, o^k and δ^k (sizes are equal), for
        the first ``batch`` samples of the batch."""
        k, rec, style = self.k, view.record, view.style
        K = sup(k + 1)
        tag = [f" #{s + 1}" if len(rec.samples) > 1 else "" for s in (rec.samples or (0,))]
        tag = tag[:batch]
        table = Columns("", *[f"o{K}{t}" for t in tag], *[f"δ{K}{t}" for t in tag])
        names = input_names(view, k) if k == 0 else [
            neuron_label(view, k, j) for j in range(view.model.layers[k].size)]
        o, d = rec.outputs[k] if rec.outputs else None, rec.deltas[k] if rec.deltas else None
        shown = window(len(names), None, MAX_ROWS)
        for j in shown:
            name = names[j]
            cells = [num(None if o is None else o[b, j], style) for b in range(batch)]
            cells += [num(None if d is None else d[b, j], style) for b in range(batch)]
            table.add_row(short(name, name_width), *cells)
        if len(shown) < len(names):
            table.add_line(Text(f"… {len(names) - len(shown)} more", style="dim"))
        if len(rec.samples) > batch:
            table.add_line(Text(f"{batch} of {len(rec.samples)} samples", style="dim"))
        return table

    def _linear(self, view: View, max_neurons: int = MAX_NEURONS, max_inputs: int = MAX_INPUTS,
                batch: int = 1, name_width: int = NAME_WIDTH) -> Columns:
        """Rows per output neuron i: w, δw, the optimizer's state (v, or m and v: the state the
        iteration starts from, the new one from the update on; · before the first update), ŵ
        across inputs j (and b), labelled w²[i,·], δw²[i,·], m²[i,·], v²[i,·], ŵ²[i,·]; δ^k
        over the inputs on top and o^k of neuron i at the right of its w row, a row or a
        column per sample for the first ``batch`` samples."""
        k, rec, style = self.k, view.record, view.style
        spec = view.model.layers[k]
        K = sup(k + 1)
        sel = view.selected if view.selected and view.selected[0] == k else None
        all_names = input_names(view, k)
        cols = window(len(all_names), sel[2] if sel else None, max_inputs)
        rows = window(spec.size, sel[1] if sel else None, max_neurons)
        names = [short(all_names[j], name_width) for j in cols]
        batch = min(len(rec.samples) or 1, batch)
        tags = [f" #{rec.samples[b] + 1}" if len(rec.samples) > 1 else "" for b in range(batch)]
        table = Columns("", *names, *(["b"] if spec.bias else []), *[f"→o{K}{t}" for t in tags])
        d = rec.deltas[k] if rec.deltas else None
        for b in range(batch):
            row = [num(None if d is None else d[b, j], style) for j in cols]
            table.add_row(f"δ{K}{tags[b]}", *row)
        w = rec.params[k]
        g = rec.grads[k] if rec.grads else None
        new = rec.new_params[k] if rec.new_params is not None else None
        o = rec.outputs[k] if rec.outputs else None
        sel = view.selected
        state = optimizer_state(rec, k)
        for i in rows:
            states = [(STATE_LABELS.get(name, name), arrays) for name, arrays in state.items()]
            for key, source in (("w", w), ("δw", g), *states, ("ŵ", new)):
                cells = [num(None if source is None else source["w"][i, j], style,
                             sel == (k, i, j), pointing_at(Weight(k, i, j))) for j in cols]
                if spec.bias:
                    cells.append(num(None if source is None else source["b"][i], style,
                                     sel == (k, i, None), pointing_at(Weight(k, i, None))))
                outs = ([num(None if o is None else o[b, i], style) for b in range(batch)]
                        if source is w else [])
                table.add_row(row_label(key, k, i), *cells, *outs)
        if len(cols) < len(all_names) or len(rows) < spec.size:
            table.add_line(Text(f"inputs {cols.start + 1}–{cols.stop} of {len(all_names)},"
                                f" neurons {rows.start + 1}–{rows.stop} of {spec.size}",
                                style="dim"))
        return table
