"""The shipped digits data set and scenarios/digits.toml: the file is what its README says, and
the scenario trains from it — the loss of the whole data set, computed here with numpy from
the weights `nnstep run --save-weights` writes, falls, and most digits come out right."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import safetensors.numpy as stn
from nnstep.engine import load_scenario


def test_the_shipped_file(repo_root):
    with open(repo_root / "scenarios" / "data" / "digits.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == [f"r{r}c{c}" for r in range(1, 9) for c in range(1, 9)] + ["digit"]
    assert len(body) == 1797
    values = np.array(body, dtype=int)
    assert values[:, :64].min() == 0 and values[:, :64].max() == 16
    assert sorted(Counter(values[:, 64]).items())[:3] == [(0, 178), (1, 182), (2, 177)]


def whole_data_set(repo_root, w1, b1, w2, b2):
    """Mean softmax cross-entropy and accuracy of 64-ReLU-10 over all 1,797 digits: an
    independent numpy rendering of the network (log-sum-exp softmax)."""
    data = np.loadtxt(repo_root / "scenarios" / "data" / "digits.csv", delimiter=",",
                      skiprows=1)
    x, labels = data[:, :64], data[:, 64].astype(int)
    logits = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(x)), labels].mean(), (logits.argmax(axis=1) == labels).mean()


def test_digits_trains_from_the_shipped_file(nnstep, repo_root, tmp_path):
    path = repo_root / "scenarios" / "digits.toml"
    done = nnstep("check", path)
    assert done.returncode == 0, done.stderr
    assert "(64-32-10)" in done.stdout and "1,797 samples" in done.stdout
    out = tmp_path / "w.safetensors"
    done = nnstep("run", path, "--iterations", "150", "--format", "none", "--save-weights", out)
    assert done.returncode == 0, done.stderr
    start = load_scenario(path).params
    before, _ = whole_data_set(repo_root, start[1]["w"], np.asarray(start[1]["b"], float),
                               start[3]["w"], np.asarray(start[3]["b"], float))
    w = stn.load_file(str(out))
    after, accuracy = whole_data_set(repo_root, w["0.weight"], w["0.bias"], w["2.weight"],
                                     w["2.bias"])
    assert after < before / 4 and accuracy > 0.75, (before, after, accuracy)
