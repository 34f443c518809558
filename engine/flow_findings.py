"""Findings of the learning flow at a kink (ReLU, leaky ReLU …): a **blocked** flow (the
input < 0, or = 0 with grad_at_zero 0, while δ^{k+1} ≠ 0: the recipe's ``blocked``) and, in
float64, a sign test decided by **rounding** (an input within rounding of 0, which an exact 0
would have passed). ``Finding`` is the shape every diagnostic reports in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from .format import brief
from .model import Model
from .numbers import SMALL
from .records import Record

ROUNDING_ULPS = 64  # |value| within this many ulps of the scale of its terms counts as "probably 0"


@dataclass(frozen=True, init=False)
class Finding:
    """A per-layer observation: kind "blocked" or "rounding" (diagnostics.py and detectors.py
    add theirs). ``neuron`` and ``sample`` are -1 when it concerns the whole layer or batch;
    ``summary`` is a few words for the layer's panel when it concerns the whole layer."""

    kind: str
    layer: int
    name: str
    neuron: int
    sample: int
    value: Any
    message: str
    summary: str = ""

    def __init__(self, kind: str, layer: int, name: str, neuron: int, sample: int, value: Any,
                 message: str, summary: str = "") -> None:
        # the fields set at once (a frozen dataclass's own __init__ sets them one by one
        # through object.__setattr__, at twice the cost: a 784-128-10 line makes ~100)
        self.__dict__.update(kind=kind, layer=layer, name=name, neuron=neuron, sample=sample,
                             value=value, message=message, summary=summary)


def findings(rec: Record, model: Model) -> list[Finding]:
    """Blocked learning flow (a ReLU input < 0, or = 0 with grad_at_zero 0, while δ^{k+1} ≠ 0:
    the recipe's ``blocked``) and, in float64, sign tests of a kind with a kink at 0 decided by
    values within rounding of 0."""
    out: list[Finding] = []
    for k, spec in enumerate(model.layers):
        if not spec.recipe.kink or k == 0:
            continue
        x_in = rec.layer_input(k)
        if x_in is None:
            continue
        delta_next = rec.flow_into(k)
        rounding = blocked = scale = None
        if rec.mode == "float64":
            scale = _scale(rec, model, k - 1)
            near = np.abs(x_in) <= scale
            if np.count_nonzero(near):  # most inputs are far from 0: nothing more to test
                # terms of size inf say nothing about rounding: inf − inf is not "probably 0"
                rounding = near & (x_in != 0) & np.isfinite(scale)
        own_backward_done = bool(rec.deltas) and rec.deltas[k] is not None
        if spec.recipe.blocks and delta_next is not None and own_backward_done:
            # reported from the ReLU's own backward operation on, where it stops the flow
            blocked = spec.recipe.blocked(spec, x_in, delta_next)
        if rounding is None and blocked is None:
            continue
        flagged = true_places(blocked if rounding is None else
                              rounding if blocked is None else rounding | blocked)
        if not len(flagged[0]):
            continue
        # the values read for the messages, gathered once (Python floats or Fractions)
        cells = zip(*(axis.tolist() for axis in flagged), x_in[flagged].tolist(),
                    _gather(rounding, flagged), _gather(blocked, flagged),
                    _gather(delta_next, flagged), _gather(scale, flagged))
        for b, i, v, rounded, stopped, flow, size in cells:
            if rounded:
                out.append(rounding_finding(k, spec.name, i, rec.samples[b], v, size))
            if stopped:
                out.append(blocked_finding(k, spec.name, i, rec.samples[b], v, flow))
    return out


def rounding_finding(k: int, name: str, i: int, sample: int, v: float, size: float) -> Finding:
    """The input ``v`` of neuron ``i`` of kink layer ``k`` is within rounding of 0 (terms of
    ``size`` · the tolerance cancelled)."""
    seen = "negative: it blocks" if v < 0 else "positive: it passes"
    return Finding(
        "rounding", k, name, i, sample, v,
        f"the input of {name} n{i + 1} is {float(v):.2g}: probably 0 in exact arithmetic "
        f"(terms of size {size / _ULPS:.2g} cancelled); {name} takes it as {seen} the "
        "learning flow where an exact 0 would pass it")


def blocked_finding(k: int, name: str, i: int, sample: int, v: Any, flow: Any) -> Finding:
    """Neuron ``i`` of layer ``k`` blocks the flow ``flow``: its input ``v`` is < 0."""
    return Finding(
        "blocked", k, name, i, sample, v,
        f"{name} n{i + 1} blocks the learning flow: its input is {brief(v, 3)} < 0 while "
        f"δ = {brief(flow, 3)} says there is something to learn")


def _gather(arr: np.ndarray | None, places: tuple) -> Iterable:
    """The values of ``arr`` at ``places`` (a ``nonzero`` result) as Python values; Nones when
    there is no array (a mask not computed: nothing flagged by it)."""
    return repeat(None) if arr is None else arr[places].tolist()


def true_places(mask: np.ndarray) -> tuple[np.ndarray, ...]:
    """``mask.nonzero()``: the indices where ``mask`` is true, per axis, in row-major order. A
    large 2-D mask is read as one row (numpy's 2-D ``nonzero`` takes ten times as long)."""
    if mask.ndim != 2 or mask.size <= SMALL:
        return mask.nonzero()
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


_ULPS = ROUNDING_ULPS * np.finfo(np.float64).eps


@np.errstate(over="ignore", invalid="ignore")  # as a decorator: cheaper than a `with` block
def _scale(rec: Record, model: Model, k: int) -> np.ndarray:
    """Per value of o^k, the rounding tolerance: ULPS · eps · the size of the terms that made it
    (Σ|w·x| for a linear layer: the recipe's ``terms``)."""
    spec = model.layers[k]
    return spec.recipe.terms(spec, rec.params[k], rec.layer_input(k), rec.outputs[k]) * _ULPS
