"""The selectable weights in model order (``WeightOrder``) are computed from the layer sizes;
checked here against the plain listing they replace, row by row then the bias."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from nnstep.tui.widgets.common import Weight, weights_of


def layer(size: int, trainable: bool = True, bias: bool = True) -> SimpleNamespace:
    return SimpleNamespace(size=size, trainable=trainable, bias=bias)


def listed(model) -> list[tuple]:
    """The oracle: every weight written out, row by row, each row's inputs then its bias."""
    out = []
    for k, spec in enumerate(model.layers):
        if spec.trainable:
            for i in range(spec.size):
                out += [(k, i, j) for j in range(model.layers[k - 1].size)]
                out += [(k, i, None)] if spec.bias else []
    return out


MODELS = {
    "broccoli": [layer(3, False), layer(1, bias=False), layer(1, False)],
    "2-3-1": [layer(2, False), layer(3), layer(3, False), layer(1)],
    "mixed bias": [layer(4, False), layer(2, bias=False), layer(2, False), layer(3),
                   layer(3, False), layer(2, bias=False)],
    "no weights": [layer(3, False), layer(3, False)],
}


@pytest.mark.parametrize("name", MODELS)
def test_the_order_is_the_listing(name: str) -> None:
    model = SimpleNamespace(layers=MODELS[name])
    order, oracle = weights_of(model), listed(model)
    assert len(order) == len(oracle)
    assert list(order) == oracle
    assert [order.index(w) for w in oracle] == list(range(len(oracle)))
    assert order[-1:] == oracle[-1:] and order[1:4] == oracle[1:4]
    assert all(isinstance(w, Weight) for w in order)


@pytest.mark.parametrize("name", MODELS)
def test_what_is_not_a_weight_is_not_in_it(name: str) -> None:
    model = SimpleNamespace(layers=MODELS[name])
    order, oracle = weights_of(model), set(listed(model))
    sizes = [spec.size for spec in model.layers]
    candidates = {(k, i, j) for k in range(-1, len(sizes) + 1) for i in range(-1, 5)
                  for j in [*range(-1, 6), None]}
    for weight in candidates:
        assert (weight in order) == (weight in oracle), weight
        if weight not in oracle:
            with pytest.raises(ValueError):
                order.index(weight)
    assert None not in order and (1, 0) not in order and (1, 0, 0.0) not in order
    with pytest.raises(IndexError):
        order[len(oracle)]


def test_numpy_integers_find_their_weight() -> None:
    model = SimpleNamespace(layers=MODELS["2-3-1"])
    order = weights_of(model)
    assert order.index((np.intp(3), np.int64(0), None)) == listed(model).index((3, 0, None))
