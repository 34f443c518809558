"""Which records of a branch a Timeline keeps, and how it recomputes the others.

``Policy`` chooses from the network's size what is kept:

- small runs keep every record they are given (rewinding returns the very objects recorded);
  whole iterations computed at once are kept as their update record, which holds every
  operation's record of that iteration (``records.before`` reads one off);
- larger runs keep every iteration-end record, or, for large networks, a checkpoint every
  ``every`` iterations (stripped to what the next iteration needs: weights, data, α);
- records pinned by an edit are always kept (they cannot be recomputed from before the edit).

``KeptRecords`` holds them and recomputes any other record from the nearest kept one before
it — deterministically, since the step function is pure — holding it in a small LRU cache. Far
jumps recompute whole iterations with the fused ``next_iteration`` (bit-identical to stepping
operation by operation). The Timeline (history.py) builds its list-like API on it.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import OrderedDict
from dataclasses import dataclass
from math import ceil

from .model import Model
from .records import Record, before
from .step import next_iteration, next_record

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


class KeptRecords:
    """The records a branch keeps, its caches of recomputed ones, and the recomputing; the
    Timeline's base (see the module doc). ``_size`` and ``_tip`` are the Timeline's."""

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


def _checkpoint(rec: Record) -> Record:
    """An iteration-end record stripped to what the next iteration needs (new weights and
    optimizer state, data, α): a quarter of the memory of the full record for a large network."""
    return rec.with_(params=rec.new_params, new_params=None, state=rec.state_after(),
                     new_state=None, x=None, y=None, outputs=(),
                     losses=None, loss_delta=None, deltas=(), grads=())
