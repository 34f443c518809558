"""Layers as pure functions of arrays.

Shapes: a batch of inputs ``x`` is ``[batch, inputs]``; a layer's output ``o`` is
``[batch, neurons]``; ``delta_next`` (δ^{k+1}, the learning flow arriving from the next layer) is
``[batch, neurons]``; the returned ``delta`` (δ^k = ∂Loss/∂X^k, the flow at this layer's input)
is ``[batch, inputs]``. δ is per sample (∂Loss_sample/∂X); weight gradients are the mean over the
batch: ``dw = mean_b δ^{k+1}_b ⊗ o^{k-1}_b`` with shape ``[neurons, inputs]``, ``db`` ``[neurons]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .numbers import Numbers

KINDS = ("input", "linear", "relu", "leaky_relu", "sigmoid", "tanh", "identity")
ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "identity")
FLOAT_ONLY = ("sigmoid", "tanh")

Params = Mapping[str, np.ndarray]  # {"w": [out, in], "b": [out]} for linear layers, {} otherwise


@dataclass(frozen=True)
class LayerSpec:
    """What a layer is; its trainable values live in the session's records, not here."""

    name: str
    kind: str
    size: int
    bias: bool = False
    slope: Fraction = Fraction(1, 100)
    grad_at_zero: Fraction = Fraction(1)

    @property
    def trainable(self) -> bool:
        return self.kind == "linear"

    def describe(self) -> str:
        if self.kind == "linear":
            return "linear" if self.bias else "linear, no bias"
        if self.kind == "leaky_relu":
            return f"leaky_relu, slope {self.slope}"
        return self.kind


def forward(spec: LayerSpec, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
    """o^k = L^k(X^k) for a batch ``x`` [batch, inputs] -> [batch, neurons]."""
    kind = spec.kind
    if kind in ("input", "identity"):
        return x  # o = X: the same read-only array, not a copy
    if kind == "linear":
        o = x @ params["w"].T
        if spec.bias:
            o = o + params["b"]
        return o
    if kind == "relu":
        return np.where(x >= 0, x, num.scalar(0) if num.exact else 0.0)
    if kind == "leaky_relu":
        return np.where(x >= 0, x, x * num.scalar(spec.slope))
    if kind == "sigmoid":
        return 1.0 / (1.0 + num.exp(-x))
    if kind == "tanh":
        return num.tanh(x)
    raise ValueError(f"unknown layer kind {kind!r}")


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
    kind = spec.kind
    if kind in ("input", "identity"):
        return delta_next, {}  # δ passes unchanged: the same read-only array
    if kind == "linear":
        return delta_next @ params["w"], linear_grads(spec, x, delta_next, num)
    if kind == "relu" and not num.exact and spec.grad_at_zero == 1:
        # δ·slope with a slope of 1 where x ≥ 0 and 0 elsewhere, in fewer array operations:
        # δ·1 is δ exactly, and δ·0 keeps its IEEE sign / NaN as the product would
        return np.where(x >= 0, delta_next, delta_next * 0.0), {}
    if kind in ACTIVATIONS:
        return delta_next * activation_slope(spec, x, o, num), {}
    raise ValueError(f"unknown layer kind {kind!r}")


def activation_slope(spec: LayerSpec, x: np.ndarray, o: np.ndarray, num: Numbers) -> np.ndarray:
    """The derivative of an activation at its input ``x`` (``o`` its output), elementwise.

    Sigmoid uses σ(x)·σ(−x) and tanh 1/cosh²(x) rather than o·(1 − o) and 1 − o², which round
    to exactly 0 once the neuron saturates and would hide how small the flow really is.
    """
    kind = spec.kind
    if kind == "relu":
        return relu_slope(spec, x, num)
    if kind == "leaky_relu":
        return np.where(x >= 0, num.scalar(1), num.scalar(spec.slope))
    if kind == "sigmoid":
        return o / (1.0 + num.exp(x))
    if kind == "tanh":
        return 1.0 / np.cosh(x) ** 2
    if kind == "identity":
        return np.ones_like(x) if not num.exact else x * 0 + 1
    raise ValueError(f"{kind} is not an activation")


def relu_slope(spec: LayerSpec, x: np.ndarray, num: Numbers) -> np.ndarray:
    """dReLU/dx: 1 where x > 0, ``grad_at_zero`` where x == 0 (the articles: 1), 0 below."""
    if not num.exact:  # the same values, in fewer array operations
        slope = (x > 0).astype(np.float64)
        if spec.grad_at_zero:
            at_zero = x == 0
            if at_zero.any():
                slope[at_zero] = float(spec.grad_at_zero)
        return slope
    one, zero = num.scalar(1), num.scalar(0)
    return np.where(x > 0, one, np.where(x == 0, num.scalar(spec.grad_at_zero), zero))


def linear_grads(
    spec: LayerSpec, x: np.ndarray, delta_next: np.ndarray, num: Numbers
) -> dict[str, np.ndarray]:
    """δw^k = mean over the batch of δ^{k+1} ⊗ o^{k-1}; δb^k = mean of δ^{k+1}."""
    batch = x.shape[0]
    if batch == 1:
        dw = _outer(delta_next[0], x[0], num)
        grads: dict[str, Any] = {"w": dw}
        if spec.bias:
            grads["b"] = delta_next[0].copy()
        return grads
    scale = Fraction(1, batch) if num.exact else 1 / batch  # 1/batch: correctly rounded
    grads = {"w": (delta_next.T @ x) * scale}
    if spec.bias:
        grads["b"] = delta_next.sum(axis=0) * scale
    return grads


def _outer(d: np.ndarray, x: np.ndarray, num: Numbers) -> np.ndarray:
    """d ⊗ x. In float64 through einsum, twice as fast as np.outer here (its broadcast multiply
    is not vectorised): the same products, except that a product equal to zero is +0 where
    np.outer gives −0 for unlike signs — as a BLAS rank-1 update does; the sign of a zero
    gradient is a float artefact (it is shown as 0, and moves no weight)."""
    if num.exact:
        return np.outer(d, x)
    return np.einsum("i,j->ij", d, x)
