"""The pure step function: the record after the next operation, from the record before it;
and the fused iteration, the update record of the next whole iteration at once.

Nothing here keeps state: the sample order is a function of (seed, epoch), and a record holds
everything the next operation needs. Same record in ⇒ bit-identical record out.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from .dataset import Samples
from .model import Model
from .numbers import Numbers, max_bits
from .operations import backward, delta_of_loss, forward, loss_and_delta, loss_of, pick
from .records import (
    BACKWARD,
    BACKWARD_LOSS,
    FORWARD,
    LOSS,
    PICK,
    START,
    UPDATE,
    Op,
    Record,
    produced,
)
from .scenario import Scenario

_FLOAT = Numbers("float64")


class RunawayFractions(ArithmeticError):
    """Exact fractions grew past the session's size limit; continuing would freeze the program."""

    def __init__(self, op_label: str, iteration: int, bits: int, limit: int) -> None:
        self.iteration, self.bits, self.limit = iteration, bits, limit
        super().__init__(
            f"exact fractions reached {bits} bits at iteration {iteration} ({op_label}), past the "
            f"limit of {limit}: exact arithmetic would slow to a crawl from here. Continue in "
            "float64 (the debugger offers it; headless: --continue-in-float or --float), or "
            "raise the limit (--max-fraction-bits).")


def first_record(scenario: Scenario) -> Record:
    """Record 0: the initial weights and the data set, before training."""
    num = Numbers(scenario.numbers)
    params = tuple(
        MappingProxyType({key: num.array(value) for key, value in p.items()})
        for p in scenario.params
    )
    return Record(
        index=0, iteration=0, epoch=0, op=Op(START), mode=num.mode,
        lr=num.scalar(scenario.training.learning_rate), params=params,
        state=scenario.optimizer.initial_state(params, num),
        data_x=_data(num, scenario.samples, "x"),
        data_y=_data(num, scenario.samples, "y"),
    )


def _data(num: Numbers, samples, which: str) -> np.ndarray:
    """The data set's ``which`` ("x" or "y") as one array [samples, values]: a Samples' own
    read-only float64 array (exact sessions convert it exactly), or rows of Fractions."""
    if isinstance(samples, Samples):
        arr = getattr(samples, which)
        return num.array(arr) if num.exact else arr
    return num.array([getattr(s, which) for s in samples])


def next_record(rec: Record, model: Model) -> Record:
    """The record after the operation that follows ``rec`` (``rec`` must not be the last)."""
    index = rec.index + 1
    iteration, epoch, op = model.schedule.locate(index)
    num = _FLOAT if rec.mode == "float64" else Numbers(rec.mode)
    with np.errstate(all="ignore"):
        changes = _compute(rec, op, iteration, model, num)
    new = rec.with_(index=index, iteration=iteration, epoch=epoch, op=op, **changes)
    if num.exact:
        _guard(new, model)
    return new


def next_iteration(rec: Record, model: Model) -> Record:
    """The update record of the iteration after ``rec`` (a finished record: the start, an update
    or a checkpoint), computed without publishing a record per operation.

    It runs the very same per-operation computations as ``next_record`` (operations.py) in
    the same order, so the result is bit-identical to stepping operation by operation; only the
    bookkeeping between operations is left out, and what gives the very same arrays without a
    call: a pass-through layer is not called (it hands on its input and its δ), and the loss
    and its δ are asked at once (``LossKind.values_and_delta``). Float64 only: exact sessions
    step per operation, where the fraction-size guard watches each result.
    """
    if rec.mode != "float64" or not rec.finished:
        raise ValueError("next_iteration needs a finished float64 record")
    return _iteration(rec, model)


@np.errstate(all="ignore")  # as a decorator: a third of the cost of a `with` block
def _iteration(rec: Record, model: Model) -> Record:
    t = rec.iteration + 1
    sched, layers, num = model.schedule, model.layers, _FLOAT
    n = len(layers)
    samples, params, state, x, y = pick(rec, sched, t)
    outputs: list = [None] * n
    deltas: list = [None] * n
    grads: list = [None] * n
    through = model.passes_on
    inp = x
    for k in range(n):
        if not through[k]:  # a pass-through layer's forward would give its input back
            inp = forward(layers[k], params[k], inp, num)
        outputs[k] = inp
    losses, loss, loss_d = loss_and_delta(model.loss, inp, y, num)
    flow = loss_d
    for k in range(n - 1, -1, -1):
        if not through[k]:  # … and its backward δ^{k+1} itself, without gradients
            flow, grads[k] = backward(layers[k], params[k], outputs[k - 1] if k else x,
                                      outputs[k], flow, num)
        deltas[k] = flow
    new_params, new_state = model.optimizer.update(params, grads, state, rec.lr, num)
    return rec.copy_with({
        "index": t * sched.ops_per_iteration, "iteration": t,
        "epoch": (t - 1) // sched.iterations_per_epoch + 1, "op": sched.ops[-1],
        "params": params, "new_params": new_params, "state": state, "new_state": new_state,
        "samples": samples, "x": x, "y": y, "outputs": tuple(outputs), "losses": losses,
        "loss": loss, "loss_delta": loss_d, "deltas": tuple(deltas), "grads": tuple(grads)})


def _compute(rec: Record, op: Op, iteration: int, model: Model, num: Numbers) -> dict:
    """The fields operation ``op`` sets, computed from ``rec``."""
    n = len(model.layers)
    kind, k = op.kind, op.layer
    if kind == PICK:
        samples, params, state, x, y = pick(rec, model.schedule, iteration)
        return dict(params=params, new_params=None, state=state, new_state=None,
                    samples=samples, x=x, y=y,
                    outputs=(None,) * n, losses=None, loss=None, loss_delta=None,
                    deltas=(None,) * n, grads=(None,) * n)
    if kind == FORWARD:
        o = forward(model.layers[k], rec.params[k], rec.layer_input(k), num)
        return dict(outputs=_put(rec.outputs, k, o))
    if kind == LOSS:
        losses, loss = loss_of(model.loss, rec.outputs[-1], rec.y, num)
        return dict(losses=losses, loss=loss)
    if kind == BACKWARD_LOSS:
        return dict(loss_delta=delta_of_loss(model.loss, rec.outputs[-1], rec.y, num))
    if kind == BACKWARD:
        delta, grads = backward(model.layers[k], rec.params[k], rec.layer_input(k),
                                rec.outputs[k], rec.flow_into(k), num)
        return dict(deltas=_put(rec.deltas, k, delta), grads=_put(rec.grads, k, grads))
    if kind == UPDATE:
        new_params, new_state = model.optimizer.update(rec.params, rec.grads, rec.state, rec.lr,
                                                       num)
        return dict(new_params=new_params, new_state=new_state)
    raise ValueError(f"unknown operation {op}")  # pragma: no cover


def _put(items: tuple, k: int, value) -> tuple:
    return items[:k] + (value,) + items[k + 1:]


def _guard(rec: Record, model: Model) -> None:
    """Raise RunawayFractions when the arrays this operation produced are too large."""
    fresh = produced(rec, [spec.name for spec in model.layers])
    bits = max((max_bits(p.array) for p in fresh), default=0)
    if bits > model.max_fraction_bits:
        raise RunawayFractions(model.label(rec.op), rec.iteration, bits, model.max_fraction_bits)
