"""A branch against its parent at the same operation: how an edit changed the loss, the outputs
and the weights.

Both records are at the same operation index; the weights compared are the latest each record
holds (ŵ from the update on, else the weights the iteration uses). Δ = branch − parent. Records
of different number modes (after "continue in float64") are compared in float64. Big layers list
their largest changes and a summary; nothing is recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .format import sup, weight_label
from .numbers import floats as to_floats
from .numbers import to_float
from .ranking import largest
from .records import Record

TOP = 10  # changes listed per layer (the rest is summarised)


@dataclass(frozen=True)
class Change:
    """One value on both branches: ``before`` (parent), ``after`` (branch), ``delta``."""

    name: str
    before: Any
    after: Any
    delta: Any


@dataclass(frozen=True)
class LayerChanges:
    """The weights (and biases) of one layer: how many there are, how many differ, the largest
    |Δ| and the ``top`` changes by |Δ| (largest first, ties by position)."""

    layer: str
    total: int
    changed: int
    largest: float
    top: tuple[Change, ...]


@dataclass(frozen=True)
class Comparison:
    """The record at ``index`` on branch ``branch`` against its ``parent`` branch's."""

    index: int
    branch: int
    parent: int
    loss: Change | None  # None while the loss is not computed at this operation
    outputs: tuple[Change, ...]  # o^n per sample of the batch and output, when computed
    layers: tuple[LayerChanges, ...]  # trainable layers only, in model order
    outputs_total: int = 0  # how many outputs there are (``outputs`` lists at most TOP)

    @property
    def unchanged(self) -> bool:
        """True when nothing shown differs (an edit that set a value to what it was)."""
        same_loss = self.loss is None or _is_zero(self.loss.delta)
        return (same_loss and all(_is_zero(c.delta) for c in self.outputs)
                and all(layer.changed == 0 for layer in self.layers))


def compare(rec: Record, parent: Record, layer_names: Sequence[str], branch: int,
            parent_id: int, top: int = TOP) -> Comparison:
    """``rec`` (on ``branch``) against ``parent`` (on ``parent_id``) at the same operation."""
    if rec.index != parent.index:
        raise ValueError(f"records at different operations ({rec.index}, {parent.index})")
    floats = rec.mode != parent.mode
    loss = None
    if rec.loss is not None and parent.loss is not None:
        loss = _change("loss", parent.loss, rec.loss, floats)
    outputs: list[Change] = []
    total = 0
    o, p = _last(rec.outputs), _last(parent.outputs)
    if o is not None and p is not None and o.shape == p.shape:
        total = o.size
        n = len(layer_names)
        batch = len(rec.samples) > 1
        delta = _delta(o, p, floats)
        for flat in largest(_magnitude(delta).ravel(), top) if o.size > top else range(o.size):
            b, i = divmod(int(flat), o.shape[1])
            tag = f" #{rec.samples[b] + 1}" if batch else ""
            name = f"o{sup(n)}[{i + 1}]{tag}"
            outputs.append(Change(name, p[b, i], o[b, i], delta[b, i]))
    layers = []
    for k, (now, was) in enumerate(zip(rec.weights_after(), parent.weights_after())):
        if not now:
            continue
        layers.append(_layer(layer_names[k], k, now, was, floats, top))
    return Comparison(rec.index, branch, parent_id, loss, tuple(outputs), tuple(layers), total)


def _layer(name: str, k: int, now, was, floats: bool, top: int) -> LayerChanges:
    keys = [key for key in ("w", "b") if key in now]
    deltas = {key: _delta(now[key], was[key], floats) for key in keys}
    mags = np.concatenate([_magnitude(deltas[key]).ravel() for key in keys])
    changed = int(np.count_nonzero(mags))
    biggest = float(np.max(mags)) if mags.size else 0.0
    changes = []
    offsets = np.cumsum([0] + [deltas[key].size for key in keys])
    for flat in largest(mags, min(top, changed)):
        part = int(np.searchsorted(offsets, flat, side="right")) - 1
        key = keys[part]
        place = np.unravel_index(int(flat - offsets[part]), deltas[key].shape)
        place = tuple(int(i) for i in place)
        changes.append(Change(weight_label(k, key, place), was[key][place], now[key][place],
                              deltas[key][place]))
    return LayerChanges(name, int(mags.size), changed, biggest, tuple(changes))


def _delta(now: np.ndarray, was: np.ndarray, floats: bool) -> np.ndarray:
    """now − was elementwise; equal non-finite values (inf and inf, NaN and NaN) give 0."""
    if floats:
        now, was = to_floats(now), to_floats(was)
    if now.dtype == object and was.dtype == object:
        return now - was
    with np.errstate(invalid="ignore", over="ignore"):
        out = now - was
    same = (now == was) | (np.isnan(now) & np.isnan(was))
    return np.where(same, 0.0, out)


def _magnitude(delta: np.ndarray) -> np.ndarray:
    """|Δ| as float64 (NaN stays NaN: ranked first, a debugger must show it)."""
    if delta.dtype == object:
        return np.abs(to_floats(delta))
    return np.abs(delta)


def _change(name: str, was: Any, now: Any, floats: bool) -> Change:
    if floats:
        was, now = to_float(was), to_float(now)
    if isinstance(was, Fraction) and isinstance(now, Fraction):
        return Change(name, was, now, now - was)
    was, now = float(was), float(now)
    same = was == now or (math.isnan(was) and math.isnan(now))
    delta = 0.0 if same else now - was
    return Change(name, was, now, delta)


def _is_zero(v: Any) -> bool:
    return v == 0


def _last(outputs: tuple) -> np.ndarray | None:
    return outputs[-1] if outputs else None
