"""Euclidean norms of a layer's arrays, float or exact, and their ratios: exact norms beyond
float range stay values (an exact square, and its root as a Fraction), float norms are scaled so
1e200 does not overflow when squared, and a ratio is never the nan of inf / inf."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .numbers import floats, root


@dataclass(frozen=True)
class Norm:
    """‖a‖: its float value (for messages and float comparisons) and, in exact mode, its exact
    square (for exact comparisons)."""

    value: float | Fraction  # a Fraction where an exact norm is beyond float range
    square: Fraction | None = None

    def below(self, bound: Any, other: Norm | None = None) -> bool:
        """‖a‖ < bound (· ‖other‖)."""
        if self.square is not None:
            scale = Fraction(1) if other is None else other.square
            return self.square < Fraction(bound) ** 2 * scale
        return self.value < float(bound) * (1.0 if other is None else other.value)

    def above(self, bound: Any, other: Norm | None = None) -> bool:
        """‖a‖ > bound (· ‖other‖); False for NaN."""
        if self.square is not None:
            scale = Fraction(1) if other is None else other.square
            return self.square > Fraction(bound) ** 2 * scale
        return self.value > float(bound) * (1.0 if other is None else other.value)

    @property
    def nan(self) -> bool:
        return isinstance(self.value, float) and math.isnan(self.value)


def norm(arr: np.ndarray, scratch: bool = False) -> Norm:
    """The Euclidean norm of all of ``arr``; float arrays are scaled by their largest |value|
    first, so 1e200 does not overflow to inf when squared. ``scratch``: ``arr`` is a float
    array of the caller's own that may be overwritten (one temporary fewer)."""
    if arr.dtype == object:
        square = Fraction(sum((v * v for v in arr.flat), Fraction(0)))
        return Norm(root(square), square)
    a = np.abs(arr, out=arr) if scratch else np.abs(floats(arr))
    # NaN when any value is NaN: max propagates it
    top = float(np.maximum.reduce(a, axis=None, initial=0.0))
    if top == 0.0 or not math.isfinite(top):
        return Norm(top)
    a /= top
    return Norm(top * math.sqrt(float(np.add.reduce(np.square(a, out=a), axis=None))))


def norm_ratio(a: Norm, b: Norm) -> float | Fraction:
    """‖a‖ / ‖b‖; in exact mode, where a norm is beyond float range, from the exact squares: a
    value (never the nan of inf / inf)."""
    exact = a.square is not None and b.square is not None
    if exact and not (isinstance(a.value, float) and isinstance(b.value, float)):
        if b.square == 0:
            return math.inf if a.square else math.nan
        return root(a.square / b.square)
    return _quotient(a.value, b.value)


@np.errstate(all="ignore")  # x / 0 and 0 / 0 are results here (as a decorator: cheaper)
def _quotient(a: float, b: float) -> float:
    return float(np.float64(a) / np.float64(b))
