"""Mean squared error, PyTorch's MSELoss: the mean over the outputs of (o − y)² per sample
(the mean over the batch of those makes the mean over every element). δ = 2·(o − y)/C for C
outputs. Exact in fractions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..numbers import Numbers
from .loss import LossKind


class MSE(LossKind):
    name = "mse"
    label = "mean (o−y)²"
    formula = "L = (1/C)·Σ(o − y)²"
    derivative = "δ = 2·(o − y)/C"

    def values(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        diff = o - y
        return (diff * diff).sum(axis=1) * _per_output(o.shape[1], num)

    def delta(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return (o - y) * (2 * _per_output(o.shape[1], num))


def _per_output(outputs: int, num: Numbers):
    return Fraction(1, outputs) if num.exact else 1 / outputs


RECIPE = MSE()
