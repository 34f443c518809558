"""Losses as pure functions. Shapes: ``o`` and ``y`` are ``[batch, outputs]``.

The batch loss is the mean over the batch of the per-sample losses; the loss's learning flow
δ^{n+1} is per sample (∂Loss_sample/∂o^n), as in the articles.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from .numbers import Numbers

HALF = Fraction(1, 2)


def half_squared_error(o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    """Per-sample ½·Σ(o − y)² -> [batch]."""
    diff = o - y
    return (diff * diff).sum(axis=1) * (HALF if num.exact else 0.5)


def half_squared_error_delta(o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    """δ = o − y -> [batch, outputs]."""
    return o - y


LOSSES: dict[str, tuple[Callable, Callable, str]] = {
    "half_squared_error": (half_squared_error, half_squared_error_delta, "½·Σ(o − y)²"),
}


def loss_values(kind: str, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    return LOSSES[kind][0](o, y, num)


def loss_delta(kind: str, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    return LOSSES[kind][1](o, y, num)


def batch_loss(per_sample: np.ndarray, num: Numbers):
    """Mean of the per-sample losses (a scalar of the session's mode)."""
    if not num.exact and len(per_sample) == 1:
        return float(per_sample[0])  # what sum() / 1 gives (a loss is never −0)
    total = per_sample.sum()
    return total / len(per_sample) if num.exact else float(total) / len(per_sample)
