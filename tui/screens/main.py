"""The debugger's screen: header, layer panels and the loss left to right, data and sign
analysis, the timeline, a status line and the footer. It holds the key bindings (so that
dialogs, being modal, never see them) and pushes each new view down to its widgets."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, VerticalScroll
from textual.css.scalar import Unit
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer

from ..widgets.about_panel import AboutPanel
from ..widgets.common import View
from ..widgets.data_panel import DataPanel
from ..widgets.header_bar import HeaderBar
from ..widgets.layer_panel import LayerPanel
from ..widgets.loss_panel import LossPanel
from ..widgets.loss_plot import LossPlot
from ..widgets.panel import Panel, moment
from ..widgets.room import Plan, RowsLayout, rows_that_fit, share
from ..widgets.sign_table import SignTable
from ..widgets.status_line import StatusLine
from ..widgets.timeline import Timeline

# Selection moves with tab / shift+tab, ↑ / ↓ and j / k; ← / → always step through training.
# Help and quit come first so the footer never cuts them (the help screen lists them last).
BINDINGS = [
    Binding("question_mark", "app.help", "help", key_display="?"),
    Binding("q", "app.quit", "quit"),
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
    Binding("w", "app.select_largest(1)", "next weight by |δw|", show=False),
    Binding("W", "app.select_largest(-1)", "previous weight by |δw|", key_display="W",
            show=False),
    Binding("slash", "app.find", "find a weight or neuron by name", key_display="/",
            show=False),
    Binding("d", "app.drill", "row"),
    Binding("s", "app.sign_filter", "filter"),
    Binding("e", "app.edit_weight", "edit"),
    Binding("a", "app.edit_lr", "α"),
    Binding("i", "app.edit_data('input')", "edit an input of the sample", show=False),
    Binding("t", "app.edit_data('target')", "edit a target of the sample", show=False),
    Binding("u", "app.undo", "undo"),
    Binding("f", "app.cycle_format", "format"),
    Binding("l", "app.plot", "loss plot", show=False),
    Binding("L", "app.plot_log", "log scale of the loss plot", key_display="L", show=False),
    Binding("equals_sign", "app.explain", "explain", key_display="=", show=False),
    Binding("v", "app.compare", "versus parent", show=False),
    Binding("S", "app.save_weights", "save the weights", key_display="S", show=False),
    Binding("B", "app.save_branch", "save the branch as a scenario", key_display="B",
            show=False),
    Binding("pageup", "scroll(-1)", "scroll the panels up", show=False),
    Binding("pagedown", "scroll(1)", "scroll the panels down", show=False),
]

HELP_EXTRA = [
    ("click timeline", "go to that operation"),
    ("click a weight", "select it (a value or a sign row)"),
]


class Pane(VerticalScroll, can_focus=False):
    """Scrolls with the mouse; never takes focus (so arrow keys stay bound to stepping)."""


class Strip(HorizontalScroll, can_focus=False):
    """Panels in reading order, in rows as MainScreen.fit_panels plans them (the most panels a
    row holds, each row's room shared among its panels), scrolling sideways only when one panel
    is wider than the screen: the layer panels and the loss; the data and the sign table.
    ``fills``: the last panel of a row takes the room left even when the strip has one row."""

    def __init__(self, *children, fills: bool = False, **kw) -> None:
        super().__init__(*children, **kw)
        self._rows = RowsLayout([])
        self.fills = fills

    @property
    def layout(self) -> RowsLayout:  # type: ignore[override]
        return self._rows

    @property
    def plan(self) -> Plan:
        return self._rows.plan

    def follow(self, plan: Plan) -> None:
        """Lay the panels out in ``plan`` (rows of (panel, width)) when it changed."""
        if [[(id(w), n) for w, n in row] for row in plan] != [
                [(id(w), n) for w, n in row] for row in self._rows.plan]:
            self._rows = RowsLayout(plan)
            self.refresh(layout=True)

    def on_resize(self, event: events.Resize) -> None:
        """The body's vertical scrollbar came or went (the panels grew or shrank): the room
        for the panels changed by its width, so fit them again."""
        if isinstance(self.screen, MainScreen):
            self.screen.fit_panels()


class MainScreen(Screen):
    AUTO_FOCUS = None
    BINDINGS = BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        # a widget whose inputs did not change is not redrawn, and one whose content keeps its
        # size is not laid out again (Panel.put): a layout pass measures every widget on the
        # screen (tests turn this off to compare)
        self.skip_unchanged = True
        # the widgets a step updates, found once composed (a query walks the whole screen)
        self.panels: list[Panel] = []
        self._plot: LossPlot | None = None
        self._status: StatusLine | None = None
        self._in_strips: list[Panel] = []  # the panels the strips lay out in rows

    def on_mount(self) -> None:
        self.panels = list(self.query(Panel))
        self._plot, self._status = self.query_one(LossPlot), self.query_one(StatusLine)
        self._in_strips = [p for strip in self.query(Strip) for p in strip.children
                           if isinstance(p, Panel)]
        self.ready = True  # the app pushes views from now on
        self.app.refresh_view()

    def compose(self) -> ComposeResult:
        model = self.app.session.model
        yield HeaderBar(id="header")
        with Pane(id="body"):
            with Strip(id="layers"):
                for k in range(len(model.layers)):
                    yield LayerPanel(k, id=f"layer-{k}", classes="panel")
                yield LossPanel(id="loss", classes="panel")
            with Strip(id="lower", fills=True):
                yield DataPanel(id="data", classes="panel")
                yield SignTable(id="signs", classes="panel")
            yield AboutPanel(id="about", classes="panel")
        yield LossPlot(id="plot")
        yield Timeline(id="timeline")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    def show(self, view: View, message: str, error: bool = False, busy: bool = False) -> None:
        """Push ``view`` down to every panel (tui/widgets/panel.py: the redraw protocol)."""
        for panel in self.panels:
            panel.show(view, economise=self.skip_unchanged)
        self._plot.show(view, economise=self.skip_unchanged)
        self._status.say(message, error, busy)
        if not self.skip_unchanged or any(p.asked_layout for p in self._in_strips):
            self.fit_panels()  # a panel's room changed: the rows may change

    def set_plot(self, mode: str, log: bool) -> None:
        """The loss plot as a panel above the timeline, over the whole body, or hidden."""
        self.set_class(mode == "panel", "-plot-panel")
        self.set_class(mode == "full", "-plot-full")
        self.query_one(LossPlot).log_scale = log

    def on_resize(self, event: events.Resize) -> None:
        now = moment(self.app.size, self.app.style, self.app.session.record)
        for panel in self.query(Panel):  # a new size: each panel's natural room again, held
            panel.let_go(now)  # by the next step
        self.fit_panels(event.size.width)
        self.call_after_refresh(self.fit_panels)

    def fit_panels(self, width: int | None = None) -> None:
        """Lay each strip out in rows (panels in reading order): each row holds the panels
        that fit it at their natural widths (a big layer's panel asks for
        LayerPanel.BIG_WIDTH); then each row's room left goes to its panels, so that each shows
        more samples, inputs and longer names (or the sign table unwrapped situations) where it
        can (tui/widgets/room.py). When a strip wraps, each row's last panel reaches the right
        edge, and one that stands alone fills its row."""
        for strip in self.query(Strip):
            self._fit(strip, width)

    def _fit(self, strip: Strip, width: int | None) -> None:
        if width is None and strip.size.width:  # the room really left beside any scrollbar
            width = strip.size.width  # (the strip refits when a scrollbar comes or goes)
        else:  # a resize: the strip is not laid out yet; assume the body's scrollbar shows
            body = self.query_one("#body", Pane)
            width = (width or self.size.width) - body.styles.scrollbar_size_vertical
        panels = [p for p in strip.children if isinstance(p, Panel) and p.display]
        if width <= 0 or not panels:
            return
        need = [self._width_of(p, width) for p in panels]
        steps = [p.steps() for p in panels]
        rows = rows_that_fit(need, width)
        plan: Plan = []
        for row in rows:
            widths = share(width, [need[n] for n in row], [steps[n] for n in row])
            if len(rows) > 1 or strip.fills:
                widths[-1] += max(0, width - sum(widths))
            plan.append([(panels[n], w) for n, w in zip(row, widths)])
        strip.follow(plan)

    def _width_of(self, panel: Panel, room: int) -> int:
        """The width a panel takes in the strip at its natural width: its content and gutter,
        or its min-width (border-box: the whole panel) when that is larger. The content is
        measured in the strip's ``room`` less the gutter, as Textual measures a widget in its
        container: a drawing that fills the room it is given (the sign table) then fits the
        screen instead of asking for the whole screen plus its border."""
        gutter = panel.styles.gutter.width
        container = Size(max(0, room - gutter), self.size.height)
        width = panel.get_content_width(container, self.app.size) + gutter
        least = panel.styles.min_width
        if least is not None and least.unit == Unit.CELLS:
            width = max(width, int(least.value))
        return width

    def action_scroll(self, direction: int) -> None:
        body = self.query_one("#body", Pane)
        body.scroll_to(y=body.scroll_y + direction * max(1, body.size.height - 2), animate=False)
