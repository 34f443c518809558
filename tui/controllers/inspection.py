"""What the app analyses of the record at the cursor: the findings (``diagnose``, once a
record), the rows of the sign table for the weights it lists (``sign_rows`` only for those, never
for every weight), the sign-table filter (s), and the gradient check (x)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nnstep.engine.diagnostics import diagnose
from nnstep.engine.flow_findings import Finding
from nnstep.engine.format import count
from nnstep.engine.records import Record, before
from nnstep.engine.signs import SignRow, sign_rows

from ..sign_view import FILTERS, places
from ..widgets.common import Weight
from ..widgets.sign_table import LABELS
from .host import Host


@dataclass(frozen=True)
class Findings:
    """The diagnostics of one record."""

    record: Record | None = None
    found: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class SignRows:
    """What the sign table lists for one record, filter and selection: the weights (``places``,
    in order), their analysis (``rows``) and how many weights match the filter (``count``)."""

    record: Record | None = None
    filter: str = "all"
    around: Weight | None = None  # the selection the "all" window is centred on
    places: tuple[Weight, ...] = ()
    rows: tuple[SignRow, ...] = ()
    count: int = 0


@dataclass(frozen=True)
class Ahead:
    """The update ``record`` ending the iteration at operation ``index`` of ``branch``, every
    finding of that iteration's operations (some hold at one operation only), and those of the
    update alone (``closing``: the record's own findings, once the cursor gets there)."""

    branch: Any = None
    index: int = -1
    record: Record | None = None
    findings: tuple[Finding, ...] = ()
    closing: tuple[Finding, ...] = ()


class Inspection:
    """Analyses the record at the cursor and the end of its iteration, each once; owns the
    sign-table filter."""

    def __init__(self, host: Host, weights: Sequence[Weight]) -> None:
        self.host, self.weights = host, weights
        self.sign_filter = "all"
        self._findings = (Findings(), Findings())  # the two latest: the cursor's, the end's
        # the cursor's, its iteration's end, the next end, the next operation
        self._signs = (SignRows(),) * 4
        self._ahead: tuple[Ahead, ...] = ()  # the latest first

    def findings(self, rec: Record) -> tuple[Finding, ...]:
        for known in self._findings:
            if known.record is rec:
                return known.found
        for ahead in self._ahead:  # the session records the very update computed ahead
            if ahead.record is rec:
                return ahead.closing
        made = Findings(rec, tuple(diagnose(rec, self.host.session.model,
                                           self.host.session.end_of_iteration)))
        self._findings = (made, self._findings[0])
        return made.found

    def sign_rows(self, rec: Record, selected: Weight | None) -> SignRows:
        """The sign table's weights and rows, computed once per record, filter and selection."""
        which = self.sign_filter
        around = selected if which == "all" else None
        for old in self._signs:
            if old.record is rec and old.filter == which and old.around == around:
                return old
        model = self.host.session.model
        shown, count = places(rec, model, which, self.weights, selected)
        made = SignRows(rec, which, around, tuple(shown), tuple(sign_rows(rec, model, shown)),
                        count)
        self._signs = (made, *self._signs[:3])
        return made

    def ahead(self) -> Ahead:
        """The end of the iteration at the cursor (``Session.iteration_end``) and the findings
        of all its operations, computed once per branch and iteration. Its record is None at
        the start of training and when it cannot be computed (exact fractions grown too
        large)."""
        s = self.host.session
        rec = s.record
        if rec.index == 0:
            return Ahead()
        return self._ahead_of(s.schedule.iteration_end(rec.iteration), s.iteration_end)

    def ahead_of_next(self) -> Ahead | None:
        """The same for the iteration after the cursor's, computed once: what the debugger
        prepares while it waits for a key, so that stepping into the next iteration finds
        it ready. None past the last iteration; its record is None when it cannot be computed
        (exact fractions grown too large), which is not tried again."""
        s = self.host.session
        start = s.record if s.record.index == 0 else self.ahead().record
        if start is None:
            return None
        end = start.index + s.schedule.ops_per_iteration
        if end > s.last_index:
            return None
        return self._ahead_of(end, lambda: s.iteration_end_after(start))

    def _ahead_of(self, end: int, last: Callable[[], Record | None]) -> Ahead:
        """The Ahead of the iteration ending at operation ``end``, from ``last()`` (its update
        record) the first time on this branch. A failure (RunawayFractions, or one the
        cursor's record shows) gives an Ahead without a record, not tried again."""
        branch = self.host.session.branch
        known = next((a for a in self._ahead if a.branch is branch and a.index == end), None)
        if known is None:
            try:
                record = last()
            except Exception:
                record = None
            known = self._keep(end, record)
        return known

    def _keep(self, end: int, last: Record | None) -> Ahead:
        """The Ahead of the iteration ending at operation ``end`` with its update record
        ``last``: all the end's findings (two summaries of one kind in a layer are two
        lines), then those of earlier operations that the end has not. The two latest are
        kept (the cursor's iteration and the next)."""
        s = self.host.session
        made = Ahead(s.branch, end)
        if last is not None:
            model, ops = s.model, s.schedule.ops_per_iteration
            at_end = tuple(diagnose(last, model, self._history))
            seen, earlier = {_place(f) for f in at_end}, {}
            for i in range(end - ops + 1, end):
                at = before(last, i, s.schedule.locate(i)[2])
                for f in diagnose(at, model, self._history):
                    if _place(f) not in seen:
                        earlier.setdefault(_place(f), f)
            made = Ahead(s.branch, end, last, (*at_end, *earlier.values()), at_end)
        self._ahead = (made, *self._ahead[:1])
        return made

    def _history(self, iteration: int) -> Record | None:
        """The record ending ``iteration`` (what findings that look back read): the end
        computed ahead when the branch has not recorded it yet (the next iteration's findings
        look back at this one's), the same record the branch will hold."""
        s = self.host.session
        end = s.schedule.iteration_end(iteration)
        for ahead in self._ahead:
            if ahead.branch is s.branch and ahead.index == end and ahead.record is not None:
                return ahead.record
        return s.end_of_iteration(iteration)

    def next_filter(self) -> None:
        """s: the sign table lists all weights → largest |δw| → moving → moved against."""
        self.sign_filter = FILTERS[(FILTERS.index(self.sign_filter) + 1) % len(FILTERS)]
        count = self.sign_rows(self.host.session.record, self.host.selected).count
        self.host.say(f"sign table: {LABELS[self.sign_filter]} · {count:,} weights match · "
                      "s next filter")

    def gradient_check(self) -> None:
        """x: each δw of the iteration at the cursor against central finite differences."""
        from nnstep.engine.gradcheck import gradient_check

        from ..screens.gradcheck import GradcheckScreen

        host = self.host
        rec = host.session.record
        if rec.x is None:
            host.say("no samples picked yet: step into an iteration first (n)", error=True)
            return
        try:
            checks: Any = gradient_check(rec, host.session.model)
        except Exception as problem:  # the UI never crashes
            host.say(f"gradient check failed: {type(problem).__name__}: {problem}", error=True)
            return
        if not checks:
            host.say("no linear layer: nothing to check", error=True)
            return
        listed = ", ".join(str(i + 1) for i in rec.samples)
        title = (f"gradient check · iteration {rec.iteration}, " + (
            f"sample{'s' if len(rec.samples) > 1 else ''} {listed}" if len(rec.samples) <= 3
            else count(len(rec.samples), "sample")))
        host.push_screen(GradcheckScreen(title, checks))


def _place(f: Finding) -> tuple:
    """What a finding is about: its kind, layer, neuron and sample."""
    return (f.kind, f.layer, f.neuron, f.sample)
