"""Binary cross-entropy from the logits, PyTorch's BCEWithLogitsLoss: per output
−[y·log σ(o) + (1 − y)·log(1 − σ(o))] = max(o, 0) − o·y + log(1 + e^−|o|) (stable for any o),
the mean over the outputs per sample. δ = (σ(o) − y)/C for C outputs. Float64 only."""

from __future__ import annotations

import numpy as np

from ..numbers import Numbers
from .loss import LossKind


class BCEWithLogits(LossKind):
    name = "bce_with_logits"
    label = "BCE"
    formula = "L = (1/C)·Σ −[y·log σ(o) + (1 − y)·log(1 − σ(o))]"
    derivative = "δ = (σ(o) − y)/C"
    exact = False
    classifies = True
    targets = "a value between 0 and 1 per output"

    def values(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        each = np.maximum(o, 0.0) - o * y + np.log1p(np.exp(-np.abs(o)))
        return each.sum(axis=1) * (1 / o.shape[1])

    def delta(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        return (sigmoid(o) - y) * (1 / o.shape[1])

    def target_ok(self, value) -> bool:
        return 0 <= value <= 1

    def probabilities(self, o: np.ndarray) -> np.ndarray:
        return sigmoid(np.asarray(o, dtype=np.float64))

    def predicted(self, o: np.ndarray) -> np.ndarray:
        """Each output on its own: yes where σ(o) > 1/2, i.e. o > 0."""
        return np.asarray(o, dtype=np.float64) > 0

    def correct(self, o: np.ndarray, y: np.ndarray) -> np.ndarray:
        o, y = np.asarray(o, dtype=np.float64), np.asarray(y, dtype=np.float64)
        return ((o > 0) == (y >= 0.5)).mean(axis=1)


def sigmoid(o: np.ndarray) -> np.ndarray:
    """σ(o) without overflow: e^o/(1 + e^o) for negative o, 1/(1 + e^−o) otherwise."""
    e = np.exp(-np.abs(o))
    return np.where(o >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


RECIPE = BCEWithLogits()
