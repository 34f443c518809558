"""The on-demand gradient check: tiny errors on smooth networks, large ones when a backward pass
is made wrong on purpose, and weights at a ReLU kink counted apart (broccoli's third sample)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine import layers as L
from nnstep.engine.format import weight_label
from nnstep.engine.gradcheck import MAX_PER_LAYER, gradient_check

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def smooth(make_scenario_text):
    """3 → 4 (tanh) → 2 (sigmoid), biases, batches of 3, seeded weights and data."""
    rng = np.random.default_rng(11)
    layers = [
        {"name": "L1", "kind": "input", "size": 3},
        {"name": "L2", "kind": "linear", "size": 4, "bias": True,
         "weights": rng.normal(size=(4, 3)).tolist(), "biases": rng.normal(size=4).tolist()},
        {"name": "L3", "kind": "tanh"},
        {"name": "L4", "kind": "linear", "size": 2, "bias": True,
         "weights": rng.normal(size=(2, 4)).tolist(), "biases": rng.normal(size=2).tolist()},
        {"name": "L5", "kind": "sigmoid"},
    ]
    samples = [(rng.normal(size=3).tolist(), rng.uniform(size=2).tolist()) for _ in range(6)]
    text = make_scenario_text(layers, samples, batch_size=3, epochs=2, learning_rate=0.5,
                         order="shuffle", seed=4)
    return parse_scenario(text, "smooth.toml")


def test_smooth_network_agrees_with_finite_differences(smooth):
    s = Session(smooth)
    opi = s.schedule.ops_per_iteration
    for index in (1, opi + 3, 2 * opi, 3 * opi + 7, s.last_index):
        rec = s.at(index)
        checks = gradient_check(rec, s.model)
        assert [c.layer for c in checks] == ["L2", "L4"]
        assert [(c.checked, c.kinks) for c in checks] == [(16, 0), (10, 0)]
        for c in checks:
            assert c.worst < 1e-5, (index, c)
            assert abs(c.analytic) > 1e-6 or abs(c.numeric) < 1e-6  # guard: not all zeros


def test_reported_analytic_gradient_is_the_records(smooth):
    """At an update, the analytic value shown for the worst weight is the record's δw / δb."""
    s = Session(smooth)
    rec = s.goto_iteration(2)
    for k, c in zip((1, 3), gradient_check(rec, s.model)):
        # "w²[1,3]": the layer as a superscript, then 1-based neuron and input
        key = c.where[0]
        place = tuple(int(i) - 1 for i in c.where[c.where.index("[") + 1:-1].split(","))
        assert c.where == weight_label(k, key, place)
        assert c.analytic == pytest.approx(float(rec.grads[k][key][place]), rel=1e-12, abs=1e-15)
        assert c.numeric == pytest.approx(c.analytic, rel=1e-5)


def _wrapped(kind: str, scale: float, what: str):
    original = L.backward

    def backward(spec, params, x, o, delta_next, num):
        delta, grads = original(spec, params, x, o, delta_next, num)
        if spec.kind == kind:
            if what == "delta":
                delta = delta * scale
            else:
                grads = {key: g * scale for key, g in grads.items()}
        return delta, grads

    return backward


def test_a_wrong_flow_through_tanh_is_caught_before_it(smooth, monkeypatch):
    """δ through tanh scaled by 1.5: L2's gradients are off by 50%, L4's still right."""
    s = Session(smooth)
    rec = s.goto_iteration(1)
    monkeypatch.setattr(L, "backward", _wrapped("tanh", 1.5, "delta"))
    l2, l4 = gradient_check(rec, s.model)
    assert l2.worst == pytest.approx(1 / 3, rel=1e-3)  # |1.5a − a| / 1.5|a|
    assert l4.worst < 1e-5


def test_a_wrong_weight_gradient_is_caught(smooth, monkeypatch):
    s = Session(smooth)
    rec = s.goto_iteration(1)
    monkeypatch.setattr(L, "backward", _wrapped("linear", 2.0, "grads"))
    for c in gradient_check(rec, s.model):
        assert c.worst == pytest.approx(0.5, rel=1e-3), c  # |2a − a| / 2|a|
        assert c.analytic == pytest.approx(2 * c.numeric, rel=1e-3)


def test_broccoli_third_sample_counts_kinks():
    """ReLU input exactly 0 (≈ −1e−16 in float64): nudging w²₂ or w²₃ (inputs 2000, 3000)
    moves it across 0 — kinks; w²₁ multiplies an input of 0 and is compared (δw = 0)."""
    for numbers in (None, "float64"):
        s = Session(load_scenario(SCENARIOS / "broccoli.toml", numbers=numbers))
        for index in (21, 25, 30):
            [c] = gradient_check(s.at(index), s.model)
            assert (c.layer, c.checked, c.kinks, c.worst, c.where) == ("L2", 1, 2, 0.0, "w²[1,1]")
        # sample 1 (100, 2000, 100): also exactly 0, every weight is at the kink
        [c] = gradient_check(s.at(1), s.model)
        assert (c.checked, c.kinks) == (0, 3)
        # sample 2 (200, 0, 0): input 1, far from the kink, gradient 0 (loss 0)
        [c] = gradient_check(s.at(11), s.model)
        assert (c.checked, c.kinks, c.worst) == (3, 0, 0.0)


def test_relu_network_away_from_kinks_and_exact_mode(make_scenario_text):
    """A ReLU net in exact mode, inputs far from 0: all compared, tiny error."""
    layers = [{"name": "a", "kind": "input", "size": 2},
              {"name": "b", "kind": "linear", "size": 2, "bias": True,
               "weights": [[1, Fraction(1, 2)], [Fraction(-1, 3), 2]], "biases": [1, 1]},
              {"name": "c", "kind": "relu"},
              {"name": "d", "kind": "linear", "size": 1, "bias": False, "weights": [[1, -1]]}]
    text = make_scenario_text(layers, [([1, 2], [5]), ([2, 1], [-3])], numbers="exact",
                              batch_size=2)
    s = Session(parse_scenario(text, "relu.toml"))
    rec = s.at(1)
    assert rec.mode == "exact"
    checks = gradient_check(rec, s.model)
    assert [(c.checked, c.kinks) for c in checks] == [(6, 0), (2, 0)]
    assert all(c.worst < 1e-6 for c in checks)


def test_large_layers_are_sampled(make_scenario_text):
    rng = np.random.default_rng(5)
    layers = [{"name": "in", "kind": "input", "size": 20},
              {"name": "out", "kind": "linear", "size": 15, "bias": True,
               "weights": (0.2 * rng.normal(size=(15, 20))).round(3).tolist(),
               "biases": [0.0] * 15},
              {"name": "act", "kind": "tanh"}]
    text = make_scenario_text(layers, [(rng.uniform(size=20).round(3).tolist(),
                                        [0.5] * 15)])
    s = Session(parse_scenario(text, "big.toml"))
    [c] = gradient_check(s.at(1), s.model)
    assert 315 > MAX_PER_LAYER and c.checked + c.kinks == MAX_PER_LAYER
    assert c.worst < 1e-5
    assert gradient_check(s.at(1), s.model) == [c]  # seeded: the same sample every time


def test_needs_picked_samples(smooth):
    s = Session(smooth)
    with pytest.raises(ValueError, match="no samples picked"):
        gradient_check(s.at(0), s.model)


@pytest.mark.parametrize(("numbers", "value"), [("float64", "1e308"), ("exact", "1e400")])
def test_a_weight_float64_cannot_check_reads_nan_never_a_good_error(numbers, value):
    """A loss of inf (w = 1e308 in float64; 1e400 exact, converted to float64 for the check)
    makes the finite differences inf − inf: the worst error is that nan, shown where it is,
    never the 0 of a weight that could be checked."""
    s = Session(load_scenario(SCENARIOS / "broccoli.toml", numbers))
    s.goto(1)
    s.set_weight(1, 0, 0, value)
    rec = s.goto(s.schedule.iteration_end(1))
    (check,) = gradient_check(rec, s.model)
    assert np.isnan(check.worst) and check.where.startswith("w²[1,")
