"""The records of one branch, as a list: ``timeline[i]`` for every computed operation i.

A Timeline grows by appending records (or whole iterations, computed fused), reads the update
records of a stretch of iterations in order, forks where an edit starts a branch, and keeps the
list of each iteration's loss (and accuracy) as it goes. What it keeps in memory and how it
recomputes the rest is its base's concern (kept_records.py).
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from .kept_records import KeptRecords, Policy
from .kinds.loss import accuracy
from .model import Model
from .records import Record
from .step import next_iteration, next_record


class Timeline(KeptRecords):
    """List-like records ``0 … len-1`` of one branch (see the module doc)."""

    def __init__(self, model: Model, policy: Policy) -> None:
        super().__init__(model, policy)
        self._base: tuple[Timeline, int] | None = None  # (forked from, at)
        self.losses: list[Any] = []  # the batch loss of each finished iteration, in order
        # and, when the loss classifies, the share of its batch predicted right (else empty)
        self.accuracies: list[float] = []
        self._classifies = model.loss.classifies

    def __len__(self) -> int:
        return self._size

    @property
    def tip(self) -> Record:
        """The last computed record."""
        return self._tip

    def __getitem__(self, i: int) -> Record:
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError(f"operation {i} is not computed (0 … {self._size - 1})")
        if i == self._size - 1:
            return self._tip
        rec = self._kept.get(i) or self._cached(i)
        if rec is None and self._base is not None and i < self._base[1]:
            return self._base[0][i]  # shared with the timeline this one forked from
        rec = rec or self._derived(i)
        return rec if rec is not None else self._recompute(i)

    # ---- growing
    def append(self, rec: Record, pinned: bool = False) -> None:
        """Add the next record, or the end of the next whole iteration (its operations are
        recomputed when asked for); ``pinned`` keeps it for good (an edited record)."""
        whole_iteration = (self._tip is not None and self._tip.finished
                           and rec.index == self._tip.index + self._opi)
        if rec.index != self._size and not whole_iteration:
            raise ValueError(f"record {rec.index} appended at position {self._size}")
        self._add(rec, pinned)

    def _add(self, rec: Record, pinned: bool = False) -> None:
        """``append`` of a record known to come next."""
        self._keep(rec, pinned)
        self._size = rec.index + 1
        self._tip = rec
        if rec.op.kind == "update":
            self.losses.append(rec.loss)
            if self._classifies:
                self.accuracies.append(accuracy(self.model.loss, rec.outputs[-1], rec.y))

    def extend_to(self, index: int) -> None:
        """Compute up to ``index``. Whole float64 iterations go through the fused path."""
        opi = self._opi
        with _no_cycle_collection():
            while self._size - 1 < index:
                tip = self._tip
                fused = tip.finished and tip.mode == "float64" and index >= tip.index + opi
                self.append(next_iteration(tip, self.model) if fused
                            else next_record(tip, self.model))

    def ends(self, first: int, last: int) -> Iterator[Record]:
        """The update records of iterations ``first`` … ``last``, in order: computed (fused)
        past the tip; below it read where held, else computed from the one before — each
        iteration once, where reading them one by one would recompute from a checkpoint."""
        opi, prev, model = self._opi, None, self.model
        for t in range(first, last + 1):
            i = t * opi
            tip = self._tip
            if i == tip.index + opi and tip.mode == "float64" and tip.finished:
                # the next whole iteration, fused, with the cycle collector paused (as
                # _no_cycle_collection, without a context manager's calls each iteration)
                collecting = gc.isenabled()
                if collecting:
                    gc.disable()
                try:
                    rec = next_iteration(tip, model)
                    self._add(rec)
                finally:
                    if collecting:
                        gc.enable()
            elif i >= self._size:
                self.extend_to(i)
                rec = self._tip
            else:
                rec = (self._kept.get(i) or self._cached(i)
                       or (self._tip if i == self._size - 1 else None))
                if rec is None and prev is not None and prev.mode == "float64" and (
                        not self.pinned(i - opi, i)):
                    with _no_cycle_collection():
                        rec = next_iteration(prev, self.model)
                    self._remember(self._ends, i, rec, self.policy.cache_ends)
                rec = rec or self[i]
            prev = rec
            yield rec

    def pinned(self, after: int, upto: int) -> bool:
        """True when a record in ``after`` < i ≤ ``upto`` was pinned by an edit."""
        pins = self._pins
        if not pins or pins[-1] <= after:  # none after it: a run's usual case
            return False
        j = bisect_right(pins, after)
        return j < len(pins) and pins[j] <= upto

    def fork(self, n: int) -> Timeline:
        """A new timeline sharing records ``0 … n-1`` with this one."""
        if not 0 < n <= self._size:
            raise ValueError(f"cannot fork at {n} (0 < n ≤ {self._size})")
        new = Timeline(self.model, self.policy)
        new._base = (self, n)  # records before n not held by the fork: this timeline's own
        new._kept = {i: r for i, r in self._kept.items() if i < n}
        new._checkpoints = {i: r for i, r in self._checkpoints.items() if i < n}
        new._pins = [i for i in self._pins if i < n]
        new._ops = OrderedDict((i, r) for i, r in self._ops.items() if i < n)
        new._ends = OrderedDict((i, r) for i, r in self._ends.items() if i < n)
        new._tip = self[n - 1]
        new._size = n
        new.losses = self.losses[: (n - 1) // self._opi]
        new.accuracies = self.accuracies[: (n - 1) // self._opi]
        if n - 1 not in new._kept:
            new._ends[n - 1] = new._tip
        return new


class _NoCycleCollection:
    """Python's cycle collector paused while records are made: they hold no reference cycles,
    and its passes over a growing history cost a tenth of a small network's iteration. (A
    class, not a generator-based context manager: this runs once an iteration.)"""

    __slots__ = ("was_on",)

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        if self.was_on:
            gc.disable()

    def __exit__(self, *_: object) -> None:
        if self.was_on:
            gc.enable()


def _no_cycle_collection() -> _NoCycleCollection:
    return _NoCycleCollection()

