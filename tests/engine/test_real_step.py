"""The sign analysis, the predicted loss change and the gradient check with every loss and
optimizer: the "move" column is the real step's direction (momentum can carry a weight against
−δw), the prediction is Σ δw·Δw for the real step, the gradient check compares δw with finite
differences of the real loss, and the JSON trace carries the optimizer's state and accuracy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from nnstep.engine import Session, parse_scenario
from nnstep.engine.diagnostics import loss_change
from nnstep.engine.gradcheck import gradient_check
from nnstep.engine.signs import sign_rows
from nnstep.engine.trace import iteration_json

ONE_WEIGHT = """title = "one weight"

[data]
samples = [ { x = [1], y = [-1] }, { x = [1], y = [-0.4] } ]

[training]
learning_rate = 0.5

[optimizer]
{optimizer}

[[layers]]
kind = "input"
size = 1

[[layers]]
kind = "linear"
size = 1
bias = false
weights = [[0]]
"""


def one_weight(optimizer: str) -> Session:
    return Session(parse_scenario(ONE_WEIGHT.replace("{optimizer}", optimizer), "one.toml"))


def test_momentum_carries_a_weight_against_its_gradient():
    """Iteration 1: δw = 1, w: 0 → −0.5. Iteration 2: o = −0.5 < y = −0.4, δw = −0.1 says
    "increase", but the velocity 0.9·1 − 0.1 = 0.8 still decreases w (to −0.9)."""
    session = one_weight('kind = "sgd"\nmomentum = 0.9')
    opi = session.schedule.ops_per_iteration
    before = session.goto(2 * opi - 1)  # iteration 2, its δw known, before the update
    [row] = sign_rows(before, session.model)
    assert row.dw_sign == "-" and row.move == "decrease" and row.moved is None
    assert "momentum carries it" in row.situation and "lower than expected" in row.situation
    end = session.goto(2 * opi)
    [row] = sign_rows(end, session.model)
    assert row.move == row.actual == "decrease" and row.moved is True
    assert float(end.new_params[1]["w"][0, 0]) == pytest.approx(-0.9)
    predicted, actual = loss_change(end, session.model)
    assert predicted == pytest.approx(-0.5 * (-0.1) * 0.8)  # δw·Δw with Δw = −α·v > 0
    assert actual > 0  # the step overshoots: the loss of this batch rises


def test_plain_sgd_reads_as_before():
    session = one_weight('kind = "sgd"')
    end = session.goto(2 * session.schedule.ops_per_iteration)
    [row] = sign_rows(end, session.model)
    assert row.dw_sign == "-" and row.move == row.actual == "increase"
    assert "all the same" not in row.situation
    predicted, _ = loss_change(end, session.model)
    assert predicted == -0.5 * float(end.grads[1]["w"][0, 0]) ** 2 == pytest.approx(-0.005)


def test_adam_prediction_uses_its_normalised_step():
    session = one_weight('kind = "adam"\neps = 0.01')
    end = session.goto(session.schedule.ops_per_iteration)
    g = float(end.grads[1]["w"][0, 0])  # first step: m̂ = g, v̂ = g², d = g/(|g| + ε)
    predicted, _ = loss_change(end, session.model)
    assert predicted == pytest.approx(-0.5 * g * g / (abs(g) + 0.01), rel=1e-12)
    assert float(end.new_params[1]["w"][0, 0]) == pytest.approx(-0.5 * g / (abs(g) + 0.01))


def test_weight_decay_moves_a_weight_with_no_gradient():
    text = ONE_WEIGHT.replace("{optimizer}", 'kind = "adamw"\nweight_decay = 0.1').replace(
        "weights = [[0]]", "weights = [[2]]").replace("y = [-1]", "y = [2]")
    session = Session(parse_scenario(text, "decay.toml"))
    end = session.goto(session.schedule.ops_per_iteration)
    [row] = sign_rows(end, session.model)
    assert row.dw_sign == "0" and row.move == row.actual == "decrease"
    assert "weight decay pulls it toward 0" in row.situation


NET = """title = "net"

[data]
samples = [ { x = [0.5, -1.2, 2.0], y = [1, 0, 0] }, { x = [-0.3, 0.8, 0.1], y = [0, 1, 0] },
            { x = [1.5, 0.2, -0.7], y = [0, 0, 1] } ]

[training]
learning_rate = 0.1
batch_size = 3

[loss]
kind = "{loss}"

[optimizer]
kind = "adam"

[[layers]]
kind = "input"
size = 3

[[layers]]
kind = "linear"
size = 4
init = "xavier"
seed = 4

[[layers]]
kind = "tanh"

[[layers]]
kind = "linear"
size = 3
init = "xavier"
seed = 5
"""


@pytest.mark.parametrize("loss", ["half_squared_error", "mse", "softmax_cross_entropy",
                                  "bce_with_logits"])
def test_gradient_check_with_every_loss(loss):
    session = Session(parse_scenario(NET.replace("{loss}", loss), "net.toml"))
    rec = session.goto(session.schedule.ops_per_iteration)
    checks = gradient_check(rec, session.model)
    assert [c.checked for c in checks] == [16, 15]
    assert max(c.worst for c in checks) < 1e-6, checks


def test_json_has_the_optimizer_state_and_the_accuracy():
    session = Session(parse_scenario(NET.replace("{loss}", "softmax_cross_entropy"), "n.toml"))
    rec = session.goto(session.schedule.ops_per_iteration)
    obj = json.loads(json.dumps(iteration_json(rec, session.model), allow_nan=False))
    state = obj["layers"][3]["optimizer_state"]
    assert state["step"] == 1 and set(state) == {"step", "m", "v"}
    np.testing.assert_array_equal(state["m"]["weights"], rec.new_state.buffers[3]["m"]["w"])
    np.testing.assert_array_equal(state["v"]["bias"], rec.new_state.buffers[3]["v"]["b"])
    assert "optimizer_state" not in obj["layers"][2]  # tanh: no weights
    right = np.argmax(rec.outputs[-1], axis=1) == np.argmax(rec.y, axis=1)
    assert obj["accuracy"] == right.mean()
    p = np.exp(rec.outputs[-1]) / np.exp(rec.outputs[-1]).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(obj["loss_delta"], p - rec.y, rtol=1e-12)


def test_json_of_the_articles_is_unchanged(broccoli_path):
    from nnstep.engine import load_scenario

    session = Session(load_scenario(broccoli_path))
    obj = iteration_json(session.goto(session.schedule.ops_per_iteration), session.model)
    assert "accuracy" not in obj
    assert all("optimizer_state" not in layer for layer in obj["layers"])


def test_explain_shows_the_step_of_the_optimizer():
    from nnstep.engine.explain import Explainer
    from nnstep.engine.names import parse_name

    session = one_weight('kind = "sgd"\nmomentum = 0.9')
    rec = session.goto(2 * session.schedule.ops_per_iteration)
    target = parse_name("w²[1,1]", session.model.layers, session.scenario.features)
    lines = Explainer(rec, session.model, "decimal").explain(target)
    # the recipe's own step, with its numbers: v = μ·v + δw = 0.9·1 − 0.1, ŵ = w − α·v
    assert lines[1:3] == ["           v = μ·v + (1 − τ)·δw = 0.9 · 1 + 1 · (−0.1) = 0.8",
                          "ŵ²[1,1]  = w − α·v = −0.5 − 0.5 · 0.8 = −0.9"], lines
