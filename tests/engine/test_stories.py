"""The optimizer stories show what their descriptions claim, checked against the update rules
written out here (PyTorch's documented SGD-with-momentum and Adam), never the engine's code:
momentum carries a weight past the minimum that plain SGD only approaches, and Adam moves by
≈ α a weight whose gradient is so tiny that plain SGD leaves it still. Iris learns with class
names, softmax cross-entropy and Adam."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.records import UPDATE
from nnstep.engine.signs import sign_rows

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario_text(name: str) -> str:
    return (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")


def without_optimizer(text: str) -> str:
    """The same scenario with plain SGD (the [optimizer] table removed)."""
    head, found, rest = text.partition("\n[optimizer]\n")
    assert found
    return head + "\n" + rest[rest.index("[[layers]]"):]


def weights_by_iteration(s: Session, key=lambda p: p[1]["w"][0]) -> list:
    """w before the first update, then ŵ after each update."""
    opi = s.schedule.ops_per_iteration
    out = [key(s.at(opi).params)]
    for t in range(1, s.schedule.iterations + 1):
        out.append(key(s.at(t * opi).new_params))
    return out


def test_momentum_carries_the_weight_past_the_minimum():
    s = Session(load_scenario(SCENARIOS / "momentum_overshoot.toml"))
    assert s.record.mode == "exact"
    w = [row[0] for row in weights_by_iteration(s)]
    # the oracle: v = μ·v + δw (v = δw at the first step), ŵ = w − α·v, δw = w·x² − x·y
    mu, lr, x, y = Fraction(9, 10), Fraction(1, 10), Fraction(1), Fraction(1)
    expected, v, u = [Fraction(0)], None, Fraction(0)
    for _ in range(s.schedule.iterations):
        g = (u * x - y) * x
        v = g if v is None else mu * v + g
        u = u - lr * v
        expected.append(u)
    assert w == expected  # exact fractions, to the digit
    passed = next(t for t, value in enumerate(w) if value > 1)
    assert passed == 5 and w[4] < 1 < w[5]  # iteration 5: 0.7732 → 1.02916
    # iteration 6: δw > 0 predicts "decrease", the real step increases, and the table says why
    [row] = sign_rows(s.at(6 * s.schedule.ops_per_iteration), s.model)
    assert row.dw_sign == "+" and row.move == "increase" and row.actual == "increase"
    assert "velocity" in row.situation or "momentum" in row.situation


def test_plain_sgd_twin_never_passes_the_minimum():
    s = Session(parse_scenario(without_optimizer(scenario_text("momentum_overshoot"))))
    w = [row[0] for row in weights_by_iteration(s)]
    assert all(a < b < 1 for a, b in zip(w, w[1:]))  # each step a tenth of what is left
    assert w[-1] == 1 - Fraction(9, 10) ** s.schedule.iterations


def adam_oracle(g: float, lr: float, steps: int, b1=0.9, b2=0.999, eps=1e-8) -> list[float]:
    """PyTorch's Adam on one weight whose gradient stays ``g``: the steps −α·m̂/(√v̂ + ε)."""
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        out.append(-lr * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps))
    return out


def test_adam_moves_the_tiny_gradient_weight_by_about_alpha():
    s = Session(load_scenario(SCENARIOS / "adam_tiny_gradient.toml"))
    lr = float(s.record.lr)
    end = s.at(s.schedule.ops_per_iteration)
    assert end.op.kind == UPDATE
    g = end.grads[1]["w"][0]
    assert abs(g[1]) < 1e-5 * abs(g[0])  # δw₂ is a millionth of δw₁
    step = end.new_params[1]["w"][0] - end.params[1]["w"][0]
    # −α·g/(|g| + ε) on the first step (the engine's w + step rounds once more)
    assert step[1] == pytest.approx(adam_oracle(g[1], lr, 1)[0], rel=1e-9)
    assert 0.95 * lr < step[1] < lr and 0.99 * lr < step[0] <= lr  # both move by ≈ α
    # the state beside the weights: m = (1 − β1)·g, v = (1 − β2)·g²
    m, v = end.new_state.buffers[1]["m"]["w"][0], end.new_state.buffers[1]["v"]["w"][0]
    assert np.allclose(m, 0.1 * g, rtol=1e-12) and np.allclose(v, 0.001 * g * g, rtol=1e-12)


def test_plain_sgd_twin_leaves_the_tiny_gradient_weight_still():
    adam = Session(load_scenario(SCENARIOS / "adam_tiny_gradient.toml"))
    sgd = Session(parse_scenario(without_optimizer(scenario_text("adam_tiny_gradient"))))
    lr = float(sgd.record.lr)
    w_adam = weights_by_iteration(adam)
    w_sgd = weights_by_iteration(sgd)
    moved_sgd = abs(w_sgd[-1][1] - w_sgd[0][1])
    moved_adam = abs(w_adam[1][1] - w_adam[0][1])
    assert moved_sgd < 1e-6 * lr * sgd.schedule.iterations  # still: ~1e-8 a step
    assert moved_adam > 0.95 * lr  # one Adam step moves it ≈ α
    assert moved_adam > 1e4 * moved_sgd


def test_iris_learns_class_names_with_softmax_and_adam():
    s = Session(load_scenario(SCENARIOS / "iris.toml"))
    sizes = [spec.size for spec in s.model.layers if spec.trainable]
    assert [s.model.layers[0].size, *sizes] == [4, 8, 3]
    assert s.model.loss.name == "softmax_cross_entropy" and s.model.optimizer.kind == "adam"
    assert s.scenario.classes == ("setosa", "versicolor", "virginica")
    # the CSV's species names became one-hot rows, in the file's order
    names = (SCENARIOS / "data" / "iris.csv").read_text().splitlines()[1:]
    species = [line.rsplit(",", 1)[1] for line in names]
    y = np.asarray(s.record.data_y, dtype=np.float64)
    assert y.shape == (150, 3) and (y.sum(axis=1) == 1).all()
    assert [s.scenario.classes[i] for i in y.argmax(axis=1)] == species
    first = s.at(s.schedule.ops_per_iteration).loss
    last = s.at(s.schedule.last_index).loss
    assert last < first / 4  # it learns
