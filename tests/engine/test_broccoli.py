"""The articles' broccoli example (001_*: "The Weights"), through the Session, to the digit."""

from __future__ import annotations

from fractions import Fraction

import pytest
from nnstep.engine import Session, load_scenario
from nnstep.engine.flow_findings import findings
from nnstep.engine.signs import sign_rows

W = [Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800)]
# the articles' table: x, o2 = L2(o1), o3 = model(x), y, loss
TABLE = [
    ([100, 2000, 100], 0, 0, 0, Fraction(0)),
    ([200, 0, 0], 1, 1, 1, Fraction(0)),
    ([0, 2000, 3000], 0, 0, 1, Fraction(1, 2)),
]


@pytest.fixture
def exact(broccoli_path):
    return Session(load_scenario(broccoli_path))


@pytest.fixture
def floats(broccoli_path):
    return Session(load_scenario(broccoli_path, numbers="float64"))


def test_forward_table(exact):
    opi = exact.schedule.ops_per_iteration
    assert opi == 10  # pick, 3 forwards, loss, backward loss, 3 backwards, update
    for t, (x, o2, o3, y, loss) in enumerate(TABLE, start=1):
        rec = exact.goto(t * opi)
        assert rec.samples == (t - 1,)
        assert list(rec.x[0]) == x and list(rec.y[0]) == [y]
        assert list(rec.outputs[0][0]) == x  # o1 = L1(x) = x
        assert rec.outputs[1][0, 0] == o2 and isinstance(rec.outputs[1][0, 0], Fraction)
        assert rec.outputs[2][0, 0] == o3
        assert rec.loss == loss and isinstance(rec.loss, Fraction)


def test_first_two_samples_learn_nothing(exact):
    opi = exact.schedule.ops_per_iteration
    for t in (1, 2):
        rec = exact.goto(t * opi)
        assert rec.loss_delta[0, 0] == 0  # δ4 = o3 − y = 0
        assert rec.deltas[2][0, 0] == 0   # δ3
        assert list(rec.grads[1]["w"][0]) == [0, 0, 0]
        assert list(rec.new_params[1]["w"][0]) == W


def test_third_sample_weights_grow_by_2000_and_3000(exact):
    rec = exact.goto(3 * exact.schedule.ops_per_iteration)
    assert rec.loss_delta[0, 0] == -1   # δ4 = 0 − 1
    assert rec.deltas[2][0, 0] == -1    # δ3 = δ4 since o2 = 0 ≥ 0
    assert list(rec.deltas[1][0]) == [-w for w in W]  # δ2 = δ3 · w2
    assert list(rec.grads[1]["w"][0]) == [0, -2000, -3000]  # δ3 · o1
    after = list(rec.new_params[1]["w"][0])
    assert after == [Fraction(1, 200), 2000 - Fraction(3000, 11600000),
                     3000 + Fraction(1, 5800)]
    assert after == [Fraction(1, 200), Fraction(23199997, 11600), Fraction(17400001, 5800)]
    # exact: the ReLU input is exactly 0, δ passes, nothing is blocked or rounded
    assert [f for f in findings(rec, exact.model) if f.kind in ("blocked", "rounding")] == []


def third_sample_roundings() -> set[float]:
    """The float64 values of 2000·w₂ + 3000·w₃ (the exact 0 of sample 3), computed from exact
    fractions: both products rounded then added (−1.1e−16), or one product rounded and added to
    the other by a fused multiply-add, as BLAS kernels with FMA do (−7.4e−17 on the Xeon where
    the articles' float run was first taken)."""
    w2, w3 = (Fraction(float(w)) for w in W[1:])
    p2, p3 = 2000 * w2, 3000 * w3
    values = {float(Fraction(float(p2)) + Fraction(float(p3))),
              float(Fraction(float(p2)) + p3), float(p2 + Fraction(float(p3)))}
    assert all(v < 0 for v in values)
    return values


def test_float64_blocks_the_flow_by_rounding(floats):
    rec = floats.goto(3 * floats.schedule.ops_per_iteration)
    pre = rec.outputs[1][0, 0]
    assert pre in third_sample_roundings()
    assert rec.outputs[2][0, 0] == 0
    assert rec.loss == 0.5 and rec.loss_delta[0, 0] == -1.0
    assert rec.deltas[2][0, 0] == 0  # the ReLU blocked δ
    assert all(v == 0 for v in rec.grads[1]["w"].flat)
    assert list(rec.new_params[1]["w"][0]) == list(rec.params[1]["w"][0])
    kinds = {(f.kind, f.name) for f in findings(rec, floats.model)}
    assert ("rounding", "L3") in kinds and ("blocked", "L3") in kinds
    rows = sign_rows(rec, floats.model)
    assert len(rows) == 3
    assert all("blocked" in row.situation for row in rows)
    assert all(row.move == "keep" for row in rows)
