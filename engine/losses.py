"""Losses as pure functions, through their recipes (engine/kinds). Shapes: ``o`` and ``y`` are
``[batch, outputs]``.

The batch loss is the mean over the batch of the per-sample losses; the loss's learning flow
δ^{n+1} is per sample (∂Loss_sample/∂o^n), as in the articles.
"""

from __future__ import annotations

import numpy as np

from .kinds import LossKind
from .numbers import Numbers


def loss_values(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    """The per-sample losses -> [batch]."""
    return loss.values(o, y, num)


def loss_delta(loss: LossKind, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
    """δ = ∂Loss_sample/∂o -> [batch, outputs]."""
    return loss.delta(o, y, num)


def batch_loss(per_sample: np.ndarray, num: Numbers):
    """Mean of the per-sample losses (a scalar of the session's mode)."""
    if not num.exact and len(per_sample) == 1:
        return per_sample.item()  # what sum() / 1 gives (a loss is never −0)
    total = per_sample.sum()
    return total / len(per_sample) if num.exact else float(total) / len(per_sample)
