"""Each loss's δ against central finite differences of its own per-sample loss; mse and SGD with
momentum and weight decay in exact fractions against a hand-written Fraction computation; the
float-only kinds refused in exact mode."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from nnstep.engine import ScenarioError, Session, parse_scenario
from nnstep.engine.kinds import LOSSES
from nnstep.engine.kinds.loss import accuracy
from nnstep.engine.numbers import Numbers

FLOAT, EXACT = Numbers("float64"), Numbers("exact")


def targets(name: str, rng, shape):
    if name == "softmax_cross_entropy":
        p = rng.uniform(0.1, 1, shape)
        return p / p.sum(1, keepdims=True)
    if name == "bce_with_logits":
        return rng.uniform(0, 1, shape)
    return rng.normal(0, 1, shape)


@pytest.mark.parametrize("name", list(LOSSES))
def test_the_delta_of_each_loss_is_its_derivative(name):
    rng = np.random.default_rng(list(LOSSES).index(name))
    loss = LOSSES[name]
    o = rng.normal(0, 2, (3, 4))
    y = targets(name, rng, o.shape)
    delta = loss.delta(o, y, FLOAT)
    h = 1e-6
    for b, i in np.ndindex(o.shape):
        up, down = o.copy(), o.copy()
        up[b, i] += h
        down[b, i] -= h
        numeric = (loss.values(up, y, FLOAT)[b] - loss.values(down, y, FLOAT)[b]) / (2 * h)
        assert delta[b, i] == pytest.approx(numeric, rel=1e-6, abs=1e-9), (name, b, i)


def test_softmax_cross_entropy_is_stable_for_large_logits():
    loss = LOSSES["softmax_cross_entropy"]
    o = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    values = loss.values(o, y, FLOAT)
    assert values[0] == 1000.0 and values[1] == pytest.approx(np.log(3))
    assert np.isfinite(loss.delta(o, y, FLOAT)).all()
    np.testing.assert_allclose(loss.delta(o, y, FLOAT)[0], [1, -1, 0], atol=1e-300)


def test_bce_with_logits_is_stable_for_large_logits():
    loss = LOSSES["bce_with_logits"]
    o = np.array([[800.0, -800.0]])
    values = loss.values(o, np.array([[0.0, 0.0]]), FLOAT)
    assert values[0] == pytest.approx(400.0)  # (800 + 0)/2
    np.testing.assert_array_equal(loss.delta(o, np.array([[1.0, 0.0]]), FLOAT), [[0.0, 0.0]])


def test_accuracy_counts_the_right_classes():
    ce, bce, mse = LOSSES["softmax_cross_entropy"], LOSSES["bce_with_logits"], LOSSES["mse"]
    o = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert accuracy(ce, o, y) == 0.5
    assert accuracy(bce, np.array([[1.0, -1.0]]), np.array([[1.0, 1.0]])) == 0.5
    assert accuracy(mse, o, y) is None


def test_mse_is_exact_in_fractions():
    loss = LOSSES["mse"]
    o = np.array([[F(1, 2), F(-1, 3)]], dtype=object)
    y = np.array([[F(0), F(1)]], dtype=object)
    assert loss.values(o, y, EXACT).tolist() == [(F(1, 4) + F(16, 9)) / 2]
    assert loss.delta(o, y, EXACT).tolist() == [[F(1, 2), F(-4, 3)]]


EXACT_NET = """title = "exact momentum"
numbers = "exact"

[data]
samples = [ { x = [1, 2], y = ["1/2", -1] }, { x = [-1, 3], y = [0, 2] } ]

[training]
learning_rate = "1/4"
epochs = 2

[loss]
kind = "mse"

[optimizer]
kind = "sgd"
momentum = "9/10"
dampening = "1/10"
weight_decay = "1/100"

[[layers]]
kind = "input"
size = 2

[[layers]]
kind = "linear"
size = 2
weights = [["1/2", "-1/3"], ["1/5", 1]]
biases = ["1/7", 0]
"""


def test_mse_with_momentum_and_weight_decay_is_exact():
    """The oracle: PyTorch's SGD box written out in Fractions for o = W·x + b."""
    session = Session(parse_scenario(EXACT_NET, "exact.toml"))
    w = [[F(1, 2), F(-1, 3)], [F(1, 5), F(1)]]
    b = [F(1, 7), F(0)]
    data = [([F(1), F(2)], [F(1, 2), F(-1)]), ([F(-1), F(3)], [F(0), F(2)])]
    lr, mu, tau, lam = F(1, 4), F(9, 10), F(1, 10), F(1, 100)
    vw = vb = None
    for t in range(1, 5):
        x, y = data[(t - 1) % 2]
        o = [sum(w[i][j] * x[j] for j in range(2)) + b[i] for i in range(2)]
        loss = sum((o[i] - y[i]) ** 2 for i in range(2)) / 2
        d = [2 * (o[i] - y[i]) / 2 for i in range(2)]
        gw = [[d[i] * x[j] + lam * w[i][j] for j in range(2)] for i in range(2)]
        gb = [d[i] + lam * b[i] for i in range(2)]
        if vw is None:
            vw, vb = gw, gb
        else:
            vw = [[mu * vw[i][j] + (1 - tau) * gw[i][j] for j in range(2)] for i in range(2)]
            vb = [mu * vb[i] + (1 - tau) * gb[i] for i in range(2)]
        w = [[w[i][j] - lr * vw[i][j] for j in range(2)] for i in range(2)]
        b = [b[i] - lr * vb[i] for i in range(2)]
        rec = session.goto_iteration(t)
        assert rec.loss == loss and rec.mode == "exact"
        assert rec.new_params[1]["w"].tolist() == w and rec.new_params[1]["b"].tolist() == b
        assert rec.new_state.buffers[1]["velocity"]["w"].tolist() == vw
        assert all(isinstance(v, F) for v in rec.new_params[1]["w"].flat)


@pytest.mark.parametrize(("table", "fragment"), [
    ('[loss]\nkind = "softmax_cross_entropy"', "softmax_cross_entropy has no exact"),
    ('[loss]\nkind = "bce_with_logits"', "bce_with_logits has no exact"),
    ('[optimizer]\nkind = "adam"', "adam has no exact"),
    ('[optimizer]\nkind = "adamw"', "adamw has no exact"),
])
def test_float_only_losses_and_optimizers_are_refused_in_exact_mode(table, fragment):
    text = EXACT_NET.replace('[loss]\nkind = "mse"', "").replace(
        '[optimizer]\nkind = "sgd"\nmomentum = "9/10"\ndampening = "1/10"\n'
        'weight_decay = "1/100"', "")
    text = text.replace("[[layers]]", table + "\n\n[[layers]]", 1)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text.replace('y = ["1/2", -1]', "y = [1, 0]").replace(
            "y = [0, 2]", "y = [0, 1]"), "exact.toml")
    assert fragment in str(caught.value) and "float64" in str(caught.value)
    parse_scenario(text.replace('y = ["1/2", -1]', "y = [1, 0]").replace(
        "y = [0, 2]", "y = [0, 1]"), "ok.toml", numbers="float64")


def test_switching_a_float_only_session_to_exact_is_refused():
    from nnstep.engine import Edit, EditError

    text = EXACT_NET.replace('numbers = "exact"', 'numbers = "float64"').replace(
        'kind = "sgd"\nmomentum = "9/10"\ndampening = "1/10"\nweight_decay = "1/100"',
        'kind = "adam"')
    session = Session(parse_scenario(text, "f.toml"))
    with pytest.raises(EditError, match="adam has no exact"):
        session.edit(Edit("mode", "exact"))
    assert len(session.branches) == 1


def test_continuing_in_float_converts_the_velocity():
    exact = Session(parse_scenario(EXACT_NET, "exact.toml"))
    switched = Session(parse_scenario(EXACT_NET, "exact.toml"))
    switched.goto_iteration(2)
    switched.continue_in_float()
    end = switched.goto_iteration(4)
    assert end.mode == "float64" and end.new_state.step == 4
    assert end.new_state.buffers[1]["velocity"]["w"].dtype == np.float64
    want = exact.goto_iteration(4)
    np.testing.assert_allclose(end.new_params[1]["w"], want.new_params[1]["w"].astype(float),
                               rtol=1e-12)
    np.testing.assert_allclose(end.new_state.buffers[1]["velocity"]["w"],
                               want.new_state.buffers[1]["velocity"]["w"].astype(float),
                               rtol=1e-12)
