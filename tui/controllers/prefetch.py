"""While the debugger waits for a key, it prepares what the next steps need:

1. the end of the next iteration, its records and findings (``Inspection.ahead_of_next``), and
   each panel's drawing of it (``Panel.prepare``), which the panels keep room for through the
   iteration: a step into that iteration then draws only its own operation, where it drew the
   whole end of the iteration too (most of its time, on a large network several times a plain
   step's);
2. then the next operation (what ``n`` shows): its record (``Session.peek``, the very one the
   session records when the cursor gets there), findings and sign rows (``App.next_view``),
   and each panel's drawing of it (``Panel.prepare_next``): the step then puts the drawings
   instead of making them.

The work starts once the screen is painted (never ahead of a paint: the first screen
included) and written to the terminal (``WRITE_WAIT`` later), and is done one piece at a time
(the end's records and findings, one panel's drawing, the next operation's view), each after
the messages already queued are handled: a key that comes meanwhile waits for one piece at
most. Any change to the screen starts it again from the new state; what was prepared is used
only if the panel's inputs (and, for the next operation, the end of the iteration it was sized
on) are still those it was made for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from .host import Host
from .inspection import Ahead, Inspection

# seconds from the paint to the work: meanwhile the event loop waits, the interpreter free, and
# Textual's writer thread sends the frame to the terminal; with the work started at once, the
# thread waited for Python to hand it the interpreter (every 5 ms), the frame with it
WRITE_WAIT = 0.005


class Prefetch:
    """Prepares the next iteration's end and the next operation (see the module doc)."""

    def __init__(self, host: Host, inspection: Inspection,
                 end_view: Callable[[Ahead], Any], next_view: Callable[[], Any],
                 panels: Callable[[], Sequence[Any]]) -> None:
        self.host, self.inspection = host, inspection
        # the view of an Ahead; the next operation's view (None at the end); the panels
        self.end_view, self.next_view, self.panels = end_view, next_view, panels
        self.enabled = True
        self.busy = False  # preparing, or about to (tests wait for it)
        self._round = 0  # bumped by every change: work of an older round stops
        self._made: tuple | None = None  # (Ahead, what else it shows, the end's view)

    def schedule(self) -> None:
        """The screen changed: prepare for the new state once it is painted."""
        self._round += 1
        self.busy = self.enabled
        if self.enabled:  # after the paint has been written, and after a key that came by then
            self.host.call_after_refresh(self.host.set_timer, WRITE_WAIT,
                                         partial(self._start, self._round))

    def _start(self, round_: int) -> None:
        if round_ != self._round:
            return
        if self.host.running:
            self.busy = False
            return
        panels = list(self.panels())
        pieces: list[Callable[[], list | None]] = []
        ahead = self.inspection.ahead_of_next()
        if ahead is not None and ahead.record is not None:
            # the end's view, made again only when what it shows changed (most keys move the
            # cursor within the iteration, and the panels have prepared it already)
            shown = (self.host.style, self.host.selected, self.inspection.sign_filter)
            if self._made is None or self._made[0] is not ahead or self._made[1] != shown:
                self._made = (ahead, shown, self.end_view(ahead))
            pieces = [partial(p.prepare, self._made[2]) for p in panels if p.HOLDS_STILL]
        pieces.append(partial(self._next, panels))
        self.host.call_later(self._do, round_, pieces)

    def _do(self, round_: int, pending: list[Callable[[], list | None]]) -> None:
        """The first piece of work pending, then the rest (and the pieces it gives) a turn
        of the event loop later."""
        if round_ != self._round:
            return
        if self.host.running or not pending:
            self.busy = False
            return
        more = pending[0]() or []
        self.host.call_later(self._do, round_, [*more, *pending[1:]])

    def _next(self, panels: list) -> list:
        """The next operation's view (its record computed ahead when not recorded yet), and
        the pieces that draw it: one panel each."""
        view = self.next_view()
        return [] if view is None else [partial(p.prepare_next, view) for p in panels]
