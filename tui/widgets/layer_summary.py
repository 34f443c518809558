"""The body of a layer panel for a layer too big to print: heat maps of w and δw (linear), the
layer's statistics (``engine.summary.layer_stats``) and its top-k values (``top_k``).

Not a widget: builders of the lines of a ``LayerPanel``. Numbers are short (3
significant digits); the full values are in the drill-in (d) and the sign table.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
from nnstep.engine.format import fmt
from nnstep.engine.memo import once
from nnstep.engine.summary import LayerStats, layer_stats, top_k
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from .common import (
    BLANK,
    BLANK_TEXT,
    View,
    input_names,
    neuron_label,
    sign_style,
    sup,
    weight_label,
)
from .grid import Columns
from .heatmap import heat_map, legend

# a linear layer with more inputs or neurons than this shows heat maps instead of numbers
BIG_INPUTS, BIG_NEURONS = 12, 8
BIG_UNITS = 16  # an input / activation layer with more units shows statistics instead
HEAT_LINES = 6  # text lines per heat map (two matrix blocks per line)
TOP = 4  # top-k entries listed
DIM = Style(dim=True)


def is_big(model: Any, k: int) -> bool:
    """True when layer ``k`` is summarised rather than printed in full."""
    spec = model.layers[k]
    if spec.trainable:
        return model.layers[k - 1].size > BIG_INPUTS or spec.size > BIG_NEURONS
    return spec.size > BIG_UNITS


def brief(value: Any, style: str) -> Text:
    """A number in 3 significant digits, coloured by its sign; None reads "·"."""
    if value is None:
        return Text(BLANK_TEXT, style=BLANK)
    return Text(fmt(value, "scientific" if style == "scientific" else "decimal", digits=3),
                style=sign_style(value))


def _line(*parts: str | Text) -> Text:
    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else Text(part, style="dim"))
    return out


def stats_of(view: View) -> list[LayerStats]:
    """``layer_stats`` of the view's record, computed once per record (the cursor's and the
    end of its iteration's are both drawn at every step)."""
    rec, model = view.record, view.model
    return once(rec, model, "layer_stats", lambda: layer_stats(rec, model))


def top_of(view: View, k: int, key: str, arr: np.ndarray) -> list:
    """``top_k(arr, TOP)`` of the view's record's layer ``k`` (``key``: "o", "δ", "δw"),
    computed once per record."""
    return once(view.record, view.model, ("top", k, key), lambda: top_k(arr, TOP))


def stats_lines(view: View, k: int) -> list[Text]:
    """o range and mean, mean |δ|, the blocked share (ReLU), the weight range and mean |δw|."""
    s, style, K = stats_of(view)[k], view.style, sup(k + 1)
    lines = [_line(f"o{K} ", brief(s.o_min, style), " … ", brief(s.o_max, style),
                   " mean ", brief(s.o_mean, style)),
             _line(f"mean |δ{K}| ", brief(s.mean_abs_delta, style))]
    if view.model.layers[k].recipe.blocks:
        share = (Text(BLANK_TEXT, style=BLANK) if s.blocked_share is None else
                 Text(f"{s.blocked_share:.0%}", style="bold red" if s.blocked_share else ""))
        lines.append(_line("blocked ", share))
    if s.w_min is not None:
        lines.append(_line(f"w{K} ", brief(s.w_min, style), " … ", brief(s.w_max, style),
                           f"  mean |δw{K}| ", brief(s.mean_abs_dw, style)))
    return lines


def neurons_body(view: View, k: int) -> list[Text]:
    """An input / activation layer: statistics and the units of largest |δ^k|."""
    rec, style, K = view.record, view.style, sup(k + 1)
    lines = stats_lines(view, k)
    d = rec.deltas[k] if rec.deltas else None
    o = rec.outputs[k] if rec.outputs else None
    if d is None:
        return [*lines, _line(f"top |δ{K}| ", Text(BLANK_TEXT, style=BLANK))]
    table = Columns(f"top |δ{K}|", f"o{K}", f"δ{K}", header_style="dim")
    many = len(rec.samples) > 1
    for (b, j), value in top_of(view, k, "δ", d):
        unit = input_names(view, 0)[j] if k == 0 else neuron_label(view, k, j)
        name = unit + (f" #{rec.samples[b] + 1}" if many else "")
        table.add_row(name, brief(None if o is None else o[b, j], style), brief(value, style))
    return [*lines, table.text()]


class LinearBody:
    """A linear layer: heat maps of w and δw side by side with their legends, statistics, the
    weights of largest |δw|, then ``title`` and the selected neuron's weights (``row(width)``:
    as many of its inputs as fit the width). Drawn at any width
    (``lines``); its heat maps (``maps``) know their drawn size once drawn, and a map of an
    array drawn lately is taken as it was (``heatmap.heat_map``)."""

    GAP = 2

    def __init__(self, view: View, k: int, title: Text, row: Callable[[int], Text]) -> None:
        rec, style, K = view.record, view.style, sup(k + 1)
        w = rec.params[k]["w"]
        grads = rec.grads[k] if rec.grads else None
        self.shape = rows, cols = w.shape
        lines = min(HEAT_LINES, -(-rows // 2))
        sel = view.selected if view.selected and view.selected[0] == k else None
        mark = None if sel is None or sel[2] is None else (sel[1], sel[2])
        self.maps = [heat_map(w, lines, mark)]
        self.legends = [legend(f"w{K}", self.maps[0].scale, _scale_text(self.maps[0].scale))]
        self.waiting = None
        if grads is None:
            self.waiting = f"δw{K}: not computed yet at this operation"
        else:
            self.maps.append(heat_map(grads["w"], lines, mark))
            self.legends.append(legend(f"δw{K}", self.maps[1].scale,
                                       _scale_text(self.maps[1].scale)))
        self.after = stats_lines(view, k)
        if grads is not None:
            top = Text("top |δw| ", style="dim")
            for n, ((i, j), value) in enumerate(top_of(view, k, "δw", grads["w"])):
                top.append("  " if n else "").append(weight_label(view, (k, i, j)) + " ")
                top.append_text(brief(value, style))
            self.after.append(top)
        self.title, self.row = title, row

    def lines(self, width: int) -> list[Text | Strip]:
        rows, cols = self.shape
        caption = Text(f"{rows} neurons × {cols} inputs · cell = its block's largest |value|",
                       style="dim")
        caption.truncate(width, overflow="ellipsis")
        half = max(4, (width - self.GAP) // 2)
        left = self.maps[0].strips(half)
        if self.waiting is None:
            right = self.maps[1].strips(half)
        else:
            right = [Strip([Segment(piece, DIM)])
                     for piece in textwrap.wrap(self.waiting, half)]
        out: list[Text | Strip] = [caption]
        for n in range(max(len(left), len(right))):
            a = left[n] if n < len(left) else Strip([])
            b = right[n] if n < len(right) else Strip([])
            out.append(Strip.join([a.extend_cell_length(half + self.GAP), b]))
        legends = [x.copy() for x in self.legends]
        if len(legends) > 1:
            legends[0].pad_right(max(1, half + self.GAP - legends[0].cell_len))
        out.append(Text("").join(legends))
        out.extend(self.after)
        title = self.title.copy()
        title.truncate(width, overflow="ellipsis")
        out.extend([title, self.row(width)])
        return out


def _scale_text(scale: float) -> str:
    return fmt(scale, "scientific", digits=2) if scale else "0 (all zero)"
