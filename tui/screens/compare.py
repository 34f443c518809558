"""An edited branch against its parent at the same operation (key v): the Δ of the loss, of each
output and of each weight — a big layer's largest changes and how many changed
(engine/compare.py)."""

from __future__ import annotations

from typing import Any

from nnstep.engine.compare import Change, Comparison
from nnstep.engine.format import fmt
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding

from ..widgets.common import FRACTION_WIDTH, sign_style
from .live import LiveScreen


class CompareScreen(LiveScreen):
    """Draws what ``compare()`` returns: a Comparison, or a sentence saying why there is none."""

    BINDINGS = [Binding("v", "close", "close")]
    hint = "n p → ← ] [ step · f format · v or escape closes"

    def __init__(self, compare: Any) -> None:
        super().__init__()
        self.compare = compare  # () -> Comparison | str, at the cursor

    def heading(self) -> str:
        s = self.app.session
        if s.branch.parent is None:
            return "compare with the parent branch"
        return (f"branch {s.branch.id} against branch {s.branch.parent} · operation "
                f"{s.cursor}: {s.label()}")

    def content(self) -> RenderableType:
        result = self.compare()
        if isinstance(result, str):
            return Text(result, style="dim")
        style = self.app.style
        s = self.app.session
        edit = s.branch.edit
        head = Text()
        head.append(f"edit {edit.describe()}", style="bold magenta")
        head.append(f" made at operation {s.branch.at} (iteration "
                    f"{s.schedule.locate(s.branch.at)[0]}); Δ = this branch − branch "
                    f"{s.branch.parent}", style="dim")
        if result.unchanged:
            head.append("\nnothing differs at this operation", style="bold")
        parts: list[RenderableType] = [head, Text("")]
        values = _table(style)
        if result.loss is not None:
            _row(values, result.loss, style)
        else:
            values.add_row("loss", Text("not computed yet at this operation", style="dim"),
                           "", "")
        for change in result.outputs:
            _row(values, change, style)
        if result.outputs_total > len(result.outputs):
            values.add_row(Text(f"… {result.outputs_total - len(result.outputs)} more outputs "
                                "(the largest |Δ| shown)", style="dim"), "", "", "")
        parts.append(values)
        for layer in result.layers:
            parts.append(Text(""))
            parts.append(_layer_head(layer, style))
            if layer.top:
                weights = _table(style)
                for change in layer.top:
                    _row(weights, change, style)
                parts.append(weights)
        return Group(*parts)


def _table(style: str) -> Table:
    table = Table(box=None, padding=(0, 2), pad_edge=False, header_style="bold")
    for head in ("", "parent", "this branch", "Δ"):
        table.add_column(head, justify="left" if not head else "right", no_wrap=True)
    return table


def _row(table: Table, change: Change, style: str) -> None:
    table.add_row(change.name, _num(change.before, style), _num(change.after, style),
                  Text(_text(change.delta, style), style=sign_style(change.delta)))


def _layer_head(layer: Any, style: str) -> Text:
    head = Text(f"{layer.layer}: ", style="bold")
    head.append(f"{layer.changed} of {layer.total} weights changed")
    if layer.changed:
        head.append(f" · largest |Δ| {fmt(layer.largest, 'decimal')}", style="dim")
    if layer.changed > len(layer.top):
        head.append(f" · the {len(layer.top)} largest:", style="dim")
    return head


def _num(value: Any, style: str) -> Text:
    return Text(_text(value, style))


def _text(value: Any, style: str) -> str:
    return fmt(value, style, max_len=FRACTION_WIDTH)


__all__ = ["CompareScreen", "Comparison"]
