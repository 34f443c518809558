"""The Textual app: owns the session and one reactive "current record"; pushes a View down to the
main screen on every change; turns keys into session requests. Owns no maths.

Long moves (running to the end, far jumps) compute in slices inside an async worker, yielding to
the event loop between slices, so the screen keeps painting and escape cancels; meanwhile every
other request that would change the session is refused with a message.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

from nnstep.engine import EditError, RunawayFractions, Session
from nnstep.engine.conditions import ConditionError, parse_condition
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import STYLES, fmt
from nnstep.engine.gradcheck import gradient_check
from nnstep.engine.records import Record
from nnstep.engine.scenario import Scenario
from nnstep.engine.search import Hit, backward_iter, forward_iter
from textual.app import App
from textual.reactive import reactive

from .data_edit import DataEditError, parse_data_edit
from .inspecting import Inspecting
from .screens.breakpoints import BreakpointsScreen
from .screens.confirm import ConfirmDialog
from .screens.dialog import EditDialog, GotoDialog
from .screens.gradcheck import GradcheckScreen
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .widgets.common import FRACTION_WIDTH as WIDTH
from .widgets.common import View, Weight, input_names, value_of, weight_label, weights_of
from .widgets.timeline import Timeline

DIRECT_LIMIT = 40  # moves computing more records than this run in the sliced worker
SLICE_SECONDS = 0.03  # compute this long, then give the event loop BREATHE_SECONDS
BREATHE_SECONDS = 0.01


class NnstepApp(Inspecting, App[int]):
    """The step-through debugger on one session."""

    CSS_PATH = "app.tcss"
    TITLE = "nnstep"
    ENABLE_COMMAND_PALETTE = False

    # the watchers push a view down to the widgets, which refresh what they redraw; a repaint
    # of the whole app on top of that would render every widget a second time on each step
    record: reactive[Record | None] = reactive(None, always_update=True, repaint=False)
    style: reactive[str] = reactive("fraction", repaint=False)
    selected: reactive[Weight | None] = reactive(None, repaint=False)

    def __init__(self, session: Session, cursor_blink: bool = True) -> None:
        super().__init__()
        self.session = session
        self.cursor_blink = cursor_blink
        self.weights = weights_of(session.model)
        self.running = False
        self.breakpoints: list = []  # parsed conditions (engine.conditions), in the order added
        self.progress: tuple[int, int] | None = None
        self._cancel = False
        self._message, self._error = "", False
        self._analysis: tuple[Any, tuple, tuple] = (None, (), ())
        self.set_reactive(NnstepApp.style, "fraction" if session.record.mode == "exact"
                          else "decimal")
        self.set_reactive(NnstepApp.selected, self.weights[0] if self.weights else None)

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def on_mount(self) -> None:
        self.title = self.session.scenario.title
        self.record = self.session.record
        self.call_after_refresh(self._settled)

    @staticmethod
    def _settled() -> None:
        """Once the first screen is up: the objects alive now (widgets, styles, the session)
        are left out of Python's full cycle collections, which otherwise walk them all and
        stall a step by ~40 ms every few steps on a large network. Objects without cycles are
        still freed as soon as they are unused."""
        gc.collect()
        gc.freeze()

    # ---- pushing data down
    def watch_record(self) -> None:
        self.refresh_view()

    def watch_style(self) -> None:
        self.refresh_view()

    def watch_selected(self) -> None:
        self.refresh_view()

    def view(self) -> View:
        s, rec = self.session, self.session.record
        if self._analysis[0] is not rec:  # diagnose once a record
            self._analysis = (rec, (), tuple(diagnose(rec, s.model, s.iteration_end)))
        found = self._analysis[2]
        shown, rows, count = self.sign_view()  # only the rows the sign table lists
        return View(s, rec, self.style, self.selected, rows, found, s.parent_record(),
                    self.sign_filter, shown, count)

    def refresh_view(self) -> None:
        screen = self.screen_stack[0] if self.screen_stack else None
        if not isinstance(screen, MainScreen) or not screen.ready or self.record is None:
            return
        view = self.view()
        message = self._message or self.selection_text(view)
        screen.query_one(Timeline).progress = self.progress
        screen.show(view, message, self._error, self.running)

    def selection_text(self, view: View) -> str:
        if self.selected is None:
            return "no trainable weight in this model · ? help"
        k, i, j = self.selected
        rec = view.record
        source = "bias" if j is None else input_names(view, k)[j]
        text = (f"selected {weight_label(view, self.selected)} ({source} → "
                f"{view.model.layers[k].name} neuron {i + 1}) = "
                f"{fmt(value_of(rec.params, self.selected), self.style, max_len=WIDTH)}")
        parent, style = view.parent, self.style
        if parent is not None:  # old vs new, on an edited branch
            old = fmt(value_of(parent.params, self.selected), style, max_len=WIDTH)
            text += f" (before the edit {old})"
            if parent.loss is not None and rec.loss is not None:
                text += (f" · loss {fmt(rec.loss, style, max_len=WIDTH)} "
                         f"(before {fmt(parent.loss, style, max_len=WIDTH)})")
        return text + " · e edit · tab next weight"

    def say(self, message: str, error: bool = False) -> None:
        self._message, self._error = message, error
        self.refresh_view()

    # ---- moving
    def move_to(self, index: int) -> None:
        """Go to operation ``index``: directly when cheap, else in the sliced worker."""
        if self.busy():
            return
        self._message, self._error = "", False
        index = max(0, min(index, self.session.last_index))
        if index - self.session.computed > DIRECT_LIMIT:
            self.run_worker(self._compute(index), group="compute", exclusive=True)
        else:
            self.guard(lambda: self.session.goto(index), then=index)

    def guard(self, request: Callable[[], Any], then: int | None = None) -> bool:
        """Run a session request; show any problem instead of crashing. True when it worked."""
        try:
            request()
            return True
        except RunawayFractions as problem:
            self.offer_float(problem, then)
        except EditError as problem:
            self._message, self._error = str(problem), True
        except Exception as problem:  # the UI never crashes
            self._message, self._error = f"error: {type(problem).__name__}: {problem}", True
        finally:
            self.record = self.session.record
        return False

    async def _compute(self, index: int) -> None:
        with self._working(then=index):
            done, cancelled = await self._in_slices(
                self.session.compute_iter(index),
                lambda d: ((d, index), f"computing {d}/{index} … escape cancels (moves and "
                                       "edits wait)"))
            self._message = f"cancelled: stopped at operation {done}" if cancelled else ""
            self.session.goto(min(done if cancelled else index, self.session.computed))

    async def _in_slices(self, steps: Any, describe: Callable) -> tuple[Any, bool]:
        """Drive ``steps`` (a generator yielding operation indices as it goes, perhaps a final
        Hit or None) for SLICE_SECONDS at a time, giving the event loop BREATHE_SECONDS between
        slices so the screen paints and escape is heard. ``describe(index)`` gives the progress
        and the status text. Returns (the last item, whether the person cancelled)."""
        start, last = time.perf_counter(), None
        for last in steps:
            if not isinstance(last, int):
                break
            if self._cancel:
                return last, True
            if time.perf_counter() - start > SLICE_SECONDS:
                self.progress, text = describe(last)
                self.say(text)
                await asyncio.sleep(BREATHE_SECONDS)
                start = time.perf_counter()
        return last, False

    @contextmanager
    def _working(self, then: int | None) -> Iterator[None]:
        """Around a long run: other requests wait; any problem is shown, never raised; the
        screen shows where the session ended up."""
        self.running, self._cancel = True, False
        try:
            yield
        except RunawayFractions as problem:
            self.session.goto(self.session.computed)
            self.offer_float(problem, then)
        except Exception as problem:  # the UI never crashes
            self._message, self._error = f"error: {type(problem).__name__}: {problem}", True
        finally:
            self.running, self.progress = False, None
            self.record = self.session.record

    def offer_float(self, problem: RunawayFractions, then: int | None) -> None:
        self._message, self._error = "exact fractions grew too large", True

        def answer(yes: bool | None) -> None:
            if not yes:
                self.say(f"stayed exact at operation {self.session.cursor}", error=True)
                return
            if self.guard(self.session.continue_in_float):
                if self.style == "fraction":  # floats as fractions would be 17-digit reprs
                    self.style = "decimal"
                self.say(f"continuing in float64 on branch {self.session.branch.id}")
                if then is not None and then > self.session.cursor:
                    self.move_to(then)

        self.push_screen(ConfirmDialog("exact fractions grew too large", str(problem),
                                       "continue in float64", "stay exact"), answer)

    # ---- actions (bound in screens/main.py)
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

    def action_cancel(self) -> None:
        if self.running:
            self._cancel = True
        else:
            self.say("")

    def on_timeline_seek(self, message: Timeline.Seek) -> None:
        self.move_to(message.index)

    def action_goto_iteration(self) -> None:
        if self.busy():
            return
        total = self.session.schedule.iterations

        def submit(text: str) -> str | None:
            try:
                t = int(text.strip())
            except ValueError:
                return f"'{text}' is not a whole number (expected 0 … {total})"
            if not 0 <= t <= total:
                return f"{t} is outside 0 … {total}"
            if self.running:
                return "busy computing — escape cancels the run first"
            self.move_to(self.session.schedule.iteration_end(t))
            return None

        self.push_screen(GotoDialog(
            "go to iteration", f"the end (weight update) of iteration 0 … {total} "
            "(0 = start of training)", str(self.session.record.iteration), submit,
            self.cursor_blink))

    # ---- selection and edits
    def action_select(self, step: int) -> None:
        if not self.weights:
            return
        now = self.weights.index(self.selected) if self.selected in self.weights else -1
        self._message, self._error = "", False
        self.selected = self.weights[(now + step) % len(self.weights)]

    def _edit(self, request: Callable[[str], Record], text: str) -> str | None:
        """Try an edit typed as ``text``: None when accepted, else why it was refused."""
        if self.running:
            return "busy computing — escape cancels the run first"
        try:
            request(text)
        except (EditError, RunawayFractions) as problem:
            return str(problem)
        self._message = (f"edited: branch {self.session.branch.id} recomputed from the start of "
                         f"iteration {self.session.record.iteration} · u undoes")
        self._error = False
        self.record = self.session.record
        return None

    def busy(self) -> bool:
        """True (and says so) while a long run computes: requests would race with it."""
        if self.running:
            self.say("busy computing — escape cancels the run first", error=True)
        return self.running

    def action_edit_weight(self) -> None:
        if self.busy():
            return
        if self.selected is None:
            self.say("no weight to edit in this model", error=True)
            return
        k, i, j = w = self.selected
        view = self.view()
        value = value_of(view.record.params, w)
        source = "bias" if j is None else input_names(view, k)[j]
        s = self.session
        request = ((lambda text: s.set_bias(k, i, text)) if j is None
                   else (lambda text: s.set_weight(k, i, j, text)))
        self.push_screen(EditDialog(
            f"edit {weight_label(view, w)}",
            f"{source} → {s.model.layers[k].name} neuron {i + 1}, now {fmt(value, 'fraction')}.\n"
            f"Iteration {view.record.iteration or 1} is recomputed with it on a new branch.",
            fmt(value, "fraction"), lambda text: self._edit(request, text), self.cursor_blink,
            "enter apply · escape cancel · e.g. 1/200, -0.25, 3e-4"))

    def action_edit_lr(self) -> None:
        if self.busy():
            return
        lr = self.session.record.lr
        self.push_screen(EditDialog(
            "edit the learning rate α", f"ŵ = w − α·δw; α is now {fmt(lr, 'fraction')}.",
            fmt(lr, "fraction"), lambda text: self._edit(self.session.set_learning_rate, text),
            self.cursor_blink, "enter apply · escape cancel · e.g. 1/200, 0.5, 3e-4"))

    def action_edit_data(self, kind: str) -> None:
        """Edit an input (kind "input") or a target ("target") of the current batch."""
        if self.busy():
            return
        rec, s = self.session.record, self.session
        if not rec.samples:
            self.say("no sample picked yet: step into an iteration first (n)", error=True)
            return
        scenario = s.scenario
        if kind == "input":
            width, given = s.model.layers[0].size, scenario.features
            values, request = rec.x, s.set_input
        else:
            width, given = s.model.layers[-1].size, scenario.targets
            values, request = rec.y, s.set_target
        names = list(given) if len(given) == width else [f"{kind} {j + 1}" for j in range(width)]

        def submit(text: str) -> str | None:
            try:
                position, index, value = parse_data_edit(text, names, len(rec.samples))
            except DataEditError as problem:
                return str(problem)
            return self._edit(lambda v: request(position, index, v), value)

        now = ", ".join(f"{n} = {fmt(v, 'fraction')}" for n, v in zip(names, values[0]))
        initial = fmt(values[0][0], "fraction") if width == 1 else f"{names[0]} = "
        self.push_screen(EditDialog(
            f"edit {'an input' if kind == 'input' else 'a target'} of sample "
            f"{rec.samples[0] + 1}",
            f"now {now}.\nThe sample changes in the data set from iteration {rec.iteration} on, "
            "on a new branch.", initial,
            submit, self.cursor_blink,
            "NAME = VALUE or N = VALUE (#K first for the K-th sample of a batch) · escape cancels"))

    def action_undo(self) -> None:
        if self.busy():
            return
        branch = self.session.branch.id
        done: list[bool] = []
        if self.guard(lambda: done.append(self.session.undo())) and done:
            if done[0]:
                self.say(f"undone: back on branch {self.session.branch.id} (left {branch})")
            else:
                self.say("nothing to undo", error=True)

    def action_cycle_format(self) -> None:
        self.style = STYLES[(STYLES.index(self.style) + 1) % len(STYLES)]
        self.say(f"numbers shown as {self.style}")

    # ---- breakpoints, continue, reverse-continue, gradient check
    def _conditions(self) -> list:
        names = [spec.name for spec in self.session.model.layers]
        return [parse_condition("nonfinite", names)] + self.breakpoints

    def action_continue(self) -> None:
        """Forward to the next operation where a breakpoint holds (NaN / inf always stop)."""
        if self.busy():
            return
        if self.session.cursor >= self.session.last_index:
            self.say("at the end of training: nothing to continue to (C goes back)", error=True)
            return
        search = forward_iter(self.session, self._conditions(), chunk=50)
        self.run_worker(self._search(search, self.session.last_index, "continue"),
                        group="compute", exclusive=True)

    def action_reverse_continue(self) -> None:
        """Back through the recorded history to the previous operation where one holds."""
        if self.busy():
            return
        if not self.breakpoints:
            self.say("no breakpoint to go back to: b adds one (e.g. sign, loss rises)",
                     error=True)
            return
        search = backward_iter(self.session, self._conditions(), chunk=50)
        self.run_worker(self._search(search, 0, "reverse-continue"), group="compute",
                        exclusive=True)

    async def _search(self, search, fallback: int, what: str) -> None:
        """Drive a forward / backward search in slices; land on the hit, else on ``fallback``."""
        origin = self.session.cursor
        with self._working(then=None):
            result, cancelled = await self._in_slices(
                search, lambda r: ((r, fallback) if fallback else (origin - r, origin),
                                   f"{what}: searching at operation {r} … escape cancels"))
            if cancelled:
                self.session.goto(min(result, self.session.computed))
                self._message, self._error = f"{what} cancelled at operation {result}", True
            elif isinstance(result, Hit):
                self.session.goto(result.index)
                self._message, self._error = f"● {result.condition}: {result.message}", True
            else:
                self.session.goto(fallback)
                where = "the end of training" if fallback else "the start"
                self._message = f"{what}: no breakpoint hit before {where}"
                self._error = False

    def action_breakpoints(self) -> None:
        names = [spec.name for spec in self.session.model.layers]

        def add(text: str) -> str | None:
            try:
                condition = parse_condition(text, names)
            except ConditionError as problem:
                return str(problem)
            if any(c.text == condition.text for c in self.breakpoints):
                return f"'{condition.text}' is already set"
            self.breakpoints.append(condition)
            return None

        def remove(n: int) -> None:
            if 0 <= n < len(self.breakpoints):
                del self.breakpoints[n]

        def closed(_: Any) -> None:
            listed = ", ".join(c.text for c in self.breakpoints) or "none"
            self.say(f"breakpoints: {listed} · c continue · C reverse-continue")

        self.push_screen(BreakpointsScreen(lambda: [c.text for c in self.breakpoints], add,
                                           remove, self.cursor_blink), closed)

    def action_gradcheck(self) -> None:
        if self.busy():
            return
        rec = self.session.record
        if rec.x is None:
            self.say("no samples picked yet: step into an iteration first (n)", error=True)
            return
        try:
            checks = gradient_check(rec, self.session.model)
        except Exception as problem:  # the UI never crashes
            self.say(f"gradient check failed: {type(problem).__name__}: {problem}", error=True)
            return
        if not checks:
            self.say("no linear layer: nothing to check", error=True)
            return
        title = (f"gradient check · iteration {rec.iteration}, samples "
                 f"{', '.join(str(i + 1) for i in rec.samples)}")
        self.push_screen(GradcheckScreen(title, checks))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def build_app(scenario: Scenario, *, max_fraction_bits: int | None = None,
              cursor_blink: bool = True) -> NnstepApp:
    """The one factory: a session on ``scenario`` and the app around it (CLI and tests)."""
    kw = {} if max_fraction_bits is None else {"max_fraction_bits": max_fraction_bits}
    return NnstepApp(Session(scenario, **kw), cursor_blink=cursor_blink)


def run_app(scenario: Scenario) -> int:
    """Run the debugger until the person quits; the exit code (0)."""
    result = build_app(scenario).run()
    return result if isinstance(result, int) else 0
