"""What the app analyses of the record at the cursor: the findings (``diagnose``, once a
record), the rows of the sign table for the weights it lists (``sign_rows`` only for those, never
for every weight), the sign-table filter (s), and the gradient check (x)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnstep.engine.diagnostics import diagnose
from nnstep.engine.gradcheck import gradient_check
from nnstep.engine.records import Record
from nnstep.engine.signs import Finding, SignRow, sign_rows

from ..screens.gradcheck import GradcheckScreen
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


class Inspection:
    """Analyses the record at the cursor, each once; owns the sign-table filter."""

    def __init__(self, host: Host, weights: list[Weight]) -> None:
        self.host, self.weights = host, weights
        self.sign_filter = "all"
        self._findings = Findings()
        self._signs = SignRows()

    def findings(self, rec: Record) -> tuple[Finding, ...]:
        if self._findings.record is not rec:
            self._findings = Findings(rec, tuple(diagnose(rec, self.host.session.model)))
        return self._findings.found

    def sign_rows(self, rec: Record, selected: Weight | None) -> SignRows:
        """The sign table's weights and rows, computed once per record, filter and selection."""
        which = self.sign_filter
        around = selected if which == "all" else None
        old = self._signs
        if old.record is not rec or old.filter != which or old.around != around:
            model = self.host.session.model
            shown, count = places(rec, model, which, self.weights, selected)
            self._signs = SignRows(rec, which, around, tuple(shown),
                                   tuple(sign_rows(rec, model, shown)), count)
        return self._signs

    def next_filter(self) -> None:
        """s: the sign table lists all weights → largest |δw| → moving → moved against."""
        self.sign_filter = FILTERS[(FILTERS.index(self.sign_filter) + 1) % len(FILTERS)]
        count = self.sign_rows(self.host.session.record, self.host.selected).count
        self.host.say(f"sign table: {LABELS[self.sign_filter]} · {count:,} weights match · "
                      "s next filter")

    def gradient_check(self) -> None:
        """x: each δw of the iteration at the cursor against central finite differences."""
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
        title = (f"gradient check · iteration {rec.iteration}, samples "
                 f"{', '.join(str(i + 1) for i in rec.samples)}")
        host.push_screen(GradcheckScreen(title, checks))
