"""The gradient check of the current iteration (opened with x): per linear layer, the worst
relative error between each analytic δw and its central finite difference."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .dialog import DIALOG_CSS

GOOD, DOUBT = 1e-6, 1e-3  # worst relative error: below GOOD fine, above DOUBT wrong


class GradcheckScreen(ModalScreen[None]):
    CSS_PATH = DIALOG_CSS

    BINDINGS = [Binding("escape,x,q", "close", "close")]

    def __init__(self, title: str, checks: list) -> None:
        super().__init__()
        self.title_text, self.checks = title, checks

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
        wheres = [len(c.where or "·") for c in self.checks]
        for n, head in enumerate(("layer", "weights", "kinks", "worst error", "where",
                                  "analytic", "numeric")):
            # a weight's name (w²[12,34]) and the numbers are never cut: on a narrow screen
            # the first three columns give way (Rich narrows the columns that may wrap first;
            # it cut the last column's numbers short, 0.00656385 as 0.0065638)
            table.add_column(head, justify="right" if head != "layer" else "left",
                             no_wrap=n >= 3,
                             min_width=max(wheres, default=1) if head == "where" else None)
        for c in self.checks:
            colour = "green" if c.worst < GOOD else "yellow" if c.worst < DOUBT else "bold red"
            table.add_row(c.layer, str(c.checked), str(c.kinks),
                          Text(f"{c.worst:.2e}", style=colour), c.where or "·",
                          f"{c.analytic:.6g}", f"{c.numeric:.6g}")
        note = Text(
            "numeric (n): (L(w+h) − L(w−h)) / 2h in float64, against the analytic δw (a), per "
            "weight (kinks: weights at a kink, below); error "
            f"|a − n| / max(|a|, |n|): green < {GOOD:g}, red > {DOUBT:g}. A weight whose ±h "
            "moves a ReLU input across 0 sits at a kink, where finite differences say nothing: "
            "counted apart. Layers over 200 weights are sampled.", style="dim")
        if any(c.worst != c.worst for c in self.checks):
            note.append("\nnan (red): float64 cannot compute the error at that weight: its loss "
                        "or δw is NaN or beyond float range.", style="bold red")
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Static(table)
            yield Static(note, id="dialog-prompt")
            yield Static("escape or x closes", id="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
