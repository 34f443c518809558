"""δ and δw of every layer kind against central finite differences (float64, seeded nets).

Conventions checked: the batch loss is the mean over the batch of ½Σ(o − y)²;
``grads[k]["w"]`` = ∂(batch loss)/∂W^k; ``deltas[k][b]`` = ∂Loss_b/∂X^k_b (per sample), so
∂(batch loss)/∂X^k_b = deltas[k][b] / B. The oracle is an independent numpy forward pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from nnstep.engine import Session, parse_scenario

H = 1e-6          # finite-difference step
KINK_MARGIN = 1e-3  # pre-activations of relu / leaky_relu must stay this far from 0
SLOPE = 0.1
ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "identity"]


def ref_forward(kinds: list[str], params: list[dict], x: np.ndarray, start: int = 0):
    """Outputs of layers start … n-1 for a batch ``x`` entering layer ``start`` (the oracle)."""
    outs = []
    for kind, p in zip(kinds[start:], params[start:]):
        if kind in ("input", "identity"):
            x = x.copy()
        elif kind == "linear":
            x = x @ p["w"].T + (p["b"] if "b" in p else 0.0)
        elif kind == "relu":
            x = np.maximum(x, 0.0)
        elif kind == "leaky_relu":
            x = np.where(x >= 0, x, SLOPE * x)
        elif kind == "sigmoid":
            x = 1.0 / (1.0 + np.exp(-x))
        elif kind == "tanh":
            x = np.tanh(x)
        else:
            raise AssertionError(kind)
        outs.append(x)
    return outs


def per_sample_loss(o: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * ((o - y) ** 2).sum(axis=1)


def build(kind: str, bias: bool, batch: int, seed: int):
    """input(4) → linear(5) → kind → linear(3) → kind, with seeded weights and data."""
    rng = np.random.default_rng(seed)
    n_in, hidden, n_out = 4, 5, 3
    w1 = rng.normal(0, 0.8, (hidden, n_in))
    w2 = rng.normal(0, 0.8, (n_out, hidden))
    layers = [
        {"name": "in", "kind": "input", "size": n_in},
        {"name": "lin1", "kind": "linear", "size": hidden, "bias": bias, "weights": w1.tolist()},
        {"name": "act1", "kind": kind},
        {"name": "lin2", "kind": "linear", "size": n_out, "bias": bias, "weights": w2.tolist()},
        {"name": "act2", "kind": kind},
    ]
    if bias:
        layers[1]["biases"] = rng.normal(0, 0.5, hidden).tolist()
        layers[3]["biases"] = rng.normal(0, 0.5, n_out).tolist()
    if kind == "leaky_relu":
        layers[2]["slope"] = SLOPE
        layers[4]["slope"] = SLOPE
    samples = [(rng.normal(0, 1.5, n_in).tolist(), rng.normal(0, 1, n_out).tolist())
               for _ in range(batch)]
    return layers, samples


CASES = [(kind, bias, batch) for kind in ACTIVATIONS for bias in (True, False) for batch in (1, 4)]


@pytest.mark.parametrize(("kind", "bias", "batch"), CASES,
                         ids=[f"{k}-{'bias' if b else 'nobias'}-batch{n}" for k, b, n in CASES])
def test_gradients_match_finite_differences(kind, bias, batch, make_scenario_text):
    layers, samples = build(kind, bias, batch, seed=1000 + 10 * ACTIVATIONS.index(kind) + batch)
    text = make_scenario_text(layers, samples, numbers="float64", batch_size=batch,
                              learning_rate=0.5)
    session = Session(parse_scenario(text, "fd.toml"))
    rec = session.goto(session.schedule.ops_per_iteration)  # the update of iteration 1
    assert rec.op.kind == "update" and rec.iteration == 1
    assert rec.mode == "float64"

    kinds = [spec.kind for spec in session.model.layers]
    params = [{k: np.array(v, dtype=np.float64) for k, v in p.items()} for p in rec.params]
    x = np.array(rec.x, dtype=np.float64)
    y = np.array(rec.y, dtype=np.float64)
    assert x.shape == (batch, 4) and y.shape == (batch, 3)

    # forward pass and loss against the oracle
    outs = ref_forward(kinds, params, x)
    for k, o in enumerate(outs):
        np.testing.assert_allclose(rec.outputs[k], o, rtol=1e-13, atol=1e-13)
    losses = per_sample_loss(outs[-1], y)
    np.testing.assert_allclose(rec.losses, losses, rtol=1e-13, atol=1e-15)
    assert rec.loss == pytest.approx(losses.mean(), rel=1e-13)
    np.testing.assert_allclose(rec.loss_delta, outs[-1] - y, rtol=1e-13, atol=1e-15)

    # no relu kink within reach of the finite-difference step, and both branches exercised
    if kind in ("relu", "leaky_relu"):
        for pre in (outs[1], outs[3]):
            assert np.abs(pre).min() > KINK_MARGIN
        assert (outs[1] > 0).any() and (outs[1] < 0).any()

    def batch_loss_from(k: int, xk: np.ndarray) -> float:
        return per_sample_loss(ref_forward(kinds, params, xk, start=k)[-1], y).mean()

    # δ^k at every layer's input: ∂(batch loss)/∂X^k_b = deltas[k][b] / B
    for k in range(len(kinds)):
        xk = x if k == 0 else outs[k - 1]
        fd = np.zeros_like(xk)
        for b in range(batch):
            for j in range(xk.shape[1]):
                plus, minus = xk.copy(), xk.copy()
                plus[b, j] += H
                minus[b, j] -= H
                fd[b, j] = (batch_loss_from(k, plus) - batch_loss_from(k, minus)) / (2 * H)
        delta = np.array(rec.deltas[k], dtype=np.float64)
        assert delta.shape == xk.shape
        np.testing.assert_allclose(delta / batch, fd, rtol=1e-6, atol=1e-8,
                                   err_msg=f"δ at the input of layer {k} ({kinds[k]})")

    # δw and δb of both linear layers: ∂(batch loss)/∂W
    # something to learn: the checks below are not comparing zeros with zeros
    assert np.abs(rec.grads[1]["w"]).max() > 1e-3

    def batch_loss_with(k: int, key: str, value: np.ndarray) -> float:
        changed = [dict(p) for p in params]
        changed[k][key] = value
        return per_sample_loss(ref_forward(kinds, changed, x)[-1], y).mean()

    for k, kind_k in enumerate(kinds):
        if kind_k != "linear":
            assert rec.grads[k] is None or not rec.grads[k]
            continue
        keys = ["w", "b"] if bias else ["w"]
        assert set(rec.grads[k]) == set(keys)
        for key in keys:
            base = params[k][key]
            fd = np.zeros_like(base)
            for place in np.ndindex(base.shape):
                plus, minus = base.copy(), base.copy()
                plus[place] += H
                minus[place] -= H
                up, down = batch_loss_with(k, key, plus), batch_loss_with(k, key, minus)
                fd[place] = (up - down) / (2 * H)
            np.testing.assert_allclose(rec.grads[k][key], fd, rtol=1e-6, atol=1e-8,
                                       err_msg=f"δ{key} of layer {k}")
            # the update: ŵ = w − α·δw
            np.testing.assert_allclose(rec.new_params[k][key], base - 0.5 * rec.grads[k][key],
                                       rtol=1e-15, atol=1e-15)

