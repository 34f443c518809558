"""tanh, float64 only. Its derivative 1/cosh²(x) vanishes for large |x| (saturation)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numbers import Numbers
from .layer import Activation, Params


class Tanh(Activation):
    name = "tanh"
    formula = "o = tanh(x)"
    derivative = "δ = δ'·(1 − o²)"
    exact = False
    saturates = True

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        return num.tanh(x)

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        """1/cosh²(x) rather than 1 − o², which rounds to exactly 0 once the neuron saturates."""
        with np.errstate(over="ignore"):  # cosh past float range: the slope's limit, 0
            return 1.0 / np.cosh(x) ** 2


RECIPE = Tanh()
