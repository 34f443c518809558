"""AdamW, PyTorch's torch.optim.AdamW: Adam with the weight decay decoupled from the gradient,

    ŵ = w − α·λ·w − α·m̂/(√v̂ + ε)     (m, v, m̂, v̂ from δw alone, as in Adam)

so the direction is d = λ·w + m̂/(√v̂ + ε). weight_decay defaults to 0.01. Float64 only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..numbers import Numbers
from .adam import Adam, adam_options, moment_lines, moments


class AdamW(Adam):
    """Adam's state (m, v), its own step."""

    name = "adamw"
    label = "AdamW"
    options = adam_options(Fraction(1, 100))

    def formula(self, settings: Mapping[str, Any]) -> str:
        decay = "α·λ·w − " if settings["weight_decay"] else ""
        return f"ŵ = w − {decay}α·m̂/(√v̂ + ε)"

    def reason(self, settings: Mapping[str, Any]) -> str:
        decay = ", and the decoupled weight decay pulls it toward 0" if settings["weight_decay"] \
            else ""
        return f"AdamW's normalised step follows m̂, the running mean of the gradients{decay}"

    def direction(self, p: np.ndarray, g: np.ndarray, state: Mapping[str, np.ndarray],
                  step: int, settings: Mapping[str, Any],
                  num: Numbers) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        d, new_state = moments(g, state, step, settings)
        if settings["weight_decay"]:
            d = settings["weight_decay"] * p + d
        return d, new_state

    def explain(self, w: Any, g: Any, before: Mapping[str, Any], after: Mapping[str, Any],
                step: int, settings: Mapping[str, Any], d: Any,
                n: Callable[[Any], str]) -> tuple[list[str], str]:
        lines = moment_lines("δw", g, before, after, step, settings, n)
        if settings["weight_decay"]:
            lines.append(f"d = λ·w + m̂/(√v̂ + ε) = {n(d)}   (λ = {n(settings['weight_decay'])})")
            return lines, "(λ·w + m̂/(√v̂ + ε))"
        lines.append(f"d = m̂/(√v̂ + ε) = {n(d)}")
        return lines, "m̂/(√v̂ + ε)"


RECIPE = AdamW()
