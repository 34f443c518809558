"""Branch comparison: an edit's effect on the loss, the outputs and the weights, against the
articles' broccoli numbers worked out by hand (exact fractions)."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.compare import compare

NAMES = ["L1", "L2", "L3"]


@pytest.fixture
def exact(broccoli_path):
    return Session(load_scenario(broccoli_path))


def test_halving_alpha_at_the_third_sample_halves_the_learnt_step(exact):
    exact.goto(30)  # the update of iteration 3
    exact.set_learning_rate("1/2")
    parent = exact.parent_record()
    result = compare(exact.record, parent, NAMES, exact.branch.id, 0)
    # parent: ŵ = w − 1·δw with δw² = (0, −2000, −3000); branch: w − 1/2·δw
    assert result.loss.before == result.loss.after == F(1, 2) and result.loss.delta == 0
    assert [c.delta for c in result.outputs] == [0]
    (layer,) = result.layers
    assert (layer.layer, layer.total, layer.changed, layer.largest) == ("L2", 3, 2, 1500.0)
    assert [(c.name, c.before, c.after, c.delta) for c in layer.top] == [
        ("w²[1,3]", 3000 + F(1, 5800), 1500 + F(1, 5800), F(-1500)),
        ("w²[1,2]", F(23199997, 11600), 1000 - F(3, 11600), F(-1000)),
    ]
    assert not result.unchanged


def test_a_weight_edit_shows_at_once_and_moves_the_loss(exact):
    exact.goto(25)  # the loss of iteration 3: o³ = 0 for y = 1
    exact.set_weight(1, 0, 0, "1/100")  # w²[1,1]: o² = 0 + 1/100·0 … the first input is 0
    result = compare(exact.record, exact.parent_record(), NAMES, 1, 0)
    assert result.loss.delta == 0  # x₁ = 0 in the third sample: nothing changes downstream
    (layer,) = result.layers
    assert [(c.name, c.delta) for c in layer.top] == [("w²[1,1]", F(1, 200))]
    exact.undo()
    exact.goto(25)
    exact.set_weight(1, 0, 1, "0")  # w²[1,2] = 0: o² = 3000/5800 = 15/29, loss ½(15/29 − 1)²
    result = compare(exact.record, exact.parent_record(), NAMES, 2, 0)
    assert result.loss.after == F(1, 2) * (F(15, 29) - 1) ** 2
    assert result.loss.delta == result.loss.after - F(1, 2)
    assert [(c.name, c.before, c.after) for c in result.outputs] == [("o³[1]", 0, F(15, 29))]


def test_nothing_computed_yet_compares_only_the_weights(exact):
    exact.goto(21)  # pick of iteration 3
    exact.set_weight(1, 0, 2, "0")
    result = compare(exact.record, exact.parent_record(), NAMES, 1, 0)
    assert result.loss is None and result.outputs == ()
    assert result.layers[0].changed == 1


def test_an_edit_to_the_same_value_is_unchanged(exact):
    exact.goto(30)
    exact.set_learning_rate("1")
    assert compare(exact.record, exact.parent_record(), NAMES, 1, 0).unchanged


def test_big_layers_list_the_top_changes_and_count_the_rest(make_scenario_text):
    rng = np.random.default_rng(4)
    layers = [{"name": "in", "kind": "input", "size": 6},
              {"name": "h", "kind": "linear", "size": 5, "bias": True,
               "weights": rng.normal(size=(5, 6)).round(2).tolist(),
               "biases": [0.0] * 5}]
    samples = [(rng.normal(size=6).round(2).tolist(), rng.normal(size=5).round(2).tolist())
               for _ in range(4)]
    session = Session(parse_scenario(make_scenario_text(layers, samples, batch_size=2), "b.toml"))
    session.goto(session.schedule.iteration_end(1))
    session.set_learning_rate("0.3")
    rec, parent = session.record, session.parent_record()
    result = compare(rec, parent, ["in", "h"], 1, 0, top=4)
    (layer,) = result.layers
    # oracle: ŵ = w − α·δw on both branches, so Δ = −(0.3 − 0.1)·δw, computed here directly
    g = np.concatenate([rec.grads[1]["w"].ravel(), rec.grads[1]["b"]])
    expect = np.abs(rec.weights_after()[1]["w"] - parent.weights_after()[1]["w"]).max()
    assert layer.total == 35 and layer.changed == int(np.count_nonzero(g))
    assert len(layer.top) == 4 and layer.largest == pytest.approx(max(expect, np.abs(
        rec.weights_after()[1]["b"] - parent.weights_after()[1]["b"]).max()))
    mags = [abs(c.delta) for c in layer.top]
    assert mags == sorted(mags, reverse=True) and mags[0] == layer.largest
    assert result.outputs_total == 10 and len(result.outputs) == 4  # the 4 largest |Δo|


def test_non_finite_values_compare_without_crashing(repo_root):
    session = Session(load_scenario(repo_root / "scenarios" / "diverging.toml"))
    session.last()  # the weight went to inf, then NaN
    session.goto(session.schedule.iteration_end(1))
    session.set_learning_rate("1/10")  # from iteration 1 on: it converges
    session.last()
    result = compare(session.record, session.parent_record(), [s.name for s in
                     session.model.layers], 1, 0)
    assert result.loss is not None
    before = float(result.loss.before)
    assert not math.isfinite(before) and math.isfinite(float(result.loss.after))
    assert any(not math.isfinite(float(c.delta)) for c in result.layers[0].top)
