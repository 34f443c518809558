"""The fixed parts of a scenario that the step function needs: its ``Model`` (layers, loss,
optimizer, the fraction-size limit) and its ``Schedule`` (where each operation sits, which
samples each iteration picks). Records change from operation to operation; these never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from . import layers as L
from .kinds import LOSSES, LossKind
from .kinds.layer import PassThrough
from .optimizers import Optimizer
from .records import START, Op, ops_of_iteration
from .scenario import Scenario

MAX_FRACTION_BITS = 12_000  # ~3,600 digits: below Python's 4,300-digit int-to-text limit


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

