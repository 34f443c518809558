"""The pure step function: the record after the next operation, from the record before it.

Nothing here keeps state: the sample order is a function of (seed, epoch), and a record holds
everything the next operation needs. Same record in ⇒ bit-identical record out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np

from . import layers as L
from .dataset import Samples
from .kinds import LOSSES, LossKind
from .kinds.layer import PassThrough
from .losses import batch_loss, loss_delta, loss_values
from .numbers import Numbers, freeze, max_bits
from .optimizers import Optimizer
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
    ops_of_iteration,
    produced,
)
from .scenario import Scenario

MAX_FRACTION_BITS = 12_000  # ~3,600 digits: below Python's 4,300-digit int-to-text limit
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


@dataclass(frozen=True)
class Schedule:
    """Where each operation sits: index 0 is the start, then ``ops_per_iteration`` per iteration."""

    n_samples: int
    batch_size: int
    epochs: int
    order: str
    seed: int
    n_layers: int

    @cached_property
    def ops(self) -> tuple[Op, ...]:
        return ops_of_iteration(self.n_layers)

    @property
    def ops_per_iteration(self) -> int:
        return 2 * self.n_layers + 4

    @cached_property
    def iterations_per_epoch(self) -> int:
        return -(-self.n_samples // self.batch_size)

    @property
    def iterations(self) -> int:
        return self.iterations_per_epoch * self.epochs

    @property
    def last_index(self) -> int:
        return self.iterations * self.ops_per_iteration

    def locate(self, index: int) -> tuple[int, int, Op]:
        """(iteration from 1, epoch from 1, op) of an operation index; (0, 0, start) for 0."""
        if index == 0:
            return 0, 0, Op(START)
        t, j = divmod(index - 1, self.ops_per_iteration)
        return t + 1, t // self.iterations_per_epoch + 1, self.ops[j]

    def iteration_end(self, iteration: int) -> int:
        """Index of the update of ``iteration`` (0 for iteration 0, the start)."""
        return iteration * self.ops_per_iteration

    def samples(self, iteration: int) -> tuple[int, ...]:
        """The data set indices of ``iteration``'s batch."""
        epoch, pos = divmod(iteration - 1, self.iterations_per_epoch)
        order = self.order_of(epoch + 1)
        return order[pos * self.batch_size:(pos + 1) * self.batch_size]

    def order_of(self, epoch: int) -> tuple[int, ...]:
        """The order of the samples in ``epoch``: as given, or shuffled from (seed, epoch)."""
        if self.order == "shuffle":
            return _shuffled(self.n_samples, self.seed, epoch)
        return _in_order(self.n_samples)


@lru_cache(maxsize=8)
def _in_order(n: int) -> tuple[int, ...]:
    return tuple(range(n))


@lru_cache(maxsize=8)
def _shuffled(n: int, seed: int, epoch: int) -> tuple[int, ...]:
    return tuple(int(i) for i in np.random.default_rng([seed, epoch]).permutation(n))


@dataclass(frozen=True)
class Model:
    """The fixed parts of a scenario that the step function needs."""

    layers: tuple[L.LayerSpec, ...]
    loss: LossKind
    schedule: Schedule
    max_fraction_bits: int = MAX_FRACTION_BITS
    optimizer: Optimizer = Optimizer.plain()

    @classmethod
    def of(cls, scenario: Scenario, max_fraction_bits: int = MAX_FRACTION_BITS) -> Model:
        t = scenario.training
        schedule = Schedule(len(scenario.samples), t.batch_size, t.epochs, t.order, t.seed,
                            len(scenario.layers))
        return cls(scenario.layers, LOSSES[scenario.loss], schedule, max_fraction_bits,
                   scenario.optimizer)

    def label(self, op: Op) -> str:
        return op.label([s.name for s in self.layers], [s.describe() for s in self.layers])

    @cached_property
    def trainable(self) -> tuple[int, ...]:
        """The indices of the layers with weights (the linear ones), in order."""
        return tuple(k for k, s in enumerate(self.layers) if s.trainable)

    @cached_property
    def passes_on(self) -> tuple[bool, ...]:
        """Per layer: it hands its input and its δ on unchanged (a PassThrough kind: input,
        identity), so the fused iteration need not call it."""
        return tuple(isinstance(s.recipe, PassThrough) for s in self.layers)


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

    It runs the very same per-operation computations as ``next_record`` (the helpers below) in
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
    samples, params, state, x, y = _pick(rec, sched, t)
    outputs: list = [None] * n
    deltas: list = [None] * n
    grads: list = [None] * n
    through = model.passes_on
    inp = x
    for k in range(n):
        if not through[k]:  # a pass-through layer's forward would give its input back
            inp = _forward(layers[k], params[k], inp, num)
        outputs[k] = inp
    losses, loss, loss_d = _loss_and_delta(model.loss, inp, y, num)
    flow = loss_d
    for k in range(n - 1, -1, -1):
        if not through[k]:  # … and its backward δ^{k+1} itself, without gradients
            flow, grads[k] = _backward(layers[k], params[k], outputs[k - 1] if k else x,
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
        samples, params, state, x, y = _pick(rec, model.schedule, iteration)
        return dict(params=params, new_params=None, state=state, new_state=None,
                    samples=samples, x=x, y=y,
                    outputs=(None,) * n, losses=None, loss=None, loss_delta=None,
                    deltas=(None,) * n, grads=(None,) * n)
    if kind == FORWARD:
        o = _forward(model.layers[k], rec.params[k], rec.layer_input(k), num)
        return dict(outputs=_put(rec.outputs, k, o))
    if kind == LOSS:
        losses, loss = _loss(model.loss, rec.outputs[-1], rec.y, num)
        return dict(losses=losses, loss=loss)
    if kind == BACKWARD_LOSS:
        return dict(loss_delta=_loss_delta(model.loss, rec.outputs[-1], rec.y, num))
    if kind == BACKWARD:
        delta, grads = _backward(model.layers[k], rec.params[k], rec.layer_input(k),
                                 rec.outputs[k], rec.flow_into(k), num)
        return dict(deltas=_put(rec.deltas, k, delta), grads=_put(rec.grads, k, grads))
    if kind == UPDATE:
        new_params, new_state = model.optimizer.update(rec.params, rec.grads, rec.state, rec.lr,
                                                       num)
        return dict(new_params=new_params, new_state=new_state)
    raise ValueError(f"unknown operation {op}")  # pragma: no cover


# ---- one operation each: shared by next_record and next_iteration, so both compute the same
def _pick(rec: Record, sched: Schedule, iteration: int) -> tuple:
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


def _forward(spec: L.LayerSpec, params, inp: np.ndarray, num: Numbers) -> np.ndarray:
    o = spec.recipe.forward(spec, params, inp, num)
    return o if o is inp else freeze(o)  # a pass-through gives its (read-only) input back


def _loss(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> tuple:
    per_sample = freeze(loss_values(loss, o, y, num))
    return per_sample, batch_loss(per_sample, num)


def _loss_delta(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    return freeze(loss_delta(loss, o, y, num))


def _loss_and_delta(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> tuple:
    """``_loss`` and ``_loss_delta`` at once (what they give one by one)."""
    values, delta = loss.values_and_delta(o, y, num)
    per_sample = freeze(values)
    return per_sample, batch_loss(per_sample, num), freeze(delta)


def _backward(spec: L.LayerSpec, params, inp: np.ndarray, out: np.ndarray, flow: np.ndarray,
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


def _put(items: tuple, k: int, value) -> tuple:
    return items[:k] + (value,) + items[k + 1:]


def _guard(rec: Record, model: Model) -> None:
    """Raise RunawayFractions when the arrays this operation produced are too large."""
    fresh = produced(rec, [spec.name for spec in model.layers])
    bits = max((max_bits(p.array) for p in fresh), default=0)
    if bits > model.max_fraction_bits:
        raise RunawayFractions(model.label(rec.op), rec.iteration, bits, model.max_fraction_bits)
