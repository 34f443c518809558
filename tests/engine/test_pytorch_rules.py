"""Every loss × optimizer against an independent numpy oracle written from PyTorch's documented
rules (never the engine's code): torch.nn.CrossEntropyLoss (probability targets),
BCEWithLogitsLoss and MSELoss with their default reduction "mean", the articles' ½·Σ(o − y)²
averaged over the batch, and the pseudo-code of torch.optim.SGD (momentum, dampening, nesterov,
weight_decay), Adam and AdamW.

The oracle computes what ``loss.backward()`` leaves in ``.grad`` directly from the batch loss
(∂L/∂logits for the whole batch, then backpropagation by hand), and steps the optimizer as the
documentation's algorithm box says. Loss, outputs, δw, δb and the updated weights and biases
must agree to 1e-9 relative over several iterations of random networks, with and without bias,
at batch 1 and 3.
"""

from __future__ import annotations

import numpy as np
import pytest
from nnstep.engine import Session, parse_scenario

RTOL, ATOL = 1e-9, 1e-13
ITERATIONS = 4
LOSSES = ["half_squared_error", "mse", "softmax_cross_entropy", "bce_with_logits"]
OPTIMIZERS = {
    "plain": None,
    "momentum": {"kind": "sgd", "momentum": 0.9},
    "dampening": {"kind": "sgd", "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
    "nesterov": {"kind": "sgd", "momentum": 0.9, "nesterov": True},
    "weight_decay": {"kind": "sgd", "weight_decay": 0.1},
    "adam": {"kind": "adam"},
    "adam_decay": {"kind": "adam", "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                   "weight_decay": 0.1},
    "adamw": {"kind": "adamw"},
    "adamw_decay": {"kind": "adamw", "weight_decay": 0.2},
}


# ---- the oracle: PyTorch's documented formulas --------------------------------------------
def oracle_loss_and_grad(kind: str, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(the batch loss, ∂loss/∂z) for logits z [N, C] and targets y [N, C]."""
    n, c = z.shape
    if kind == "softmax_cross_entropy":  # l_n = −Σ_c y_nc·log(exp(z_nc)/Σ_i exp(z_ni)), mean
        logp = z - np.log(np.sum(np.exp(z - z.max(1, keepdims=True)), 1, keepdims=True)) \
            - z.max(1, keepdims=True)
        p = np.exp(logp)
        return float(-(y * logp).sum() / n), (p * y.sum(1, keepdims=True) - y) / n
    if kind == "bce_with_logits":  # l = −[y·log σ(z) + (1 − y)·log(1 − σ(z))], mean over all
        s = 1 / (1 + np.exp(-z))
        loss = -(y * np.log(s) + (1 - y) * np.log(1 - s))
        return float(loss.mean()), (s - y) / (n * c)
    if kind == "mse":  # (z − y)², mean over all elements
        return float(((z - y) ** 2).mean()), 2 * (z - y) / (n * c)
    if kind == "half_squared_error":  # the articles: ½·Σ_c (z − y)², mean over the batch
        return float(0.5 * ((z - y) ** 2).sum() / n), (z - y) / n
    raise AssertionError(kind)


def oracle_forward_backward(params, x, y, loss_kind, bias):
    """Outputs, loss and PyTorch's .grad of input → linear → tanh → linear (logits)."""
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    a = x @ w1.T + (b1 if bias else 0)
    h = np.tanh(a)
    z = h @ w2.T + (b2 if bias else 0)
    loss, dz = oracle_loss_and_grad(loss_kind, z, y)
    dh = dz @ w2
    da = dh * (1 - h ** 2)
    grads = {"w2": dz.T @ h, "w1": da.T @ x}
    if bias:
        grads.update(b2=dz.sum(0), b1=da.sum(0))
    return z, loss, grads


class OracleOptimizer:
    """torch.optim.SGD / Adam / AdamW as their documentation's algorithm boxes state them."""

    def __init__(self, spec: dict | None, lr: float) -> None:
        self.spec = dict(spec or {"kind": "sgd"})
        self.lr = lr
        self.t = 0
        self.buf: dict = {}
        self.m: dict = {}
        self.v: dict = {}

    def step(self, params: dict, grads: dict) -> dict:
        self.t += 1
        kind, s, lr, t = self.spec["kind"], self.spec, self.lr, self.t
        out = {}
        for name, theta in params.items():
            if name not in grads:
                continue
            g = grads[name]
            if kind == "sgd":
                mu, tau = s.get("momentum", 0.0), s.get("dampening", 0.0)
                lam, nesterov = s.get("weight_decay", 0.0), s.get("nesterov", False)
                if lam != 0:
                    g = g + lam * theta
                if mu != 0:
                    if t > 1:
                        self.buf[name] = mu * self.buf[name] + (1 - tau) * g
                    else:
                        self.buf[name] = g
                    g = g + mu * self.buf[name] if nesterov else self.buf[name]
                out[name] = theta - lr * g
                continue
            b1, b2 = s.get("beta1", 0.9), s.get("beta2", 0.999)
            eps = s.get("eps", 1e-8)
            lam = s.get("weight_decay", 0.0 if kind == "adam" else 0.01)
            if kind == "adam" and lam != 0:
                g = g + lam * theta
            if kind == "adamw":
                theta = theta - lr * lam * theta
            m = b1 * self.m.get(name, 0.0) + (1 - b1) * g
            v = b2 * self.v.get(name, 0.0) + (1 - b2) * g ** 2
            self.m[name], self.v[name] = m, v
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            out[name] = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        return out


# ---- the engine's run ----------------------------------------------------------------------
def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(float(value))


def network(seed: int, bias: bool, batch: int, loss_kind: str):
    """A random 3-4-C network and 6 samples whose targets suit the loss."""
    rng = np.random.default_rng(seed)
    n_in, hidden, c = 3, 4, 3
    params = {"w1": rng.normal(0, 0.7, (hidden, n_in)), "w2": rng.normal(0, 0.7, (c, hidden)),
              "b1": rng.normal(0, 0.3, hidden), "b2": rng.normal(0, 0.3, c)}
    x = rng.normal(0, 1.2, (6, n_in))
    if loss_kind == "softmax_cross_entropy":
        if seed % 2:  # one-hot rows
            y = np.eye(c)[rng.integers(0, c, 6)]
        else:  # probability rows, exact in binary so that they sum to 1 exactly
            y = rng.integers(0, 5, (6, c)).astype(float) + 1
            y = y / y.sum(1, keepdims=True)
            y[:, -1] = 1 - y[:, :-1].sum(1)
    elif loss_kind == "bce_with_logits":
        y = np.round(rng.uniform(0, 1, (6, c)) * 8) / 8
    else:
        y = rng.normal(0, 1, (6, c))
    return params, x, y


def scenario(params, x, y, bias, batch, loss_kind, optimizer, lr) -> str:
    rows = ",\n".join(
        f"  {{ x = [{', '.join(map(_toml, xi))}], y = [{', '.join(map(_toml, yi))}] }}"
        for xi, yi in zip(x, y))
    lines = ['title = "oracle"', "[data]", f"samples = [\n{rows}\n]", "[training]",
             f"learning_rate = {_toml(lr)}", f"batch_size = {batch}", "epochs = 3",
             "[loss]", f'kind = "{loss_kind}"']
    if optimizer:
        lines.append("[optimizer]")
        lines += [f"{k} = {_toml(v)}" for k, v in optimizer.items()]
    for name, size, w, b, kind in (("L1", 3, None, None, "input"), ("L2", 4, "w1", "b1", "linear"),
                                   ("L3", 4, None, None, "tanh"), ("L4", 3, "w2", "b2", "linear")):
        lines += ["[[layers]]", f'name = "{name}"', f'kind = "{kind}"', f"size = {size}"]
        if w:
            lines.append(f"bias = {_toml(bias)}")
            lines.append("weights = [" + ", ".join(
                "[" + ", ".join(map(_toml, row)) + "]" for row in params[w]) + "]")
            if bias:
                lines.append(f"biases = [{', '.join(map(_toml, params[b]))}]")
    return "\n".join(lines) + "\n"


def close(got, want, what: str) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=what)


CASES = [(loss, opt, bias, batch) for loss in LOSSES for opt in OPTIMIZERS
         for bias in (True, False) for batch in (1, 3)]


@pytest.mark.parametrize(("loss_kind", "opt", "bias", "batch"), CASES,
                         ids=[f"{a}-{b}-{'bias' if c else 'nobias'}-b{d}" for a, b, c, d in CASES])
def test_the_engine_follows_pytorchs_rules(loss_kind, opt, bias, batch) -> None:
    seed = 100 * LOSSES.index(loss_kind) + 10 * list(OPTIMIZERS).index(opt) + 2 * batch + bias
    params, x, y = network(seed, bias, batch, loss_kind)
    lr = 0.05 if opt.startswith("adam") else 0.3
    session = Session(parse_scenario(scenario(params, x, y, bias, batch, loss_kind,
                                              OPTIMIZERS[opt], lr), "oracle.toml"))
    oracle = OracleOptimizer(OPTIMIZERS[opt], lr)
    theta = {k: v.copy() for k, v in params.items() if bias or k.startswith("w")}
    for t in range(1, ITERATIONS + 1):
        rec = session.goto_iteration(t)
        picked = list(rec.samples)
        z, loss, grads = oracle_forward_backward({**params, **theta}, x[picked], y[picked],
                                                 loss_kind, bias)
        where = f"iteration {t}"
        close(rec.outputs[-1], z, f"outputs, {where}")
        close(rec.loss, loss, f"loss, {where}")
        new = oracle.step(theta, grads)
        for layer, k in ((1, "1"), (3, "2")):
            close(rec.grads[layer]["w"], grads["w" + k], f"δw{k}, {where}")
            close(rec.new_params[layer]["w"], new["w" + k], f"ŵ{k}, {where}")
            if bias:
                close(rec.grads[layer]["b"], grads["b" + k], f"δb{k}, {where}")
                close(rec.new_params[layer]["b"], new["b" + k], f"b̂{k}, {where}")
            else:
                assert "b" not in rec.new_params[layer]
        theta = new
