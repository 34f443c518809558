"""The Textual app: owns the session and one reactive "current record"; pushes a View down to the
main screen on every change; turns keys into requests of its controllers (tui/controllers/),
which own the state of their keys and talk to the app through ``Host``. Owns no maths."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from nnstep.engine import Session
from nnstep.engine.errors import escape
from nnstep.engine.format import STYLES
from nnstep.engine.records import Record
from nnstep.engine.scenario import Scenario
from textual.app import App
from textual.reactive import reactive

from .controllers.breakpoints import Breakpoints
from .controllers.edits import Edits
from .controllers.host import Status
from .controllers.inspection import Ahead, Inspection
from .controllers.navigation import Navigation
from .controllers.prefetch import Prefetch
from .controllers.saving import Saving
from .controllers.selection import Selection
from .controllers.sessions import AUTOSAVE_SECONDS, Opened, Sessions, open_session
from .controllers.views import Views
from .headless import EXIT_BAD_INPUT, Opening
from .progress import is_terminal
from .screens.main import MainScreen
from .widgets.common import View, Weight, weights_of
from .widgets.panel import Panel
from .widgets.timeline import Timeline

if TYPE_CHECKING:
    from nnstep.engine.conditions import Condition


class NnstepApp(App[int]):
    """The step-through debugger on one session (a ``Host`` for the controllers)."""

    CSS_PATH = "app.tcss"
    TITLE = "nnstep"
    ENABLE_COMMAND_PALETTE = False

    # the watchers push a view down to the widgets, which refresh what they redraw; a repaint
    # of the whole app on top of that would render every widget a second time on each step
    record: reactive[Record | None] = reactive(None, always_update=True, repaint=False)
    style: reactive[str] = reactive("fraction", repaint=False)
    selected: reactive[Weight | None] = reactive(None, repaint=False)

    def __init__(self, session: Session | Opened, cursor_blink: bool = True,
                 opening: Opening | None = None) -> None:
        super().__init__()
        opened = session if isinstance(session, Opened) else Opened(session)
        self.session = session = opened.session
        self.opening = opening
        self.cursor_blink = cursor_blink
        self.status = Status()
        weights = weights_of(session.model)
        self.navigation = Navigation(self)
        self.edits = Edits(self, self.navigation)
        self.breaks = Breakpoints(self, self.navigation)
        self.selection = Selection(self, weights)
        self.inspection = Inspection(self, weights)
        self.prefetch = Prefetch(self, self.inspection, self._end_view, self.next_view,
                                 self._panels)
        self.saving = Saving(self, self.navigation)
        self.views = Views(self)
        self.sessions = Sessions(self, opened)
        self.save_problem: str | None = None  # why the session could not be saved on quit
        self.set_reactive(NnstepApp.style, "fraction" if session.record.mode == "exact"
                          else "decimal")
        self.set_reactive(NnstepApp.selected, weights[0] if weights else None)

    # ---- what tests and tools read
    @property
    def weights(self) -> Sequence[Weight]:
        """Every selectable weight, in model order."""
        return self.selection.weights

    @property
    def breakpoints(self) -> list[Condition]:
        """The person's breakpoint conditions, in the order added."""
        return self.breaks.conditions

    @breakpoints.setter
    def breakpoints(self, conditions: list[Condition]) -> None:
        self.breaks.conditions = list(conditions)

    @property
    def sign_filter(self) -> str:
        return self.inspection.sign_filter

    @property
    def running(self) -> bool:
        """A long run computes in slices (other requests wait)."""
        return self.navigation.running

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def on_mount(self) -> None:
        self.title = self.session.scenario.title
        self.record = self.session.record
        opening = self.opening
        moves = opening is not None and (opening.index is not None or opening.continue_)
        # a saved session comes back first; --goto / --continue then say where the cursor goes
        self.sessions.restore(self.breaks, self.navigation, move=not moves)
        self.set_interval(AUTOSAVE_SECONDS, self._autosave)
        self.call_after_refresh(self._settled)
        if opening is not None:
            known = {c.text for c in self.breaks.conditions}
            self.breaks.conditions += [c for c in opening.conditions if c.text not in known]
            self.breaks.open_at(opening.index, opening.continue_)

    @staticmethod
    def _settled() -> None:
        """Once the first screen is up: the objects alive now (widgets, styles, the session)
        are left out of Python's full cycle collections, which otherwise walk them all and
        stall a step by ~40 ms every few steps on a large network. Objects without cycles are
        still freed as soon as they are unused. ``nnstep FILE`` starts with the collector off
        (cli.main): the few thousand objects in cycles left over from starting are kept rather
        than collected here, which would hold up the first paint's write by tens of ms."""
        gc.freeze()
        gc.enable()

    # ---- pushing data down
    def watch_record(self) -> None:
        self.refresh_view()

    def watch_style(self) -> None:
        self.refresh_view()

    def watch_selected(self) -> None:
        self.refresh_view()

    def show_record(self) -> None:
        self.record = self.session.record

    def view(self) -> View:
        """What the screen shows: the record at the cursor, and the end of its iteration (what
        the panels keep room for)."""
        s, rec = self.session, self.session.record
        inspect = self.inspection
        ahead, end = inspect.ahead(), None
        if ahead.record is not None:
            end = self._end_view(ahead)
        return self._view_of(rec, inspect.findings(rec), s.parent_record(), end)

    def next_view(self) -> View | None:
        """What ``n`` will show: the next operation's record (``Session.peek``, the very one
        stepping records), its findings and sign rows, the parent branch's record there, and
        the end of its iteration (the cursor's, or the next iteration's when ``n`` starts
        one). None at the last operation, or when it cannot be computed."""
        s, inspect = self.session, self.inspection
        try:
            rec = s.peek(s.cursor + 1)
        except Exception:  # exact fractions grown too large: stepping will say so
            return None
        if rec is None:
            return None
        ahead = inspect.ahead() if rec.iteration == s.record.iteration else (
            inspect.ahead_of_next())
        end = None if ahead is None or ahead.record is None else self._end_view(ahead)
        return self._view_of(rec, inspect.findings(rec), s.parent_record(index=rec.index), end)

    def _view_of(self, rec: Record, findings: tuple, parent: Record | None,
                 end: View | None) -> View:
        signs = self.inspection.sign_rows(rec, self.selected)  # only the rows the table lists
        return View(self.session, rec, self.style, self.selected, signs.rows, findings, parent,
                    signs.filter, signs.places, signs.count, end)

    def _end_view(self, ahead: Ahead) -> View:
        """The view at the end of an iteration (``ahead``), as the panels keep room for it."""
        return self._view_of(ahead.record, ahead.findings, None, None)

    def _panels(self) -> list[Panel]:
        """The main screen's panels."""
        screen = self.screen_stack[0] if self.screen_stack else None
        return screen.panels if isinstance(screen, MainScreen) and screen.ready else []

    def refresh_view(self) -> None:
        screen = self.screen_stack[0] if self.screen_stack else None
        if not isinstance(screen, MainScreen) or not screen.ready or self.record is None:
            return
        view = self.view()
        message = self.status.text or self.selection.describe(view)
        screen.query_one(Timeline).progress = self.navigation.progress
        screen.show(view, message, self.status.error, self.navigation.running)
        self.prefetch.schedule()  # the next iteration's end, while waiting for a key

    def show_plot(self, mode: str, log: bool) -> None:
        """Lay the loss plot out as ``mode`` ("hidden", "panel", "full"), on a ``log`` scale."""
        screen = self.screen_stack[0] if self.screen_stack else None
        if isinstance(screen, MainScreen):
            screen.set_plot(mode, log)
        self.refresh_view()

    def say(self, message: str, error: bool = False) -> None:
        self.status = Status(message, error)
        self.refresh_view()

    # ---- actions (bound in screens/main.py), each handed to its controller
    def move_to(self, index: int) -> None:
        self.navigation.move_to(index)

    def action_next_op(self) -> None:
        self.move_to(self.session.cursor + 1)

    def action_prev_op(self) -> None:
        self.move_to(self.session.cursor - 1)

    def action_next_iteration(self) -> None:
        self.move_to(self.session.next_iteration_end_index())

    def action_prev_iteration(self) -> None:
        self.move_to(self.session.prev_iteration_end_index())

    def action_next_epoch(self) -> None:
        self.move_to(self.session.next_epoch_end_index())

    def action_prev_epoch(self) -> None:
        self.move_to(self.session.prev_epoch_end_index())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.session.last_index)

    def on_timeline_seek(self, message: Timeline.Seek) -> None:
        self.move_to(message.index)

    def action_cancel(self) -> None:
        self.navigation.cancel()

    def action_goto_iteration(self) -> None:
        self.navigation.goto_dialog()

    def action_select(self, step: int) -> None:
        self.selection.step(step)

    def action_select_largest(self, step: int) -> None:
        self.selection.largest(step)

    def action_find(self) -> None:
        self.selection.find_dialog()

    def on_panel_picked(self, message: Panel.Picked) -> None:
        self.selection.pick(message.weight)

    def action_drill(self) -> None:
        self.selection.drill()

    def action_sign_filter(self) -> None:
        self.inspection.next_filter()

    def action_gradcheck(self) -> None:
        if not self.navigation.busy():
            self.inspection.gradient_check()

    def action_edit_weight(self) -> None:
        self.edits.weight()

    def action_edit_lr(self) -> None:
        self.edits.learning_rate()

    def action_edit_data(self, kind: str) -> None:
        self.edits.data(kind)

    def action_undo(self) -> None:
        self.edits.undo()

    def action_continue(self) -> None:
        self.breaks.forward()

    def action_reverse_continue(self) -> None:
        self.breaks.backward()

    def action_breakpoints(self) -> None:
        self.breaks.dialog()

    def action_cycle_format(self) -> None:
        self.style = STYLES[(STYLES.index(self.style) + 1) % len(STYLES)]
        self.say(f"numbers shown as {self.style}")

    def action_plot(self) -> None:
        self.views.cycle_plot()

    def action_plot_log(self) -> None:
        self.views.toggle_log()

    def action_explain(self) -> None:
        self.views.explain()

    def action_compare(self) -> None:
        self.views.compare()

    def _autosave(self) -> None:
        """Every AUTOSAVE_SECONDS: the session, if it changed (a failure is told on quit)."""
        self.sessions.save(self.breaks, changed_only=True)

    async def action_quit(self) -> None:
        """q: save the session (breakpoints, edits, selection, cursor), then quit."""
        self.save_problem = self.sessions.save(self.breaks)
        self.exit()

    def action_save_weights(self) -> None:
        self.saving.weights()

    def action_save_branch(self) -> None:
        self.saving.branch()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())


def build_app(scenario: Scenario, *, max_fraction_bits: int | None = None,
              cursor_blink: bool = True, opening: Opening | None = None,
              state: Mapping[str, str] | None = None, fresh: bool = False) -> NnstepApp:
    """The one factory: a session on ``scenario`` and the app around it (CLI and tests).
    ``opening`` (``--goto``, ``--break``, ``--continue``, or a saved branch's place) says where
    it opens; its scenario, with enough epochs to get there, replaces ``scenario``.
    ``state``: the environment that names the state folder ($XDG_STATE_HOME) to restore the
    scenario's saved session from and save it to on quit (None: neither); ``fresh``: do not
    restore."""
    kw = {} if max_fraction_bits is None else {"max_fraction_bits": max_fraction_bits}
    if opening is not None:
        scenario = opening.scenario
    return NnstepApp(open_session(scenario, state, fresh, **kw), cursor_blink=cursor_blink,
                     opening=opening)


def run_app(scenario: Scenario, opening: Opening | None = None, fresh: bool = False) -> int:
    """Run the debugger until the person quits, its session kept between runs; the exit code
    (0)."""
    app = build_app(scenario, opening=opening, state=os.environ, fresh=fresh)
    if not (is_terminal(sys.stdin) and (is_terminal(sys.stdout) or is_terminal(sys.stderr))):
        # Textual would paint into a file or a pipe for ever, and no key could reach it
        print(escape(f"nnstep: {scenario.path}: the debugger needs a terminal (keys on standard "
                     "input, the screen on standard output); without one, train with: nnstep "
                     "run FILE"), file=sys.stderr)
        return EXIT_BAD_INPUT
    result = app.run()
    if app.save_problem:
        print(f"nnstep: {app.save_problem}", file=sys.stderr)
    return result if isinstance(result, int) else 0
