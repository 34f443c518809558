"""Adam, PyTorch's torch.optim.Adam (without amsgrad):

    g = δw + weight_decay·w                      (L2 added to the gradient)
    m = β1·m + (1 − β1)·g,  v = β2·v + (1 − β2)·g²
    m̂ = m/(1 − β1^t),  v̂ = v/(1 − β2^t)
    ŵ = w − α·m̂/(√v̂ + ε)

Float64 only (a square root)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..numbers import Numbers
from .optimizer import OptimizerKind, Option

ONE = Fraction(1)


def adam_options(weight_decay: Fraction) -> tuple[Option, ...]:
    return (
        Option("beta1", Fraction(9, 10), "the decay β1 of the mean m", high=ONE, high_open=True),
        Option("beta2", Fraction(999, 1000), "the decay β2 of the mean square v", high=ONE,
               high_open=True),
        Option("eps", Fraction(1, 10**8), "ε, added to √v̂"),
        Option("weight_decay", weight_decay, "the weight decay λ"),
    )


class Adam(OptimizerKind):
    name = "adam"
    label = "Adam"
    exact = False
    options = adam_options(Fraction(0))

    def state_names(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        return ("m", "v")

    def formula(self, settings: Mapping[str, Any]) -> str:
        grad = "g = δw + λ·w; " if settings["weight_decay"] else ""
        return f"{grad}ŵ = w − α·m̂/(√v̂ + ε)"

    def reason(self, settings: Mapping[str, Any]) -> str:
        decay = " (with the weight decay in g)" if settings["weight_decay"] else ""
        return f"Adam's normalised step follows m̂, the running mean of the gradients{decay}"

    def direction(self, p: np.ndarray, g: np.ndarray, state: Mapping[str, np.ndarray],
                  step: int, settings: Mapping[str, Any],
                  num: Numbers) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if settings["weight_decay"]:
            g = g + settings["weight_decay"] * p
        return moments(g, state, step, settings)

    def explain(self, w: Any, g: Any, before: Mapping[str, Any], after: Mapping[str, Any],
                step: int, settings: Mapping[str, Any], d: Any,
                n: Callable[[Any], str]) -> tuple[list[str], str]:
        lines, grad = [], "δw"
        if settings["weight_decay"]:
            lam = settings["weight_decay"]
            lines.append(f"g = δw + λ·w = {n(g)} + {n(lam)} · {n(w)} = {n(g + lam * w)}")
            grad, g = "g", g + lam * w
        lines += moment_lines(grad, g, before, after, step, settings, n)
        lines.append(f"d = m̂/(√v̂ + ε) = {n(d)}")
        return lines, "m̂/(√v̂ + ε)"


def moment_lines(grad: str, g: Any, before: Mapping[str, Any], after: Mapping[str, Any],
                 step: int, settings: Mapping[str, Any], n: Callable[[Any], str]) -> list[str]:
    """m, v, m̂ and v̂ of one value, with the numbers (Adam's and AdamW's explanations)."""
    beta1, beta2 = settings["beta1"], settings["beta2"]
    m, v = after["m"], after["v"]
    return [
        f"m = β1·m + (1 − β1)·{grad} = {n(beta1)} · {n(before['m'])} + {n(1 - beta1)} · {n(g)}"
        f" = {n(m)}",
        # (δw)², not δw²: a superscript after a name is a layer's number on this screen
        f"v = β2·v + (1 − β2)·({grad})² = {n(beta2)} · {n(before['v'])} + {n(1 - beta2)} · "
        f"{n(g)}² = {n(v)}",
        f"m̂ = m/(1 − β1^t) = {n(m)} / (1 − {n(beta1)}^{step}) = {n(m / (1 - beta1 ** step))}",
        f"v̂ = v/(1 − β2^t) = {n(v)} / (1 − {n(beta2)}^{step}) = {n(v / (1 - beta2 ** step))}",
    ]


def moments(g: np.ndarray, state: Mapping[str, np.ndarray], step: int,
            settings: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(m̂/(√v̂ + ε), {"m": m, "v": v}): Adam's normalised step from the gradient ``g``."""
    beta1, beta2 = settings["beta1"], settings["beta2"]
    # m = β1·m + (1 − β1)·g and v = β2·v + (1 − β2)·g², written in place on new arrays (the
    # same roundings: a sum does not depend on the order of its two terms)
    m = state["m"] * beta1
    m += (1 - beta1) * g
    v = g * g
    v *= 1 - beta2
    v += beta2 * state["v"]
    d = m / (1 - beta1 ** step)  # m̂
    root = np.sqrt(v / (1 - beta2 ** step))  # √v̂
    root += settings["eps"]
    d /= root
    return d, {"m": m, "v": v}


RECIPE = Adam()
