"""The linear layer: o = X·Wᵀ (+ b). δ^k = δ^{k+1}·W, δw = mean_b δ^{k+1}_b ⊗ o^{k-1}_b,
δb = mean_b δ^{k+1}_b."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..numbers import SMALL, ZERO, Numbers, floats
from .layer import LayerKind, Params


class Linear(LayerKind):
    name = "linear"
    formula = "o = w·x + b"
    derivative = "δ = δ'·w, δw = δ'·x, δb = δ'"
    trainable = True
    sets_size = True
    keys = ("bias", "weights", "biases", "init", "seed")

    def describe(self, spec: Any) -> str:
        return "linear" if spec.bias else "linear, no bias"

    def forward(self, spec: Any, params: Params, x: np.ndarray, num: Numbers) -> np.ndarray:
        o = x @ params["w"].T
        if spec.bias:
            o = o + params["b"]
        return o

    def backward(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray,
                 delta_next: np.ndarray, num: Numbers) -> tuple[np.ndarray, dict]:
        return delta_next @ params["w"], grads(spec, x, delta_next, num)

    def terms(self, spec: Any, params: Params, x: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Σ_j |w_ij·x_j| (+ |b_i|): the terms summed into each output. Also of records
        stacked along a first axis (x [records, batch, in], w [records, out, in], b [records,
        out]): each record's terms as it alone gives them (the same products)."""
        weights = np.abs(floats(params["w"]))
        terms = np.abs(floats(x)) @ np.swapaxes(weights, -1, -2)
        if spec.bias:
            terms = terms + np.abs(floats(params["b"]))[..., None, :]
        return terms


def grads(spec: Any, x: np.ndarray, delta_next: np.ndarray, num: Numbers) -> dict[str, Any]:
    """δw^k = mean over the batch of δ^{k+1} ⊗ o^{k-1}; δb^k = mean of δ^{k+1}."""
    batch = x.shape[0]
    if batch == 1:
        out: dict[str, Any] = {"w": _outer(delta_next, x, num)}
        if spec.bias:
            out["b"] = delta_next[0].copy()
        return out
    scale = Fraction(1, batch) if num.exact else 1 / batch  # 1/batch: correctly rounded
    out = {"w": (delta_next.T @ x) * scale}
    if spec.bias:
        out["b"] = delta_next.sum(axis=0) * scale
    return out


def _outer(d: np.ndarray, x: np.ndarray, num: Numbers) -> np.ndarray:
    """d ⊗ x of one sample's d [1, out] and x [1, in] -> [out, in]. In float64 through einsum,
    twice as fast as np.outer on large layers (its broadcast multiply is not vectorised): it
    adds each product to a zeroed output, so a product equal to zero is +0 where np.outer gives
    −0 for unlike signs — as a BLAS rank-1 update does; the sign of a zero gradient is a float
    artefact (it is shown as 0, and moves no weight). On a small layer einsum's set-up costs
    more than its products: the same sums, (d·x) + 0, are made by a broadcast multiply and an
    addition of +0 (test_fast_paths.py checks them against einsum and Python's floats)."""
    if num.exact:
        return np.outer(d[0], x[0])
    if d.size * x.size <= SMALL:
        out = d.T * x
        out += ZERO
        return out
    return np.einsum("i,j->ij", d[0], x[0])


RECIPE = Linear()
