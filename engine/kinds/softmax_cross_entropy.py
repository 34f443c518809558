"""Softmax cross-entropy from the logits, PyTorch's CrossEntropyLoss: per sample
−Σ y·log softmax(o), with log softmax(o) = o − logsumexp(o) (shifted by max o, so large logits
neither overflow nor lose the small ones). y holds one-hot rows or class probabilities.
δ = softmax(o)·Σy − y, which is p − y for rows summing to 1. Float64 only (exp, log)."""

from __future__ import annotations

import numpy as np

from ..numbers import Numbers
from .loss import LossKind


class SoftmaxCrossEntropy(LossKind):
    name = "softmax_cross_entropy"
    label = "softmax CE"
    formula = "L = −Σ y·log softmax(o)"
    derivative = "δ = p − y, p = softmax(o)"
    exact = False
    classifies = True
    targets = "class probabilities between 0 and 1 (or a class label with [data] classes)"

    def values(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return -(y * log_softmax(o)).sum(axis=1)

    def delta(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return softmax(o) * y.sum(axis=1, keepdims=True) - y

    def target_ok(self, value) -> bool:
        return 0 <= value <= 1

    def probabilities(self, o: np.ndarray) -> np.ndarray:
        return softmax(np.asarray(o, dtype=np.float64))

    def predicted(self, o: np.ndarray) -> np.ndarray:
        """The class with the largest logit (the first of equals), one per sample."""
        o = np.asarray(o, dtype=np.float64)
        return np.arange(o.shape[1]) == np.argmax(o, axis=1)[:, None]

    def correct(self, o: np.ndarray, y: np.ndarray) -> np.ndarray:
        o, y = np.asarray(o, dtype=np.float64), np.asarray(y, dtype=np.float64)
        return (np.argmax(o, axis=1) == np.argmax(y, axis=1)).astype(np.float64)


def log_softmax(o: np.ndarray) -> np.ndarray:
    """o − logsumexp(o) per row, shifted by the row's max."""
    shifted = o - o.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


RECIPE = SoftmaxCrossEntropy()
