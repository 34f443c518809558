"""½·Σ(o − y)² per sample (summed over the outputs), the articles' loss and the default. Its
δ is o − y."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..numbers import HALF as HALF_FLOAT
from ..numbers import Numbers
from .loss import LossKind

HALF = Fraction(1, 2)


class HalfSquaredError(LossKind):
    name = "half_squared_error"
    label = "½(o−y)²"
    formula = "L = ½·Σ(o − y)²"
    derivative = "δ = o − y"

    def values(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return _half_sums_of_squares(o - y, num)

    def delta(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return o - y

    def values_and_delta(self, o: np.ndarray, y: np.ndarray,
                         num: Numbers) -> tuple[np.ndarray, np.ndarray]:
        diff = o - y  # δ itself
        return _half_sums_of_squares(diff, num), diff


def _half_sums_of_squares(diff: np.ndarray, num: Numbers) -> np.ndarray:
    """½·Σ diff² per sample -> [batch]."""
    return np.add.reduce(diff * diff, axis=1) * (HALF if num.exact else HALF_FLOAT)


RECIPE = HalfSquaredError()
