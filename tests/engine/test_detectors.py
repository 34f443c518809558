"""The research detectors (engine/detectors.py) on hand-built records: each fires exactly when its
definition, computed here with numpy / fractions (never the engine's code), says it holds — in
float64 and in exact mode, at the thresholds' edges, and with NaN — and as a breakpoint condition
it is hit once where it becomes true."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.conditions import ConditionError, parse_condition
from nnstep.engine.detector_conditions import hit
from nnstep.engine.detectors import DEFAULTS, decided, detect
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import brief
from nnstep.engine.records import BACKWARD, FORWARD, UPDATE, Op
from nnstep.engine.search import continue_forward

NET = """
title = "detectors"
numbers = "{numbers}"
[data]
samples = [{{ x = [1, 2], y = [1, 0] }}, {{ x = [-1, 1], y = [0, 1] }},
           {{ x = [2, -1], y = [1, 1] }}]
[training]
learning_rate = "1/10"
batch_size = {batch}
epochs = 4
[[layers]]
name = "in"
kind = "input"
size = 2
[[layers]]
name = "A"
kind = "linear"
size = 4
weights = [["1/2", "-1/4"], ["1/3", "1/5"], ["-1/2", "1/7"], ["1/4", "1/4"]]
[[layers]]
name = "R"
kind = "relu"
[[layers]]
name = "B"
kind = "linear"
size = 3
bias = false
weights = [["1/2", "-1/3", "1/4", "1/5"], ["-1/6", "1/7", "1/2", "-1/3"],
           ["1/4", "1/4", "1/4", "1/4"]]
[[layers]]
name = "C"
kind = "linear"
size = 2
bias = false
weights = [["1/2", "-1/2", "1/3"], ["1/5", "1/4", "-1/3"]]
"""
A, R, B, C = 1, 2, 3, 4  # layer indices


def session(numbers: str = "float64", batch: int = 1) -> Session:
    return Session(parse_scenario(NET.format(numbers=numbers, batch=batch)))


def record_at(s: Session, op: Op, iteration: int = 1):
    """The record of ``op`` in ``iteration``."""
    opi = s.schedule.ops_per_iteration
    for i in range((iteration - 1) * opi + 1, iteration * opi + 1):
        if s.at(i).op == op:
            return s.at(i)
    raise AssertionError(op)


def with_grads(rec, exact: bool, **scales):
    """``rec`` with δw of the named layers replaced: a fixed pattern times the given scale."""
    grads = list(rec.grads)
    for name, scale in scales.items():
        k = {"A": A, "B": B, "C": C}[name]
        shape = rec.params[k]["w"].shape
        pattern = np.arange(1, shape[0] * shape[1] + 1).reshape(shape) * (-1) ** np.arange(
            shape[1])
        if exact:
            arr = np.array([[Fraction(int(v)) * scale for v in row] for row in pattern],
                           dtype=object)
        else:
            arr = pattern * float(scale)
        grads[k] = {**(grads[k] or {}), "w": arr}
    return rec.with_(grads=tuple(grads))


def frob(arr) -> float:
    return float(np.linalg.norm(np.asarray(arr, dtype=np.float64)))


def kinds(found) -> list[tuple[str, str]]:
    return [(f.kind, f.name) for f in found]


# ---- vanishing and exploding

scale = st.sampled_from([0.0, 1e-12, 1e-9, 3e-7, 1e-5, 1e-4, 0.01, 1.0, 50.0, 1e3, 2e5, 1e7,
                         float("inf"), float("nan")])


@given(first=scale, last=scale, middle=scale)
def test_vanishing_and_exploding_follow_their_definitions(first, last, middle):
    s = session()
    rec = with_grads(record_at(s, Op(BACKWARD, A)), False, A=first, B=middle, C=last)
    na, nb, nc = (frob(rec.grads[k]["w"]) for k in (A, B, C))
    with np.errstate(all="ignore"):
        ratio = np.float64(na) / np.float64(nc)
    vanishing = nc > 0 and ratio < 1e-3 and na < 1e-4
    exploding_first = (np.isnan(na) or na > 1e6) or (nc > 0 and not np.isnan(na) and ratio > 70)
    exploding = {"A": exploding_first, "B": np.isnan(nb) or nb > 1e6,
                 "C": np.isnan(nc) or nc > 1e6}
    found = detect("vanishing", rec, s.model, None, DEFAULTS["vanishing"])
    assert kinds(found) == ([("vanishing", "A")] if vanishing else [])
    found = detect("exploding", rec, s.model, None, DEFAULTS["exploding"])
    assert sorted(f.name for f in found) == sorted(n for n, on in exploding.items() if on)
    for f in found:
        assert ("nan" in f.message) == bool(np.isnan(frob(rec.grads[{"A": A, "B": B, "C": C}[
            f.name]]["w"])))


def test_vanishing_exact_boundary_with_square_patterns():
    """A and C's δw hand-built with norms 3·10⁻⁵ and 3·10⁻², ratio exactly 1e-3: not below
    (float rounding must not decide); with A a little smaller it fires."""
    s = session("exact")
    rec = record_at(s, Op(BACKWARD, A))
    grads = list(rec.grads)

    def exact(k, entries):
        shape = rec.params[k]["w"].shape
        arr = np.array([[Fraction(0)] * shape[1] for _ in range(shape[0])], dtype=object)
        for (i, j), v in entries.items():
            arr[i, j] = v
        return arr

    for a_entry, fires in ((Fraction(3, 10**5), False), (Fraction(2999, 10**8), True)):
        grads[A] = {**grads[A], "w": exact(A, {(0, 0): a_entry})}
        grads[C] = {"w": exact(C, {(0, 0): Fraction(3, 10**2)})}
        r = rec.with_(grads=tuple(grads))
        assert bool(detect("vanishing", r, s.model, None, DEFAULTS["vanishing"])) == fires
        found = detect("vanishing", r, s.model, None, (Fraction(1, 10**3), Fraction(1, 10**9)))
        assert not found  # the first layer's ‖δw‖ ≥ 1e-9: the second test fails


def test_exploding_ratio_and_absolute_in_exact_mode():
    s = session("exact")
    rec = record_at(s, Op(BACKWARD, A))
    r = with_grads(rec, True, A=Fraction(1), B=Fraction(1), C=Fraction(1))
    assert not detect("exploding", r, s.model, None, DEFAULTS["exploding"])
    # the patterns' norms are √204 (A: 1 … 8) and √91 (C: 1 … 6): the ratio √(204/91) =
    # 1.49726… lies between 1.497 and 1.498
    assert detect("exploding", r, s.model, None, (Fraction(1), Fraction(10**6)))
    assert detect("exploding", r, s.model, None, (Fraction(1497, 1000), Fraction(10**6)))
    assert not detect("exploding", r, s.model, None, (Fraction(1498, 1000), Fraction(10**6)))
    big = with_grads(rec, True, A=Fraction(1), B=Fraction(10**6), C=Fraction(1))
    assert kinds(detect("exploding", big, s.model, None, DEFAULTS["exploding"])) == [
        ("exploding", "B")]


def test_vanishing_and_exploding_wait_for_the_first_layers_dw():
    s = session()
    assert not decided("vanishing", record_at(s, Op(BACKWARD, B)), s.model)
    assert decided("vanishing", record_at(s, Op(BACKWARD, A)), s.model) == {A}
    assert decided("exploding", record_at(s, Op(BACKWARD, C)), s.model) == {C}
    assert not decided("exploding", record_at(s, Op(BACKWARD, R)), s.model)
    assert not decided("update_ratio", record_at(s, Op(BACKWARD, A)), s.model)
    # before A's δw is known, the ratio is not judged
    rec = with_grads(record_at(s, Op(BACKWARD, B)), False, B=1.0, C=1e-9)
    assert rec.grads[A] is None
    assert not detect("vanishing", rec, s.model, None, DEFAULTS["vanishing"])


# ---- dying

@given(st.lists(st.lists(st.sampled_from([-2.0, -1e-300, 0.0, 1e-300, 3.0]), min_size=4,
                         max_size=4), min_size=1, max_size=3),
       st.sampled_from([Fraction(7, 10), Fraction(1, 2), Fraction(1, 4), Fraction(1)]))
def test_dying_follows_its_definition(pre, share):
    s = session(batch=len(pre))
    rec = record_at(s, Op(FORWARD, R))
    outputs = list(rec.outputs)
    x = np.array(pre)
    outputs[A] = x
    rec = rec.with_(outputs=tuple(outputs))
    dead = (x < 0).all(axis=0).sum()  # grad_at_zero 1: an input of exactly 0 passes
    found = detect("dying", rec, s.model, None, (share,))
    assert kinds(found) == ([("dying", "R")] if dead / 4 >= share else [])
    if found:
        assert found[0].value == dead / 4 and f"{dead} of its 4 units" in found[0].message


def test_dying_counts_zero_inputs_when_grad_at_zero_is_0():
    text = NET.format(numbers="exact", batch=1).replace(
        'kind = "relu"', 'kind = "relu"\ngrad_at_zero = 0')
    s = Session(parse_scenario(text))
    rec = record_at(s, Op(FORWARD, R))
    zero, minus = Fraction(0), Fraction(-1)
    x = np.array([[zero, zero, minus, Fraction(1)]], dtype=object)
    rec = rec.with_(outputs=(rec.outputs[0], x) + rec.outputs[2:])
    assert kinds(detect("dying", rec, s.model, None, DEFAULTS["dying"])) == [("dying", "R")]
    s1 = session("exact")  # the articles' convention: 0 passes
    rec1 = record_at(s1, Op(FORWARD, R))
    rec1 = rec1.with_(outputs=(rec1.outputs[0], x) + rec1.outputs[2:])
    assert not detect("dying", rec1, s1.model, None, DEFAULTS["dying"])
    assert detect("dying", rec1, s1.model, None, (Fraction(1, 4),))


def test_dying_is_decided_at_the_relus_forward():
    s = session()
    assert decided("dying", record_at(s, Op(FORWARD, R)), s.model) == {R}
    assert not decided("dying", record_at(s, Op(FORWARD, A)), s.model)
    assert not decided("dying", record_at(s, Op(BACKWARD, R)), s.model)


# ---- update ratio

@given(st.sampled_from([0.0, 1e-9, 1e-6, 1e-5, 2e-5, 0.05, 0.1, 0.2, 10.0, float("nan"),
                        float("inf")]),
       st.sampled_from([0.0, 1e-3, 1.0, 1e8]))
def test_update_ratio_follows_its_definition(step, size):
    s = session()
    rec = s.at(s.schedule.ops_per_iteration)  # the first update
    assert rec.op == Op(UPDATE)
    w = rec.params[B]["w"].astype(np.float64)
    w = w / np.linalg.norm(w) * size
    direction = np.ones_like(w) / np.sqrt(w.size)
    with np.errstate(all="ignore"):
        after = w + direction * step
    params = list(rec.params)
    params[B] = {"w": w}
    new = list(rec.new_params)
    new[B] = {"w": after}
    rec = rec.with_(params=tuple(params), new_params=tuple(new))
    with np.errstate(all="ignore"):
        real_step = frob(after - w)
        ratio = np.float64(real_step) / np.float64(frob(w))
    expected = real_step != 0 and not (1e-5 <= ratio <= 0.1)
    found = [f for f in detect("update_ratio", rec, s.model, None, DEFAULTS["update_ratio"])
             if f.name == "B"]
    assert bool(found) == expected, (step, size, ratio)
    if found and np.isnan(ratio):
        assert "nan" in found[0].message


def test_update_ratio_in_exact_mode_at_the_edge():
    """‖Δw‖/‖w‖ exactly 0.1 is inside [1e-5, 0.1]; exactly 0.1 + 1e-12 is outside."""
    s = session("exact")
    rec = s.at(s.schedule.ops_per_iteration)
    w = np.array([[Fraction(3), Fraction(4), Fraction(0), Fraction(0)]] * 3, dtype=object)
    for factor, fires in ((Fraction(1, 10), False), (Fraction(1, 10) + Fraction(1, 10**12), True),
                          (Fraction(1, 10**5), False), (Fraction(99999, 10**10), True)):
        params, new = list(rec.params), list(rec.new_params)
        params[B], new[B] = {"w": w}, {"w": w + w * factor}
        r = rec.with_(params=tuple(params), new_params=tuple(new))
        found = [f for f in detect("update_ratio", r, s.model, None, DEFAULTS["update_ratio"])
                 if f.name == "B"]
        assert bool(found) == fires, factor


def test_update_ratio_uses_the_real_step():
    """With plain SGD the real step is α·δw: the finding's ratio is α·‖δw‖/‖w‖."""
    s = session()
    rec = s.at(s.schedule.ops_per_iteration)
    for f in detect("update_ratio", rec, s.model, None, (Fraction(1, 10**9), Fraction(1, 10**8))):
        k = {"A": A, "B": B, "C": C}[f.name]
        expected = 0.1 * frob(rec.grads[k]["w"]) / frob(rec.params[k]["w"])
        assert f.value == pytest.approx(expected, rel=1e-12)


# ---- unchanged

def history_of(changes: list[bool], s: Session, layer: int = B):
    """Hand-built iteration ends 1 … len(changes): layer's weights change at iteration t when
    changes[t-1]."""
    base = s.at(s.schedule.ops_per_iteration)
    ends = {}
    for t, changed in enumerate(changes, start=1):
        w = base.params[layer]["w"]
        new = list(base.new_params)
        new[layer] = {"w": w + 1.0 if changed else w.copy()}
        ends[t] = base.with_(iteration=t, new_params=tuple(new))
    return ends.get, ends


@pytest.mark.parametrize("changes, n, expected", [
    ([True, False, False, False, False, False], 5, True),
    ([True, True, False, False, False, False], 5, False),
    ([False] * 5, 5, True),
    ([False] * 7, 5, True),
    ([False] * 4, 5, False),
    ([True, False, False, False], 3, True),
    ([False, False, False, True], 3, False),
])
def test_unchanged_counts_identical_updates(changes, n, expected):
    s = session()
    history, ends = history_of(changes, s)
    rec = ends[len(changes)]
    found = [f for f in detect("unchanged", rec, s.model, history, (n,)) if f.name == "B"]
    run = 0
    for changed in reversed(changes):  # the oracle: consecutive unchanged updates at the end
        if changed:
            break
        run += 1
    assert bool(found) == (run >= n) == expected


def test_unchanged_needs_history_and_treats_nan_weights_as_identical():
    s = session()
    rec = s.at(s.schedule.ops_per_iteration)
    assert not detect("unchanged", rec, s.model, None, (1,))
    params, new = list(rec.params), list(rec.new_params)
    nan = np.full(rec.params[B]["w"].shape, np.nan)
    params[B], new[B] = {"w": nan}, {"w": nan.copy()}
    r = rec.with_(params=tuple(params), new_params=tuple(new))
    assert [f.name for f in detect("unchanged", r, s.model, lambda t: None, (1,))] == ["B"]


# ---- as conditions

@pytest.mark.parametrize("text, kind, values", [
    ("vanishing", "vanishing", DEFAULTS["vanishing"]),
    ("vanishing 1e-4", "vanishing", (Fraction(1, 10**4), Fraction(1, 10**4))),
    ("vanishing 1e-4 1e-6", "vanishing", (Fraction(1, 10**4), Fraction(1, 10**6))),
    ("exploding 100", "exploding", (Fraction(100), Fraction(10**6))),
    ("exploding", "exploding", (Fraction(70), Fraction(10**6))),
    ("dying 50%", "dying", (Fraction(1, 2),)),
    ("dying  12.5 %", "dying", (Fraction(1, 8),)),
    ("update_ratio 1e-6 0.5", "update_ratio", (Fraction(1, 10**6), Fraction(1, 2))),
    ("unchanged 3", "unchanged", (3,)),
    ("unchanged", "unchanged", (5,)),
])
def test_parse(text, kind, values):
    c = parse_condition(text, ["in", "A"])
    assert (c.kind, c.value) == (kind, values)


@pytest.mark.parametrize("text, says", [
    ("dying 50", "dying [P%]"),
    ("dying 0%", "above 0 %"),
    ("dying 150%", "at most 100 %"),
    ("dying x%", "dying x%"),
    ("unchanged 0", "from 1 to 1000"),
    ("unchanged 1001", "from 1 to 1000"),
    ("unchanged 99999999999999999999", "from 1 to 1000"),
    ("unchanged 2.5", "unchanged [N]"),
    ("update_ratio 0.1", "update_ratio [LOW HIGH]"),
    ("update_ratio 0.5 0.1", "low end must be below"),
    ("exploding 1 2 3", "exploding [RATIO [NORM]]"),
    ("exploding -5", "between 1e-300 and 1e300"),
    ("exploding 0", "between 1e-300 and 1e300"),
    ("vanishing 1e999", "between 1e-300 and 1e300"),
    ("vanishng", "did you mean"),
])
def test_parse_errors(text, says):
    with pytest.raises(ConditionError) as err:
        parse_condition(text, ["in", "A"])
    assert says in str(err.value) and "\n" not in str(err.value)


def test_hit_is_edge_triggered_across_iterations():
    """A detector that held in the previous iteration is not hit again; one that did not is."""
    s = session()
    values = (Fraction(1, 10**9), Fraction(1, 10**8))  # every moving layer is "too large"
    update = s.at(s.schedule.ops_per_iteration)
    assert hit("update_ratio", values, update, s.model, lambda t: None)
    assert not hit("update_ratio", values, update, s.model, lambda t: update)
    assert not hit("update_ratio", values, record_at(s, Op(BACKWARD, A)), s.model,
                   lambda t: None)  # not decided before the update


def test_continue_stops_where_dying_starts_on_dead_relu():
    """dead_relu.toml: L2's second neuron is dead from the start, the first alive: 1 of 2 units
    (50 %). `dying` (70 %) never holds; `dying 50%` holds at the first forward of L3 and, being
    edge-triggered, not again while it keeps holding."""
    path = Path(__file__).resolve().parents[2] / "scenarios" / "dead_relu.toml"
    s = Session(load_scenario(path))
    names = [spec.name for spec in s.model.layers]
    assert continue_forward(s, [parse_condition("dying", names)]) is None
    s.goto(0)
    first = continue_forward(s, [parse_condition("dying 50%", names)])
    assert first is not None and s.record.op == Op(FORWARD, 2) and s.record.iteration == 1
    assert "1 of its 2 units (50 %)" in first.message
    assert continue_forward(s, [parse_condition("dying 50%", names)]) is None


def test_findings_appear_on_their_layer():
    s = session()
    rec = s.at(s.schedule.ops_per_iteration)
    found = [f for f in diagnose(rec, s.model, s.end_of_iteration) if f.kind == "update_ratio"]
    assert [f.name for f in found] == ["A"]  # ‖Δw‖/‖w‖ = 0.11 there
    oracle = frob(rec.new_params[A]["w"] - rec.params[A]["w"]) / frob(rec.params[A]["w"])
    assert found[0].value == pytest.approx(oracle, rel=1e-12) and oracle > 0.1
    assert found[0].neuron == -1 and found[0].summary == brief(found[0].value, 3)
    assert f"= {found[0].summary} is above" in found[0].message  # the number the message gives


@pytest.mark.parametrize("scale", [400, -400, 5000, -5000])
def test_exact_norms_and_ratios_beyond_float_range_are_values(scale):
    """Weights of 10^±400 … 10^±5000 in exact mode: ‖w‖, ‖Δw‖/‖w‖ and ‖δw‖ are values, never
    the nan of inf/inf or the inf / 0 of a float that cannot hold them. Oracle: the exact
    squares, compared through integer square roots."""
    s = session("exact")
    rec = s.at(s.schedule.ops_per_iteration)
    big = Fraction(10) ** scale
    w = np.array([[Fraction(3), Fraction(4), Fraction(0), Fraction(0)]] * 3, dtype=object) * big
    params, new, grads = list(rec.params), list(rec.new_params), list(rec.grads)
    params[B], new[B] = {"w": w}, {"w": w * 3}  # Δw = 2w: the ratio is exactly 2
    grads[B] = {"w": w}  # ‖δw‖ = 5·√3·10^scale
    r = rec.with_(params=tuple(params), new_params=tuple(new), grads=tuple(grads))
    (found,) = [f for f in detect("update_ratio", r, s.model, None, DEFAULTS["update_ratio"])
                if f.name == "B"]
    assert found.value == 2 and found.summary == "2" and "nan" not in found.message
    assert "inf" not in found.message and f"e{scale:+d}" in found.message  # ‖w‖ ≈ 8.66e±…
    exploding = [f for f in detect("exploding", r, s.model, None, DEFAULTS["exploding"])
                 if f.name == "B"]
    if scale > 0:
        (f,) = exploding
        root = Fraction(math.isqrt(75 * 10 ** (2 * scale + 40)), 10**20)  # 5·√3·10^scale
        assert abs(Fraction(f.value) / root - 1) < Fraction(1, 10**15)
        assert "inf" not in f.message and "inf" not in f.summary
        assert f"e+{scale}" in f.summary
    else:
        assert not exploding
