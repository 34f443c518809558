"""A dialog over the debugger that follows the cursor: stepping keys (n p → ← ] [) and the
number format (f) work while it is open, and it redraws whenever the record or the format
changes. Subclasses say what it shows (``title`` and ``body``)."""

from __future__ import annotations

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .dialog import DIALOG_CSS

STEPPING = [
    Binding("n,right", "app.next_op", "next op"),
    Binding("p,left", "app.prev_op", "prev op"),
    Binding("right_square_bracket", "app.next_iteration", "iteration▶", key_display="]"),
    Binding("left_square_bracket", "app.prev_iteration", "◀iteration", key_display="["),
    Binding("f", "app.cycle_format", "format"),
]


class LiveScreen(ModalScreen[None]):
    """Title, a scrolling body and a hint; escape or q closes it."""

    CSS_PATH = DIALOG_CSS
    BINDINGS = [*STEPPING, Binding("escape,q", "close", "close")]
    hint = "n p → ← ] [ step · f format · escape closes"

    def compose(self) -> ComposeResult:
        with Vertical(id="live"):
            yield Label("", id="live-title", markup=False)
            with VerticalScroll(id="live-body"):
                yield Static("", id="live-text")
            yield Static(self.hint, id="dialog-hint")

    def on_mount(self) -> None:
        self.watch(self.app, "record", self.redraw, init=False)
        self.watch(self.app, "style", self.redraw, init=False)
        self.watch(self.app, "selected", self.redraw, init=False)
        self.redraw()

    def redraw(self, *_: object) -> None:
        self.query_one("#live-title", Label).update(self.heading())
        self.query_one("#live-text", Static).update(self.content())

    def heading(self) -> str:
        raise NotImplementedError

    def content(self) -> RenderableType:
        raise NotImplementedError

    def action_close(self) -> None:
        self.dismiss(None)
