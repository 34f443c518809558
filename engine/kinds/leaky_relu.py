"""Leaky ReLU: o = x where x ≥ 0, slope·x below (slope 0.01 by default); δ is multiplied by
the slope where the input is negative. NaN passes through, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numbers import Numbers
from .layer import Activation, Params


class LeakyReLU(Activation):
    name = "leaky_relu"
    formula = "o = x if x ≥ 0 else slope·x"
    derivative = "δ = δ' where x ≥ 0, else slope·δ'"
    keys = ("slope",)
    kink = True

    def describe(self, spec: Any) -> str:
        return f"leaky_relu, slope {spec.slope}"

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        return np.where(x < 0, x * num.scalar(spec.slope), x)

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        return np.where(x < 0, num.scalar(spec.slope), num.scalar(1))


RECIPE = LeakyReLU()
