"""Breakpoints: the conditions the person set (b), continue (c) to the next operation where one
holds (a NaN or inf always stops), reverse-continue (C) back through the recorded history. The
searches run in slices (``Navigation.in_slices``), so escape cancels them. The searches, the
dialog and the condition parser are loaded when first used: the first screen needs none of them
(unless a saved session or --break brings breakpoints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnstep.engine.saved_session import SavedBreakpoint

if TYPE_CHECKING:
    from nnstep.engine.conditions import Condition

from .host import Host, Status
from .navigation import Navigation, Progress

CHUNK = 50  # operations a search computes between looks at the clock


class Breakpoints:
    """The conditions, in the order added, which of them are switched off, how many times
    each stopped a run, and the searches for them."""

    def __init__(self, host: Host, navigation: Navigation) -> None:
        self.host, self.navigation = host, navigation
        self.conditions: list[Condition] = []
        self.off: set[str] = set()  # texts of the conditions switched off
        self.hits: dict[str, int] = {}  # text → how many times it stopped c or C

    @property
    def session(self) -> Any:
        return self.host.session

    def _layer_names(self) -> list[str]:
        return [spec.name for spec in self.session.model.layers]

    def _all(self) -> list[Condition]:
        """The person's conditions that are on and, always, a NaN or inf."""
        from nnstep.engine.conditions import parse_condition

        return [parse_condition("nonfinite", self._layer_names())] + [
            c for c in self.conditions if c.text not in self.off]

    def saved(self) -> tuple[SavedBreakpoint, ...]:
        """The breakpoints as a saved session keeps them."""
        return tuple(SavedBreakpoint(c.text, c.text not in self.off, self.hits.get(c.text, 0))
                     for c in self.conditions)

    def restore(self, saved: tuple[SavedBreakpoint, ...]) -> None:
        """Set the breakpoints of a saved session (their conditions were checked on loading).
        The condition parser loads only for a session that has some."""
        self.conditions = []
        if saved:
            from nnstep.engine.conditions import parse_condition

            names = self._layer_names()
            self.conditions = [parse_condition(b.text, names) for b in saved]
        self.off = {c.text for c, b in zip(self.conditions, saved) if not b.enabled}
        self.hits = {c.text: b.hits for c, b in zip(self.conditions, saved) if b.hits}

    def listing(self) -> list[str]:
        """One line per breakpoint for the dialog: ● on / ○ off, the condition, its hits."""
        out = []
        for c in self.conditions:
            hits = self.hits.get(c.text, 0)
            count = f" · {hits} hit{'s' * (hits != 1)}" if hits else ""
            out.append(f"○ {c.text} (off){count}" if c.text in self.off else f"● {c.text}{count}")
        return out

    def forward(self) -> None:
        """c: forward to the next operation where a breakpoint holds."""
        if self.navigation.busy():
            return
        s = self.session
        if s.cursor >= s.last_index:
            self.host.say("at the end of training: nothing to continue to (C goes back)",
                          error=True)
            return
        from nnstep.engine.search import forward_iter

        search = forward_iter(s, self._all(), chunk=CHUNK)
        self.host.run_worker(self._search(search, s.last_index, "continue"),
                             group="compute", exclusive=True)

    def backward(self) -> None:
        """C: back through the recorded history to the previous operation where one holds."""
        if self.navigation.busy():
            return
        if not self.conditions:
            self.host.say("no breakpoint to go back to: b adds one (e.g. sign, loss rises)",
                          error=True)
            return
        from nnstep.engine.search import backward_iter

        search = backward_iter(self.session, self._all(), chunk=CHUNK)
        self.host.run_worker(self._search(search, 0, "reverse-continue"), group="compute",
                             exclusive=True)

    def open_at(self, index: int | None, continue_: bool) -> None:
        """Where ``nnstep FILE --goto … --continue`` opens: go to ``index`` (computing in slices,
        escape cancels), then, with ``continue_``, on to the first breakpoint hit."""
        if index is None and not continue_:
            return

        from nnstep.engine.search import forward_iter

        async def opening() -> None:
            s = self.session
            if index is not None:
                await self.navigation.compute(index)
                if s.cursor != index:  # cancelled, or exact fractions grew too large
                    return
            if continue_:
                await self._search(forward_iter(s, self._all(), chunk=CHUNK), s.last_index,
                                   "continue")

        self.host.run_worker(opening(), group="compute", exclusive=True)

    async def _search(self, search: Any, fallback: int, what: str) -> None:
        """Drive a forward / backward search in slices; land on the hit, else on ``fallback``."""
        from nnstep.engine.search import Hit

        s, host = self.session, self.host
        origin = s.cursor
        with self.navigation.working(then=None):
            result, cancelled = await self.navigation.in_slices(
                search, lambda r: (Progress(r, fallback) if fallback else
                                   Progress(origin - r, origin),
                                   f"{what}: searching at operation {r} … escape cancels"))
            if cancelled:
                s.goto(min(result, s.computed))
                host.status = Status(f"{what} cancelled at operation {result}", True)
            elif isinstance(result, Hit):
                s.goto(result.index)
                if any(c.text == result.condition for c in self.conditions):
                    self.hits[result.condition] = self.hits.get(result.condition, 0) + 1
                host.status = Status(f"● {result.condition}: {result.message}", True)
            else:
                s.goto(fallback)
                where = "the end of training" if fallback else "the start"
                host.status = Status(f"{what}: no breakpoint hit before {where}")

    def dialog(self) -> None:
        """b: list, add and remove conditions."""
        from nnstep.engine.conditions import ConditionError, parse_condition

        from ..screens.breakpoints import BreakpointsScreen

        layers = self.session.model.layers

        def add(text: str) -> str | None:
            try:
                condition = parse_condition(text, layers, self.session.record.mode)
            except ConditionError as problem:
                return str(problem)
            if any(c.text == condition.text for c in self.conditions):
                return f"'{condition.text}' is already set"
            self.conditions.append(condition)
            return None

        def remove(n: int) -> None:
            if 0 <= n < len(self.conditions):
                text = self.conditions.pop(n).text
                self.off.discard(text)
                self.hits.pop(text, None)

        def toggle(n: int) -> None:
            if 0 <= n < len(self.conditions):
                self.off ^= {self.conditions[n].text}

        def closed(_: Any) -> None:
            listed = ", ".join(c.text + (" (off)" if c.text in self.off else "")
                               for c in self.conditions) or "none"
            self.host.say(f"breakpoints: {listed} · c continue · C reverse-continue")

        self.host.push_screen(BreakpointsScreen(self.listing, add, remove,
                                                self.host.cursor_blink, toggle), closed)
