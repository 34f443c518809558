"""The input layer: o¹ = x, the sample's features."""

from __future__ import annotations

from .layer import PassThrough


class Input(PassThrough):
    name = "input"
    formula = "o = x"
    takes_data = True
    sets_size = True


RECIPE = Input()
