"""ReLU: o = max(0, x). δ passes where the input is ≥ 0 (the articles; ``grad_at_zero = 0``
gives PyTorch's "0 at 0"), and is 0 below: the one kind that blocks the learning flow. A NaN
input gives a NaN output and lets δ pass, as PyTorch's relu does."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numbers import ZERO, Numbers
from .layer import Activation, Params


class ReLU(Activation):
    name = "relu"
    formula = "o = max(0, x)"
    derivative = "δ = δ' where x ≥ 0, else 0"
    keys = ("grad_at_zero",)
    kink = True
    blocks = True

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        # "x < 0" rather than "x ≥ 0": NaN is neither, and must come out as NaN
        if num.exact:
            return np.where(x < 0, num.scalar(0), x)
        if x.size == 1:  # one value: its copy or +0, without two array operations
            return np.zeros(x.shape) if x.item() < 0.0 else x.copy()
        return np.where(x < ZERO, ZERO, x)

    def backward(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray,
                 delta_next: np.ndarray, num: Numbers) -> tuple[np.ndarray, dict]:
        if not num.exact and spec.grad_at_zero == 1:
            # δ·slope with a slope of 1 where x ≥ 0 and 0 below, in fewer array operations:
            # δ·1 is δ exactly, and δ·0 keeps its IEEE sign / NaN as the product would
            if x.size == 1:  # one value: δ·0 or a copy of δ, without the mask and np.where
                return (delta_next * ZERO if x.item() < 0.0 else delta_next.copy()), {}
            return np.where(x < ZERO, delta_next * ZERO, delta_next), {}
        return delta_next * self.slope(spec, x, o, num), {}

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        """1 where x > 0, ``grad_at_zero`` where x == 0 (the articles: 1), 0 below; 1 at NaN."""
        if not num.exact:  # the same values, in fewer array operations
            slope = 1.0 - (x < 0)
            if spec.grad_at_zero != 1:
                at_zero = x == 0
                if at_zero.any():
                    slope[at_zero] = float(spec.grad_at_zero)
            return slope
        one, zero = num.scalar(1), num.scalar(0)
        return np.where(x > 0, one, np.where(x == 0, num.scalar(spec.grad_at_zero), zero))

    def blocked(self, spec: Any, x: np.ndarray, flow: np.ndarray) -> np.ndarray:
        """Its input is < 0 (or = 0 when ``grad_at_zero`` is 0) while δ^{k+1} ≠ 0."""
        stop = x < 0 if spec.grad_at_zero else x <= 0  # x = 0 stops it at grad_at_zero 0
        return stop & (flow != 0)


RECIPE = ReLU()
