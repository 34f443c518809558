"""The computation of each operation — pick, forward, loss, its δ, backward — on arrays, its
results frozen. Shared by ``next_record`` and the fused ``next_iteration`` (step.py), so both
compute the very same arrays.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from . import layers as L
from .kinds import LossKind
from .losses import batch_loss, loss_delta, loss_values
from .model import Schedule
from .numbers import Numbers, freeze
from .records import Record


def pick(rec: Record, sched: Schedule, iteration: int) -> tuple:
    """(samples, the weights and optimizer state this iteration uses, x, y) of ``iteration``'s
    batch."""
    samples = sched.samples(iteration)
    first = samples[0]
    if len(samples) == 1 or samples == tuple(range(first, first + len(samples))):
        # in order: views of the data set, not copies (read-only, as the data set is)
        picked = slice(first, first + len(samples))
        x, y = rec.data_x[picked], rec.data_y[picked]
    else:
        x, y = freeze(rec.data_x[list(samples)]), freeze(rec.data_y[list(samples)])
    return samples, rec.weights_after(), rec.state_after(), x, y


def forward(spec: L.LayerSpec, params, inp: np.ndarray, num: Numbers) -> np.ndarray:
    """The layer's output o^k from its input."""
    o = spec.recipe.forward(spec, params, inp, num)
    return o if o is inp else freeze(o)  # a pass-through gives its (read-only) input back


def loss_of(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> tuple:
    """(the loss of each sample, the batch loss)."""
    per_sample = freeze(loss_values(loss, o, y, num))
    return per_sample, batch_loss(per_sample, num)


def delta_of_loss(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    """δ of the loss: ∂Loss/∂o for each sample."""
    return freeze(loss_delta(loss, o, y, num))


def loss_and_delta(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> tuple:
    """``loss_of`` and ``delta_of_loss`` at once (what they give one by one)."""
    values, delta = loss.values_and_delta(o, y, num)
    per_sample = freeze(values)
    return per_sample, batch_loss(per_sample, num), freeze(delta)


def backward(spec: L.LayerSpec, params, inp: np.ndarray, out: np.ndarray, flow: np.ndarray,
             num: Numbers) -> tuple:
    """(δ at the layer's input, its gradients or None)."""
    delta, grads = spec.recipe.backward(spec, params, inp, out, flow, num)
    if grads:  # a new dict of new arrays
        for g in grads.values():
            freeze(g)
        grads = MappingProxyType(grads)
    else:
        grads = None
    return delta if delta is flow else freeze(delta), grads
