"""The training problems that research tools detect, as findings on a layer (as breakpoint
conditions: detector_conditions.py).

    vanishing [R [F]]     ‖δw‖ of the first linear layer / ‖δw‖ of the last < R (1e-3) and the
                          first < F (1e-4)                         AUTOTRAINER (ICSE 2021)
    exploding [R [N]]     that ratio > R (70), or any layer's ‖δw‖ > N (1e6)
                                                                   AUTOTRAINER; TheDeepChecker
    dying [P%]            ≥ P % (70 %) of a ReLU layer's units blocked for every sample of the
                          batch (their input < 0)                  AUTOTRAINER; DeepDiagnosis
    update_ratio [LO HI]  ‖Δw‖/‖w‖ of a layer outside [LO, HI] ([1e-5, 0.1]); Δw = ŵ − w is the
                          real step (α·δw for plain SGD)           DeepDiagnosis
    unchanged [N]         a layer's weights identical for N (5) updates in a row
                                                                   DeepDiagnosis; DeepLocalize

Norms are Euclidean over a layer's weights w (its bias aside). Each detector is decided at one
operation: dying at the ReLU's forward, exploding at each linear layer's backward, vanishing at
the first linear layer's backward (the ratios need two linear layers), update_ratio and
unchanged at the update. A layer that did not move at all is left to ``unchanged``, not judged
by ``update_ratio``. In exact mode every comparison is exact (on squared norms). A NaN never
reads as "fine": a NaN ‖δw‖ is exploding, a NaN update ratio is outside the range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from .flow_findings import Finding
from .format import brief
from .memo import once
from .model import Model
from .norms import Norm, norm, norm_ratio
from .numbers import SMALL, to_float
from .records import BACKWARD, FORWARD, UPDATE, Record

KINDS = ("vanishing", "exploding", "dying", "update_ratio", "unchanged")
DEFAULTS: dict[str, tuple] = {
    "vanishing": (Fraction(1, 10**3), Fraction(1, 10**4)),
    "exploding": (Fraction(70), Fraction(10**6)),
    "dying": (Fraction(7, 10),),
    "update_ratio": (Fraction(1, 10**5), Fraction(1, 10)),
    "unchanged": (5,),
}
History = Callable[[int], "Record | None"]  # iteration t -> the record that ends it, or None


def decided(kind: str, rec: Record, model: Model) -> set[int]:
    """The layers whose state detector ``kind`` learns at the operation of ``rec``."""
    op, linear = rec.op, _linear(model)
    if kind == "dying":
        return {op.layer} if op.kind == FORWARD and _dies(model.layers[op.layer]) else set()
    if kind in ("update_ratio", "unchanged"):
        return set(linear) if op.kind == UPDATE else set()
    if op.kind != BACKWARD or op.layer not in linear:
        return set()
    if kind == "exploding":
        return {op.layer}
    return {op.layer} if op.layer == linear[0] and len(linear) > 1 else set()  # vanishing


# ---- the findings

def detect_all(rec: Record, model: Model, history: History | None = None) -> list[Finding]:
    """Every detector's findings at ``rec`` with the default thresholds (``unchanged`` only
    when ``history`` is given)."""
    return [f for kind in KINDS for f in detect(kind, rec, model, history, DEFAULTS[kind])]


def detect(kind: str, rec: Record, model: Model, history: History | None,
           values: tuple) -> list[Finding]:
    """Detector ``kind``'s findings at ``rec``: one per layer it holds for, from what is computed
    at ``rec``."""
    return _DETECTORS[kind](rec, model, history, values)


@lru_cache(maxsize=64)
def _th(value: Any) -> str:
    """A threshold for a message: 1e-05, 0.1, 70 (not 1/100000)."""
    return brief(to_float(value))


@lru_cache(maxsize=64)
def _percent(share: Fraction) -> str:
    """A share as a threshold in per cent: 70."""
    return _th(share * 100)


def _linear(model: Model) -> tuple[int, ...]:
    return model.trainable


def _dies(spec: Any) -> bool:
    """A kind whose units can die: one that blocks the learning flow (the recipe says)."""
    return spec.recipe.blocks


def _grad_norms(rec: Record, model: Model) -> dict[int, Norm]:
    """‖δw‖ of each linear layer whose δw is known at ``rec`` (computed once a record:
    vanishing and exploding both read them)."""
    return once(rec, model, "grad_norms", lambda: {
        k: norm(rec.grads[k]["w"]) for k in _linear(model)
        if rec.grads and rec.grads[k] is not None})


def _finding(kind: str, k: int, model: Model, value: Any, summary: str,
             message: str) -> Finding:
    return Finding(kind, k, model.layers[k].name, -1, -1, value, message, summary)


def vanishing(rec: Record, model: Model, history: History | None,
              values: tuple) -> list[Finding]:
    ratio, least = values
    linear = _linear(model)
    if len(linear) < 2:
        return []  # the ratio needs two linear layers
    norms = _grad_norms(rec, model)
    if linear[0] not in norms or linear[-1] not in norms:
        return []
    first, last = norms[linear[0]], norms[linear[-1]]
    if last.value == 0 or not (first.below(ratio, last) and first.below(least)):
        return []
    names = model.layers[linear[0]].name, model.layers[linear[-1]].name
    r = norm_ratio(first, last)
    return [_finding(
        "vanishing", linear[0], model, r, f"×{brief(r, 3)}",
        f"the gradient vanishes: ‖δw‖ of {names[0]} (the first linear layer) is "
        f"{brief(first.value, 3)}, {brief(r, 3)} × that of {names[1]} (the last): below "
        f"{_th(ratio)} × and below {_th(least)} (AUTOTRAINER)")]


def exploding(rec: Record, model: Model, history: History | None,
              values: tuple) -> list[Finding]:
    ratio, most = values
    linear, norms = _linear(model), _grad_norms(rec, model)
    out = []
    for k, n in norms.items():
        why = []
        if n.nan:
            why.append(f"‖δw‖ of {model.layers[k].name} is nan (not a number)")
        elif n.above(most):
            why.append(f"‖δw‖ of {model.layers[k].name} is {brief(n.value, 3)} > {_th(most)}")
        last = norms.get(linear[-1])
        if (k == linear[0] and len(linear) > 1 and last is not None and not n.nan
                and last.value > 0 and n.above(ratio, last)):
            why.append(f"{brief(norm_ratio(n, last), 3)} × that of {model.layers[linear[-1]].name} "
                       f"(the last linear layer), above {_th(ratio)} ×")
        if why:
            out.append(_finding("exploding", k, model, n.value, f"‖δw‖ {brief(n.value, 3)}",
                                "the gradient explodes: " + "; ".join(why)
                                + " (AUTOTRAINER; TheDeepChecker)"))
    return out


def dying(rec: Record, model: Model, history: History | None, values: tuple) -> list[Finding]:
    (share,) = values
    out = []
    for k, spec in enumerate(model.layers):
        if k == 0 or not _dies(spec) or not rec.outputs or rec.outputs[k] is None:
            continue
        dead = np.logical_and.reduce(spec.recipe.blocked(spec, rec.layer_input(k), True))
        count, size = int(np.count_nonzero(dead)), dead.size  # blocked for every sample
        if count * share.denominator < share.numerator * size:  # count < share · size, exactly
            continue
        out.append(dying_finding(k, model, count, size, share, len(rec.samples)))
    return out


def dying_finding(k: int, model: Model, count: int, size: int, share: Fraction,
                  batch: int) -> Finding:
    """Layer ``k`` blocks the flow with ``count`` of its ``size`` units for every sample of a
    batch of ``batch``: dying from ``share`` on."""
    spec = model.layers[k]
    percent = f"{100 * count / size:.0f}"
    units = ("its one unit blocks" if size == 1
             else f"{count} of its {size} units ({percent} %) block")
    samples = "this sample" if batch == 1 else "every sample of the batch"
    return _finding(
        "dying", k, model, count / size, f"{percent}%",
        f"{spec.name} is dying: {units} the learning flow for {samples} (dying from "
        f"{_percent(share)} %; AUTOTRAINER; DeepDiagnosis)")


def update_ratio(rec: Record, model: Model, history: History | None,
                 values: tuple) -> list[Finding]:
    low, high = values
    if rec.new_params is None:
        return []
    out = []
    for k in _linear(model):
        w = rec.params[k]["w"]
        step = _step_norm(rec, model, k)
        if step.value == 0:
            continue  # did not move at all: `unchanged` says so when it lasts
        size = norm(w)
        r = norm_ratio(step, size)
        name = model.layers[k].name
        if step.nan:
            said = f"{name}'s update ratio ‖Δw‖/‖w‖ is nan (not a number)"
        elif step.below(low, size) or step.above(high, size):
            side, too = ("below", "small") if step.below(low, size) else ("above", "large")
            said = (f"{name}'s update ratio ‖Δw‖/‖w‖ = {brief(step.value, 3)}/"
                    f"{brief(size.value, 3)} = {brief(r, 3)} is {side} [{_th(low)}, "
                    f"{_th(high)}]: the step is too {too} for its weights")
        else:
            continue
        out.append(_finding("update_ratio", k, model, r, brief(r, 3),
                            said + " (DeepDiagnosis)"))
    return out


def unchanged(rec: Record, model: Model, history: History | None,
              values: tuple) -> list[Finding]:
    (n,) = values
    if rec.new_params is None or history is None:
        return []
    out = []
    for k in _linear(model):
        run, r = 0, rec
        while run < n and r is not None and r.new_params is not None and _unmoved(r, model, k):
            run, r = run + 1, history(r.iteration - 1)
        if run == n:
            out.append(unchanged_finding(k, model, n, rec.iteration))
    return out


def unchanged_finding(k: int, model: Model, n: int, iteration: int) -> Finding:
    """Layer ``k``'s weights were left as they were by the ``n`` updates up to ``iteration``."""
    return _finding(
        "unchanged", k, model, n, f"×{n}",
        f"{model.layers[k].name}'s weights have not changed for {n} updates in a row "
        f"(iterations {iteration - n + 1} – {iteration}) (DeepDiagnosis; DeepLocalize)")


def _step_norm(rec: Record, model: Model, k: int) -> Norm:
    """‖Δw‖ = ‖ŵ − w‖ of layer ``k``'s update (computed once a record: ``update_ratio`` and
    ``unchanged`` both read it)."""
    return once(rec, model, ("step_norm", k),
                lambda: _difference_norm(rec.new_params[k]["w"], rec.params[k]["w"]))


@np.errstate(all="ignore")  # inf − inf: NaN, a result here (as a decorator: cheaper)
def _difference_norm(new: np.ndarray, w: np.ndarray) -> Norm:
    return norm(new - w, scratch=new.dtype != object)


def _unmoved(rec: Record, model: Model, k: int) -> bool:
    """The update of ``rec`` (an update record) left layer ``k``'s weights as they were
    (decided once a record: ``unchanged`` reads each update again at the next N)."""
    return once(rec, model, ("unmoved", k), lambda: _still(rec, model, k))


def _still(rec: Record, model: Model, k: int) -> bool:
    w, new = rec.params[k]["w"], rec.new_params[k]["w"]
    if w.dtype != object and w.size > SMALL:
        # a float ŵ − w is 0 exactly where ŵ = w (subnormals: no difference of two finite
        # floats rounds to 0) and NaN or ±inf where either is: a finite ‖ŵ − w‖ decides
        step = _step_norm(rec, model, k).value
        if math.isfinite(step):
            return step == 0
    return _same(w, new)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Identical values: exact equality for fractions; for floats NaN equals NaN."""
    if a is b:
        return True
    if a.dtype == object or b.dtype == object:
        return bool(np.array_equal(a, b))
    if a.shape == b.shape and a.size <= SMALL and a.tobytes() == b.tobytes():
        return True  # the same bits: equal (NaN to NaN) without the general comparison
    return bool(np.array_equal(a, b, equal_nan=True))


_DETECTORS = {"vanishing": vanishing, "exploding": exploding, "dying": dying,
              "update_ratio": update_ratio, "unchanged": unchanged}
