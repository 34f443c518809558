"""The situation of a weight's output neuron in words: the articles' reading of the sign of
δ^{k+1}_i (lower or higher than expected, nothing to learn), and why nothing is learnt when the
flow is blocked after it."""

from __future__ import annotations

import numpy as np

from .model import Model
from .records import Record
from .sign_codes import CODE_TEXT, batch_codes


def situation(delta_sign: str, neuron: str) -> str:
    """The articles' interpretation of δ^{k+1}_i."""
    return {
        "0": f"{neuron} as expected: nothing to learn",
        "-": f"{neuron} lower than expected",
        "+": f"{neuron} higher than expected",
        "nan": f"{neuron}: δ is nan (not a number), nothing sensible can be learnt",
    }.get(delta_sign, f"{neuron}: the samples of the batch disagree")


class Neurons:
    """The situation of each output neuron i of linear layer ``k`` (the articles' reading of
    δ^{k+1}_i), with what the layer's neurons share worked out once: their name, the loss's
    signs, and where the layer after it blocked the flow."""

    def __init__(self, rec: Record, model: Model, k: int) -> None:
        spec = model.layers[k]
        self.rec, self.model, self.k = rec, model, k
        self.at_output = passes_sign(model, k)
        self.name = ("model output" if k == model.trainable[-1] and self.at_output
                     else f"{spec.name} output")
        self.layer, self.numbered = spec.name, spec.size > 1
        self._loss_codes: np.ndarray | None = None
        self._blocked: np.ndarray | None = None

    def situation(self, i: int, d: str) -> str:
        """The situation of neuron ``i`` whose δ^{k+1} has sign text ``d``."""
        rec = self.rec
        if not self.numbered:
            neuron = self.name
        elif self.name == "model output":
            neuron = f"model output {i + 1}"
        else:  # a hidden neuron, named as the screen names it: L2 n2
            neuron = f"{self.layer} n{i + 1} output"
        said = situation(d, neuron)
        if self.at_output and rec.loss_delta is not None and d == "0":
            if self._loss_codes is None:
                self._loss_codes = batch_codes(rec.loss_delta)
            loss_sign = CODE_TEXT[int(self._loss_codes[i])]
            if loss_sign in ("+", "-"):
                said = (situation(loss_sign, neuron)
                        + ", but the flow is blocked before this weight: nothing is learnt")
        elif d == "0":
            blocker = self.blocker(i)
            if blocker is not None:
                said = f"{neuron}: blocked by {blocker} (its input < 0), nothing is learnt"
        return said

    def blocker(self, i: int) -> str | None:
        """The name of the layer right after this one when it blocked the flow arriving at
        neuron ``i`` for some sample of the batch (a dead ReLU), else None."""
        k, model, rec = self.k, self.model, self.rec
        if k + 1 >= len(model.layers):
            return None
        spec = model.layers[k + 1]
        x_in, flow = rec.layer_input(k + 1), rec.flow_into(k + 1)
        if not spec.recipe.blocks or x_in is None or flow is None:
            return None
        if self._blocked is None:
            self._blocked = spec.recipe.blocked(spec, x_in, flow).any(axis=0)
        return spec.name if bool(self._blocked[i]) else None


def passes_sign(model: Model, k: int) -> bool:
    """True when every layer after k keeps the sign of the flow (ReLU, sigmoid, tanh, …), so a
    sign of δ^{k+1} says the same as the sign of the loss's δ."""
    return all(not s.trainable for s in model.layers[k + 1:])
