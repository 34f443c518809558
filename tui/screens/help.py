"""Every key and what it does (opened with ?)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .main import BINDINGS, HELP_EXTRA

NAMES = {"right": "→", "left": "←", "up": "↑", "down": "↓", "right_square_bracket": "]",
         "left_square_bracket": "[", "right_curly_bracket": "}", "left_curly_bracket": "{",
         "question_mark": "?", "shift+tab": "shift+tab"}

DESCRIPTIONS = {
    "app.next_op": "next operation (computes it the first time)",
    "app.prev_op": "previous operation (rewinds; nothing is recomputed)",
    "app.next_iteration": "end (weight update) of this iteration, or of the next one",
    "app.prev_iteration": "end of the previous iteration",
    "app.goto_iteration": "go to the end of an iteration (0 = start of training)",
    "app.continue": "continue to the next breakpoint hit or the end (NaN / inf always stop)",
    "app.reverse_continue": "reverse-continue: back to the previous breakpoint hit",
    "app.breakpoints": "breakpoints: add (loss rises, sign L2[0,1], blocked …) or remove",
    "app.gradcheck": "gradient check: this iteration's δw against finite differences",
    "app.edit_weight": "edit the selected weight: 1/200, -0.25, 3e-4 (starts a branch)",
    "app.edit_lr": "edit the learning rate α (starts a branch)",
    "app.undo": "undo the last edit (back to the branch it was made on)",
    "app.cycle_format": "number format: fraction → decimal → scientific",
    "app.help": "this help",
    "app.quit": "quit",
}


def key_text(keys: str) -> str:
    return " ".join(NAMES.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), pad_edge=False, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("what it does")
        for b in BINDINGS:
            table.add_row(key_text(b.key), DESCRIPTIONS.get(b.action, b.description))
        for keys, what in HELP_EXTRA:
            table.add_row(keys, what)
        notes = Text(
            "\no^k output of layer k · δ^k = ∂Loss/∂X^k the learning flow at the input of "
            "layer k · δw^k = δ^{k+1}·o^{k−1} · ŵ = w − α·δw\n"
            "· = not computed yet at this operation · green positive, red negative, dim zero",
            style="dim")
        with VerticalScroll(id="help"):
            yield Label("nnstep — keys", id="dialog-title")
            yield Static(table)
            yield Static(notes)
            yield Static("escape, q or ? closes", id="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
