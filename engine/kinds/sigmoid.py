"""The sigmoid: o = 1/(1 + e^−x), float64 only. Its derivative σ(x)·σ(−x) vanishes for large
|x| (saturation)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numbers import Numbers
from .layer import Activation, Params


class Sigmoid(Activation):
    name = "sigmoid"
    formula = "o = 1/(1 + e^−x)"
    derivative = "δ = δ'·o·(1 − o)"
    exact = False
    saturates = True

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        return 1.0 / (1.0 + num.exp(-x))

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        """σ(x)·σ(−x) = o/(1 + e^x) rather than o·(1 − o), which rounds to exactly 0 once the
        neuron saturates and would hide how small the flow really is."""
        return o / (1.0 + num.exp(x))


RECIPE = Sigmoid()
