"""The optimizer of a session: its recipe (engine/kinds) with the scenario's settings, the
initial state, and the update ŵ = w − α·d of every trainable layer (d from the recipe).

The state (engine/kinds/optimizer.OptimizerState) is part of every record: the update returns
new read-only arrays and never changes the old ones, so rewinding, edits and branches carry it
like the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from .kinds import DEFAULT_OPTIMIZER, OPTIMIZERS, OptimizerKind, OptimizerState
from .memo import once
from .numbers import Numbers, freeze, numbers_of

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Optimizer:
    """``kind`` with its ``settings`` (name, exact value) in the recipe's order; ``given``: the
    scenario has an [optimizer] table (without one: plain SGD, the articles' update)."""

    kind: str = DEFAULT_OPTIMIZER
    settings: tuple[tuple[str, Fraction | bool], ...] = ()
    given: bool = False

    @classmethod
    def plain(cls) -> Optimizer:
        return cls(DEFAULT_OPTIMIZER, tuple(OPTIMIZERS[DEFAULT_OPTIMIZER].defaults().items()))

    @property
    def recipe(self) -> OptimizerKind:
        return OPTIMIZERS[self.kind]

    @cached_property
    def values(self) -> dict[str, Fraction | bool]:
        return dict(self.settings)

    @cached_property
    def _float_values(self) -> dict[str, Any]:
        return {k: v if isinstance(v, bool) else float(v) for k, v in self.settings}

    def settings_in(self, num: Numbers) -> dict[str, Any]:
        """The settings as scalars of ``num``'s mode (flags stay bools)."""
        return self.values if num.exact else self._float_values

    @property
    def state_names(self) -> tuple[str, ...]:
        """The names of its state arrays per parameter: ("velocity",), ("m", "v") or ()."""
        return self.recipe.state_names(self.values)

    @cached_property
    def steps_along_gradient(self) -> bool:
        """Its direction d is δw itself: ŵ = w − α·δw (plain SGD)."""
        return self.recipe.steps_along_gradient(self.values)

    @property
    def formula(self) -> str:
        return self.recipe.formula(self.values)

    @property
    def reason(self) -> str:
        """Why its step can go against −δw, in words."""
        return self.recipe.reason(self.values)

    def describe(self) -> str:
        """"adam (beta1 9/10, …)": the kind and the settings that differ from the defaults."""
        defaults = self.recipe.defaults()
        changed = [f"{k} {str(v).lower() if isinstance(v, bool) else v}"
                   for k, v in self.settings if v != defaults[k]]
        return self.kind + (f" ({', '.join(changed)})" if changed else "")

    def initial_state(self, params, num: Numbers) -> OptimizerState:
        """Step 0, every state array 0 (the first step does not read them: PyTorch's rules)."""
        names = self.state_names
        buffers = tuple(
            MappingProxyType({name: MappingProxyType(
                {key: freeze(num.zeros(np.shape(arr))) for key, arr in p.items()})
                for name in names}) if p else _EMPTY
            for p in params)
        return OptimizerState(0, buffers)

    def directions(self, p: Mapping[str, np.ndarray], g: Mapping[str, np.ndarray],
                   buffers: Mapping[str, Mapping[str, np.ndarray]], step: int,
                   num: Numbers) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
        """One layer's directions d per parameter ({"w": …, "b": …}) and its new state arrays
        ({name: {"w": …, "b": …}}) for update number ``step`` (from 1)."""
        direction, settings = self.recipe.direction, self.settings_in(num)
        out: dict[str, np.ndarray] = {}
        state: dict[str, dict] = {}
        for key in p:
            mine = {name: arrays[key] for name, arrays in buffers.items()} if buffers else _EMPTY
            out[key], new = direction(p[key], g[key], mine, step, settings, num)
            for name, arr in new.items():
                state.setdefault(name, {})[key] = arr
        return out, state

    def update(self, params, grads, state: OptimizerState, lr,
               num: Numbers) -> tuple[tuple, OptimizerState]:
        """(ŵ = w − α·d for every trainable layer, the new state), as new read-only arrays."""
        step = state.step + 1
        if self.steps_along_gradient:  # d is δw itself, and there is no state: plain SGD
            return (tuple([_step(p, g, lr) if g else p for p, g in zip(params, grads)]),
                    OptimizerState(step, state.buffers))
        new_params, new_buffers = list(params), list(state.buffers)
        for k, g in enumerate(grads):
            if not g:
                continue
            p = params[k]
            d, new = self.directions(p, g, new_buffers[k], step, num)
            new_params[k] = _step(p, d, lr)
            if new:
                new_buffers[k] = MappingProxyType(
                    {name: MappingProxyType({key: freeze(a) for key, a in arrays.items()})
                     for name, arrays in new.items()})
        return tuple(new_params), OptimizerState(step, tuple(new_buffers))


def _step(p, d, lr):
    """ŵ = w − α·d (and b̂ = b − α·d_b), as new read-only arrays.

    Computed as (−α·d) + w in one new array: the same bits as w − α·d (negation is exact),
    without a second large temporary, which costs more than the arithmetic on big layers."""
    out = {}
    minus_lr = -lr
    for key, w in p.items():
        new = d[key] * minus_lr
        new += w
        out[key] = freeze(new)
    return MappingProxyType(out)


def layer_direction(optimizer: Optimizer, rec: Any, k: int) -> dict[str, np.ndarray] | None:
    """The direction d of layer ``k``'s update in ``rec``'s iteration (ŵ = w − α·d; for plain
    SGD d is δw itself) once its δw is known, else None. ``rec`` is a Record."""
    grads = rec.grads[k] if rec.grads else None
    if not grads or rec.state is None:
        return None
    # computed once a record: the sign analysis and the loss change both ask
    return once(rec, optimizer, ("direction", k), lambda: _direction(optimizer, rec, k))


@np.errstate(all="ignore")
def _direction(optimizer: Optimizer, rec: Any, k: int) -> dict[str, np.ndarray]:
    d, _ = optimizer.directions(rec.params[k], rec.grads[k], rec.state.buffers[k],
                                rec.state.step + 1, numbers_of(rec.mode))
    return d
