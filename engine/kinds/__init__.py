"""One recipe per layer kind, loss and optimizer: everything the engine and the UI need to know
about a kind lives in its file here (forward, derivative or step, exact support, what blocks or
saturates it, its screen name and formula). Nobody else switches on a kind's name.

Adding a kind: write one file with a recipe (a subclass of LayerKind, LossKind or
OptimizerKind, ending with ``RECIPE = …``), add its module to the tuple below, and test it.
"""

from __future__ import annotations

from . import (
    adam,
    adamw,
    bce_with_logits,
    half_squared_error,
    identity,
    input,
    leaky_relu,
    linear,
    mse,
    relu,
    sgd,
    sigmoid,
    softmax_cross_entropy,
    tanh,
)
from .layer import LayerKind
from .loss import LossKind
from .optimizer import OptimizerKind, OptimizerState, Option

LAYERS: dict[str, LayerKind] = {
    m.RECIPE.name: m.RECIPE for m in (input, linear, relu, leaky_relu, sigmoid, tanh, identity)}
LOSSES: dict[str, LossKind] = {
    m.RECIPE.name: m.RECIPE
    for m in (half_squared_error, mse, softmax_cross_entropy, bce_with_logits)}
OPTIMIZERS: dict[str, OptimizerKind] = {m.RECIPE.name: m.RECIPE for m in (sgd, adam, adamw)}

DEFAULT_LOSS = half_squared_error.RECIPE.name
DEFAULT_OPTIMIZER = sgd.RECIPE.name

__all__ = ["DEFAULT_LOSS", "DEFAULT_OPTIMIZER", "LAYERS", "LOSSES", "OPTIMIZERS", "LayerKind",
           "LossKind", "Option", "OptimizerKind", "OptimizerState"]
