"""Which weights the sign table lists: every weight in model order around the selection, or the
weights of largest |δw| with a filter ("largest", "moving" δw ≠ 0, "against" — moved against
the prediction). Places and counts come from ``engine.weight_choice.choose_weights`` (vectorised
tables), so a 100k-weight network costs milliseconds, and only the rows shown are analysed
(``sign_rows(rec, model, places)``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nnstep.engine.records import Record
from nnstep.engine.weight_choice import choose_weights

from .widgets.common import Weight, window

FILTERS = ("all", "largest", "moving", "against")
MAX_ROWS = 24  # rows the table lists


def places(rec: Record, model: Any, which: str, weights: Sequence[Weight],
           selected: Weight | None, limit: int = MAX_ROWS) -> tuple[list[Weight], int]:
    """(the weights to list, in order; how many match): "all" is a window of ``weights`` (model
    order) around ``selected``; the filters list the ``limit`` of largest |δw|."""
    if which == "all":
        at = weights.index(selected) if selected in weights else 0
        return [weights[n] for n in window(len(weights), at, limit)], len(weights)
    return choose_weights(rec, model, which, limit)
