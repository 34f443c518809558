"""Stochastic gradient descent, PyTorch's torch.optim.SGD:

    g = δw + weight_decay·w
    b = g at the first step, else momentum·b + (1 − dampening)·g      (with momentum ≠ 0)
    d = g + momentum·b with nesterov, else b                           (g without momentum)
    ŵ = w − α·d

With every setting at its default it is the articles' ŵ = w − α·δw. Exact in fractions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..numbers import Numbers
from .optimizer import OptimizerKind, Option


class SGD(OptimizerKind):
    name = "sgd"
    label = "SGD"
    options = (
        Option("momentum", Fraction(0), "the momentum factor μ"),
        Option("dampening", Fraction(0), "the dampening τ of the momentum", high=Fraction(1)),
        Option("nesterov", False, "Nesterov momentum"),
        Option("weight_decay", Fraction(0), "the L2 penalty λ (added to δw)"),
    )

    def problem(self, settings: Mapping[str, Any]) -> tuple[str, str] | None:
        if settings["nesterov"] and (settings["momentum"] == 0 or settings["dampening"] != 0):
            return "nesterov", ("Nesterov momentum needs a momentum > 0 and no dampening "
                                "(as PyTorch's SGD)")
        return None

    def state_names(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        return ("velocity",) if settings["momentum"] != 0 else ()

    def steps_along_gradient(self, settings: Mapping[str, Any]) -> bool:
        return not settings["momentum"] and not settings["weight_decay"]

    def formula(self, settings: Mapping[str, Any]) -> str:
        grad = "(δw + λ·w)" if settings["weight_decay"] else "δw"
        if settings["momentum"] == 0:
            return f"ŵ = w − α·{grad}"
        damp = "(1 − τ)·" if settings["dampening"] else ""
        velocity = f"v = μ·v + {damp}{grad}"
        if settings["nesterov"]:
            return f"{velocity}; ŵ = w − α·({grad} + μ·v)"
        return f"{velocity}; ŵ = w − α·v"

    def reason(self, settings: Mapping[str, Any]) -> str:
        causes = []
        if settings["momentum"]:
            causes.append("momentum carries it (the velocity remembers earlier gradients)")
        if settings["weight_decay"]:
            causes.append("weight decay pulls it toward 0")
        return " and ".join(causes)

    def direction(self, p: np.ndarray, g: np.ndarray, state: Mapping[str, np.ndarray],
                  step: int, settings: Mapping[str, Any],
                  num: Numbers) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        decay, momentum = settings["weight_decay"], settings["momentum"]
        if decay:
            g = g + decay * p
        if not momentum:
            return g, {}
        if step == 1:
            velocity = g.copy()
        else:
            velocity = momentum * state["velocity"]
            velocity += (1 - settings["dampening"]) * g
        d = g + momentum * velocity if settings["nesterov"] else velocity
        return d, {"velocity": velocity}

    def explain(self, w: Any, g: Any, before: Mapping[str, Any], after: Mapping[str, Any],
                step: int, settings: Mapping[str, Any], d: Any,
                n: Callable[[Any], str]) -> tuple[list[str], str]:
        decay, momentum = settings["weight_decay"], settings["momentum"]
        lines, grad = [], "δw"
        if decay:
            lines.append(f"g = δw + λ·w = {n(g)} + {n(decay)} · {n(w)} = {n(g + decay * w)}")
            grad, g = "g", g + decay * w
        if not momentum:
            return lines, grad
        velocity = after["velocity"]
        if step == 1:
            lines.append(f"v = {grad} = {n(velocity)}   (the first step starts the velocity)")
        else:
            damp = 1 - settings["dampening"]
            lines.append(f"v = μ·v + (1 − τ)·{grad} = {n(momentum)} · {n(before['velocity'])} "
                         f"+ {n(damp)} · {n(g)} = {n(velocity)}")
        if settings["nesterov"]:
            lines.append(f"d = {grad} + μ·v = {n(g)} + {n(momentum)} · {n(velocity)} = {n(d)}")
            return lines, "d"
        return lines, "v"


RECIPE = SGD()
