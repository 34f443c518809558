"""Moving the cursor: one operation, an iteration, an epoch, the ends, a clicked place, a
position typed in a dialog (12, 12:backward:L3). Long moves (running to the end, far jumps)
compute in slices inside an async worker, yielding to the event loop between slices, so the
screen keeps painting and escape cancels; meanwhile every other request that would change the
session is refused with a message (``busy``). ``guard`` runs any session request without letting
it crash the debugger."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from nnstep.engine import EditError, RunawayFractions

from .host import Host, Status

DIRECT_LIMIT = 40  # moves computing more records than this run in the sliced worker
SLICE_SECONDS = 0.1  # compute at least this long, then give the event loop BREATHE_SECONDS
BREATHE_SECONDS = 0.01
SCREEN_SHARE = 0.15  # and longer when repainting takes longer: the screen's share of a long run
BUSY = "busy computing — escape cancels the run first"


@dataclass(frozen=True)
class Progress:
    """A long run's progress for the timeline: ``done`` of ``goal`` operations."""

    done: int
    goal: int


class Navigation:
    """Moves the session's cursor; runs long computations in slices."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.running = False  # a sliced run is under way
        self.progress: Progress | None = None
        self._cancel = False

    @property
    def session(self) -> Any:
        return self.host.session

    def busy(self) -> bool:
        """True (and says so) while a long run computes: requests would race with it."""
        if self.running:
            self.host.say(BUSY, error=True)
        return self.running

    def move_to(self, index: int) -> None:
        """Go to operation ``index``: directly when cheap, else in the sliced worker."""
        if self.busy():
            return
        self.host.status = Status()
        s = self.session
        wanted, index = index, max(0, min(index, s.last_index))
        if index == s.cursor and (wanted > s.last_index or wanted < 0 or wanted == s.cursor
                                  and s.cursor in (0, s.last_index)):
            # a step past either end does nothing: say so rather than nothing
            self.host.say("at the end of training: nothing after it (home, [, g go back)"
                          if s.cursor else
                          "at the start of training: nothing before it (n, ], g go on)",
                          error=True)
            return
        if index - s.computed > DIRECT_LIMIT:
            self.host.run_worker(self.compute(index), group="compute", exclusive=True)
        else:
            self.guard(lambda: s.goto(index), then=index)

    def guard(self, request: Callable[[], Any], then: int | None = None) -> bool:
        """Run a session request; show any problem instead of crashing. True when it worked.
        ``then``: where to go on if the person chooses float64 after runaway fractions."""
        try:
            request()
            return True
        except RunawayFractions as problem:
            self.offer_float(problem, then)
        except EditError as problem:
            self.host.status = Status(str(problem), True)
        except Exception as problem:  # the UI never crashes
            self.host.status = Status(f"error: {type(problem).__name__}: {problem}", True)
        finally:
            self.host.show_record()
        return False

    def cancel(self) -> None:
        """escape: stop a long run, else clear the status line."""
        if self.running:
            self._cancel = True
        else:
            self.host.say("")

    def goto_dialog(self) -> None:
        """g: a position typed by the person — the end of an iteration (12) or an operation
        inside it (12:backward:L3), the syntax of --goto (engine/position.py)."""
        from nnstep.engine.position import PositionError, describe, parse_position

        from ..screens.dialog import GotoDialog

        if self.busy():
            return
        s = self.session
        names = [spec.name for spec in s.model.layers]

        def submit(text: str) -> str | None:
            try:
                index = parse_position(text, names).index(s.schedule)
            except PositionError as problem:
                return str(problem)
            if self.running:
                return BUSY
            self.move_to(index)
            return None

        rec = s.record
        self.host.push_screen(GotoDialog(
            "go to", f"N: the end of iteration N (0 = start … {s.schedule.iterations}); "
            f"N:OP an operation in it, OP = pick, forward:LAYER, loss, backward:loss, "
            f"backward:LAYER or update (e.g. 2:backward:{names[-1]})",
            describe(rec.iteration, rec.op, names), submit, self.host.cursor_blink))

    async def compute(self, index: int) -> None:
        """Compute up to ``index`` in slices (escape cancels) and go there."""
        with self.working(then=index):
            done, cancelled = await self.in_slices(
                self.session.compute_iter(index),
                lambda d: (Progress(d, index), f"computing {d}/{index} … escape cancels (moves "
                                               "and edits wait)"))
            self.host.status = Status(f"cancelled: stopped at operation {done}" if cancelled
                                      else "")
            self.session.goto(min(done if cancelled else index, self.session.computed))

    async def in_slices(self, steps: Any, describe: Callable) -> tuple[Any, bool]:
        """Drive ``steps`` (a generator yielding operation indices as it goes, perhaps a final
        Hit or None) for SLICE_SECONDS at a time, giving the event loop BREATHE_SECONDS between
        slices so the screen paints and escape is heard. ``describe(index)`` gives the
        Progress and the status text. Returns (the last item, whether the person cancelled)."""
        start, last, slice_ = time.perf_counter(), None, SLICE_SECONDS
        for last in steps:
            if not isinstance(last, int):
                break
            if self._cancel:
                return last, True
            now = time.perf_counter()
            if now - start > slice_:
                self.progress, text = describe(last)
                self.host.say(text)
                await asyncio.sleep(BREATHE_SECONDS)
                start = time.perf_counter()
                # the repaint happened while we slept: compute long enough that it stays a
                # small share of the run (escape is still heard within a few tenths of a second)
                slice_ = max(SLICE_SECONDS, (start - now) * (1 - SCREEN_SHARE) / SCREEN_SHARE)
        return last, False

    @contextmanager
    def working(self, then: int | None) -> Iterator[None]:
        """Around a long run: other requests wait; any problem is shown, never raised; the
        screen shows where the session ended up."""
        self.running, self._cancel = True, False
        try:
            yield
        except RunawayFractions as problem:
            self.session.goto(self.session.computed)
            self.offer_float(problem, then)
        except Exception as problem:  # the UI never crashes
            self.host.status = Status(f"error: {type(problem).__name__}: {problem}", True)
        finally:
            self.running, self.progress = False, None
            self.host.show_record()

    def offer_float(self, problem: RunawayFractions, then: int | None) -> None:
        """Exact fractions grew past the limit: ask whether to go on in float64."""
        from ..screens.confirm import ConfirmDialog

        host = self.host
        host.status = Status("exact fractions grew too large", True)

        def answer(yes: bool | None) -> None:
            if not yes:
                host.say(f"stayed exact at operation {self.session.cursor}", error=True)
                return
            if self.guard(self.session.continue_in_float):
                if host.style == "fraction":  # floats as fractions would be 17-digit reprs
                    host.style = "decimal"
                host.say(f"continuing in float64 on branch {self.session.branch.id}")
                if then is not None and then > self.session.cursor:
                    self.move_to(then)

        host.push_screen(ConfirmDialog("exact fractions grew too large", str(problem),
                                       "continue in float64", "stay exact"), answer)
