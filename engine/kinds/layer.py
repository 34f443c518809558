"""What a layer kind is: the base of the layer recipes (one file per kind in this package).

Shapes: a batch of inputs ``x`` is ``[batch, inputs]``; a layer's output ``o`` is
``[batch, neurons]``; ``delta_next`` (δ^{k+1}, the learning flow arriving from the next layer)
is ``[batch, neurons]``; ``backward`` returns δ^k = ∂Loss/∂X^k ``[batch, inputs]`` (per sample)
and the gradients (the batch mean, ``{"w": [neurons, inputs], "b": [neurons]}``) or ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..numbers import Numbers, floats

Params = Mapping[str, np.ndarray]  # {"w": [out, in], "b": [out]} for linear layers, {} otherwise


class LayerKind:
    """One layer kind. Subclasses set the attributes and override what differs."""

    name: str = ""  # the scenario's `kind`
    formula: str = ""  # for the screen, e.g. "o = max(0, x)"
    derivative: str = ""  # for the screen, e.g. "δ = δ' where x ≥ 0, else 0"
    exact: bool = True  # has exact rational values (usable with numbers = "exact")
    trainable: bool = False  # has weights (and an update)
    takes_data: bool = False  # the first layer, and only it: its output is the sample's x
    sets_size: bool = False  # the scenario gives its `size`; others keep their input's size
    keys: tuple[str, ...] = ()  # scenario keys of this kind beyond name, kind and size
    kink: bool = False  # its derivative jumps at input 0: a sign test there, decided by rounding
    blocks: bool = False  # it can stop the learning flow entirely (``blocked``)
    saturates: bool = False  # its derivative vanishes for large |x| (``slope`` shows how much)

    def describe(self, spec: Any) -> str:
        """The kind with its settings, for operation labels: "leaky_relu, slope 1/100"."""
        return self.name

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        """o^k = L^k(X^k): [batch, inputs] -> [batch, neurons]."""
        raise NotImplementedError

    def backward(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray,
                 delta_next: np.ndarray, num: Numbers) -> tuple[np.ndarray, dict]:
        """(δ^k [batch, inputs], gradients) from δ^{k+1}; ``x`` = o^{k-1}, ``o`` = o^k."""
        return delta_next * self.slope(spec, x, o, num), {}

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        """The derivative of an activation at its input ``x`` (``o`` its output), elementwise."""
        raise NotImplementedError(f"{self.name} has no elementwise derivative")

    def terms(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray) -> np.ndarray:
        """The size of what was added up to make each output (float64, like ``o``): a value
        much smaller than this is within rounding of 0. An elementwise kind: |o| itself."""
        return np.abs(floats(o))

    def blocked(self, spec: Any, x: np.ndarray, flow: np.ndarray) -> np.ndarray:
        """Where it stops the learning flow while δ^{k+1} ≠ 0 says there is something to learn:
        a bool array [batch, neurons] (all False for kinds that never block)."""
        return np.zeros(np.shape(x), bool)


class Activation(LayerKind):
    """An elementwise activation: no weights, the size of its input."""


class PassThrough(LayerKind):
    """o = X and δ^k = δ^{k+1}: the same read-only arrays, not copies."""

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        return x

    def backward(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray,
                 delta_next: np.ndarray, num: Numbers) -> tuple[np.ndarray, dict]:
        return delta_next, {}

    def slope(self, spec: Any, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
        return np.ones_like(x) if not num.exact else x * 0 + 1
