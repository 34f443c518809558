"""Gradient check on demand: each δw / δb of an iteration against central finite differences.

Runs in float64 whatever the session's mode. A weight whose ±h perturbation changes which side
of 0 a ReLU input is on sits at a kink, where finite differences say nothing about the
derivative: it is counted apart, not as an error. A weight whose loss or δw is not a finite
float64 (NaN, or an exact value beyond float range) has a nan error, the worst: never hidden
behind a good one. Large layers are sampled (seeded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import layers as L
from .format import weight_label
from .losses import loss_delta, loss_values
from .model import Model
from .numbers import Numbers, to_float
from .records import Record

FLOAT = Numbers("float64")
MAX_PER_LAYER = 200


@dataclass(frozen=True)
class LayerCheck:
    layer: str
    checked: int  # weights compared
    kinks: int  # weights at a ReLU kink (not compared)
    worst: float  # worst relative error among the compared ones (nan: one cannot be computed)
    where: str  # the weight with the worst error, e.g. "w²[1,3]" (format.weight_label)
    analytic: float
    numeric: float


def gradient_check(rec: Record, model: Model, h: float = 1e-6, seed: int = 0) -> list[LayerCheck]:
    """Per linear layer, the worst relative error |a − n| / max(|a|, |n|) between the analytic
    gradient and the central difference (L(w+h) − L(w−h)) / 2h of the batch loss. Needs a
    record whose iteration has picked its samples."""
    if rec.x is None:
        raise ValueError("no samples picked yet: step to an operation of an iteration first")
    with np.errstate(all="ignore"):  # inf and nan are results here: a nan error is the worst
        return _check(rec, model, h, seed)


def _check(rec: Record, model: Model, h: float, seed: int) -> list[LayerCheck]:
    x, y = FLOAT.convert(rec.x), FLOAT.convert(rec.y)
    params = [{k: FLOAT.convert(v).copy() for k, v in p.items()} for p in rec.params]
    grads = _analytic(model, params, x, y)
    rng = np.random.default_rng(seed)
    out = []
    for k, spec in enumerate(model.layers):
        if not spec.trainable:
            continue
        places = [(key, place) for key in params[k] for place in np.ndindex(params[k][key].shape)]
        if len(places) > MAX_PER_LAYER:
            places = [places[i] for i in sorted(rng.choice(len(places), MAX_PER_LAYER, False))]
        worst, where, a_w, n_w, kinks = 0.0, "", 0.0, 0.0, 0
        for key, place in places:
            w0 = params[k][key][place]
            step = h * max(1.0, abs(w0))
            params[k][key][place] = w0 + step
            up, mask_up = _loss(model, params, x, y)
            params[k][key][place] = w0 - step
            down, mask_down = _loss(model, params, x, y)
            params[k][key][place] = w0
            if any((a != b).any() for a, b in zip(mask_up, mask_down)):
                kinks += 1
                continue
            numeric = (up - down) / (2 * step)
            analytic = to_float(grads[k][key][place])
            scale = max(abs(analytic), abs(numeric))
            err = abs(analytic - numeric) / scale if scale > 1e-10 else 0.0
            if scale != scale or err != err:  # float64 cannot compute it (nan or inf − inf)
                err = math.nan
            if not math.isnan(worst) and (err >= worst or math.isnan(err)):
                name = weight_label(k, key, place)
                worst, where, a_w, n_w = err, name, analytic, numeric
        out.append(LayerCheck(spec.name, len(places) - kinks, kinks, worst, where, a_w, n_w))
    return out


def _forward(model: Model, params, x):
    inputs, o = [], x
    for spec, p in zip(model.layers, params):
        inputs.append(o)
        o = L.forward(spec, p, o, FLOAT)
    return inputs, o


def _loss(model: Model, params, x, y):
    inputs, o = _forward(model, params, x)
    masks = [inp >= 0 for spec, inp in zip(model.layers, inputs) if spec.recipe.kink]
    return float(loss_values(model.loss, o, y, FLOAT).mean()), masks


def _analytic(model: Model, params, x, y):
    inputs, o = _forward(model, params, x)
    outputs = inputs[1:] + [o]
    delta = loss_delta(model.loss, o, y, FLOAT)
    grads = [None] * len(model.layers)
    for k in reversed(range(len(model.layers))):
        delta, grads[k] = L.backward(model.layers[k], params[k], inputs[k], outputs[k], delta,
                                     FLOAT)
    return grads
