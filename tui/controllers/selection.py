"""Which weight is selected: the next / previous one in model order (tab, ↑ ↓), along the
weights of largest |δw| (w / W), or chosen in the drill-in on its neuron (d). The status line
describes the selection when nothing else is said (``describe``)."""

from __future__ import annotations

from nnstep.engine.format import fmt
from nnstep.engine.signs import select_weights

from ..screens.row import RowScreen
from ..widgets.common import FRACTION_WIDTH as WIDTH
from ..widgets.common import View, Weight, input_names, value_of, weight_label
from .host import Host, Status

JUMP_LIMIT = 50  # w / W walk the weights of the 50 largest |δw|


class Selection:
    """Moves ``host.selected`` among ``weights`` (every selectable weight, model order)."""

    def __init__(self, host: Host, weights: list[Weight]) -> None:
        self.host, self.weights = host, weights

    def step(self, step: int) -> None:
        """tab / shift+tab: the next (step 1) or previous (−1) weight in model order."""
        if not self.weights:
            return
        sel = self.host.selected
        now = self.weights.index(sel) if sel in self.weights else -1
        self.host.status = Status()
        self.host.selected = self.weights[(now + step) % len(self.weights)]

    def largest(self, step: int) -> None:
        """w / W: the weight of next smaller (larger) |δw| among the 50 largest."""
        host = self.host
        s = host.session
        ranked = select_weights(s.record, s.model, "largest", JUMP_LIMIT)
        if not ranked:
            host.say("no δw yet at this operation: step through a backward pass first",
                     error=True)
            return
        sel = host.selected
        n = ranked.index(sel) + step if sel in ranked else (0 if step > 0 else len(ranked) - 1)
        n %= len(ranked)
        host.status = Status()
        host.selected = ranked[n]
        host.say(f"|δw| rank {n + 1} of the {len(ranked)} largest: "
                 f"{weight_label(host.view(), ranked[n])} · w next · W previous · d its row")

    def drill(self) -> None:
        """d: the selected weight's neuron with every input in full (enter selects a weight)."""
        host = self.host
        sel = host.selected
        if sel is None:
            host.say("no trainable weight in this model", error=True)
            return

        def chosen(weight: Weight | None) -> None:
            if weight is not None:
                host.selected = weight

        host.push_screen(RowScreen(host.view(), sel), chosen)

    def describe(self, view: View) -> str:
        """The status line's text when nothing else is said: the selected weight, its value
        (and on an edited branch its value and the loss before the edit)."""
        sel, style = view.selected, view.style
        if sel is None:
            return "no trainable weight in this model · ? help"
        k, i, j = sel
        rec = view.record
        source = "bias" if j is None else input_names(view, k)[j]
        text = (f"selected {weight_label(view, sel)} ({source} → "
                f"{view.model.layers[k].name} neuron {i + 1}) = "
                f"{fmt(value_of(rec.params, sel), style, max_len=WIDTH)}")
        parent = view.parent
        if parent is not None:  # old vs new, on an edited branch
            old = fmt(value_of(parent.params, sel), style, max_len=WIDTH)
            text += f" (before the edit {old})"
            if parent.loss is not None and rec.loss is not None:
                text += (f" · loss {fmt(rec.loss, style, max_len=WIDTH)} "
                         f"(before {fmt(parent.loss, style, max_len=WIDTH)})")
        return text + " · e edit · tab next weight"
