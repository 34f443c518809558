"""`nnstep run` (the table format) on a network past the trace's size limit: a layer's weights
print their shape, range, mean |δw| and largest |δw| by name, a batch's outputs their shape,
and at most three findings of a kind — checked against the numbers of `--format json --full`
for the same iteration. A small network still prints every value."""

from __future__ import annotations

import json
import re
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

SCENARIO = """
title = "past the size limit"
numbers = "float64"

[data]
generate = { kind = "classes", samples = 40, features = 30, classes = 10, noise = 0.2, seed = 3 }

[training]
learning_rate = 0.5
batch_size = 32
epochs = 1

[[layers]]
name = "L1"
kind = "input"
size = 30

[[layers]]
name = "L2"
kind = "linear"
size = 20
init = "uniform"

[[layers]]
name = "L3"
kind = "relu"

[[layers]]
name = "L4"
kind = "linear"
size = 10
init = "uniform"

[loss]
kind = "softmax_cross_entropy"
"""

NUMBER = r"(-?[\d.]+(?:e[-+]?\d+)?)"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, nnstep):
    path = tmp_path_factory.mktemp("table") / "big.toml"
    path.write_text(SCENARIO)
    table = nnstep("run", path, "--iterations", "1")
    full = nnstep("run", path, "--iterations", "1", "--format", "json", "--full")
    assert table.returncode == 0 and full.returncode == 0, table.stderr + full.stderr
    return table.stdout.splitlines(), json.loads(full.stdout.splitlines()[0])


def close(text: str, value: float) -> bool:
    return float(text) == pytest.approx(value, rel=1e-5, abs=1e-12)


def test_a_large_layer_prints_its_statistics(outputs):
    lines, full = outputs
    (l2w,) = [line for line in lines if line.startswith("  L2 w ")]
    layer = next(e for e in full["layers"] if e["name"] == "L2")
    w, g, new = (np.array(layer[k]) for k in ("weights", "grad_weights", "weights_after"))
    m = re.fullmatch(rf"  L2 w \[20×30\] {NUMBER} … {NUMBER}  δw mean \|δw\| {NUMBER}, "
                     rf"largest (.*)  ŵ \[20×30\] {NUMBER} … {NUMBER}", l2w)
    assert m, l2w
    assert close(m[1], w.min()) and close(m[2], w.max()) and close(m[3], np.abs(g).mean())
    assert close(m[5], new.min()) and close(m[6], new.max())
    order = np.argsort(-np.abs(g), axis=None, kind="stable")[:3]
    named = [f"w²[{i // 30 + 1},{i % 30 + 1}]" for i in order]
    shown = re.findall(rf"(w²\[\d+,\d+\]) {NUMBER}", m[4])
    assert [n for n, _ in shown] == named
    assert all(close(v, g.flat[i]) for (_, v), i in zip(shown, order))


def test_a_small_layer_of_the_same_network_prints_every_value(outputs):
    lines, full = outputs
    (l4w,) = [line for line in lines if line.startswith("  L4 w ")]
    assert l4w.count("(") == 3 * 10  # w, δw and ŵ: ten rows of twenty each
    first = next(e for e in full["layers"] if e["name"] == "L4")["weights"][0][0]
    assert l4w.startswith(f"  L4 w [({first!r}, ")


def test_a_large_batch_prints_its_shape_and_accuracy(outputs):
    lines, full = outputs
    head = lines[0]
    assert "prediction [32×10 values], expected [32×10 values], δ of the loss [32×10 values]" \
        in head
    assert close(re.search(rf"accuracy {NUMBER}$", head)[1], full["accuracy"])


def test_findings_print_three_of_a_kind_and_count_the_rest(outputs):
    lines, full = outputs
    kinds = Counter(d["kind"] for d in full["diagnostics"])
    assert max(kinds.values()) > 3  # the case is exercised
    for kind, n in kinds.items():
        of_kind = [line for line in lines if line.startswith(f"  ! {kind}: ")]
        if n <= 3:
            assert len(of_kind) == n
        else:
            assert len(of_kind) == 4 and of_kind[-1] == f"  ! {kind}: … and {n - 3} more"


def test_exact_values_beyond_float_range_are_values_in_a_summary(tmp_path, nnstep):
    """An exact layer past the limit stepped by α = 1e400: its ŵ range is printed as values
    (≈1e+399), never inf or nan."""
    text = SCENARIO.replace('numbers = "float64"', 'numbers = "exact"').replace(
        "learning_rate = 0.5", 'learning_rate = "1e400"').replace(
        'kind = "softmax_cross_entropy"', 'kind = "mse"').replace(
        'kind = "relu"', 'kind = "identity"').replace("batch_size = 32", "batch_size = 1")
    path = tmp_path / "exact.toml"
    path.write_text(text)
    out = nnstep("run", path, "--iterations", "1", "--max-fraction-bits", "100000")
    assert out.returncode == 0, out.stderr
    (l2w,) = [line for line in out.stdout.splitlines() if line.startswith("  L2 w ")]
    m = re.search(rf"ŵ \[20×30\] {NUMBER} … {NUMBER}$", l2w)
    assert m and max(abs(Fraction(m[1])), abs(Fraction(m[2]))) > Fraction(10) ** 398, l2w
    assert "inf" not in out.stdout and "nan" not in out.stdout
