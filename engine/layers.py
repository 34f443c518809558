"""Layers as pure functions of arrays: a layer's spec, and forward / backward through its
recipe (``engine/kinds``: one file per kind holds the maths).

Shapes: a batch of inputs ``x`` is ``[batch, inputs]``; a layer's output ``o`` is
``[batch, neurons]``; ``delta_next`` (δ^{k+1}, the learning flow arriving from the next layer) is
``[batch, neurons]``; the returned ``delta`` (δ^k = ∂Loss/∂X^k, the flow at this layer's input)
is ``[batch, inputs]``. δ is per sample (∂Loss_sample/∂X); weight gradients are the mean over the
batch: ``dw = mean_b δ^{k+1}_b ⊗ o^{k-1}_b`` with shape ``[neurons, inputs]``, ``db`` ``[neurons]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from .kinds import LAYERS, LayerKind
from .kinds.layer import Params
from .numbers import Numbers

KINDS = tuple(LAYERS)


@dataclass(frozen=True)
class LayerSpec:
    """What a layer is; its trainable values live in the session's records, not here."""

    name: str
    kind: str
    size: int
    bias: bool = False
    slope: Fraction = Fraction(1, 100)
    grad_at_zero: Fraction = Fraction(1)

    @cached_property  # read twice per layer and iteration
    def recipe(self) -> LayerKind:
        """Everything about this layer's kind (engine/kinds)."""
        return LAYERS[self.kind]

    @property
    def trainable(self) -> bool:
        return self.recipe.trainable

    def describe(self) -> str:
        return self.recipe.describe(self)


def forward(spec: LayerSpec, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
    """o^k = L^k(X^k) for a batch ``x`` [batch, inputs] -> [batch, neurons]."""
    return spec.recipe.forward(spec, params, x, num)


def backward(
    spec: LayerSpec,
    params: Params,
    x: np.ndarray,
    o: np.ndarray,
    delta_next: np.ndarray,
    num: Numbers,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(δ^k [batch, inputs], gradients) from δ^{k+1} [batch, neurons].

    ``x`` is the layer's input o^{k-1}, ``o`` its output o^k.
    """
    return spec.recipe.backward(spec, params, x, o, delta_next, num)


def activation_slope(spec: LayerSpec, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
    """The derivative of an activation at its input ``x`` (``o`` its output), elementwise."""
    return spec.recipe.slope(spec, x, o, num)
