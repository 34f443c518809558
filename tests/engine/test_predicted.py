"""What a classifying loss predicts (the loss panel's ▸): softmax cross-entropy the class with the
largest probability, BCE each output whose probability is above 1/2 — checked against
probabilities computed here with numpy; losses that do not classify predict nothing."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from nnstep.engine.kinds import LOSSES

logits = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)),
                elements=st.floats(-30, 30, allow_nan=False))


@given(logits)
def test_softmax_predicts_the_most_probable_class(o):
    chosen = LOSSES["softmax_cross_entropy"].predicted(o)
    p = np.exp(o) / np.exp(o).sum(axis=1, keepdims=True)
    assert chosen.dtype == bool and chosen.shape == o.shape
    assert (chosen.sum(axis=1) == 1).all()  # one class per sample
    assert (p[chosen] == p.max(axis=1)).all()


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)),
              elements=st.one_of(st.just(0.0), st.floats(1e-6, 30), st.floats(-30, -1e-6))))
def test_bce_predicts_each_output_above_one_half(o):
    """(Logits within 1e-6 of 0 but not 0 are left out: σ rounds them to exactly 1/2.)"""
    chosen = LOSSES["bce_with_logits"].predicted(o)
    assert (chosen == (1 / (1 + np.exp(-o)) > 0.5)).all()


def test_regression_losses_predict_nothing():
    o = np.array([[0.5, -1.0]])
    assert LOSSES["mse"].predicted(o) is None
    assert LOSSES["half_squared_error"].predicted(o) is None
