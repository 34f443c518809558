"""`nnstep run … --format json` as a subprocess: the broccoli numbers to the digit, the keys and
the JSON types the trace promises."""

from __future__ import annotations

from fractions import Fraction

import pytest

TOP_KEYS = {"epoch", "iteration", "samples", "x", "y", "loss", "loss_delta", "layers", "signs"}
LAYER_KEYS = {"name", "kind", "output", "delta"}
LINEAR_KEYS = {"weights", "grad_weights", "weights_after"}
BIAS_KEYS = {"bias", "grad_bias", "bias_after"}
NUMERIC = ("x", "y", "loss", "loss_delta")
LAYER_NUMERIC = ("output", "delta", "weights", "grad_weights", "weights_after", "bias",
                 "grad_bias", "bias_after")


def leaves(value):
    if isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def numeric_leaves(obj: dict):
    for key in NUMERIC:
        yield from leaves(obj[key])
    for layer in obj["layers"]:
        for key in LAYER_NUMERIC:
            if key in layer:
                yield from leaves(layer[key])


@pytest.fixture(scope="module")
def exact_lines(nnstep, broccoli_path):
    return nnstep("run", broccoli_path, "--iterations", "3", "--format", "json")


@pytest.fixture(scope="module")
def float_lines(nnstep, broccoli_path):
    return nnstep("run", broccoli_path, "--iterations", "3", "--format", "json", "--float")


def test_broccoli_exact_numbers(exact_lines, json_lines):
    assert exact_lines.returncode == 0, exact_lines.stderr
    lines = json_lines(exact_lines.stdout)
    assert len(lines) == 3
    assert [line["iteration"] for line in lines] == [1, 2, 3]
    assert [line["epoch"] for line in lines] == [1, 1, 1]
    assert [line["samples"] for line in lines] == [[0], [1], [2]]
    outputs = [line["layers"][-1]["output"] for line in lines]
    assert outputs == [[["0"]], [["1"]], [["0"]]]
    assert [line["loss"] for line in lines] == ["0", "0", "1/2"]
    third = lines[2]
    assert third["x"] == [["0", "2000", "3000"]] and third["y"] == [["1"]]
    assert third["loss_delta"] == [["-1"]]
    names = [layer["name"] for layer in third["layers"]]
    assert names == ["L1", "L2", "L3"]
    l2, l3 = third["layers"][1], third["layers"][2]
    assert l3["kind"] == "relu" and l3["delta"] == [["-1"]]
    assert l2["kind"] == "linear"
    assert [Fraction(v) for v in l2["weights"][0]] == [
        Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800)]
    assert l2["grad_weights"] == [["0", "-2000", "-3000"]]
    assert l2["weights_after"] == [["1/200", "23199997/11600", "17400001/5800"]]
    after = [Fraction(v) for v in l2["weights_after"][0]]
    assert after == [Fraction(1, 200), 2000 - Fraction(3000, 11600000),
                     3000 + Fraction(1, 5800)]
    # the first two iterations leave the weights where they were
    for line in lines[:2]:
        assert line["layers"][1]["weights_after"] == line["layers"][1]["weights"]


def test_broccoli_exact_json_keys_and_types(exact_lines, json_lines):
    for line in json_lines(exact_lines.stdout):
        assert TOP_KEYS <= set(line)
        assert isinstance(line["iteration"], int) and isinstance(line["epoch"], int)
        assert all(isinstance(s, int) for s in line["samples"])
        for layer in line["layers"]:
            assert LAYER_KEYS <= set(layer)
            assert (LINEAR_KEYS <= set(layer)) == (layer["kind"] == "linear")
            assert not BIAS_KEYS & set(layer)  # broccoli's L2 has no bias
        values = list(numeric_leaves(line))
        assert values and all(isinstance(v, str) for v in values)
        assert all(Fraction(v) is not None for v in values)
        assert isinstance(line["signs"], list) and len(line["signs"]) == 3


def test_broccoli_float_blocked_by_rounding(float_lines, json_lines):
    assert float_lines.returncode == 0, float_lines.stderr
    lines = json_lines(float_lines.stdout)
    assert len(lines) == 3
    third = lines[2]
    l2, l3 = third["layers"][1], third["layers"][2]
    pre = l2["output"][0][0]
    assert isinstance(pre, float)
    assert pre < 0 and abs(pre) < 1e-15
    assert pre == pytest.approx(-7.4e-17, rel=0.01)
    assert third["loss"] == 0.5 and third["loss_delta"] == [[-1.0]]
    assert l3["delta"] == [[0.0]]
    assert all(v == 0 for v in leaves(l2["grad_weights"]))
    assert l2["weights_after"] == l2["weights"]
    found = {(d["kind"], d["layer"]) for d in third["diagnostics"]}
    assert ("rounding", "L3") in found and ("blocked", "L3") in found
    assert len(third["signs"]) == 3
    assert all("blocked" in row["situation"] for row in third["signs"])
    values = list(numeric_leaves(third))
    assert all(isinstance(v, float) for v in values)


def test_bias_keys(nnstep, data_dir, json_lines):
    done = nnstep("run", data_dir / "good_bias.toml", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [line["iteration"] for line in lines] == [1, 2]
    assert [line["epoch"] for line in lines] == [1, 2]
    first = lines[0]
    lin = first["layers"][1]
    assert (LAYER_KEYS | LINEAR_KEYS | BIAS_KEYS) <= set(lin)
    # the oracle: by hand, batch of 2, o = w·x + b, δ = o − y, δb = mean δ, b̂ = b − α·δb
    w, b, lr = [Fraction(1, 2), Fraction(-1, 4)], Fraction(1, 3), Fraction(1, 10)
    xs = [[Fraction(1), Fraction(-2)], [Fraction(3), Fraction(1, 2)]]
    ys = [Fraction(1), Fraction(-1)]
    o = [w[0] * x[0] + w[1] * x[1] + b for x in xs]
    d = [oi - yi for oi, yi in zip(o, ys)]
    assert lin["output"] == [[str(v)] for v in o]
    assert first["loss"] == str(sum(di * di for di in d) / 2 / 2)
    grad_b = sum(d) / 2
    grad_w = [sum(d[n] * xs[n][j] for n in range(2)) / 2 for j in range(2)]
    assert lin["bias"] == [str(b)]
    assert lin["grad_bias"] == [str(grad_b)]
    assert lin["bias_after"] == [str(b - lr * grad_b)]
    assert lin["grad_weights"] == [[str(g) for g in grad_w]]
    assert lin["weights_after"] == [[str(wi - lr * g) for wi, g in zip(w, grad_w)]]
    assert lines[1]["layers"][1]["bias"] == lin["bias_after"]


def test_float_run_numbers_are_json_numbers(nnstep, data_dir, json_lines):
    done = nnstep("run", data_dir / "good_bias.toml", "--format", "json", "--float")
    assert done.returncode == 0, done.stderr
    for line in json_lines(done.stdout):
        values = list(numeric_leaves(line))
        assert values and all(isinstance(v, float) for v in values)
        assert line["loss"] != 0


def test_non_finite_stops_the_run_with_valid_json_before(nnstep, data_dir, json_lines):
    """A learning rate of 1e200 overflows; the run stops there (exit 3, one message) and every
    line printed before is strict JSON (no bare NaN / Infinity)."""
    done = nnstep("run", data_dir / "huge_learning_rate.toml", "--format", "json")
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "huge_learning_rate.toml" in done.stderr
    lines = json_lines(done.stdout)  # strict: refuses NaN / Infinity literals
    assert 1 <= len(lines) < 8


def test_iterations_beyond_one_epoch_add_epochs(nnstep, broccoli_path, json_lines):
    done = nnstep("run", broccoli_path, "--iterations", "5", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [(line["epoch"], line["iteration"]) for line in lines] == [
        (1, 1), (1, 2), (1, 3), (2, 4), (2, 5)]
    # epoch 2 starts from the weights learnt on the third sample
    assert lines[3]["layers"][1]["weights"] == lines[2]["layers"][1]["weights_after"]
