"""Breakpoint conditions checked a whole iteration at a time.

A search asks, for each finished iteration, whether any of its operations could hit a condition.
The answer comes from the iteration's update record (which holds every array its operations
produced) in a few vectorised tests, never a false "no": only an iteration that fires is then
searched operation by operation (search.py), so the first hit is exactly the one the
per-operation search finds.

- ``nonfinite``: one test over everything the iteration produced (the small arrays joined);
- ``blocked``, ``rounding``: they appear at an operation and stay to the update: the update's
  findings are the iteration's; ``saturated``: the backward operation of each saturating layer;
- the loss conditions: the iteration's loss and the previous iteration's, from the list of
  losses (no record is read);
- conditions on the update (weights, sign, overshoot): checked on the update itself — a watched
  weight reads one value;
- the detectors (vanishing, exploding, dying, update_ratio, unchanged): checked at the
  operations where each is decided, on records read off the update;
- ``stuck``: going forward, a count per weight of the iterations in a row with δw ≈ 0, updated
  from each update (one pass over δw); going backward, the exact check at the update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import isfinite
from typing import Any

import numpy as np

from . import detectors
from .condition_checks import tiny
from .conditions import Condition
from .detectors import KINDS as DETECTORS
from .diagnostics import by_kind, saturated
from .numbers import sum_is_finite
from .records import BACKWARD, LOSS, Op, Record, before

Losses = Callable[[int], Any]  # the batch loss of an iteration (None when there is none)
TINY = 16  # arrays up to this size are summed as Python floats
TEST_TOGETHER = 4096  # arrays up to this size are joined and tested in one call


@dataclass(frozen=True)
class PastLoss:
    """What the loss conditions read of an earlier iteration: its number and its loss."""

    iteration: int
    loss: Any


def produced_arrays(end: Record, gradients: bool = True) -> list[np.ndarray]:
    """Every array the operations of ``end``'s iteration produced (a shared one may repeat);
    without the weight gradients when ``gradients`` is False."""
    arrays = [*end.outputs, end.losses, end.loss_delta, *end.deltas]
    for group in (end.grads if gradients else (), end.new_params or ()):
        for p in group:
            if p:
                arrays += p.values()
    return arrays


def any_nonfinite(end: Record, gradients_follow: bool = False) -> bool:
    """True when anything ``end``'s iteration produced holds a NaN or ±inf.

    A sum is NaN or ±inf whenever one of its terms is (±inf plus anything finite stays ±inf,
    inf − inf and anything with a NaN give NaN), in any order of summation; from finite terms
    it can only reach ±inf by overflowing. So one sum per group of values can only flag, and
    only a flagged group is then tested value by value: no NaN or inf is missed and none is
    reported falsely. The groups: the tiny arrays (up to TINY values) summed as Python floats
    (no numpy call per array, the cost that dominates on a small network), the small ones
    joined and summed at once, each large one alone.

    ``gradients_follow``: the caller knows that δw holds a NaN or ±inf only where ŵ does
    (``Screen._gradients_follow``), so the gradients are not tested."""
    if end.mode != "float64":
        return False  # exact numbers are always finite
    arrays = produced_arrays(end, not gradients_follow)
    total, small, large, last = 0.0, [], [], None
    for a in arrays:
        if a is None or a is last:  # a pass-through layer hands on the very same array
            continue
        last = a
        size = a.size
        if size == 1:
            total += a.item()
        elif size <= TINY:
            total += sum(a.ravel().tolist())
        elif size <= TEST_TOGETHER:
            small.append(a)
        else:
            large.append(a)
    if not isfinite(total) and any(a is not None and a.size <= TINY and not np.isfinite(a).all()
                                   for a in arrays):
        return True
    if small:
        joined = np.concatenate(small, axis=None)
        if not sum_is_finite(joined) and not np.isfinite(joined).all():
            return True
    if large:  # (no generator made when there is none: a small network's every iteration)
        return any(not sum_is_finite(a) and not np.isfinite(a).all() for a in large)
    return False


class Screen:
    """Whether an iteration could hit one condition. ``fires(end, losses)``: ``end`` is the
    iteration's update record, ``losses(t)`` the loss of iteration t. ``forward`` screens are
    asked about iterations in order (they may keep counts); backward ones in any order."""

    def __init__(self, condition: Condition, model, history, forward: bool) -> None:
        self.c, self.model, self.history, self.forward = condition, model, history, forward
        self._counts: dict[tuple[int, str], np.ndarray] | None = None
        self._watched_places: list[tuple[int, str]] | None = None
        self._counted = -1  # the iteration the counts end at
        self._finite_weights = None  # the last ŵ a forward nonfinite screen found finite

    def fires(self, end: Record, losses: Losses) -> bool:
        c, kind = self.c, self.c.kind
        if kind == "nonfinite":
            if not self.forward:
                return any_nonfinite(end)
            fired = any_nonfinite(end, self._gradients_follow(end))
            self._finite_weights = None if fired else end.new_params
            return fired
        if kind in ("blocked", "rounding"):
            return bool(by_kind(kind, end, self.model))
        if kind == "saturated":
            return self._saturated(end)
        if kind in ("loss", "rises"):
            t = end.iteration
            if end.loss is None:
                return False
            at_loss = end.with_(op=Op(LOSS))  # the loss operation sees the same loss
            last = PastLoss(t - 1, losses(t - 1)) if t > 1 else None
            return c.hit(end, at_loss, self.model, lambda _: last) is not None
        if kind == "stuck" and self.forward:
            return self._stuck(end)
        if kind in DETECTORS:
            return self._detector(end)
        return c.hit(end, end, self.model, self.history) is not None

    def _gradients_follow(self, end: Record) -> bool:
        """True when δw holds a NaN or ±inf only where ŵ does. Plain SGD computes
        ŵ = (−α·δw) + w, and a NaN or ±inf in δw stays one through both steps (times a finite
        α: ±inf, or NaN when α is 0; plus a finite w: unchanged) — as long as α is finite and
        so is w: here w is the previous iteration's ŵ, the very arrays this screen found
        finite."""
        return (end.params is self._finite_weights and isfinite(end.lr)
                and self.model.optimizer.steps_along_gradient)

    def _detector(self, end: Record) -> bool:
        """A detector is decided at a few operations (a ReLU's forward, a linear layer's
        backward, the update): it is checked at those, on records read off the update."""
        sched = self.model.schedule
        start = sched.iteration_end(end.iteration - 1)
        for j, op in enumerate(sched.ops):
            if detectors.decided(self.c.kind, end.copy_with({"op": op}), self.model):
                rec = before(end, start + 1 + j, op)
                if self.c.hit(rec, rec, self.model, self.history) is not None:
                    return True
        return False

    def _saturated(self, end: Record) -> bool:
        sched = self.model.schedule
        start = sched.iteration_end(end.iteration - 1)
        for j, op in enumerate(sched.ops):
            if op.kind == BACKWARD and saturated(before(end, start + 1 + j, op), self.model):
                return True
        return False

    def _stuck(self, end: Record) -> bool:
        """Iterations in a row with δw ≈ 0, per weight: the condition holds where the run has
        just reached the count (it is exactly ``count`` long, as the exact check asks)."""
        t, n = end.iteration, self.c.count
        if self._counts is None or self._counted != t - 1:
            self._counts = self._count_back(t - 1)
        hit = False
        for key in self._places(end):
            counts = np.minimum((self._counts.get(key, 0) + 1) * self._tiny(end, key), n + 1)
            self._counts[key] = counts  # capped past n: equal to n exactly when it reached n
            hit = hit or bool((counts == n).any())
        self._counted = t
        return hit

    def _places(self, rec: Record) -> list[tuple[int, str]]:
        """(layer, "w" or "b") of the arrays the condition watches: the same in every record
        of the model, read off the first one asked about."""
        if self._watched_places is None:
            watched = self.c.weight
            self._watched_places = [(k, key) for k, spec in enumerate(self.model.layers)
                                    if spec.trainable and (not watched or watched[0] == k)
                                    for key in rec.params[k] if not watched or watched[1] == key]
        return self._watched_places

    def _tiny(self, rec: Record | None, key: tuple[int, str]) -> np.ndarray | bool:
        """Where δw ≈ 0 in one array of ``rec`` (the watched value alone when one is named: a
        bool); nowhere when ``rec`` has no such gradient."""
        k, name = key
        grads = rec.grads[k] if rec is not None and rec.grads else None
        if grads is None or name not in grads:
            return np.zeros((), bool)
        watched = self.c.weight
        if watched:
            place = watched[2]
            if any(i >= s for i, s in zip(place, grads[name].shape)):
                return np.zeros((), bool)
            return tiny(grads[name][place], rec)  # one number: no numpy call
        return tiny(grads[name], rec)

    def _count_back(self, t: int) -> dict[tuple[int, str], np.ndarray]:
        """The run lengths ending at iteration ``t`` (capped past the count), from the records
        of the iterations before: read once when a search starts."""
        counts: dict[tuple[int, str], Any] = {}
        alive: dict[tuple[int, str], Any] = {}
        for j in range(t, max(0, t - self.c.count - 1), -1):
            rec = self.history(j)
            if rec is None:
                break
            for key in self._places(rec):
                alive[key] = self._tiny(rec, key) & alive.get(key, True)
                counts[key] = counts.get(key, 0) + alive[key]
        return counts
