"""Which weight is selected: the next / previous one in model order (tab, ↑ ↓), along the
weights of largest |δw| (w / W), chosen in the drill-in on its neuron (d), found by the name the
screen shows (/, read by ``engine.names.parse_name``), or clicked. The status line describes the
selection when nothing else is said (``describe``)."""

from __future__ import annotations

from collections.abc import Sequence

from nnstep.engine.format import fmt
from nnstep.engine.names import BadName, Target, parse_name, shown_features
from nnstep.engine.weight_choice import select_weights

from ..widgets.common import FRACTION_WIDTH as WIDTH
from ..widgets.common import View, Weight, input_names, neuron_label, value_of, weight_label
from .host import Host, Status

JUMP_LIMIT = 50  # w / W walk the weights of the 50 largest |δw|


class Selection:
    """Moves ``host.selected`` among ``weights`` (every selectable weight, model order)."""

    def __init__(self, host: Host, weights: Sequence[Weight]) -> None:
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

    def pick(self, weight: Weight) -> None:
        """A weight clicked on the screen."""
        if weight in self.weights:
            self.host.status = Status()
            self.host.selected = weight

    def find_dialog(self) -> None:
        """/: a weight, a bias or a neuron by name."""
        from ..screens.dialog import FindDialog

        host = self.host
        if not self.weights:
            host.say("no trainable weight in this model", error=True)
            return
        host.push_screen(FindDialog(
            "find", "a weight, a bias or a neuron by the name the screen shows: "
            "w²[1,3] or w2[1,3], b²[1], L3 n2, or a feature name", "", self.find,
            host.cursor_blink, "enter select · escape cancel"))

    def find(self, text: str) -> str | None:
        """Select what ``text`` names: None when found, else why not. A neuron selects its
        first weight, or for an input or activation unit the first weight it feeds (the one
        that produces it when nothing follows)."""
        s = self.host.session
        try:
            target = parse_name(text, s.model.layers,
                                shown_features(s.scenario.features, s.model.layers[0].size))
        except BadName as problem:
            return str(problem)
        weight = self.weight_of(target)
        if weight is None:
            return f"{target.label(self._layer_names())} is not next to any weight"
        self.host.status = Status()
        self.host.selected = weight
        if target.key == "o":  # say which weight stands for the neuron
            self.host.say(f"{target.label(self._layer_names())}: "
                          f"{self.describe(self.host.view())}")
        return None

    def weight_of(self, target: Target) -> Weight | None:
        """The weight a found name selects (see ``find``)."""
        layers = self.host.session.model.layers
        k = target.layer
        if target.key == "w":
            return Weight(k, *target.place)
        if target.key == "b":
            return Weight(k, target.place[0], None)
        n = target.place[0]
        if layers[k].trainable:
            return Weight(k, n, 0)
        later = [j for j in range(k + 1, len(layers)) if layers[j].trainable]
        if later and all(layers[j].size == layers[k].size for j in range(k + 1, later[0])):
            return Weight(later[0], 0, n)  # the first weight it feeds
        earlier = [j for j in range(k) if layers[j].trainable]
        if earlier and layers[earlier[-1]].size == layers[k].size:
            return Weight(earlier[-1], n, 0)  # the weights producing it
        return None

    def _layer_names(self) -> list[str]:
        return [spec.name for spec in self.host.session.model.layers]

    def drill(self) -> None:
        """d: the selected weight's neuron with every input in full (enter selects a weight)."""
        from ..screens.row import RowScreen

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
                f"{neuron_label(view, k, i)}) = "
                f"{fmt(value_of(rec.params, sel), style, max_len=WIDTH)}")
        parent = view.parent
        if parent is not None:  # old vs new, on an edited branch
            old = fmt(value_of(parent.params, sel), style, max_len=WIDTH)
            text += f" (before the edit {old})"
            if parent.loss is not None and rec.loss is not None:
                text += (f" · loss {fmt(rec.loss, style, max_len=WIDTH)} "
                         f"(before {fmt(parent.loss, style, max_len=WIDTH)})")
        return text + " · e edit · tab next weight"
