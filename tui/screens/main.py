"""The debugger's screen: header, layer panels and the loss left to right, data and sign
analysis, the timeline, a status line and the footer. It holds the key bindings (so that
dialogs, being modal, never see them) and pushes each new view down to its widgets."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from ..widgets.common import View
from ..widgets.data_panel import DataPanel
from ..widgets.header_bar import HeaderBar
from ..widgets.layer_panel import LayerPanel
from ..widgets.loss_panel import LossPanel
from ..widgets.sign_table import SignTable
from ..widgets.status_line import StatusLine
from ..widgets.timeline import Timeline

# Selection moves with tab / shift+tab, ↑ / ↓ and j / k; ← / → always step through training.
BINDINGS = [
    Binding("n,right", "app.next_op", "next op"),
    Binding("p,left", "app.prev_op", "prev op"),
    Binding("right_square_bracket", "app.next_iteration", "iteration▶", key_display="]"),
    Binding("left_square_bracket", "app.prev_iteration", "◀iteration", key_display="[",
            show=False),
    Binding("right_curly_bracket", "app.next_epoch", "end of next epoch", key_display="}",
            show=False),
    Binding("left_curly_bracket", "app.prev_epoch", "end of previous epoch", key_display="{",
            show=False),
    Binding("home", "app.first", "first operation (start)", show=False),
    Binding("end", "app.last", "last operation (computes)", show=False),
    Binding("g", "app.goto_iteration", "go to"),
    Binding("c", "app.continue", "continue"),
    Binding("C", "app.reverse_continue", "reverse-continue", key_display="C", show=False),
    Binding("b", "app.breakpoints", "breaks"),
    Binding("x", "app.gradcheck", "grad check", show=False),
    Binding("escape", "app.cancel", "cancel a run", show=False),
    Binding("tab,down,j", "app.select(1)", "next weight", show=False),
    Binding("shift+tab,up,k", "app.select(-1)", "previous weight", show=False),
    Binding("e", "app.edit_weight", "edit"),
    Binding("a", "app.edit_lr", "α"),
    Binding("i", "app.edit_data('input')", "edit an input of the sample", show=False),
    Binding("t", "app.edit_data('target')", "edit a target of the sample", show=False),
    Binding("u", "app.undo", "undo"),
    Binding("f", "app.cycle_format", "format"),
    Binding("pageup", "scroll(-1)", "scroll the panels up", show=False),
    Binding("pagedown", "scroll(1)", "scroll the panels down", show=False),
    Binding("question_mark", "app.help", "help", key_display="?"),
    Binding("q", "app.quit", "quit"),
]

HELP_EXTRA = [
    ("click timeline", "go to that operation"),
]


class Pane(VerticalScroll, can_focus=False):
    """Scrolls with the mouse; never takes focus (so arrow keys stay bound to stepping)."""


class Strip(HorizontalScroll, can_focus=False):
    """The layer panels, scrolling sideways when the model is wider than the screen."""


class MainScreen(Screen):
    AUTO_FOCUS = None
    BINDINGS = BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # True once composed: the app pushes views only from then on

    def on_mount(self) -> None:
        self.ready = True
        self.app.refresh_view()

    def compose(self) -> ComposeResult:
        model = self.app.session.model
        yield HeaderBar(id="header")
        with Pane(id="body"):
            with Strip(id="layers"):
                for k in range(len(model.layers)):
                    yield LayerPanel(k, id=f"layer-{k}", classes="panel")
                yield LossPanel(id="loss", classes="panel")
            with Horizontal(id="lower"):
                yield DataPanel(id="data", classes="panel")
                yield SignTable(id="signs", classes="panel")
        yield Timeline(id="timeline")
        yield StatusLine(id="status")
        yield Footer()

    def show(self, view: View, message: str, error: bool = False, busy: bool = False) -> None:
        """Push ``view`` down to every widget."""
        for widget in self.query("HeaderBar, LayerPanel, LossPanel, DataPanel, SignTable, "
                                 "Timeline"):
            widget.show(view)
        self.query_one(StatusLine).say(message, error, busy)

    def on_resize(self, event: events.Resize) -> None:
        """Below 110 columns the data panel and the sign table stack instead of sitting side by
        side (Textual CSS has no media queries)."""
        self.set_class(event.size.width < 110, "-narrow")

    def action_scroll(self, direction: int) -> None:
        body = self.query_one("#body", Pane)
        body.scroll_to(y=body.scroll_y + direction * max(1, body.size.height - 2), animate=False)
