"""The app's requests for looking into big networks (a mixin of ``NnstepApp``): the sign-table
filter (s), jumping the selection along the weights of largest |δw| (w / W), and the drill-in
on the selected weight's whole row (d). The rows of the sign table are analysed only for the
weights it lists (``sign_rows(rec, model, places)``), never for every weight."""

from __future__ import annotations

from typing import Any, Callable

from nnstep.engine.signs import select_weights, sign_rows

from .screens.row import RowScreen
from .sign_view import FILTERS, places
from .widgets.common import Weight, weight_label
from .widgets.sign_table import LABELS

JUMP_LIMIT = 50  # w / W walk the weights of the 50 largest |δw|


class Inspecting:
    """Mixed into the app, which provides what is annotated here."""

    session: Any
    weights: list[Weight]
    selected: Weight | None
    _message: str
    _error: bool
    say: Callable[..., None]
    view: Callable[[], Any]
    push_screen: Callable[..., Any]
    sign_filter: str = "all"
    _signs: tuple[Any, ...] = (None,)

    def sign_view(self) -> tuple[tuple[Weight, ...], tuple, int]:
        """(places the sign table lists, their SignRows, how many weights match), cached for
        one record, selection and filter."""
        s = self.session
        rec, sel = s.record, self.selected
        key = (self.sign_filter, sel if self.sign_filter == "all" else None)
        if self._signs[0] is not rec or self._signs[1] != key:
            shown, count = places(rec, s.model, self.sign_filter, self.weights, sel)
            self._signs = (rec, key, tuple(shown), tuple(sign_rows(rec, s.model, shown)), count)
        return self._signs[2], self._signs[3], self._signs[4]

    def action_sign_filter(self) -> None:
        """s: the sign table lists all weights → largest |δw| → moving → moved against."""
        self.sign_filter = FILTERS[(FILTERS.index(self.sign_filter) + 1) % len(FILTERS)]
        count = self.sign_view()[2]
        self.say(f"sign table: {LABELS[self.sign_filter]} · {count:,} weights match · "
                 "s next filter")

    def action_select_largest(self, step: int) -> None:
        """w / W: select the weight of next smaller (larger) |δw| among the 50 largest."""
        s = self.session
        ranked = select_weights(s.record, s.model, "largest", JUMP_LIMIT)
        if not ranked:
            self.say("no δw yet at this operation: step through a backward pass first",
                     error=True)
            return
        sel = self.selected
        n = ranked.index(sel) + step if sel in ranked else (0 if step > 0 else len(ranked) - 1)
        n %= len(ranked)
        self._message, self._error = "", False
        self.selected = ranked[n]
        self.say(f"|δw| rank {n + 1} of the {len(ranked)} largest: "
                 f"{weight_label(self.view(), ranked[n])} · w next · W previous · d its row")

    def action_drill(self) -> None:
        """d: the selected weight's neuron with every input in full (enter selects a weight)."""
        sel = self.selected
        if sel is None:
            self.say("no trainable weight in this model", error=True)
            return

        def chosen(weight: Weight | None) -> None:
            if weight is not None:
                self.selected = weight

        self.push_screen(RowScreen(self.view(), sel), chosen)
