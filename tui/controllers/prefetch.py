"""While the debugger waits for a key, it prepares what a step into the next iteration needs:
the end of that iteration, its records and findings (``Inspection.ahead_of_next``), and each
panel's drawing of it (``Panel.prepare``), which the panels keep room for through the
iteration. Such a step then draws only its own operation, where it drew the whole end of the
iteration too: most of its time, on a large network several times a plain step's.

The work starts once the screen is painted (never ahead of a paint: the first screen
included) and is done one piece at a time (the end's records and findings, then one panel),
each after the messages already queued are handled: a key that comes meanwhile waits for one
piece at most. Any change to the screen starts it again from the new state; what was prepared
is used only if the panel's inputs are still those it was made for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .host import Host
from .inspection import Ahead, Inspection


class Prefetch:
    """Prepares the next iteration's end (see the module doc)."""

    def __init__(self, host: Host, inspection: Inspection,
                 end_view: Callable[[Ahead], Any], panels: Callable[[], Sequence[Any]]) -> None:
        self.host, self.inspection = host, inspection
        self.end_view, self.panels = end_view, panels  # the view of an Ahead; HOLDS_STILL ones
        self.enabled = True
        self.busy = False  # preparing, or about to (tests wait for it)
        self._round = 0  # bumped by every change: work of an older round stops
        self._made: tuple | None = None  # (Ahead, what else it shows, the end's view)

    def schedule(self) -> None:
        """The screen changed: prepare for the new state once it is painted."""
        self._round += 1
        self.busy = self.enabled
        if self.enabled:  # after the paint, and after what is queued by then (a key)
            self.host.call_after_refresh(self.host.call_later, self._start, self._round)

    def _start(self, round_: int) -> None:
        if round_ != self._round:
            return
        ahead = None if self.host.running else self.inspection.ahead_of_next()
        if ahead is None or ahead.record is None:
            self.busy = False
            return
        # the end's view, made again only when what it shows changed (most keys move the
        # cursor within the iteration, and the panels have prepared it already)
        shown = (self.host.style, self.host.selected, self.inspection.sign_filter)
        if self._made is None or self._made[0] is not ahead or self._made[1] != shown:
            self._made = (ahead, shown, self.end_view(ahead))
        self.host.call_later(self._prepare, round_, self._made[2], list(self.panels()))

    def _prepare(self, round_: int, end: Any, pending: list) -> None:
        if round_ != self._round:
            return
        if self.host.running or not pending:
            self.busy = False
            return
        pending[0].prepare(end)
        self.host.call_later(self._prepare, round_, end, pending[1:])
