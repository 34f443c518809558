"""Summaries of large layers: statistics, the top-k values, and block-reduced matrices for heat
maps. Everything is computed in float64 (exact values are converted) and returned as plain
numbers, so a UI can show a 128×784 layer without printing it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Model
from .numbers import floats
from .ranking import largest
from .records import Record


@dataclass(frozen=True)
class LayerStats:
    """One layer at one record. None where not computed yet at this operation.

    ``o_*``: its outputs over the batch; ``mean_abs_delta``: mean |δ^k| at its input;
    ``blocked_share``: for a kind that blocks (ReLU), the share of (sample, unit) pairs whose
    input is < 0 while δ^{k+1} ≠ 0 (learning flow blocked); ``w_*`` / ``mean_abs_dw``: its
    weights and δw."""

    name: str
    kind: str
    size: int
    o_min: float | None = None
    o_max: float | None = None
    o_mean: float | None = None
    mean_abs_delta: float | None = None
    blocked_share: float | None = None
    w_min: float | None = None
    w_max: float | None = None
    mean_abs_dw: float | None = None


def _f(arr: np.ndarray | None) -> np.ndarray | None:
    return None if arr is None else floats(arr)


def layer_stats(rec: Record, model: Model) -> list[LayerStats]:
    """Statistics of every layer at ``rec``."""
    out = []
    for k, spec in enumerate(model.layers):
        o = _f(rec.outputs[k]) if rec.outputs else None
        delta = _f(rec.deltas[k]) if rec.deltas else None
        stats = {"name": spec.name, "kind": spec.kind, "size": spec.size}
        if o is not None:
            stats.update(o_min=_least(o), o_max=_most(o), o_mean=_mean(o))
        if delta is not None:
            stats["mean_abs_delta"] = _mean(np.abs(delta))
        if spec.recipe.blocks and rec.layer_input(k) is not None:
            nxt = rec.flow_into(k)
            if nxt is not None:
                blocked = spec.recipe.blocked(spec, _f(rec.layer_input(k)), _f(nxt))
                stats["blocked_share"] = float(blocked.mean())
        if spec.trainable:
            w = _f(rec.params[k]["w"])
            stats.update(w_min=_least(w), w_max=_most(w))
            grads = rec.grads[k] if rec.grads else None
            if grads is not None:
                stats["mean_abs_dw"] = _mean(np.abs(_f(grads["w"])))
        out.append(LayerStats(**stats))
    return out


# NaN-ignoring statistics. Without a NaN they are the plain ones (the same values: a plain min or
# max is NaN when a NaN is there, and nanmean is the same sum over the same values, divided by
# the same count): those cost a fraction of the NaN-ignoring ones on big layers, which are
# asked only when a NaN (or an inf − inf) made the plain one NaN.

def _least(a: np.ndarray) -> float:
    v = float(a.min())
    return v if v == v else float(np.nanmin(a))


def _most(a: np.ndarray) -> float:
    v = float(a.max())
    return v if v == v else float(np.nanmax(a))


def _mean(a: np.ndarray) -> float:
    v = _plain_mean(a)
    return v if v == v else float(np.nanmean(a))


@np.errstate(invalid="ignore")  # inf − inf: nanmean, asked next, says so as it always did
def _plain_mean(a: np.ndarray) -> float:
    return float(a.mean())


def top_k(arr: np.ndarray, count: int) -> list[tuple[tuple[int, ...], float]]:
    """The ``count`` entries of largest magnitude: [(index, value)], largest first. NaN and ±inf
    come first (they are what a debugger must see)."""
    values = _f(arr)
    magnitude = np.abs(values).ravel()
    magnitude = np.where(np.isfinite(magnitude), magnitude, np.inf)
    count = min(count, magnitude.size)
    if count <= 0:
        return []
    best = largest(magnitude, count)
    return [(tuple(int(i) for i in np.unravel_index(n, values.shape)), float(values.flat[n]))
            for n in best]


def downsample(arr: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``arr`` [r, c] reduced to at most [rows, cols] blocks for a heat map: each block keeps
    its value of largest magnitude (with its sign; of equal magnitudes, the first in reading
    order), so a single large or non-finite weight stays visible. NaN wins over everything.
    Blocks are cut at ``linspace(0, size, blocks + 1)`` truncated; each band of rows is reduced
    in a few whole-array operations (a heat map is redrawn at every step)."""
    values = _f(arr)
    if values.ndim == 1:
        values = values[None, :]
    r, c = values.shape
    rows, cols = max(1, min(rows, r)), max(1, min(cols, c))
    row_edges = np.linspace(0, r, rows + 1).astype(int)
    col_edges = np.linspace(0, c, cols + 1).astype(int)
    starts, widths = col_edges[:-1], np.diff(col_edges)
    block = np.repeat(np.arange(cols), widths)  # each column's block
    across = np.arange(c) - starts[block]  # each column's place in its block
    # the place in reading order (row by row within its block) of each entry of a band
    order = np.arange(np.diff(row_edges).max())[:, None] * widths[block] + across
    peaks = np.empty((rows, cols))
    firsts = np.empty((rows, cols), dtype=np.int64)
    for a in range(rows):
        magnitude = np.abs(values[row_edges[a]:row_edges[a + 1]])
        peak = peaks[a] = np.maximum.reduceat(magnitude.max(axis=0), starts)  # NaN if any
        # the places of the entries at their block's peak; the least one per block is the first
        hit = np.where(magnitude == peak[block], order[:len(magnitude)], np.iinfo(np.int64).max)
        firsts[a] = np.minimum.reduceat(hit.min(axis=0), starts)
    nan = np.isnan(peaks)
    firsts[nan] = 0
    out = values[row_edges[:-1, None] + firsts // widths, starts + firsts % widths]
    out[nan] = np.nan
    return out
