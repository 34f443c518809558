"""The JSON trace that scales: today's output of small networks kept to the byte (golden files
written by the trace before --fields existed), --fields choosing what a line carries, large
layers summarised unless --full (the summary checked against the full arrays), strict JSON.

A float network's last digits depend on the machine's BLAS kernel: one with fused multiply-adds
(FMA) rounds a product and a sum once where another rounds twice (tests/tui/fma_snapshot.py).
Where that changes a case's output, its golden file for FMA kernels is NAME.fma.jsonl, and
each machine compares against its own kernel's.

A deliberate change of what the default trace prints (a new finding, a reworded message) means
writing the golden files again — `nnstep run ARGS --format json > tests/cli/golden/NAME.jsonl`
for each case below, on a machine of each kernel (NAME.fma.jsonl where this one has FMA) — and
saying in the commit what changed and why."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")
CASES = {  # golden file: the command's arguments after `nnstep run`
    "broccoli": ["scenarios/broccoli.toml", "--iterations", "3"],
    "broccoli_float": ["scenarios/broccoli.toml", "--iterations", "3", "--float"],
    "dead_relu": ["scenarios/dead_relu.toml", "--iterations", "3"],
    "diverging": ["scenarios/diverging.toml", "--iterations", "45", "--keep-going"],
    "sign_flip": ["scenarios/sign_flip.toml"],
    "saturated_sigmoid": ["scenarios/saturated_sigmoid.toml", "--iterations", "3"],
    "iris": ["scenarios/iris.toml", "--iterations", "2"],
    # exact, so the same digits on every machine: a summarised layer, more than ten sign
    # flips in one array (the largest named), 49 sign rows (written by the trace of 11cdf98)
    "wide_exact": ["tests/data/wide_exact.toml", "--iterations", "2"],
}


@cache
def blas_kernel() -> str:
    """"fma" where this machine's BLAS computes broccoli's sample 3 L3 input (an exact 0) with
    a fused multiply-add (−7.4e−17), "no_fma" where it rounds twice (−1.1e−16)."""
    session = Session(load_scenario(ROOT / "scenarios" / "broccoli.toml", numbers="float64"))
    pre = session.goto(3 * session.schedule.ops_per_iteration).outputs[1][0, 0]
    return "fma" if pre == -7.41594285980085e-17 else "no_fma"


def golden(name: str) -> Path:
    """The golden file of case ``name`` for this machine's BLAS kernel."""
    fma = GOLDEN / f"{name}.fma.jsonl"
    return fma if blas_kernel() == "fma" and fma.exists() else GOLDEN / f"{name}.jsonl"


@pytest.mark.parametrize("name", sorted(CASES))
def test_small_networks_print_what_they_printed_before(nnstep, json_lines, name):
    result = nnstep("run", *CASES[name], "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == golden(name).read_text(encoding="utf-8")
    json_lines(result.stdout)  # strict: non-finite floats are strings


def test_the_golden_files_of_the_two_kernels_differ_only_in_last_digits(json_lines):
    """An FMA kernel's golden file holds the same lines, fields and findings as the other's,
    its numbers within a few units in the last place (tiny values noted as probably 0)."""
    for fma in sorted(GOLDEN.glob("*.fma.jsonl")):
        plain = GOLDEN / fma.name.replace(".fma.jsonl", ".jsonl")
        near(json_lines(fma.read_text(encoding="utf-8")),
             json_lines(plain.read_text(encoding="utf-8")), fma.name)


def near(a, b, where: str) -> None:
    """``a`` and ``b`` alike: the same structure, strings equal but for their numbers, floats
    within 1e-13 relatively or both below 1e-15 in size."""
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            near(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for n, (x, y) in enumerate(zip(a, b)):
            near(x, y, f"{where}[{n}]")
    elif isinstance(a, float):
        assert abs(a - b) <= 1e-13 * max(abs(a), abs(b)) or max(abs(a), abs(b)) < 1e-15, where
    elif isinstance(a, str):
        assert NUMBER.sub("#", a) == NUMBER.sub("#", b), where
    else:
        assert a == b, where


def test_fields_choose_what_each_line_carries(nnstep, json_lines):
    full = json_lines(golden("broccoli_float").read_text(encoding="utf-8"))
    result = nnstep("run", *CASES["broccoli_float"], "--format", "json",
                    "--fields", "layers.L2.grad_weights, loss,iteration,layers.L3")
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert len(lines) == 3
    for line, whole in zip(lines, full):
        assert list(line) == ["iteration", "loss", "layers"]  # in the trace's own order
        assert line["loss"] == whole["loss"] and line["iteration"] == whole["iteration"]
        l2 = {"name": "L2", "grad_weights": whole["layers"][1]["grad_weights"]}
        assert line["layers"] == [l2, whole["layers"][2]]


@pytest.mark.parametrize("fields,named", [("loss,acuracy", "acuracy"),
                                          ("layers.L9.output", "layers.L9.output"),
                                          ("layers.L2.weight", "layers.L2.weight"), ("", "")])
def test_an_unknown_field_lists_the_valid_ones(nnstep, fields, named):
    result = nnstep("run", "scenarios/broccoli.toml", "--format", "json", "--fields", fields)
    assert result.returncode == 2 and result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message and f"no field '{named}'" in message
    assert "loss_change" in message and "grad_weights" in message and "L1, L2, L3" in message


def test_fields_need_the_json_format(nnstep):
    result = nnstep("run", "scenarios/broccoli.toml", "--fields", "loss")
    assert result.returncode == 2 and "--format json" in result.stderr


def test_large_layers_are_summarised_unless_full(nnstep, json_lines):
    args = ["run", "scenarios/mlp784.toml", "--iterations", "2", "--format", "json"]
    short = json_lines(nnstep(*args).stdout)
    whole = json_lines(nnstep(*args, "--full", "--fields", "layers,signs").stdout)
    named = json_lines(nnstep(*args, "--fields", "layers.L2.weights_after").stdout)
    for line, full, one in zip(short, whole, named):
        layers = {entry["name"]: entry for entry in line["layers"]}
        assert set(layers["L2"]) == {"name", "kind", "summary"}  # 128×784 weights
        assert set(layers["L4"]) == {"name", "kind", "summary"}  # 10×128
        assert "output" in layers["L3"]  # 128 values: printed whole
        assert line["signs"] == []  # no sign rows for summarised layers
        l2 = {entry["name"]: entry for entry in full["layers"]}["L2"]
        w, dw = np.array(l2["weights"]), np.array(l2["grad_weights"])
        o, delta = np.array(l2["output"]), np.array(l2["delta"])
        summary = layers["L2"]["summary"]
        assert summary["size"] == 128 and w.shape == (128, 784)
        assert summary["w_min"] == w.min() and summary["w_max"] == w.max()
        assert summary["o_min"] == o.min() and summary["o_max"] == o.max()
        assert summary["mean_abs_dw"] == pytest.approx(np.abs(dw).mean(), rel=1e-12)
        assert summary["mean_abs_delta"] == pytest.approx(np.abs(delta).mean(), rel=1e-12)
        assert len(full["signs"]) == 128 * 785 + 10 * 129  # every weight and bias, whole
        assert one["layers"] == [{"name": "L2", "weights_after": l2["weights_after"]}]
