"""Diagnostics against independent computations: where the first NaN / inf appears (a numpy
simulation of diverging.toml), overshoot and the predicted vs actual loss change (exact
fractions by hand), the saturated sigmoid's derivative, sign changes, any_nonfinite (watch.py)."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.diagnostics import (
    by_kind,
    diagnose,
    loss_change,
    nonfinite,
    saturated,
    sign_changes,
)
from nnstep.engine.watch import any_nonfinite

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def session_of(name: str, numbers: str | None = None) -> Session:
    return Session(load_scenario(SCENARIOS / name, numbers=numbers))


# ---- diverging.toml: o = w·3, y = 1, α = 1e6, w₀ = 1/2, simulated here with numpy
DIVERGING_OPS = ("pick", "forward L1", "forward L2", "loss", "backward_loss", "backward L2",
                 "backward L1", "update")


def diverging_simulation(iterations: int = 100):
    """Per iteration, the arrays each operation produces (in operation order), float64."""
    w, x, y, lr = np.float64(0.5), np.float64(3.0), np.float64(1.0), np.float64(1e6)
    out = []
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            o = x * w
            loss = (o - y) * (o - y) * 0.5
            delta = o - y
            delta_in = delta * w
            dw = delta * x
            new = dw * (-lr) + w
            out.append({"pick": [], "forward L1": [x], "forward L2": [o], "loss": [loss],
                        "backward_loss": [delta], "backward L2": [delta_in, dw],
                        "backward L1": [delta_in], "update": [new]})
            w = new
    return out


def first_nonfinite(simulation):
    for t, produced in enumerate(simulation, start=1):
        for j, op in enumerate(DIVERGING_OPS):
            if not all(np.isfinite(a) for a in produced[op]):
                return t, j, op
    return None


def test_first_nonfinite_of_diverging_names_the_place():
    simulation = diverging_simulation()
    t, j, op = first_nonfinite(simulation)
    assert (t, op) == (24, "loss")  # (3w − 1)² overflows before w does: |3w−1| ≈ 9e6^23/2
    s = session_of("diverging.toml")
    opi = s.schedule.ops_per_iteration
    index = (t - 1) * opi + 1 + j
    for i in range(1, index):
        assert nonfinite(s.at(i), s.model) == [], i
    rec = s.at(index)
    assert (rec.iteration, rec.op.kind) == (24, "loss")
    [finding] = nonfinite(rec, s.model)
    assert (finding.kind, finding.name, finding.neuron, finding.sample) == ("nonfinite", "loss",
                                                                           0, 0)
    assert finding.value == math.inf
    assert "loss" in finding.message and "inf" in finding.message and "sample 1" in finding.message
    assert np.isfinite(rec.outputs[1]).all()  # the forward pass before it was finite
    assert rec.outputs[1][0, 0] == simulation[t - 1]["forward L2"][0]  # same bits as numpy


def test_every_operation_of_diverging_against_the_simulation():
    """nonfinite(rec) is non-empty exactly where the simulation produced a NaN / inf, and its
    value is the simulated one (nan or ±inf)."""
    simulation = diverging_simulation(60)
    s = session_of("diverging.toml")
    seen_nan = False
    for t, produced in enumerate(simulation, start=1):
        for j, op in enumerate(DIVERGING_OPS):
            rec = s.at((t - 1) * 8 + 1 + j)
            found = nonfinite(rec, s.model)
            bad = [a for a in produced[op] if not np.isfinite(a)]
            assert bool(found) == bool(bad), (t, op)
            for f, a in zip(found, bad):
                assert (np.isnan(f.value) and np.isnan(a)) or f.value == a, (t, op)
                seen_nan |= bool(np.isnan(a))
        end = s.at(t * 8)
        finite = all(np.isfinite(a) for p in produced.values() for a in p)
        assert any_nonfinite(end) == (not finite)
    assert seen_nan  # guard: the run reached inf − inf = NaN within 60


def test_nonfinite_in_a_weight_names_the_weight():
    simulation = diverging_simulation()
    t = next(t for t, p in enumerate(simulation, start=1) if not np.isfinite(p["update"][0]))
    s = session_of("diverging.toml")
    rec = s.at(t * 8)
    [finding] = nonfinite(rec, s.model)
    assert finding.name == "L2" and finding.sample == -1
    assert "the updated w²[1,1]" in finding.message
    # a structured place (issue 9): layer 1 (L2), neuron 0 — so the L2 panel is marked
    assert (finding.layer, finding.neuron) == (1, 0)


def test_nonfinite_in_a_backward_op_names_its_layer():
    """A NaN in δ at a layer's input belongs to that layer (it read "δ" before issue 9)."""
    s = session_of("diverging.toml")
    hit = next(f for i in range(1, s.last_index + 1) for f in nonfinite(s.at(i), s.model)
               if s.at(i).op.kind == "backward")
    assert hit.name in [spec.name for spec in s.model.layers] and hit.layer >= 0


# ---- overshoot and loss_change
def test_broccoli_loss_change_by_hand():
    """Third sample, α = 1: δw = (0, −2000, −3000) → predicted −1·(2000² + 3000²) = −13·10⁶.
    ŵ·x = 2000·(2000 − 3/11600) + 3000·(3000 + 1/5800) = 13·10⁶ exactly, so the loss goes from
    ½ to ½(13·10⁶ − 1)², a change of ½·12999999² − ½."""
    w = [Fraction(1, 200), Fraction(-3, 11600), Fraction(1, 5800)]
    x, y, lr = [0, 2000, 3000], 1, 1
    o = sum(a * b for a, b in zip(w, x))
    assert o == 0
    delta = max(o, 0) - y  # ReLU passes (input 0 ≥ 0)
    dw = [delta * xi for xi in x]
    new = [a - lr * g for a, g in zip(w, dw)]
    predicted = -lr * sum(g * g for g in dw)
    after = Fraction(max(sum(a * b for a, b in zip(new, x)), 0) - y) ** 2 / 2
    actual = after - Fraction(1, 2)
    assert (predicted, actual) == (-13000000, 84499987000000)

    s = session_of("broccoli.toml")
    rec = s.at(30)
    assert loss_change(rec, s.model) == (predicted, actual)
    assert all(isinstance(v, Fraction) for v in loss_change(rec, s.model))
    [over] = by_kind("overshoot", rec, s.model)
    assert over.value == actual and "84499987000000" in over.message
    for i in range(30):
        change = loss_change(s.at(i), s.model)
        assert (change is None) == (s.at(i).op.kind != "update"), i
        assert change is None or change == (0, 0)  # samples 1 and 2: nothing to learn
        assert by_kind("overshoot", s.at(i), s.model) == []


def test_broccoli_float_has_no_overshoot():
    s = session_of("broccoli.toml", "float64")
    assert loss_change(s.at(30), s.model) == (0, 0)
    assert [f for f in diagnose(s.at(30), s.model) if f.kind in ("overshoot", "sign")] == []


@pytest.fixture
def batch_scenario(make_scenario_text):
    """Exact, o = w·x + b (2 inputs, bias), batches of 2; α = 2/5 makes some updates overshoot."""
    layers = [{"name": "in", "kind": "input", "size": 2},
              {"name": "out", "kind": "linear", "size": 1, "bias": True,
               "weights": [[Fraction(1, 2), Fraction(-1, 3)]], "biases": [Fraction(1, 4)]}]
    samples = [([1, 2], [1]), ([3, -1], [0]), ([-2, 1], [2]), ([2, 2], [-1])]
    text = make_scenario_text(layers, samples, numbers="exact", batch_size=2, epochs=3,
                              learning_rate=Fraction(2, 5))
    return parse_scenario(text, "batch.toml"), samples


def test_loss_change_and_overshoot_on_batches(batch_scenario):
    scenario, samples = batch_scenario
    s = Session(scenario)
    w, b, lr = [Fraction(1, 2), Fraction(-1, 3)], Fraction(1, 4), Fraction(2, 5)
    kinds = []
    for t in range(1, s.schedule.iterations + 1):
        batch = [samples[i] for i in s.schedule.samples(t)]

        def loss(w, b, batch=batch):
            return sum(Fraction(w[0] * x[0] + w[1] * x[1] + b - y[0]) ** 2 / 2
                       for x, y in batch) / len(batch)

        deltas = [w[0] * x[0] + w[1] * x[1] + b - y[0] for x, y in batch]
        dw = [sum(d * x[j] for d, (x, _) in zip(deltas, batch)) / 2 for j in range(2)]
        db = sum(deltas) / 2
        new_w, new_b = [w[j] - lr * dw[j] for j in range(2)], b - lr * db
        predicted = -lr * (dw[0] ** 2 + dw[1] ** 2 + db ** 2)
        actual = loss(new_w, new_b) - loss(w, b)
        rec = s.goto_iteration(t)
        assert rec.loss == loss(w, b)
        assert loss_change(rec, s.model) == (predicted, actual), t
        found = by_kind("overshoot", rec, s.model)
        assert bool(found) == (actual > 0), t
        kinds.append(actual > 0)
        w, b = new_w, new_b
    assert any(kinds) and not all(kinds)  # guard: both cases happen


def test_diverging_overshoots_while_finite():
    """Each update multiplies the error by 1 − 9α ≈ −9·10⁶: the loss of the same sample rises
    by a factor ≈ 8·10¹³ until it is no longer finite."""
    simulation = diverging_simulation(30)
    s = session_of("diverging.toml")
    for t in range(1, 31):
        loss_before = simulation[t - 1]["loss"][0]
        with np.errstate(all="ignore"):
            o_after = 3.0 * simulation[t - 1]["update"][0]
            loss_after = (o_after - 1.0) * (o_after - 1.0) * 0.5
            expected_actual = loss_after - loss_before
        rec = s.at(t * 8)
        predicted, actual = loss_change(rec, s.model)
        assert (np.isnan(actual) and np.isnan(expected_actual)) or actual == expected_actual, t
        assert bool(by_kind("overshoot", rec, s.model)) == bool(expected_actual > 0), t
    rec = s.at(8)
    predicted, actual = loss_change(rec, s.model)
    assert predicted == -1e6 * 1.5 ** 2  # δw = (3·½ − 1)·3 = 1.5
    assert actual > 0 > predicted


# ---- saturated
def test_saturated_sigmoid_reports_the_vanishing_derivative():
    s = session_of("saturated_sigmoid.toml")
    opi = s.schedule.ops_per_iteration
    for t, z in ((1, 40.0), (2, 32.0)):  # w·x = 8·5, 8·4
        index = (t - 1) * opi + 7  # backward · L3
        rec = s.at(index)
        assert rec.op.kind == "backward" and rec.op.layer == 2
        [f] = saturated(rec, s.model)
        derivative = math.exp(-z) / (1 + math.exp(-z)) ** 2  # σ(z)σ(−z)
        assert f.value == pytest.approx(derivative, rel=1e-12) and f.value > 0
        o = rec.outputs[2][0, 0]
        if t == 1:
            assert o == 1.0 and o * (1 - o) == 0  # why o(1 − o) would hide it
        assert (f.kind, f.layer, f.name, f.neuron, f.sample) == ("saturated", 2, "L3", 0, t - 1)
        assert rec.deltas[2][0, 0] == pytest.approx(rec.loss_delta[0, 0] * derivative, rel=1e-12)
        assert f"{derivative:.4g}" in f.message
        for i in range((t - 1) * opi + 1, t * opi + 1):  # from its backward to the update
            assert len(saturated(s.at(i), s.model)) == (i >= index), i
    # edited to w = 1/10, the input is 1/2: σ' ≈ 0.235, nothing saturated
    s.goto(0)
    s.set_weight(1, 0, 0, "1/10")
    assert saturated(s.at(7), s.model) == []


def test_saturated_tanh_and_only_when_there_is_something_to_learn(make_scenario_text):
    layers = [{"name": "in", "kind": "input", "size": 1},
              {"name": "lin", "kind": "linear", "size": 2, "bias": False,
               "weights": [[10], [Fraction(1, 10)]]},
              {"name": "act", "kind": "tanh"}]
    # sample 1: tanh(10) vs target 1 → flow (tiny); tanh(0.1) fine. sample 2: x = 0 → both
    # inputs 0, not saturated
    text = make_scenario_text(layers, [([1], [0, 0]), ([0], [0, 0])])
    s = Session(parse_scenario(text, "tanh.toml"))
    rec = s.at(7)  # pick, 3 forwards, loss, backward loss, backward · act
    assert rec.op.kind == "backward" and rec.op.layer == 2
    [f] = saturated(rec, s.model)
    assert f.neuron == 0 and f.value == pytest.approx(1 / math.cosh(10) ** 2, rel=1e-12)
    assert saturated(s.at(17), s.model) == [] and s.at(17).op == rec.op


# ---- sign changes
def test_sign_changes_by_hand():
    s = session_of("sign_flip.toml")
    # 1/2 − (1/10)(1/2 + 1)·1 = 7/20; 7/20 − (1/10)(7/10 + 2)·2 = −19/100
    assert sign_changes(s.at(8), s.model) == []
    [f] = sign_changes(s.at(16), s.model)
    assert (f.kind, f.name, f.value) == ("sign", "L2", Fraction(-19, 100))
    assert "7/20" in f.message and "-19/100" in f.message
    b = session_of("broccoli.toml")
    [f] = sign_changes(b.at(30), b.model)  # w²₂ only; w²₃ was already positive
    assert f.value == Fraction(-3, 11600) + 2000 and "w²[1,2] changed sign" in f.message


def test_diagnose_lists_every_kind_at_its_record():
    s = session_of("diverging.toml")
    # α = 1e6: the step is 3e6 times the weights (update_ratio)
    assert {f.kind for f in diagnose(s.at(8), s.model)} == {"sign", "overshoot", "update_ratio"}
    assert {f.kind for f in diagnose(s.at(188), s.model)} == {"nonfinite"}
    f = session_of("broccoli.toml", "float64")
    assert [x.kind for x in diagnose(f.at(23), f.model)] == ["rounding"]
    # L3's one unit blocks the flow for the whole batch (one sample): dying
    assert sorted(x.kind for x in diagnose(f.at(27), f.model)) == ["blocked", "dying",
                                                                   "rounding"]


def test_exact_records_are_finite():
    s = session_of("broccoli.toml")
    assert not any(any_nonfinite(s.goto_iteration(t)) for t in range(1, 4))


def test_messages_survive_fractions_past_pythons_digit_limit():
    """With a raised --max-fraction-bits, exact values can pass Python's 4,300-digit
    int-to-text limit: the findings' messages must fall back to an approximation (as
    format.fraction_text does) instead of raising ValueError."""
    s = Session(load_scenario(SCENARIOS / "dead_relu.toml", numbers="exact"),
                max_fraction_bits=100_000)
    rec = s.last()
    assert rec.mode == "exact" and rec.loss.denominator.bit_length() > 14_300  # > 4,300 digits
    found = diagnose(rec, s.model)
    assert [f.kind for f in found if f.kind == "blocked"]  # the dead neuron, still reported
    assert all(len(f.message) < 400 for f in found)


@pytest.mark.parametrize(("name", "numbers", "iterations"), [
    ("dead_relu.toml", None, 1), ("saturated_sigmoid.toml", None, 2),
    ("broccoli.toml", "float64", 3)])
def test_findings_and_sign_rows_name_neurons_as_the_screen_does(name, numbers, iterations):
    """One name for each thing: a neuron is 'L3 n2' (what / and explain --neuron read), never
    'neuron 2', 'input 2' or 'output 2' of a layer. Each name found reads back, with
    engine.names, as the neuron the finding is about."""
    import re

    from nnstep.engine.names import parse_name
    from nnstep.engine.signs import sign_rows

    s = session_of(name, numbers)
    layers = s.scenario.layers
    seen = 0
    for index in range(s.schedule.iteration_end(iterations) + 1):
        rec = s.goto(index)
        texts = [(f.layer, f.neuron, f.message) for f in diagnose(rec, s.model)
                 if f.kind in ("blocked", "rounding", "saturated")]
        texts += [(r.layer, r.row, r.situation) for r in sign_rows(rec, s.model)
                  if s.model.layers[r.layer].size > 1 and "model output" not in r.situation]
        for k, i, text in texts:
            assert not re.search(r"\bneuron \d|\binput \d+ is|\boutput \d+( [hla]|:)", text), text
            (named,) = re.findall(r"\bL\d+ n\d+\b", text)
            target = parse_name(named, layers)
            assert (target.key, target.layer, target.place) == ("o", k, (i,)), text
            seen += 1
    assert seen


def test_nonfinite_names_outputs_and_flows_as_the_articles_do(make_scenario_text):
    """A forward output and a δ named o²[1] (with its neuron, L2 n1) and δ²[2], not "neuron 1 of
    sample 1"."""
    from nnstep.engine import Session, parse_scenario

    text = make_scenario_text(
        [{"name": "L1", "kind": "input", "size": 2},
         {"name": "L2", "kind": "linear", "size": 1, "bias": False, "weights": [[1e308, 0.5]]}],
        [([10, 1], [0])])
    s = Session(parse_scenario(text))
    forward = next(f for i in range(1, s.last_index + 1) for f in nonfinite(s.at(i), s.model))
    assert "produced inf in o²[1], the output of L2 n1, in sample 1" in forward.message
    flows = [f for i in range(1, s.last_index + 1) for f in nonfinite(s.at(i), s.model)
             if s.at(i).op.kind == "backward"]
    assert flows and "the learning flow at L2's input" in flows[0].message
    assert re.search(r"δ²\[\d\], the learning flow at L2's input \d, in sample 1",
                     flows[0].message)
