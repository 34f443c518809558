"""Explanations: the articles' own lines for broccoli (001_*, "The Weights", third sample),
exact strings; batches against hand-computed fractions; what is not computed yet."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.explain import Explainer
from nnstep.engine.names import parse_name


@pytest.fixture(scope="module")
def broccoli(broccoli_path):
    return Session(load_scenario(broccoli_path))


def explain(session: Session, index: int, name: str, style: str = "fraction") -> list[str]:
    rec = session.goto(index)
    target = parse_name(name, session.model.layers, session.scenario.features)
    return Explainer(rec, session.model, style, session.scenario.features).explain(target)


def test_the_articles_third_sample_weight(broccoli):
    assert explain(broccoli, 30, "w²[1,2]") == [
        "δw²[1,2] = δ³[1] · o¹[2] = (−1) · 2000 = −2000",
        "ŵ²[1,2]  = w − α·δw = −3/11600 − 1 · (−2000) = 23199997/11600",
        "",
        "where δ³[1] came from:",
        "  δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1) · relu′(0) = (−1) · 1 = −1",
    ]
    # 3000 + 1/5800 in the articles
    assert explain(broccoli, 30, "w2[1,3]")[:2] == [
        "δw²[1,3] = δ³[1] · o¹[3] = (−1) · 3000 = −3000",
        "ŵ²[1,3]  = w − α·δw = 1/5800 − 1 · (−3000) = 17400001/5800",
    ]


def test_nothing_to_learn_on_the_first_sample(broccoli):
    assert explain(broccoli, 10, "L2[0,0]")[:2] == [
        "δw²[1,1] = δ³[1] · o¹[1] = 0 · 100 = 0",
        "ŵ²[1,1]  = w − α·δw = 1/200 − 1 · 0 = 1/200",
    ]


def test_neurons_forward_sum_and_flow(broccoli):
    assert explain(broccoli, 30, "L3 n1") == [
        "o³[1] = relu(o²[1]) = relu(0) = 0",
        "δ⁴[1] = ∂Loss/∂o³[1] = −1   (half_squared_error: δ = o − y, with o³[1] = 0 and y[1] = 1)",
        "δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1) · relu′(0) = (−1) · 1 = −1",
    ]
    assert explain(broccoli, 30, "L2 n1") == [
        "o²[1] = Σⱼ w²[1,j] · o¹[j] = 1/200 · 0 + (−3/11600) · 2000 + 1/5800 · 3000 = 0",
        "δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1) · relu′(0) = (−1) · 1 = −1",
    ]
    # δ² = δ³·W²: the sum over the next layer (one neuron here)
    assert explain(broccoli, 30, "Tagada strawberries") == [
        "o¹[2] = x[2] (Tagada strawberries) = 2000",
        "δ²[2] = Σᵢ δ³[i] · w²[i,2] = (−1) · (−3/11600) = 3/11600",
    ]


def test_float_numbers_in_the_current_format(broccoli_path):
    floats = Session(load_scenario(broccoli_path, numbers="float64"))
    lines = explain(floats, 30, "w²[1,2]", style="scientific")
    # float64 computes o² = −1.1e−16 (or −7.4e−17 with FMA): the ReLU blocks, δ³ = 0
    assert lines[0] == "δw²[1,2] = δ³[1] · o¹[2] = 0 · 2.00000e+03 = 0"
    assert lines[-1].startswith("  δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1.00000e+00) · relu′(−")
    assert lines[-1].endswith(") = (−1.00000e+00) · 0 = 0")


def test_not_computed_yet_is_said(broccoli):
    assert explain(broccoli, 25, "w²[1,2]")[:2] == [
        "δw²[1,2] = δ³[1] · o¹[2]: not computed yet at this operation (backward · L2 computes "
        "it)",
        "ŵ²[1,2]  = w − α·δw: computed at the update (now w²[1,2] = −3/11600, α = 1)",
    ]
    assert explain(broccoli, 21, "L3 n1") == [
        "o³[1]: not computed yet at this operation (forward · L3)",
        "δ⁴[1]: not computed yet at this operation (backward · loss)",
        "δ³[1]: not computed yet at this operation (backward · L3)",
    ]
    assert explain(broccoli, 0, "L3 n1") == ["o³[1]: no sample picked yet at this operation"]


BATCH = """
title = "batch of two"
numbers = "exact"
[data]
samples = [{ x = [1, 2], y = [1] }, { x = [3, -1], y = [0] }]
[training]
learning_rate = "1/10"
batch_size = 2
[[layers]]
name = "in"
kind = "input"
size = 2
[[layers]]
name = "out"
kind = "linear"
size = 1
bias = true
weights = [["1/2", "1/4"]]
biases = ["1/8"]
"""


def test_a_batch_shows_each_sample_and_the_mean():
    session = Session(parse_scenario(BATCH, "batch.toml"))
    # by hand: o = (1/2 + 1/2 + 1/8, 3/2 − 1/4 + 1/8) = (9/8, 11/8); δ = o − y = (1/8, 11/8)
    # δw₂ = mean(1/8 · 2, 11/8 · (−1)) = (1/4 − 11/8)/2 = −9/16; ŵ = 1/4 − 1/10·(−9/16)
    assert explain(session, session.last_index, "w²[1,2]")[:5] == [
        "δw²[1,2] = the mean over the batch of δ³[1] · o¹[2] = −9/16",
        "  sample 1: 1/8 · 2 = 1/4",
        "  sample 2: 11/8 · (−1) = −11/8",
        "  = (−9/8) / 2 = −9/16",
        f"ŵ²[1,2]  = w − α·δw = 1/4 − 1/10 · (−9/16) = {F(1, 4) + F(9, 160)}",
    ]
    # δb = mean(1/8, 11/8) = 3/4; b̂ = 1/8 − 3/40
    assert explain(session, session.last_index, "b²[1]")[:5] == [
        "δb²[1] = the mean over the batch of δ³[1] = 3/4",
        "  sample 1: 1/8",
        "  sample 2: 11/8",
        "  = (3/2) / 2 = 3/4",
        "b̂²[1]  = b − α·δb = 1/8 − 1/10 · 3/4 = 1/20",
    ]


def test_long_sums_show_their_largest_terms(repo_root):
    session = Session(load_scenario(repo_root / "scenarios" / "mlp784.toml"))
    rec = session.goto(session.schedule.iteration_end(1))
    line = Explainer(rec, session.model, "decimal").neuron(1, 0)[0]
    assert line.startswith("o²[1] = Σⱼ w²[1,j] · o¹[j] + b²[1] = ")
    assert "… (781 more terms, together " in line and line.count(" · ") == 5  # rule + 4 terms
    assert len(line) < 300


def _with_optimizer(table: str, numbers: str) -> Session:
    text = BATCH.replace('numbers = "exact"', f'numbers = "{numbers}"').replace(
        "batch_size = 2", "batch_size = 1\nepochs = 2") + "\n[optimizer]\n" + table + "\n"
    return Session(parse_scenario(text, "opt.toml"))


def test_momentum_explains_its_velocity_exactly():
    session = _with_optimizer('kind = "sgd"\nmomentum = "1/2"', "exact")
    opi = session.schedule.ops_per_iteration
    # oracle, by hand (PyTorch's rule): v₁ = δw₁, v₂ = μ·v₁ + δw₂, ŵ = w − α·v
    first = session.goto(opi)
    g1 = first.grads[1]["w"][0, 1]
    second = session.goto(2 * opi)
    g2, w2 = second.grads[1]["w"][0, 1], second.params[1]["w"][0, 1]
    v2 = F(1, 2) * g1 + g2
    lines = explain(session, 2 * opi, "w²[1,2]")
    assert lines[1] == (f"           v = μ·v + (1 − τ)·δw = 1/2 · {_f(g1)} + 1 · {_f(g2)} = "
                        f"{_t(v2)}")
    assert lines[2] == f"ŵ²[1,2]  = w − α·v = {_t(w2)} − 1/10 · {_f(v2)} = {_t(w2 - v2 / 10)}"
    assert explain(session, opi, "w²[1,2]")[1].endswith("(the first step starts the velocity)")


def test_adam_explains_m_hat_and_v_hat():
    session = _with_optimizer('kind = "adam"', "float64")
    rec = session.goto(session.schedule.ops_per_iteration)
    g, w = float(rec.grads[1]["w"][0, 0]), float(rec.params[1]["w"][0, 0])
    # oracle: PyTorch's Adam at step 1 from m = v = 0
    m, v = 0.1 * g, 0.001 * g * g
    m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)
    d = m_hat / (v_hat ** 0.5 + 1e-8)
    lines = explain(session, rec.index, "w²[1,1]", style="scientific")
    text = "\n".join(lines)
    assert (f"m = β1·m + (1 − β1)·δw = 9.00000e-01 · 0 + 1.00000e-01 · {_sci(g)} = "
            f"{_sci(m).strip('()')}") in text
    assert (f"m̂ = m/(1 − β1^t) = {_sci(m)} / (1 − 9.00000e-01^1) = "
            f"{_sci(m_hat).strip('()')}") in text
    assert f"v̂ = v/(1 − β2^t) = {_sci(v)} / (1 − 9.99000e-01^1) = {_sci(v_hat)}" in text
    # (δw)²: δw² would read as layer 2's δw
    assert (f"v = β2·v + (1 − β2)·(δw)² = 9.99000e-01 · 0 + 1.00000e-03 · {_sci(g)}² = "
            f"{_sci(v)}") in text
    assert lines[6] == (f"ŵ²[1,1]  = w − α·m̂/(√v̂ + ε) = {_sci(w)} − 1.00000e-01 · {_sci(d)} = "
                        f"{_sci(rec.new_params[1]['w'][0, 0])}")


def _t(v) -> str:
    return str(v).replace("-", "−")


def _f(v) -> str:
    return f"({_t(v)})" if v < 0 else _t(v)


def _sci(v: float) -> str:
    text = f"{v:.5e}".replace("-", "−", 1) if v < 0 else f"{v:.5e}"
    return f"({text})" if v < 0 else text
