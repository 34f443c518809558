"""Every key and what it does (opened with ?)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .dialog import DIALOG_CSS
from .main import BINDINGS, HELP_EXTRA

NAMES = {"right": "→", "left": "←", "up": "↑", "down": "↓", "right_square_bracket": "]",
         "left_square_bracket": "[", "right_curly_bracket": "}", "left_curly_bracket": "{",
         "question_mark": "?", "slash": "/", "shift+tab": "shift+tab", "equals_sign": "="}

DESCRIPTIONS = {  # one line each: the help shows two columns of keys
    "app.next_op": "next operation (computed first time)",
    "app.prev_op": "previous operation (bit-identical)",
    "app.next_iteration": "end of this iteration, or of the next",
    "app.prev_iteration": "end of the previous iteration",
    "app.next_epoch": "end of this epoch, or of the next",
    "app.prev_epoch": "end of the previous epoch",
    "app.first": "first operation (before training)",
    "app.last": "last operation of training",
    "app.goto_iteration": "go to: 12, 12:backward:L3, 12:loss …",
    "app.continue": "continue to the next breakpoint hit",
    "app.reverse_continue": "reverse-continue to the previous hit",
    "app.breakpoints": "breakpoints: add, on / off, remove",
    "app.gradcheck": "gradient check of this iteration",
    "app.cancel": "cancel a long run",
    "app.select(1)": "select the next weight",
    "app.select(-1)": "select the previous weight",
    "app.select_largest(1)": "select the next weight by |δw|",
    "app.select_largest(-1)": "select the previous weight by |δw|",
    "app.find": "find a weight, bias or neuron by name",
    "app.drill": "the selected weight's row in full",
    "app.sign_filter": "sign table: all/largest/moving/against",
    "app.edit_weight": "edit the selected weight (branches)",
    "app.edit_lr": "edit the learning rate α (branches)",
    "app.edit_data('input')": "edit an input: NAME = VALUE",
    "app.edit_data('target')": "edit a target: NAME = VALUE",
    "app.undo": "undo the last edit",
    "app.cycle_format": "numbers: fraction, decimal, scientific",
    "app.plot": "loss plot: panel, full screen, hidden",
    "app.plot_log": "loss plot: log / linear scale",
    "app.explain": "the arithmetic behind the selection",
    "app.compare": "this branch against its parent (Δ)",
    "app.save_weights": "save the weights (.safetensors / .npz)",
    "app.save_branch": "save this branch as a scenario (.toml)",
    "scroll(-1)": "scroll the panels up",
    "scroll(1)": "scroll the panels down",
    "app.help": "this help",
    "app.quit": "quit (the session is kept)",
}


HELP_WIDTH, HELP_MAX_PERCENT = 120, 98  # #help in app.tcss: width, max-width
HELP_FRAME = 2 + 4 + 2  # its border, its padding and the scroll bar


def key_text(keys: str) -> str:
    return " ".join(NAMES.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    CSS_PATH = DIALOG_CSS

    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def rows(self) -> list[tuple[str, str]]:
        last = ("app.help", "app.quit")  # first in the footer, last here
        ordered = [b for b in BINDINGS if b.action not in last]
        ordered += [b for b in BINDINGS if b.action in last]
        rows = [(key_text(b.key), DESCRIPTIONS.get(b.action, b.description)) for b in ordered]
        return rows + HELP_EXTRA

    def table(self, width: int) -> Table:
        """Two column pairs when every description fits one line in them (every key on a
        40-row terminal), else one pair: a narrow terminal scrolls rather than wraps."""
        rows = self.rows()
        half = -(-len(rows) // 2)
        widest = [max(cell_len(r[i]) for r in part) for part in (rows[:half], rows[half:])
                  for i in (0, 1)]
        inner = min(HELP_WIDTH, width * HELP_MAX_PERCENT // 100) - HELP_FRAME
        pairs = 2 if sum(widest) + 6 <= inner else 1  # 2 spaces between columns
        table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold",
                      expand=True)
        for _ in range(pairs):
            table.add_column("key", style="bold cyan", no_wrap=True)
            table.add_column("what it does", ratio=1)
        if pairs == 1:
            for row in rows:
                table.add_row(*row)
            return table
        for left, right in zip(rows[:half], rows[half:] + [("", "")]):
            table.add_row(*left, *right)
        return table

    def compose(self) -> ComposeResult:
        table = self.table(self.app.size.width)
        notes = Text(
            "values: 1/200, -0.25, 3e-4 · an edit recomputes the iteration on a new branch · "
            "a NaN or inf always stops c · conditions name weights w²[1,2] (or L2[0,1], 0-based)\n"
            "o^k output of layer k · δ^k = ∂Loss/∂X^k the learning flow at the input of "
            "layer k · δw^k = δ^{k+1}·o^{k−1} · ŵ = w − α·δw\n"
            "· = not computed yet at this operation · green positive, red negative, dim zero\n"
            "heat maps (big layers): brighter = larger |value| up to the ± scale shown, grey "
            "exactly 0, magenta NaN / inf, white the selected weight",
            style="dim")
        with VerticalScroll(id="help"):
            yield Label("nnstep — keys", id="dialog-title")
            yield Static(table, id="help-keys")
            yield Static(notes)
            yield Static("escape, q or ? closes", id="dialog-hint")

    def on_resize(self) -> None:
        self.query_one("#help-keys", Static).update(self.table(self.app.size.width))

    def action_close(self) -> None:
        self.dismiss(None)
