"""A dialog over the debugger that follows the cursor: stepping keys (n p → ← ] [) and the
number format (f) work while it is open, and it redraws whenever the record or the format
changes. Subclasses say what it shows (``title`` and ``body``)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .dialog import DIALOG_CSS

# #live in dialogs.tcss: width, max-width and max-height (percent of the screen); its border
# and padding across; its border, the title and its margin, and the hint's margin down
LIVE_WIDTH, LIVE_PERCENT, LIVE_HEIGHT = 120, 98, 95
LIVE_FRAME, LIVE_ROWS = 2 + 2, 2 + 2 + 1

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
        self.fit_body(self.app.size)
        self.watch(self.app, "record", self.redraw, init=False)
        self.watch(self.app, "style", self.redraw, init=False)
        self.watch(self.app, "selected", self.redraw, init=False)
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_body(event.size)

    def fit_body(self, screen: Size) -> None:
        """The body's most rows: what #live (95 % of the screen) leaves beside its border, the
        title and the hint, so that the hint (how to step and close) is never cut; the body
        scrolls. (Its 80 % of the screen left the hint none on a 24-row screen.)"""
        width = min(LIVE_WIDTH, screen.width * LIVE_PERCENT // 100) - LIVE_FRAME
        hint = len(Text(self.hint).wrap(self.app.console, max(1, width)))
        rows = screen.height * LIVE_HEIGHT // 100 - LIVE_ROWS - hint
        self.query_one("#live-body").styles.max_height = max(3, min(rows,
                                                                    screen.height * 80 // 100))

    def redraw(self, *_: object) -> None:
        self.query_one("#live-title", Label).update(self.heading())
        self.query_one("#live-text", Static).update(self.content())

    def heading(self) -> str:
        raise NotImplementedError

    def content(self) -> RenderableType:
        raise NotImplementedError

    def action_close(self) -> None:
        self.dismiss(None)
