"""Breakpoint conditions: a small language, parsed into objects that say whether they are hit
when training goes from one record to the next.

    nonfinite                 any NaN or ±inf appears (always on when running forward)
    blocked                   a ReLU blocks the learning flow while there is something to learn
    rounding                  a sign test was decided by float rounding (float64 only)
    saturated                 a sigmoid/tanh derivative vanishes while there is something to learn
    overshoot                 an update raised the loss of its own batch (α too large)
    loss < V   (<=, >, >=)    the loss goes below / above V (from one iteration to the next)
    loss rises                the loss is higher than the previous iteration's
    sign [W]                  an update flips the sign of a weight (any, or W)
    W crosses V               weight W passes through the value V
    W < V   (<=, >, >=)       weight W becomes smaller / larger than V
    stuck [W] N               |δw| ≤ 1e-12 (exactly 0 in exact mode) for N iterations in a row
    vanishing, exploding, dying, update_ratio, unchanged [thresholds]
                              the research detectors (detectors.py), e.g. ``dying 50%``

W names a weight as LAYER[row,col] (0-based, rows = output neurons), or a bias as LAYER.b[row]:
``L2[0,1]``, ``L2.b[0]``. A condition is edge-triggered: it is hit at the operation where it
becomes true, so continuing goes on to the next time it happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from . import detectors
from .diagnostics import by_kind
from .errors import suggest
from .format import brief
from .numbers import NumberError, parse_number
from .records import LOSS, PICK, UPDATE, Record

FINDING_KINDS = ("nonfinite", "blocked", "rounding", "saturated", "overshoot")
STUCK_TOLERANCE = 1e-12
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_WEIGHT = r"(?P<layer>[A-Za-z_][\w-]*)(?:\.(?P<key>[wb]))?\[(?P<row>\d+)(?:\s*,\s*(?P<col>\d+))?\]"
_NUM = r"(?P<value>[^\s]+)"


class ConditionError(ValueError):
    """A condition that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``hit(prev, rec, history)`` returns a message when it is hit at
    ``rec`` (the record after ``prev``); ``history(t)`` gives the record ending iteration t."""

    text: str
    kind: str
    op: str | None = None
    value: Any = None
    weight: tuple | None = None  # (layer index, key, place)
    count: int = 0

    def hit(self, prev: Record, rec: Record, model, history) -> str | None:
        return _CHECKS[self.kind](self, prev, rec, model, history)


def parse_condition(text: str, layer_names: list[str]) -> Condition:
    """Parse one condition; raise ConditionError naming what was expected."""
    t = " ".join(text.split())
    if t in FINDING_KINDS:
        return Condition(t, t)
    m = re.fullmatch(rf"loss\s*(?P<op><=|>=|<|>)\s*{_NUM}", t)
    if m:
        return Condition(t, "loss", m["op"], _value(m["value"], t))
    if t == "loss rises":
        return Condition(t, "rises")
    m = re.fullmatch(rf"sign(?:\s+{_WEIGHT})?", t)
    if m:
        return Condition(t, "sign", weight=_weight(m, layer_names, t) if m["layer"] else None)
    m = re.fullmatch(rf"{_WEIGHT}\s*(?P<op>crosses|<=|>=|<|>)\s*{_NUM}", t)
    if m:
        return Condition(t, "weight", m["op"], _value(m["value"], t), _weight(m, layer_names, t))
    m = re.fullmatch(rf"stuck(?:\s+{_WEIGHT})?\s+(?P<n>\d+)", t)
    if m:
        n = int(m["n"])
        if n < 1:
            raise ConditionError(f"'{text}': expected a number of iterations ≥ 1")
        return Condition(t, "stuck", weight=_weight(m, layer_names, t) if m["layer"] else None,
                         count=n)
    try:
        detector = detectors.parse(t)
    except ValueError as err:
        raise ConditionError(str(err)) from None
    if detector:
        return Condition(t, detector[0], value=detector[1])
    words = ("nonfinite", "blocked", "rounding", "saturated", "overshoot", "loss", "sign",
             "stuck", *detectors.KINDS)
    first = t.split(" ")[0] if t else ""
    raise ConditionError(
        f"'{text}' is not a condition{suggest(first, words)}; expected one of: "
        "nonfinite, blocked, rounding, saturated, overshoot, 'loss < V', 'loss rises', "
        "'sign [L2[0,1]]', 'L2[0,1] crosses V', 'L2[0,1] > V', 'stuck [L2[0,1]] N', "
        "vanishing, exploding, 'dying [P%]', update_ratio, 'unchanged [N]'")


def _value(text: str, whole: str) -> Fraction:
    try:
        return parse_number(text)
    except NumberError as err:
        raise ConditionError(f"'{whole}': {err}") from None


def _weight(m: re.Match, layer_names: list[str], whole: str) -> tuple:
    name = m["layer"]
    if name not in layer_names:
        raise ConditionError(f"'{whole}': no layer named '{name}'{suggest(name, layer_names)} "
                             f"(layers: {', '.join(layer_names)})")
    key = m["key"] or "w"
    place = (int(m["row"]),) if key == "b" else (int(m["row"]), int(m["col"] or 0))
    if key == "w" and m["col"] is None:
        raise ConditionError(f"'{whole}': a weight is LAYER[row,col]; a bias is LAYER.b[row]")
    return (layer_names.index(name), key, place)


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
    new = [f for key, f in now.items() if key not in before]
    return new[0].message if new else None


def _loss(c: Condition, prev: Record, rec: Record, model, history) -> str | None:
    if rec.op.kind != LOSS or not _finite(rec.loss):
        return None
    last = history(rec.iteration - 1)
    was = last is not None and last.loss is not None and _OPS[c.op](last.loss, _cmp(c.value, rec))
    if _OPS[c.op](rec.loss, _cmp(c.value, rec)) and not was:
        return f"the loss is {brief6(rec.loss)}, {c.op} {c.value}"
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
    """A weight as the condition language writes it: L2[0,1], or L2.b[0] for a bias."""
    return f"{model.layers[k].name}{'.b' if key == 'b' else ''}[{','.join(map(str, place))}]"


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
        if (before - v) * (after - v) < 0 or (after == v and before != v):
            return f"{name} crossed {c.value}: {brief6(before)} → {brief6(after)}"
    elif _OPS[c.op](after, v) and not _OPS[c.op](before, v):
        return f"{name} is now {c.op} {c.value}: {brief6(before)} → {brief6(after)}"
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
            stuck = np.logical_and.reduce([_tiny(e.grads[k][key], e) for e in recent])
            if before is not None and before.grads and before.grads[k] is not None:
                stuck &= ~_tiny(before.grads[k][key], before)
            place = _first(stuck, watched)
            if place is not None:
                return (f"{weight_name(model, k, key, place)} is stuck: δw ≈ 0 for {c.count} "
                        "iterations in a row")
    return None


def _tiny(arr: np.ndarray, rec: Record) -> np.ndarray:
    """Where |δw| is (near) zero: exactly 0 in exact mode, ≤ STUCK_TOLERANCE in float64."""
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
    return detectors.hit(c.kind, c.value, rec, model, history)


_CHECKS = {**{k: _finding for k in FINDING_KINDS}, "loss": _loss, "rises": _rises,
           "sign": _sign, "weight": _weight_cond, "stuck": _stuck,
           **{k: _detector for k in detectors.KINDS}}
