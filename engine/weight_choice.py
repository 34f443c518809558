"""Which weights the sign table shows: every one in model order, or a filter (moved against the
prediction, moving, largest) sorted by |δw|, vectorised over the layers' sign tables."""

from __future__ import annotations

import numpy as np

from .model import Model
from .ranking import largest
from .records import Record
from .sign_codes import ZERO
from .signs import layer_signs


def select_weights(rec: Record, model: Model, which: str = "all",
                   limit: int | None = None) -> list[tuple[int, int, int | None]]:
    """Places of the weights to show: "all" in model order, or "against" (moved against the
    prediction), "moving" (δw ≠ 0) and "largest" (every weight), each sorted by |δw|,
    largest first. Vectorised: fast on 100k weights."""
    return choose_weights(rec, model, which, limit)[0]


def choose_weights(rec: Record, model: Model, which: str = "all",
                   limit: int | None = None) -> tuple[list[tuple[int, int, int | None]], int]:
    """(the places ``select_weights`` gives, how many weights pass the filter in all)."""
    keys, sizes, places = [], [], []
    for k, spec in enumerate(model.layers):
        t = layer_signs(rec, model, k) if spec.trainable else None
        if t is None:
            continue
        mask = np.ones(t.dw.shape, bool)
        if which == "against":
            mask = t.against if t.against is not None else np.zeros(t.dw.shape, bool)
        elif which == "moving":
            mask = t.dw != ZERO
        rows, cols = np.nonzero(mask)
        places.append((k, rows, cols, t.dw.shape[1] - t.bias))
        keys.append(t.dw_abs[rows, cols])
        sizes.append(len(rows))
    if not places:
        return [], 0
    order = np.arange(sum(sizes))
    if which != "all":
        magnitude = np.concatenate(keys)
        order = largest(magnitude, len(order) if limit is None else limit)
    elif limit is not None:
        order = order[:limit]
    starts = np.cumsum([0] + sizes)
    out = []
    for n in order.tolist():
        layer = int(np.searchsorted(starts, n, side="right")) - 1
        k, rows, cols, n_in = places[layer]
        i, j = int(rows[n - starts[layer]]), int(cols[n - starts[layer]])
        out.append((k, i, j if j < n_in else None))
    return out, sum(sizes)
