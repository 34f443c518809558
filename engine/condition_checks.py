"""When each breakpoint condition is hit: one check per kind of condition (conditions.py parses
them), given the record before and after an operation, the model, and ``history(t)``, the
record ending iteration t. A check returns the message to show, or None.

A condition is edge-triggered: a check answers only where the condition becomes true (a
finding not held the operation or the iteration before, a loss or a weight that crosses its
value), so continuing goes on to the next time it happens.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from . import detector_conditions, detectors
from .diagnostics import by_kind
from .format import brief, weight_label
from .records import LOSS, PICK, UPDATE, Record

if TYPE_CHECKING:
    from .conditions import Condition

FINDING_KINDS = ("nonfinite", "blocked", "rounding", "saturated", "overshoot")
STUCK_TOLERANCE = 1e-12
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _side(x) -> int:
    """The sign of a float, numpy scalar or Fraction as −1, 0 or 1 (0 for NaN), without the
    overflow a product of two huge differences would raise."""
    return int(x > 0) - int(x < 0)


def _finding(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if c.kind in ("nonfinite", "overshoot"):
        if c.kind == "overshoot" and rec.op.kind != UPDATE:
            return None
        found = by_kind(c.kind, rec, model)
        return found[0].message if found else None
    now = {(f.layer, f.neuron, f.sample): f for f in by_kind(c.kind, rec, model)}
    before = set()
    if now and prev.iteration == rec.iteration and rec.op.kind != PICK:
        before = {(f.layer, f.neuron, f.sample) for f in by_kind(c.kind, prev, model)}
    held = set()  # (layer, neuron) that held it at the end of the previous iteration
    if now and rec.iteration > 1:
        last = history(rec.iteration - 1)
        if last is not None:
            held = {(f.layer, f.neuron) for f in by_kind(c.kind, last, model)}
    new = [f for key, f in now.items() if key not in before and key[:2] not in held]
    return new[0].message if new else None


def _loss(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != LOSS or not _finite(rec.loss):
        return None
    last = history(rec.iteration - 1)
    was = last is not None and last.loss is not None and _OPS[c.op](last.loss, _cmp(c.value, rec))
    if _OPS[c.op](rec.loss, _cmp(c.value, rec)) and not was:
        return f"the loss is {brief6(rec.loss)}, {c.op} {brief6(c.value)}"
    return None


def _rises(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != LOSS:
        return None
    last = history(rec.iteration - 1)
    if last is not None and last.loss is not None and rec.loss > last.loss:
        before, now = brief6(last.loss), brief6(rec.loss)
        if before == now:  # a real rise hidden by rounding the text: show every digit
            before, now = brief(last.loss, 17, 60), brief(rec.loss, 17, 60)
        return f"the loss rose from {before} (iteration {last.iteration}) to {now}"
    return None


def weight_name(model, k: int, key: str, place: tuple) -> str:
    """A weight as the screen names it: w²[1,2], or b²[1] for a bias."""
    return weight_label(k, key, place)


def _watched(c: Condition, rec: Record) -> tuple | None:
    """(layer, key, place) of the weight a condition names, when it exists in ``rec``."""
    k, key, place = c.weight
    arrays = rec.params[k] if k < len(rec.params) else {}
    if key not in arrays or any(i >= n for i, n in zip(place, arrays[key].shape)):
        return None
    return k, key, place


def _sign(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != UPDATE:
        return None
    watched = _watched(c, rec) if c.weight else None
    if c.weight and watched is None:
        return None
    for k, params in enumerate(rec.params):
        for key, before in params.items():
            if watched and (k, key) != watched[:2]:
                continue
            after = rec.new_params[k][key]
            flipped = ((before > 0) & (after < 0)) | ((before < 0) & (after > 0))
            place = _first(flipped, watched)
            if place is not None:
                return (f"{weight_name(model, k, key, place)} changed sign: "
                        f"{brief6(before[place])} → {brief6(after[place])}")
    return None


def _weight_cond(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != UPDATE:
        return None
    watched = _watched(c, rec)
    if watched is None:
        return None
    k, key, place = watched
    name = weight_name(model, k, key, place)
    before, after = rec.params[k][key][place], rec.new_params[k][key][place]
    v = _cmp(c.value, rec)
    if c.op == "crosses":
        if _side(before - v) * _side(after - v) < 0 or (after == v and before != v):
            return f"{name} crossed {brief6(c.value)}: {brief6(before)} → {brief6(after)}"
    elif _OPS[c.op](after, v) and not _OPS[c.op](before, v):
        return f"{name} is now {c.op} {brief6(c.value)}: {brief6(before)} → {brief6(after)}"
    return None


def _first(mask: np.ndarray, watched: tuple | None) -> tuple | None:
    """The first place (in row order) where ``mask`` holds, or the watched place if it does."""
    if watched:
        return watched[2] if mask[watched[2]] else None
    hits = np.argwhere(mask)
    return tuple(int(i) for i in hits[0]) if len(hits) else None


def _stuck(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != UPDATE or rec.iteration < c.count:
        return None
    recent = [rec] + [history(rec.iteration - j) for j in range(1, c.count)]
    before = history(rec.iteration - c.count)
    watched = _watched(c, rec) if c.weight else None
    if c.weight and watched is None:
        return None
    for k, spec in enumerate(model.layers):
        if not spec.trainable or (watched and k != watched[0]):
            continue
        if any(e is None or not e.grads or e.grads[k] is None for e in recent):
            continue
        for key in rec.params[k]:
            if watched and key != watched[1]:
                continue
            stuck = np.logical_and.reduce([tiny(e.grads[k][key], e) for e in recent])
            if before is not None and before.grads and before.grads[k] is not None:
                stuck &= ~tiny(before.grads[k][key], before)
            place = _first(stuck, watched)
            if place is not None:
                return (f"{weight_name(model, k, key, place)} is stuck: δw ≈ 0 for {c.count} "
                        "iterations in a row")
    return None


def tiny(arr: np.ndarray | Any, rec: Record) -> np.ndarray | bool:
    """Where |δw| is (near) zero: exactly 0 in exact mode, ≤ STUCK_TOLERANCE in float64. For
    one number (not an array), whether it is, as a bool: the same comparisons on the same
    float64 value, in Python rather than numpy calls on a 0-d array."""
    if not isinstance(arr, np.ndarray):
        return arr == 0 if rec.mode == "exact" else abs(float(arr)) <= STUCK_TOLERANCE
    if rec.mode == "exact":
        return np.asarray(arr == 0, dtype=bool)
    return np.abs(arr.astype(np.float64)) <= STUCK_TOLERANCE


def _cmp(value: Fraction, rec: Record) -> Any:
    return value if rec.mode == "exact" else float(value)


def _finite(v: Any) -> bool:
    return v is not None and (not isinstance(v, float) or np.isfinite(v))


def brief6(v: Any) -> str:
    return brief(v, 6)


def _detector(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    return detector_conditions.hit(c.kind, c.value, rec, model, history)


CHECKS = {**{k: _finding for k in FINDING_KINDS}, "loss": _loss, "rises": _rises,
          "sign": _sign, "weight": _weight_cond, "stuck": _stuck,
          **{k: _detector for k in detectors.KINDS}}
