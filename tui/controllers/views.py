"""Views over the run besides the main panels: the loss plot (l cycles panel → full screen →
hidden, L toggles a log scale), the arithmetic behind the selected number (=), and the edited
branch against its parent (v). Each screen is loaded when first opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .host import Host

if TYPE_CHECKING:
    from nnstep.engine.compare import Comparison

PLOT_MODES = ("hidden", "panel", "full")
COMPUTE_LIMIT = 20_000  # operations of the parent branch computed to compare, at most


class Views:
    """The plot's mode and scale; opens the explanation and the comparison."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.plot_mode = "hidden"
        self.log = False

    def cycle_plot(self) -> None:
        """l: the plot as a panel, then over the whole body, then hidden."""
        self.plot_mode = PLOT_MODES[(PLOT_MODES.index(self.plot_mode) + 1) % len(PLOT_MODES)]
        self.host.show_plot(self.plot_mode, self.log)
        words = {"hidden": "loss plot hidden · l shows it",
                 "panel": "loss plot · l full screen · L log scale",
                 "full": "loss plot, full screen · n p ] [ step · l hides · L log scale"}
        self.host.say(words[self.plot_mode])

    def toggle_log(self) -> None:
        """L: a log scale for the plot (showing the plot if hidden)."""
        self.log = not self.log
        if self.plot_mode == "hidden":
            self.plot_mode = "panel"
        self.host.show_plot(self.plot_mode, self.log)
        self.host.say(f"loss plot: {'log' if self.log else 'linear'} scale · L toggles")

    def explain(self) -> None:
        """=: the arithmetic behind the selected weight and its neuron."""
        if self.host.selected is None:
            self.host.say("no weight in this model to explain", error=True)
            return
        from ..screens.explain import ExplainScreen

        self.host.push_screen(ExplainScreen())

    def compare(self) -> None:
        """v: this branch against the one it was edited from, at the cursor."""
        from ..screens.compare import CompareScreen

        self.host.push_screen(CompareScreen(self.comparison))

    def comparison(self) -> Comparison | str:
        """The comparison at the cursor, or why there is none."""
        s = self.host.session
        if s.branch.parent is None:
            return ("no edit on this branch: e, a, i or t make one (a new branch), and v then "
                    "compares it with the branch it came from, operation by operation")
        parent = s.branches[s.branch.parent]
        done = len(parent.records) - 1
        if s.cursor - done > COMPUTE_LIMIT:
            return (f"branch {parent.id} is computed up to operation {done}: go back, or step "
                    f"it there first (u undoes the edit, then come back with the cursor)")
        try:
            before = s.parent_record(compute=True)
        except Exception as problem:  # runaway fractions, …: say it, never crash
            return f"branch {parent.id} cannot be computed up to here: {problem}"
        if before is None:
            return f"branch {parent.id} ends before operation {s.cursor}"
        from nnstep.engine.compare import compare

        names = [spec.name for spec in s.model.layers]
        return compare(s.record, before, names, s.branch.id, parent.id)

