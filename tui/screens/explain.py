"""The arithmetic behind the selected number (key =): its δw, its update and the δ it came from,
then its neuron's forward sum and flow, in the articles' notation with the numbers substituted
(engine/explain.py), at the cursor's operation, in the current number format."""

from __future__ import annotations

from nnstep.engine.explain import Explainer
from nnstep.engine.names import Target
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from .live import LiveScreen


def hang(line: str, width: int) -> str:
    """``line`` folded to ``width`` columns at spaces, each continuation indented 4 columns more
    than the line, so an equation that runs on reads as one: the result is never cut off."""
    if cell_len(line) <= width:
        return line
    body = line.lstrip(" ")
    first = line[:len(line) - len(body)]
    lead = first + "    "
    out, current = [], first
    for word in body.split(" "):
        if current.strip() and cell_len(f"{current} {word}") > width:
            out.append(current)
            current = lead + word
        else:
            current = f"{current} {word}" if current.strip() else current + word
    out.append(current)
    return "\n".join(out)


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

    def text_width(self) -> int:
        """Columns for the text: the body's width once laid out, else the dialog's share."""
        width = self.query_one("#live-body").scrollable_content_region.width - 2  # scroll bar
        return width if width > 20 else max(20, min(120, self.app.size.width * 98 // 100) - 6)

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self.redraw)  # folded to the width the body was given

    def on_resize(self) -> None:
        self.call_after_refresh(self.redraw)

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
        width = self.text_width()
        text = Text()
        text.append("\n".join(hang(line, width) for line in explainer.explain(target)))
        neuron = Target(target.layer, "o", (target.place[0],))
        name = neuron.label([spec.name for spec in s.model.layers])
        text.append(f"\n\nits neuron {name}:\n", style="bold")
        text.append("\n".join(hang(line, width) for line in explainer.explain(neuron)))
        text.append("\n\nδ^k = ∂Loss/∂X^k is the learning flow at the input of layer k; with a "
                    "batch, δw is the mean of the samples' terms.", style="dim")
        return text
