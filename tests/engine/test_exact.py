"""Exact mode equals a hand-written Fraction computation; float64 agrees with it to ~1e-12."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from nnstep.engine import Session, parse_scenario

SLOPE = Fraction(1, 10)
LR = Fraction(1, 8)


def rational(rng: np.random.Generator) -> Fraction:
    return Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 8)))


def build(seed: int, bias: bool):
    """input(3) → linear(4) → relu → linear(2) → leaky_relu → identity, rational values."""
    rng = np.random.default_rng(seed)
    w1 = [[rational(rng) for _ in range(3)] for _ in range(4)]
    w2 = [[rational(rng) for _ in range(4)] for _ in range(2)]
    layers = [
        {"name": "in", "kind": "input", "size": 3},
        {"name": "lin1", "kind": "linear", "size": 4, "bias": bias, "weights": w1},
        {"name": "relu", "kind": "relu"},
        {"name": "lin2", "kind": "linear", "size": 2, "bias": bias, "weights": w2},
        {"name": "leaky", "kind": "leaky_relu", "slope": SLOPE},
        {"name": "out", "kind": "identity"},
    ]
    params = [{}, {"w": w1}, {}, {"w": w2}, {}, {}]
    if bias:
        b1 = [rational(rng) for _ in range(4)]
        b2 = [rational(rng) for _ in range(2)]
        layers[1]["biases"], layers[3]["biases"] = b1, b2
        params[1]["b"], params[3]["b"] = b1, b2
    samples = [([rational(rng) for _ in range(3)], [rational(rng) for _ in range(2)])
               for _ in range(3)]
    return layers, params, samples


# ---- the oracle: plain Python Fractions, one sample at a time
def fwd(kinds, params, x):
    outs = []
    for kind, p in zip(kinds, params):
        if kind == "linear":
            x = [sum((w * v for w, v in zip(row, x)), Fraction(0)) + (p["b"][i] if "b" in p else 0)
                 for i, row in enumerate(p["w"])]
        elif kind == "relu":
            x = [v if v >= 0 else Fraction(0) for v in x]
        elif kind == "leaky_relu":
            x = [v if v >= 0 else SLOPE * v for v in x]
        else:
            x = list(x)
        outs.append(x)
    return outs


def bwd(kinds, params, x, outs, delta):
    """Per-sample deltas (at each layer's input) and per-sample gradients."""
    deltas, grads = [None] * len(kinds), [None] * len(kinds)
    for k in reversed(range(len(kinds))):
        x_in = x if k == 0 else outs[k - 1]
        kind = kinds[k]
        if kind == "linear":
            w = params[k]["w"]
            grads[k] = {"w": [[d * v for v in x_in] for d in delta]}
            if "b" in params[k]:
                grads[k]["b"] = list(delta)
            delta = [sum((delta[i] * w[i][j] for i in range(len(w))), Fraction(0))
                     for j in range(len(x_in))]
        elif kind == "relu":
            delta = [d if v >= 0 else Fraction(0) for d, v in zip(delta, x_in)]
        elif kind == "leaky_relu":
            delta = [d if v >= 0 else SLOPE * d for d, v in zip(delta, x_in)]
        else:
            delta = list(delta)
        deltas[k] = delta
    return deltas, grads


def mean(items):
    return sum(items, Fraction(0)) / len(items)


def oracle_iteration(kinds, params, xs, ys):
    """(outputs, per-sample losses, batch loss, deltas, batch grads, new params) for a batch."""
    per = []
    for x, y in zip(xs, ys):
        outs = fwd(kinds, params, x)
        loss = sum(((o - t) ** 2 for o, t in zip(outs[-1], y)), Fraction(0)) / 2
        deltas, grads = bwd(kinds, params, x, outs, [o - t for o, t in zip(outs[-1], y)])
        per.append((outs, loss, deltas, grads))
    grads, new = [], []
    for k, p in enumerate(params):
        if not p:
            grads.append(None)
            new.append({})
            continue
        g = {"w": [[mean([s[3][k]["w"][i][j] for s in per]) for j in range(len(p["w"][0]))]
                   for i in range(len(p["w"]))]}
        if "b" in p:
            g["b"] = [mean([s[3][k]["b"][i] for s in per]) for i in range(len(p["b"]))]
        grads.append(g)
        new.append({key: [[v - LR * d for v, d in zip(r, dr)] for r, dr in zip(p[key], g[key])]
                    if key == "w" else [v - LR * d for v, d in zip(p[key], g[key])] for key in p})
    return per, mean([s[1] for s in per]), grads, new


def as_lists(arr):
    return [list(row) for row in arr] if arr.ndim == 2 else list(arr)


def exact_net(bias: bool, make_scenario_text):
    """(initial params, samples, scenario text) of the seeded rational test network."""
    layers, params, samples = build(seed=7 if bias else 8, bias=bias)
    text = make_scenario_text(layers, samples, numbers="exact", learning_rate=LR, batch_size=2,
                              epochs=2)
    return params, samples, text


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_exact_mode_equals_fraction_oracle(bias, make_scenario_text):
    params, samples, text = exact_net(bias, make_scenario_text)
    session = Session(parse_scenario(text, "exact.toml"))
    kinds = [s.kind for s in session.model.layers]
    opi = session.schedule.ops_per_iteration
    assert session.schedule.iterations == 4  # batches of 2, 1, 2, 1
    learnt = 0
    for t in range(1, 5):
        rec = session.goto(t * opi)
        assert rec.mode == "exact"
        picked = list(rec.samples)
        assert picked == ([0, 1] if t % 2 else [2])
        xs = [samples[i][0] for i in picked]
        ys = [samples[i][1] for i in picked]
        per, loss, grads, new = oracle_iteration(kinds, params, xs, ys)
        assert isinstance(rec.loss, Fraction) and rec.loss == loss
        assert list(rec.losses) == [s[1] for s in per]
        for k in range(len(kinds)):
            assert all(isinstance(v, Fraction) for v in rec.outputs[k].flat)
            assert as_lists(rec.outputs[k]) == [s[0][k] for s in per]
            assert as_lists(rec.deltas[k]) == [s[2][k] for s in per]
            if grads[k] is None:
                continue
            assert as_lists(rec.grads[k]["w"]) == grads[k]["w"]
            assert as_lists(rec.new_params[k]["w"]) == new[k]["w"]
            if bias:
                assert as_lists(rec.grads[k]["b"]) == grads[k]["b"]
                assert as_lists(rec.new_params[k]["b"]) == new[k]["b"]
        learnt += any(v != 0 for g in grads if g for row in g["w"] for v in row)
        params = new
    # something was learnt in most iterations: the comparisons are not all about zeros
    assert learnt >= 3


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_float64_agrees_with_exact(bias, make_scenario_text):
    _, _, text = exact_net(bias, make_scenario_text)
    exact = Session(parse_scenario(text, "exact.toml"))
    floats = Session(parse_scenario(text, "exact.toml", numbers="float64"))
    assert floats.record.mode == "float64"
    for index in range(exact.last_index + 1):
        e, f = exact.at(index), floats.at(index)
        assert (e.op, e.iteration, e.samples) == (f.op, f.iteration, f.samples)
        pairs = [(e.outputs, f.outputs), (e.deltas, f.deltas)]
        pairs += [((e.loss_delta,), (f.loss_delta,)), ((e.losses,), (f.losses,))]
        for ea, fa in pairs:
            for a, b in zip(ea, fa):
                if a is None:
                    assert b is None
                    continue
                assert b.dtype == np.float64
                np.testing.assert_allclose(b, a.astype(np.float64), rtol=1e-12, atol=1e-12)
        for ep, fp in zip(e.weights_after(), f.weights_after()):
            for key in ep:
                np.testing.assert_allclose(fp[key], ep[key].astype(np.float64), rtol=1e-12,
                                           atol=1e-12)
        if e.loss is not None:
            assert f.loss == pytest.approx(float(e.loss), rel=1e-12, abs=1e-12)
