"""The body of a layer panel for a layer too big to print: heat maps of w and δw (linear), the
layer's statistics (``engine.summary.layer_stats``) and its top-k values (``top_k``).

Not a widget: builders of Rich renderables used by ``LayerPanel``. Numbers are short (3
significant digits); the full values are in the drill-in (d) and the sign table.
"""

from __future__ import annotations

from typing import Any

from nnstep.engine.format import fmt
from nnstep.engine.summary import LayerStats, layer_stats, top_k
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .common import BLANK, BLANK_TEXT, View, sign_style, sup, weight_label
from .heatmap import HeatMap, legend

# a linear layer with more inputs or neurons than this shows heat maps instead of numbers
BIG_INPUTS, BIG_NEURONS = 12, 8
BIG_UNITS = 16  # an input / activation layer with more units shows statistics instead
HEAT_LINES = 6  # text lines per heat map (two matrix blocks per line)
TOP = 4  # top-k entries listed


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


_cache: dict[int, tuple[Any, list[LayerStats]]] = {}


def stats_of(view: View) -> list[LayerStats]:
    """``layer_stats`` of the view's record, computed once per record."""
    rec = view.record
    hit = _cache.get(id(view.session))
    if hit is None or hit[0] is not rec:
        hit = (rec, layer_stats(rec, view.model))
        _cache[id(view.session)] = hit
    return hit[1]


def stats_lines(view: View, k: int) -> list[Text]:
    """o range and mean, mean |δ|, the blocked share (ReLU), the weight range and mean |δw|."""
    s, style, K = stats_of(view)[k], view.style, sup(k + 1)
    lines = [_line(f"o{K} ", brief(s.o_min, style), " … ", brief(s.o_max, style),
                   " mean ", brief(s.o_mean, style)),
             _line(f"mean |δ{K}| ", brief(s.mean_abs_delta, style))]
    if view.model.layers[k].kind == "relu":
        share = (Text(BLANK_TEXT, style=BLANK) if s.blocked_share is None else
                 Text(f"{s.blocked_share:.0%}", style="bold red" if s.blocked_share else ""))
        lines.append(_line("blocked ", share))
    if s.w_min is not None:
        lines.append(_line(f"w{K} ", brief(s.w_min, style), " … ", brief(s.w_max, style),
                           f"  mean |δw{K}| ", brief(s.mean_abs_dw, style)))
    return lines


def neurons_body(view: View, k: int) -> RenderableType:
    """An input / activation layer: statistics and the units of largest |δ^k|."""
    rec, style, K = view.record, view.style, sup(k + 1)
    parts: list[RenderableType] = [*stats_lines(view, k)]
    d = rec.deltas[k] if rec.deltas else None
    o = rec.outputs[k] if rec.outputs else None
    if d is None:
        parts.append(_line(f"top |δ{K}| ", Text(BLANK_TEXT, style=BLANK)))
        return Group(*parts)
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim")
    table.add_column(f"top |δ{K}|", no_wrap=True)
    table.add_column(f"o{K}", justify="right", no_wrap=True)
    table.add_column(f"δ{K}", justify="right", no_wrap=True)
    many = len(rec.samples) > 1
    for (b, j), value in top_k(d, TOP):
        name = f"unit {j + 1}" + (f" #{rec.samples[b] + 1}" if many else "")
        table.add_row(name, brief(None if o is None else o[b, j], style), brief(value, style))
    parts.append(table)
    return Group(*parts)


def linear_body(view: View, k: int,
                selected_row: RenderableType) -> tuple[RenderableType, list[HeatMap]]:
    """A linear layer: heat maps of w and δw side by side with their legends, statistics, the
    weights of largest |δw|, then ``selected_row`` (the selected neuron's weights). Returns the
    body and its heat maps (which know their drawn size once rendered)."""
    rec, style, K = view.record, view.style, sup(k + 1)
    w = rec.params[k]["w"]
    grads = rec.grads[k] if rec.grads else None
    rows, cols = w.shape
    lines = min(HEAT_LINES, -(-rows // 2))
    sel = view.selected if view.selected and view.selected[0] == k else None
    mark = None if sel is None or sel[2] is None else (sel[1], sel[2])
    heat_w = HeatMap(w, lines, mark=mark)
    maps = Table.grid(expand=True, padding=(0, 2))
    maps.add_column(ratio=1)
    maps.add_column(ratio=1)
    if grads is None:
        heat_dw: RenderableType = Text(f"δw{K}: not computed yet at this operation",
                                       style="dim")
        dw_legend = Text("")
        maps_drawn = [heat_w]
    else:
        heat_dw = HeatMap(grads["w"], lines, mark=mark)
        maps_drawn = [heat_w, heat_dw]
        dw_legend = legend(f"δw{K}", heat_dw.scale, _scale_text(heat_dw.scale))
    maps.add_row(heat_w, heat_dw)
    maps.add_row(legend(f"w{K}", heat_w.scale, _scale_text(heat_w.scale)), dw_legend)
    caption = Text(f"{rows} neurons × {cols} inputs · a cell shows its block's largest |value|",
                   style="dim", no_wrap=True, overflow="ellipsis")
    parts: list[RenderableType] = [caption, maps, *stats_lines(view, k)]
    if grads is not None:
        top = Text("top |δw| ", style="dim")
        for n, ((i, j), value) in enumerate(top_k(grads["w"], TOP)):
            top.append("  " if n else "").append(weight_label(view, (k, i, j)) + " ")
            top.append_text(brief(value, style))
        parts.append(top)
    parts.append(selected_row)
    return Group(*parts), maps_drawn


def _scale_text(scale: float) -> str:
    return fmt(scale, "scientific", digits=2) if scale else "0 (all zero)"
