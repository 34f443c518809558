"""Sign analysis (the articles' "sign flow" and "sign update"), blocked flow and float rounding.

For each weight w^k[i, j] of a linear layer k, once its δw is known:
  δ^{k+1}_i (the flow arriving at output neuron i), o^{k-1}_j (the input it multiplies),
  δw = δ^{k+1}_i · o^{k-1}_j, the predicted move of ŵ = w − α·δw (increase when δw < 0,
  decrease when δw > 0, keep when δw = 0), the situation in words, and, after the update,
  whether the weight really moved that way. With a batch, δw is the batch mean, and the sign of
  δ or o is "mixed" when the samples disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .records import Record
from .step import Model

INCREASE, DECREASE, KEEP = "increase", "decrease", "keep"
ROUNDING_ULPS = 64  # |value| within this many ulps of the scale of its terms counts as "probably 0"


@dataclass(frozen=True)
class SignRow:
    """One weight (``bias`` rows have ``col`` None and o sign "+": the bias input is 1)."""

    layer: int
    name: str
    row: int
    col: int | None
    delta_sign: str  # "+", "-", "0" or "mixed"
    input_sign: str
    dw_sign: str
    move: str  # increase / decrease / keep
    situation: str
    moved: bool | None  # None before the update
    actual: str | None  # the move that happened: increase / decrease / keep


@dataclass(frozen=True)
class Finding:
    """A per-layer observation: kind "blocked" or "rounding"."""

    kind: str
    layer: int
    name: str
    neuron: int
    sample: int
    value: Any
    message: str


def sign(v: Any) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    return "+" if v > 0 else "-" if v < 0 else "0"


def _signs(column: np.ndarray) -> str:
    found = {sign(v) for v in column}
    return found.pop() if len(found) == 1 else "mixed"


def situation(delta_sign: str, neuron: str) -> str:
    """The articles' interpretation of δ^{k+1}_i."""
    return {
        "0": f"{neuron} as expected: nothing to learn",
        "-": f"{neuron} lower than expected",
        "+": f"{neuron} higher than expected",
        "nan": f"{neuron}: δ is nan (not a number), nothing sensible can be learnt",
    }.get(delta_sign, f"{neuron}: the samples of the batch disagree")


def _move(dw_sign: str) -> str:
    return {"-": INCREASE, "+": DECREASE, "0": KEEP}.get(dw_sign, "?")


def sign_rows(rec: Record, model: Model) -> list[SignRow]:
    """Rows for every weight whose δw is known in ``rec`` (empty before the backward pass)."""
    rows: list[SignRow] = []
    n = len(model.layers)
    for k, spec in enumerate(model.layers):
        grads = rec.grads[k] if rec.grads else None
        if not spec.trainable or grads is None:
            continue
        delta_next = rec.loss_delta if k == n - 1 else rec.deltas[k + 1]
        x_in = rec.x if k == 0 else rec.outputs[k - 1]
        after = rec.new_params[k] if rec.new_params is not None else None
        output_name = "model output" if k == _last_trainable(model) and _passes_sign(model, k) \
            else f"{spec.name} output"
        at_output = _passes_sign(model, k) and rec.loss_delta is not None
        for i in range(spec.size):
            d = _signs(delta_next[:, i])
            neuron = f"{output_name} {i + 1}" if spec.size > 1 else output_name
            said = situation(d, neuron)
            if at_output and d == "0" and _signs(rec.loss_delta[:, i]) in ("+", "-"):
                said = (situation(_signs(rec.loss_delta[:, i]), neuron)
                        + ", but the flow is blocked before this weight: nothing is learnt")
            cols = list(range(x_in.shape[1])) + ([None] if spec.bias else [])
            for j in cols:
                key, place = ("w", (i, j)) if j is not None else ("b", (i,))
                o_sign = _signs(x_in[:, j]) if j is not None else "+"
                dw = sign(grads[key][place])
                actual = None if after is None else _actual(rec.params[k][key][place],
                                                           after[key][place])
                rows.append(SignRow(k, spec.name, i, j, d, o_sign, dw, _move(dw), said,
                                    None if actual is None else actual == _move(dw), actual))
    return rows


def _actual(before: Any, after: Any) -> str:
    return INCREASE if after > before else DECREASE if after < before else KEEP


def _last_trainable(model: Model) -> int:
    return max(k for k, s in enumerate(model.layers) if s.trainable)


def _passes_sign(model: Model, k: int) -> bool:
    """True when every layer after k keeps the sign of the flow (ReLU, sigmoid, tanh, …), so a
    sign of δ^{k+1} says the same as the sign of the loss's δ."""
    return all(not s.trainable for s in model.layers[k + 1:])


def findings(rec: Record, model: Model) -> list[Finding]:
    """Blocked learning flow (a ReLU input < 0, or = 0 with grad_at_zero 0, while δ^{k+1} ≠ 0)
    and, in float64, sign tests decided by values within rounding of 0."""
    out: list[Finding] = []
    n = len(model.layers)
    for k, spec in enumerate(model.layers):
        if spec.kind not in ("relu", "leaky_relu") or k == 0:
            continue
        x_in = rec.outputs[k - 1] if rec.outputs and rec.outputs[k - 1] is not None else None
        if x_in is None:
            continue
        delta_next = rec.loss_delta if k == n - 1 else (rec.deltas[k + 1] if rec.deltas else None)
        scale = _scale(rec, model, k - 1)
        for b in range(x_in.shape[0]):
            for i in range(x_in.shape[1]):
                v = x_in[b, i]
                if rec.mode == "float64" and v != 0 and abs(v) <= scale[b, i]:
                    seen = "negative: it blocks" if v < 0 else "positive: it passes"
                    out.append(Finding(
                        "rounding", k, spec.name, i, rec.samples[b], v,
                        f"{spec.name} input {i + 1} is {float(v):.2g}: probably 0 in exact "
                        f"arithmetic (terms of size {scale[b, i] / _ULPS:.2g} cancelled); "
                        f"{spec.name} takes it as {seen} the learning flow where an exact 0 "
                        "would pass it"))
                if spec.kind == "relu" and delta_next is not None and delta_next[b, i] != 0 and (
                        v < 0 or (v == 0 and spec.grad_at_zero == 0)):
                    out.append(Finding(
                        "blocked", k, spec.name, i, rec.samples[b], v,
                        f"{spec.name} blocks the learning flow at neuron {i + 1}: its input is "
                        f"{_short(v)} < 0 while δ = {_short(delta_next[b, i])} says there is "
                        "something to learn"))
    return out


_ULPS = ROUNDING_ULPS * np.finfo(np.float64).eps


def _scale(rec: Record, model: Model, k: int) -> np.ndarray:
    """Per value of o^k, the rounding tolerance: ULPS · eps · Σ|terms| when layer k is linear
    (the terms w·x that were summed), else ULPS · eps · |value|."""
    o = rec.outputs[k]
    spec = model.layers[k]
    if spec.kind == "linear" and rec.mode == "float64":
        x_in = rec.x if k == 0 else rec.outputs[k - 1]
        terms = np.abs(x_in.astype(np.float64)) @ np.abs(rec.params[k]["w"].astype(np.float64)).T
        if spec.bias:
            terms = terms + np.abs(rec.params[k]["b"].astype(np.float64))
        return terms * _ULPS
    return np.abs(o.astype(np.float64)) * _ULPS


def _short(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.3g}"
    return str(v)
