"""The records of one branch, bounded in memory.

A Timeline answers ``timeline[i]`` for every computed operation i, but keeps only some records:

- small runs keep every record they are given (rewinding returns the very objects recorded);
  whole iterations computed at once are kept as their update record, which holds every
  operation's record of that iteration (``records.before`` reads one off);
- larger runs keep every iteration-end record, or, for large networks, a checkpoint every
  ``every`` iterations (stripped to what the next iteration needs: weights, data, α);
- records pinned by an edit are always kept (they cannot be recomputed from before the edit).

Any other record is recomputed from the nearest kept one before it — deterministically, since
the step function is pure — and held in a small LRU cache. Far jumps recompute whole iterations
with the fused ``next_iteration`` (bit-identical to stepping operation by operation).
"""

from __future__ import annotations

import gc
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil
from typing import Any

from .kinds.loss import accuracy
from .records import Record, before
from .step import Model, next_iteration, next_record

KEEP_ALL_BUDGET = 48 * 2**20  # bytes of records a run may keep in full
ENDS_BUDGET = 128 * 2**20  # bytes of iteration-end records / checkpoints
RUN_EVERY = 16  # iterations between checkpoints at least, in a run that never goes back


@dataclass(frozen=True)
class Policy:
    """What a timeline keeps: every record, every iteration end, or a checkpoint every
    ``every`` iterations; and how many recomputed records its caches hold."""

    keep_ops: bool = True
    keep_ends: bool = True
    every: int = 1
    cache_ops: int = 64
    cache_ends: int = 16

    @classmethod
    def for_model(cls, model: Model, sizes: tuple[int, int], rewinds: bool = True) -> Policy:
        """Choose from the network's size: ``sizes`` = (parameters, activations per sample).
        A run that never goes back (``rewinds`` False: headless) keeps checkpoints only, every
        RUN_EVERY iterations or more: what a breakpoint's check may read back is recomputed."""
        params, activations = sizes
        sched = model.schedule
        if not rewinds:
            every = max(RUN_EVERY, cls.for_model(model, sizes).every)
            return cls(keep_ops=False, keep_ends=False, every=every, cache_ends=4)
        params *= 1 + len(model.optimizer.state_names)  # the optimizer's state arrays too
        per_op = 1500 + 8 * activations * sched.batch_size
        per_end = 1500 + 8 * (3 * params + 2 * activations * sched.batch_size)
        total_ops = sched.last_index + 1
        if total_ops * per_op + sched.iterations * per_end <= KEEP_ALL_BUDGET:
            return cls()
        cache_ends = max(4, min(256, (32 * 2**20) // per_end))
        if sched.iterations * per_end <= ENDS_BUDGET:
            return cls(keep_ops=False, keep_ends=True, cache_ends=cache_ends)
        per_checkpoint = 1500 + 8 * params
        every = max(1, ceil(sched.iterations * per_checkpoint / ENDS_BUDGET))
        return cls(keep_ops=False, keep_ends=False, every=every, cache_ends=cache_ends)


class Timeline:
    """List-like records ``0 … len-1`` of one branch (see the module doc)."""

    def __init__(self, model: Model, policy: Policy) -> None:
        self.model, self.policy = model, policy
        self._opi = model.schedule.ops_per_iteration
        self._kept: dict[int, Record] = {}
        self._checkpoints: dict[int, Record] = {}  # stripped records: sources, never returned
        self._pins: list[int] = []  # indices of kept records that start a stretch of history
        self._ops: OrderedDict[int, Record] = OrderedDict()
        self._ends: OrderedDict[int, Record] = OrderedDict()
        self._size = 0
        self._tip: Record | None = None
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

    # ---- keeping and recomputing
    def _keep(self, rec: Record, pinned: bool) -> None:
        i, policy = rec.index, self.policy
        if pinned or i == 0:
            self._kept[i] = rec
            insort(self._pins, i)
        elif policy.keep_ops:
            self._kept[i] = rec
        elif rec.op.kind == "update":
            if policy.keep_ends:
                self._kept[i] = rec
            elif rec.iteration % policy.every == 0:
                # only the checkpoint: holding the ends as they go by would move every
                # iteration's new arrays to fresh, uncached memory (a third slower on a big
                # network), while any end is at most `every` iterations from a checkpoint
                self._checkpoints[i] = _checkpoint(rec)
        else:
            self._remember(self._ops, i, rec, policy.cache_ops)

    def _cached(self, i: int) -> Record | None:
        for cache in (self._ends, self._ops):
            rec = cache.get(i)
            if rec is not None:
                cache.move_to_end(i)
                return rec
        return None

    @staticmethod
    def _remember(cache: OrderedDict, i: int, rec: Record, size: int) -> None:
        cache[i] = rec
        cache.move_to_end(i)
        while len(cache) > size:
            cache.popitem(last=False)

    def _held(self, j: int) -> Record | None:
        return (self._kept.get(j) or self._ops.get(j) or self._ends.get(j)
                or self._checkpoints.get(j))

    def _source(self, i: int) -> Record:
        """The nearest held record before ``i`` (complete, or a checkpoint) to recompute from.
        Never earlier than the last pinned record before ``i``: history is only continuous
        from there."""
        pin = self._kept[self._pins[bisect_right(self._pins, i) - 1]]
        opi = self._opi
        start = ((i - 1) // opi) * opi  # the finished record that i's iteration starts from
        for j in range(i - 1, max(pin.index, start) - 1, -1):
            rec = self._held(j)
            if rec is not None:
                return rec
        for j in range(start - opi, pin.index, -opi):  # earlier iteration ends
            rec = self._held(j)
            if rec is not None:
                return rec
        return pin

    def _derivable(self, i: int) -> int | None:
        """The index of the update ending operation ``i``'s iteration when ``i`` can be read off
        that update record (records.before): the update is computed and nothing was edited
        after ``i`` up to it. None otherwise."""
        end = -(-i // self._opi) * self._opi
        if i == 0 or end >= self._size:
            return None
        j = bisect_right(self._pins, i)
        if j < len(self._pins) and self._pins[j] <= end:
            return None
        return end

    def _derived(self, i: int) -> Record | None:
        """Record ``i`` read off its iteration's update record, when that one is held."""
        end = self._derivable(i)
        if end is None or end == i:
            return None
        last = self._tip if end == self._size - 1 else self._kept.get(end) or self._cached(end)
        return None if last is None else self._before(last, i)

    def _before(self, end: Record, i: int) -> Record:
        rec = before(end, i, self.model.schedule.locate(i)[2])
        if self.policy.keep_ops:  # kept once read: the same object every time after
            self._kept[i] = rec
        else:
            self._remember(self._ops, i, rec, self.policy.cache_ops)
        return rec

    def _recompute(self, i: int) -> Record:
        """Record ``i`` computed again from its source; what is computed on the way is cached.
        Whole float64 iterations are computed fused, i's own too when its update is computed
        (``i`` is then read off that update record)."""
        rec = self._source(i)
        start = ((i - 1) // self._opi) * self._opi
        end = self._derivable(i)
        policy = self.policy
        while rec.index < i:
            if rec.finished and rec.mode == "float64" and (
                    rec.index < start or (rec.index == start and end is not None)):
                rec = next_iteration(rec, self.model)
            else:
                rec = next_record(rec, self.model)
            if rec.op.kind == "update":
                self._remember(self._ends, rec.index, rec, policy.cache_ends)
            else:
                self._remember(self._ops, rec.index, rec, policy.cache_ops)
        return rec if rec.index == i else self._before(rec, i)


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


def _checkpoint(rec: Record) -> Record:
    """An iteration-end record stripped to what the next iteration needs (new weights and
    optimizer state, data, α): a quarter of the memory of the full record for a large network."""
    return rec.with_(params=rec.new_params, new_params=None, state=rec.state_after(),
                     new_state=None, x=None, y=None, outputs=(),
                     losses=None, loss_delta=None, deltas=(), grads=())
