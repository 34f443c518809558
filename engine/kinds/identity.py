"""The identity activation: o = x, δ passes unchanged."""

from __future__ import annotations

from .layer import Activation, PassThrough


class Identity(PassThrough, Activation):
    name = "identity"
    formula = "o = x"
    derivative = "δ = δ'"


RECIPE = Identity()
