"""What a loss is: the base of the loss recipes. Shapes: ``o`` and ``y`` are
``[batch, outputs]``.

The batch loss is the mean over the batch of the per-sample losses (PyTorch's default
reduction); the loss's learning flow δ^{n+1} = ∂Loss_sample/∂o^n is per sample, as in the
articles, and the 1/batch of the mean enters with the gradients (δw is the batch mean), so δw is
what ``loss.backward()`` leaves in ``.grad``.
"""

from __future__ import annotations

import numpy as np

from ..numbers import Numbers


class LossKind:
    """One loss. Subclasses set the attributes and define ``values`` and ``delta``."""

    name: str = ""  # the scenario's [loss] kind
    label: str = ""  # short, for a panel title: "½Σ(o−y)²"
    formula: str = ""  # the per-sample loss, for the screen
    derivative: str = ""  # its δ, for the screen: "δ = o − y"
    exact: bool = True  # has exact rational values
    classifies: bool = False  # its outputs are class scores: probabilities, accuracy
    targets: str = ""  # what a target must be, for error messages ("" = any number)

    def values(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        """The per-sample losses -> [batch]."""
        raise NotImplementedError

    def delta(self, o: np.ndarray, y: np.ndarray, num: Numbers) -> np.ndarray:
        """δ = ∂Loss_sample/∂o -> [batch, outputs]."""
        raise NotImplementedError

    def values_and_delta(self, o: np.ndarray, y: np.ndarray,
                         num: Numbers) -> tuple[np.ndarray, np.ndarray]:
        """``values`` and ``delta`` at once (the fused iteration asks for both): the very values
        they give one by one. A kind whose two share a computation makes it once here."""
        return self.values(o, y, num), self.delta(o, y, num)

    def target_ok(self, value) -> bool:
        """Whether one target value is allowed (checked when the scenario is loaded)."""
        return True

    def probabilities(self, o: np.ndarray) -> np.ndarray | None:
        """What the outputs say as probabilities [batch, outputs] (float64), or None."""
        return None

    def predicted(self, o: np.ndarray) -> np.ndarray | None:
        """Which outputs the model predicts, a bool array [batch, outputs] (one class per sample,
        or each output on its own), or None for a loss that does not classify."""
        return None

    def correct(self, o: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        """Per sample [batch], the share of its predictions that are right (1.0 / 0.0 for one
        class per sample), or None for a loss that does not classify."""
        return None


def accuracy(loss: LossKind, o: np.ndarray, y: np.ndarray) -> float | None:
    """The share of right predictions over a batch, or None when ``loss`` does not classify."""
    right = loss.correct(o, y)
    return None if right is None else float(np.mean(right))
