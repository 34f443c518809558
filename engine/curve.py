"""A per-iteration series (the loss of each finished iteration, its accuracy) ready to draw:
downsampled to a number of points, with its non-finite stretches named rather than dropped.

The series comes from the timeline, which appends each iteration's loss as it is computed
(``Timeline.losses``): drawing never recomputes the history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .numbers import floats


@dataclass(frozen=True)
class Stretch:
    """Iterations ``first`` … ``last`` (from 1) whose value is ``text`` ("inf", "-inf", "nan")."""

    first: int
    last: int
    text: str

    def describe(self) -> str:
        where = (f"iteration {self.first}" if self.first == self.last
                 else f"iterations {self.first}–{self.last}")
        return f"{self.text} at {where}"


@dataclass(frozen=True)
class Curve:
    """Up to ``points`` points of a series of ``count`` values (iterations 1 … count).

    ``x`` [points] the iteration each point stands for (the middle of its bucket), ``y``
    [points] the mean of the bucket's finite values (NaN where it has none), ``low`` / ``high``
    their range. ``log``: y holds log10 of the values; values ≤ 0 have no logarithm and are
    counted in ``not_positive`` (left out of the means). ``nonfinite``: every stretch of inf /
    NaN, in order."""

    count: int
    x: np.ndarray
    y: np.ndarray
    low: np.ndarray
    high: np.ndarray
    log: bool
    nonfinite: tuple[Stretch, ...]
    not_positive: int = 0

    @property
    def finite(self) -> bool:
        """True when some point has a value to draw."""
        return bool(np.isfinite(self.y).any())


def curve(values: Sequence[Any] | np.ndarray, points: int, log: bool = False) -> Curve:
    """``values`` (one per iteration, from iteration 1) in at most ``points`` buckets of equal
    length (the last one shorter)."""
    y = values if isinstance(values, np.ndarray) else floats(values)
    n = len(y)
    stretches = nonfinite_stretches(y)
    finite = np.isfinite(y)
    not_positive = 0
    if log:
        positive = finite & (y > 0)
        not_positive = int((finite & ~positive).sum())
        finite = positive
        y = np.where(positive, np.log10(np.where(positive, y, 1.0)), np.nan)
    size = max(1, -(-n // max(1, points)))
    starts = np.arange(0, n, size)
    if n == 0:
        empty = np.empty(0)
        return Curve(0, empty, empty, empty, empty, log, stretches, not_positive)
    kept = np.where(finite, y, 0.0)
    counts = np.add.reduceat(finite.astype(np.int64), starts)
    sums = np.add.reduceat(kept, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    low = np.minimum.reduceat(np.where(finite, y, np.inf), starts)
    high = np.maximum.reduceat(np.where(finite, y, -np.inf), starts)
    low = np.where(counts > 0, low, np.nan)
    high = np.where(counts > 0, high, np.nan)
    ends = np.minimum(starts + size, n)
    x = (starts + 1 + ends) / 2.0  # iterations are 1-based: bucket [start+1, end]
    return Curve(n, x, means, low, high, log, stretches, not_positive)


def nonfinite_stretches(y: np.ndarray) -> tuple[Stretch, ...]:
    """The runs of equal non-finite values (inf, -inf, nan) in ``y``, iterations from 1."""
    bad = np.flatnonzero(~np.isfinite(y))
    out: list[Stretch] = []
    for i in bad:
        text = "nan" if math.isnan(y[i]) else ("inf" if y[i] > 0 else "-inf")
        if out and out[-1].last == i and out[-1].text == text:  # i is 0-based: i == last+1-1
            out[-1] = Stretch(out[-1].first, int(i) + 1, text)
        else:
            out.append(Stretch(int(i) + 1, int(i) + 1, text))
    return tuple(out)
