"""What an optimizer is: the base of the optimizer recipes, their settings and their state.

An optimizer turns a parameter array p (w or b of one layer), its gradient g (δw or δb) and
its state into a direction d and the next state; the update is then p̂ = p − α·d for every
optimizer (α = [training] learning_rate). For plain SGD d = δw (the articles' ŵ = w − α·δw);
with momentum d is the velocity, with Adam the normalised step m̂/(√v̂ + ε). The sign analysis
reads the real move from −d, and the predicted loss change is Σ δw·(−α·d).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..numbers import Numbers

MAX_SETTING = 10**6  # any setting beyond this is a typo, and far from float64's limits
Buffers = Mapping[str, np.ndarray]  # a state array per parameter: {"w": [out, in], "b": [out]}


@dataclass(frozen=True)
class Option:
    """One setting of an optimizer: a number in [low, high] (``high_open``: high excluded), or
    a flag (``default`` a bool)."""

    name: str
    default: Fraction | bool
    what: str = ""  # "the momentum factor μ", for messages and help
    low: Fraction = Fraction(0)
    high: Fraction | None = None
    high_open: bool = False

    @property
    def flag(self) -> bool:
        return isinstance(self.default, bool)

    def problem(self, value: Fraction) -> str | None:
        """Why ``value`` is out of range, or None."""
        if abs(value) > MAX_SETTING:
            return f"expected {self.name} of at most {MAX_SETTING:g} in size"
        if value < self.low:
            return f"expected {self.name} ≥ {self.low}, got {value}"
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            sign = "<" if self.high_open else "≤"
            return f"expected {self.name} {sign} {self.high}, got {value}"
        return None


class OptimizerKind:
    """One optimizer. Subclasses set the attributes and define ``direction``."""

    name: str = ""  # the scenario's [optimizer] kind
    label: str = ""  # short, for the screen: "Adam"
    exact: bool = True  # works in exact fractions
    options: tuple[Option, ...] = ()

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def problem(self, settings: Mapping[str, Any]) -> tuple[str, str] | None:
        """(key, why) when a combination of settings is refused (each value is already in its
        range), else None."""
        return None

    def state_names(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        """The names of its state arrays per parameter: ("velocity",), ("m", "v") or ()."""
        return ()

    def steps_along_gradient(self, settings: Mapping[str, Any]) -> bool:
        """True when ``direction`` returns δw itself as d (ŵ = w − α·δw), no other array."""
        return False

    def formula(self, settings: Mapping[str, Any]) -> str:
        """The update as the screen shows it, e.g. "ŵ = w − α·m̂/(√v̂ + ε)"."""
        raise NotImplementedError

    def reason(self, settings: Mapping[str, Any]) -> str:
        """Why its step can go against −δw, in words (for the sign analysis)."""
        return ""

    def direction(self, p: np.ndarray, g: np.ndarray, state: Mapping[str, np.ndarray],
                  step: int, settings: Mapping[str, Any],
                  num: Numbers) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(d, the new state) for parameter ``p`` with gradient ``g``; ``step`` counts the
        updates from 1 (this one included); ``settings`` are scalars of ``num``'s mode."""
        raise NotImplementedError

    def explain(self, w: Any, g: Any, before: Mapping[str, Any], after: Mapping[str, Any],
                step: int, settings: Mapping[str, Any], d: Any,
                n: Callable[[Any], str]) -> tuple[list[str], str]:
        """The arithmetic of one value's direction d (engine/explain.py): lines with the numbers
        substituted (``n`` writes one, parenthesised when negative) from the weight ``w``, its
        δw ``g``, its state before and after the step and the recorded ``d``; and d's name in
        ŵ = w − α·NAME. The default names d without lines."""
        return [f"d = {n(d)}"], "d"


@dataclass(frozen=True)
class OptimizerState:
    """The optimizer's state: ``step`` updates made so far, and per layer its state arrays
    ``buffers[k][name]`` = {"w": …, "b": …} (``{}`` for layers without weights, and for
    optimizers without state). Arrays are read-only."""

    step: int
    buffers: tuple[Mapping[str, Buffers], ...]
