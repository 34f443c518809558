"""Diagnostics of one record: what a debugger should point at.

Kinds: "nonfinite" (the operation produced NaN or ±inf: where, exactly), "blocked" and
"rounding" (from flow_findings.py), "saturated" (a sigmoid/tanh whose derivative has all but
vanished while there is something to learn), "overshoot" (after an update, the loss of the same
batch rose: the learning rate is too large), "sign" (an update flipped the sign of a weight), and
the research detectors of detectors.py (vanishing, exploding, dying, update_ratio, unchanged).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import layers as L
from .detectors import History, detect_all
from .flow_findings import Finding, findings, true_places
from .format import brief, sup, weight_label
from .losses import batch_loss, loss_values
from .memo import once
from .model import Model
from .numbers import SMALL, floats, numbers_of, sum_is_finite
from .optimizers import layer_direction
from .records import BACKWARD, FORWARD, UPDATE, Record, produced

SIGN_DETAIL = 10  # more sign flips than this in one array are summarised in one finding
SATURATION = 1e-3  # a sigmoid/tanh derivative below this (its maximum is 1/4 or 1) is saturated


def diagnose(rec: Record, model: Model, history: History | None = None) -> list[Finding]:
    """All findings at ``rec``; ``history(t)`` (the record ending iteration t) lets the
    detectors that look back (``unchanged``) report too."""
    out = nonfinite(rec, model) + findings(rec, model) + saturated(rec, model)
    out += detect_all(rec, model, history)
    if rec.op.kind == UPDATE:
        out += sign_changes(rec, model) + overshoot(rec, model)
    return out


def overshoot(rec: Record, model: Model) -> list[Finding]:
    """At an update that raised the loss of its own batch: one finding (α is too large)."""
    change = loss_change(rec, model) if rec.op.kind == UPDATE else None
    if change is None or not change[1] > 0:
        return []
    predicted, actual = change
    small = (f"where a small step would lower it by {brief(-predicted)}" if predicted < 0
             else f"(a small step of this direction would change it by {brief(predicted)})")
    return [Finding(
        "overshoot", -1, "loss", 0, -1, actual,
        f"the update raised the loss of this batch by {brief(actual)} {small}: the "
        f"learning rate α = {brief(rec.lr)} is too large for this point")]


def by_kind(kind: str, rec: Record, model: Model) -> list[Finding]:
    """The findings of one kind at ``rec``, computing only what that kind needs."""
    if kind == "nonfinite":
        return nonfinite(rec, model)
    if kind in ("blocked", "rounding"):
        return [f for f in findings(rec, model) if f.kind == kind]
    if kind == "saturated":
        return saturated(rec, model)
    if kind == "overshoot":
        return overshoot(rec, model)
    return [f for f in diagnose(rec, model) if f.kind == kind]


def nonfinite(rec: Record, model: Model) -> list[Finding]:
    """NaN or ±inf in what this operation produced, naming the array, neuron and sample (the
    place comes from ``records.produced``: layer, batch axis, weight key)."""
    out = []
    names = [s.name for s in model.layers]
    for made in produced(rec, names):
        arr = made.array
        if arr is None or arr.dtype == object or sum_is_finite(arr):
            continue
        bad = np.argwhere(~np.isfinite(arr))
        if bad.size == 0:
            continue
        place = tuple(int(i) for i in bad[0])
        value = float(arr[place])
        layer = -1 if made.layer is None else made.layer
        neuron = place[-1] if made.batched else place[0]
        sample = rec.samples[place[0]] if made.batched and rec.samples else -1
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        out.append(Finding("nonfinite", layer, "loss" if made.layer is None else names[layer],
                           neuron, sample, value,
                           f"{model.label(rec.op)} produced {brief(value)} in "
                           f"{_place_text(made, place, rec, names)}{more}"))
    return out


def _place_text(made, place: tuple, rec: Record, names: list[str]) -> str:
    """Where in ``made`` the first NaN/inf is, in the articles' names: ``o²[3], the output of L2
    n3, in sample 1``, ``δ³[1], the learning flow at L3's input 1, in sample 3``, ``δw of
    w²[1,2]``, ``the updated w²[1,2]``."""
    if not made.batched:
        label = weight_label(made.layer, made.key, place)
        return f"the updated {label}" if rec.op.kind == UPDATE else f"δ{made.key} of {label}"
    sample = rec.samples[place[0]] + 1
    if made.layer is None:
        return f"the loss of sample {sample}"
    k, j = made.layer, place[-1] + 1
    if rec.op.kind == FORWARD:
        return f"o{sup(k + 1)}[{j}], the output of {names[k]} n{j}, in sample {sample}"
    if rec.op.kind == BACKWARD:
        return (f"δ{sup(k + 1)}[{j}], the learning flow at {names[k]}'s input {j}, in sample "
                f"{sample}")
    return f"{made.text}, output {j} of sample {sample}"


def saturated(rec: Record, model: Model) -> list[Finding]:
    """Sigmoid/tanh layers whose derivative is < SATURATION where δ^{k+1} ≠ 0 (vanishing flow);
    reported from the backward operation of that layer to the end of the iteration."""
    out = []
    for k, spec in enumerate(model.layers):
        if not spec.recipe.saturates or not rec.deltas or rec.deltas[k] is None:
            continue
        o = rec.outputs[k]
        slope = L.activation_slope(spec, rec.layer_input(k), o, numbers_of(rec.mode))
        delta_next = rec.flow_into(k)
        for b, i in np.argwhere((slope < SATURATION) & (delta_next != 0)):
            out.append(Finding(
                "saturated", k, spec.name, int(i), rec.samples[b], float(slope[b, i]),
                f"{spec.name} n{int(i) + 1} is saturated (output {brief(o[b, i])}, "
                f"derivative {brief(slope[b, i])}): the learning flow δ = "
                f"{brief(delta_next[b, i])} shrinks to {brief(rec.deltas[k][b, i])}"))
    return out


def sign_changes(rec: Record, model: Model) -> list[Finding]:
    """Weights (and biases) whose sign the update flipped: one finding each, or, past
    SIGN_DETAIL in one array, one summary finding naming the largest flips."""
    out = []
    for k, (before, after) in enumerate(zip(rec.params, rec.new_params)):
        name = model.layers[k].name
        for key in before:
            old, new = floats(before[key]), floats(after[key])
            mask = opposite_signs(old, new)
            if not np.count_nonzero(mask):
                continue
            at = true_places(mask)
            flipped = list(zip(*(axis.tolist() for axis in at)))
            if len(flipped) > SIGN_DETAIL:
                # the largest |ŵ − w| first, ties in place order (a stable sort; never NaN:
                # the two signs are strictly opposite)
                order = np.argsort(-np.abs(new[at] - old[at]), kind="stable")[:3].tolist()
                shown = ", ".join(weight_label(k, key, flipped[n]) for n in order)
                out.append(Finding(
                    "sign", k, name, -1, -1, len(flipped),
                    f"{len(flipped)} {name} {'weights' if key == 'w' else 'biases'} changed "
                    f"sign, the largest changes at {shown}"))
                continue
            for place in flipped:
                out.append(Finding(
                    "sign", k, name, place[0], -1, after[key][place],
                    f"{weight_label(k, key, place)} changed sign: "
                    f"{brief(before[key][place])} → {brief(after[key][place])}"))
    return out


def opposite_signs(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Where one value is < 0 and the other > 0: ``np.sign(old) * np.sign(new) < 0`` for
    float64 arrays. A large array takes fewer passes: the product is < 0 exactly there, except
    where it underflows to ±0, and only the places where it is 0 are tested sign by sign."""
    if old.size <= SMALL:
        return np.sign(old) * np.sign(new) < 0
    product = _product(old, new)
    mask = product < 0
    zero = product == 0
    if zero.any():
        at = zero.nonzero()
        mask[at] = np.sign(old[at]) * np.sign(new[at]) < 0
    return mask


@np.errstate(all="ignore")  # overflow to ±inf and inf·0 = NaN, neither of them < 0
def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


def loss_change(rec: Record, model: Model) -> tuple[Any, Any] | None:
    """(predicted, actual) change of this batch's loss by the update: the first-order prediction
    Σ δw·Δw for the real step Δw = −α·d of the optimizer (−α·Σ‖δw‖² for plain SGD, where
    d = δw) and the measured L(ŵ) − L(w). None before the update. Computed once a record: the
    trace and the overshoot finding both ask."""
    if rec.new_params is None or rec.loss is None:
        return None
    return once(rec, model, "loss_change", lambda: _loss_change(rec, model))


@np.errstate(all="ignore")  # as a decorator: a third of the cost of a `with` block
def _loss_change(rec: Record, model: Model) -> tuple[Any, Any]:
    num = numbers_of(rec.mode)
    dot = num.scalar(0)
    for k, g in enumerate(rec.grads):
        if g:
            d = layer_direction(model.optimizer, rec, k)
            for key in g:
                dot = dot + np.add.reduce(g[key] * d[key], axis=None)  # (g·d).sum()
    predicted = -rec.lr * dot
    o = rec.x
    for spec, p in zip(model.layers, rec.new_params):
        o = spec.recipe.forward(spec, p, o, num)
    after = batch_loss(loss_values(model.loss, o, rec.y, num), num)
    return predicted, after - rec.loss
