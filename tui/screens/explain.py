"""The arithmetic behind the selected number (key =): its δw, its update and the δ it came from,
then its neuron's forward sum and flow, in the articles' notation with the numbers substituted
(engine/explain.py), at the cursor's operation, in the current number format."""

from __future__ import annotations

from nnstep.engine.explain import Explainer
from nnstep.engine.names import Target
from rich.text import Text
from textual.binding import Binding

from .live import LiveScreen


class ExplainScreen(LiveScreen):
    BINDINGS = [Binding("equals_sign", "close", "close"),
                Binding("tab", "app.select(1)", "next weight"),
                Binding("shift+tab", "app.select(-1)", "previous weight")]
    hint = "n p → ← ] [ step · tab / shift+tab another weight · f format · = or escape closes"

    def heading(self) -> str:
        app = self.app
        rec, s = app.session.record, app.session
        where = f"operation {s.cursor}: {s.label(rec)}"
        target = self.target()
        name = target.label([spec.name for spec in s.model.layers]) if target else "nothing"
        return f"explain {name} · iteration {rec.iteration} · {where}"

    def target(self) -> Target | None:
        sel = self.app.selected
        if sel is None:
            return None
        k, i, j = sel
        return Target(k, "b", (i,)) if j is None else Target(k, "w", (i, j))

    def content(self) -> Text:
        app = self.app
        s = app.session
        target = self.target()
        if target is None:
            return Text("no weight in this model to explain", style="dim")
        explainer = Explainer(s.record, s.model, app.style, s.scenario.features)
        text = Text()
        text.append("\n".join(explainer.explain(target)))
        neuron = Target(target.layer, "o", (target.place[0],))
        name = neuron.label([spec.name for spec in s.model.layers])
        text.append(f"\n\nits neuron {name}:\n", style="bold")
        text.append("\n".join(explainer.explain(neuron)))
        text.append("\n\nδ^k = ∂Loss/∂X^k is the learning flow at the input of layer k; with a "
                    "batch, δw is the mean of the samples' terms.", style="dim")
        return text
