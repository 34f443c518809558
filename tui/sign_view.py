"""Which weights the sign table lists: every weight in model order around the selection, or the
weights of largest |δw| with a filter ("largest", "moving" δw ≠ 0, "against" — moved against
the prediction). Places come from ``engine.signs.select_weights``; the counts from the same
vectorised tables (``layer_signs``), so a 100k-weight network costs milliseconds, and only the
rows shown are analysed (``sign_rows(rec, model, places)``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from nnstep.engine.records import Record
from nnstep.engine.signs import ZERO, layer_signs, select_weights

from .widgets.common import Weight, window

FILTERS = ("all", "largest", "moving", "against")
MAX_ROWS = 24  # rows the table lists


def matches(rec: Record, model: Any, which: str, total: int) -> int:
    """How many weights pass filter ``which`` at ``rec`` (``total`` weights in all)."""
    if which == "all":
        return total
    count = 0
    for k, spec in enumerate(model.layers):
        t = layer_signs(rec, model, k) if spec.trainable else None
        if t is None:
            continue
        if which == "largest":
            count += t.dw.size
        elif which == "moving":
            count += int(np.count_nonzero(t.dw != ZERO))
        elif t.against is not None:
            count += int(np.count_nonzero(t.against))
    return count


def places(rec: Record, model: Any, which: str, weights: list[Weight],
           selected: Weight | None, limit: int = MAX_ROWS) -> tuple[list[Weight], int]:
    """(the weights to list, in order; how many match): "all" is a window of ``weights`` (model
    order) around ``selected``; the filters list the ``limit`` of largest |δw|."""
    if which == "all":
        at = weights.index(selected) if selected in weights else 0
        return [weights[n] for n in window(len(weights), at, limit)], len(weights)
    return select_weights(rec, model, which, limit), matches(rec, model, which, len(weights))
