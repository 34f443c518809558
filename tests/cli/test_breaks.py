"""`nnstep run --break …` and friends as a subprocess: exit codes, the one-line stop message, the
JSON printed before the stop, --keep-going, issue 4's diagnostics and loss_change, and the
exact → float64 switch (--continue-in-float, --max-fraction-bits)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario(name: str) -> Path:
    return SCENARIOS / name


def stop_line(done) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("name, condition, index, opi, extra", [
    ("sign_flip.toml", "sign L2[0,0]", 16, 8, ()),
    ("sign_flip.toml", "L2[0,0] crosses 0", 16, 8, ()),
    ("sign_flip.toml", "loss < 1/10", 36, 8, ()),
    ("broccoli.toml", "overshoot", 30, 10, ()),
    ("broccoli.toml", "loss rises", 25, 10, ()),
    ("broccoli.toml", "blocked", 27, 10, ("--float",)),
    ("broccoli.toml", "rounding", 3, 10, ("--float",)),
    ("dead_relu.toml", "stuck 3", 36, 12, ()),
    ("saturated_sigmoid.toml", "saturated", 7, 10, ()),
])
def test_break_stops_at_the_operation(nnstep, json_lines, name, condition, index, opi, extra):
    """The stop: exit 3, one stderr line naming the file, the operation and the condition; the
    JSON before it holds exactly the iterations finished before the stop's iteration."""
    done = nnstep("run", scenario(name), "--break", condition, "--format", "json", *extra)
    assert done.returncode == 3, done.stderr
    line = stop_line(done)
    assert line.startswith(f"nnstep: {scenario(name)}: stopped at operation {index} "
                           f"({condition}): ")
    iteration = (index - 1) // opi + 1
    assert f"iteration {iteration}" in line
    lines = json_lines(done.stdout)
    assert [obj["iteration"] for obj in lines] == list(range(1, iteration))


def test_first_of_several_breaks(nnstep, json_lines):
    for order in (("loss < 1/10", "sign L2[0,0]"), ("sign L2[0,0]", "loss < 1/10")):
        args = [a for c in order for a in ("--break", c)]
        done = nnstep("run", scenario("sign_flip.toml"), *args, "--format", "json")
        assert done.returncode == 3
        assert "stopped at operation 16 (sign L2[0,0])" in stop_line(done)
        assert len(json_lines(done.stdout)) == 1


def test_break_never_hit_runs_to_the_end(nnstep, json_lines):
    done = nnstep("run", scenario("sign_flip.toml"), "--break", "loss > 100", "--format", "json")
    assert done.returncode == 0 and done.stderr == ""
    assert [obj["iteration"] for obj in json_lines(done.stdout)] == list(range(1, 7))


def test_break_in_table_format(nnstep):
    done = nnstep("run", scenario("sign_flip.toml"), "--break", "sign")
    assert done.returncode == 3
    assert done.stdout.startswith("iteration 1 ") and "iteration 2 " not in done.stdout


@pytest.mark.parametrize("condition, expected", [
    ("sgn L2[0,0]", "did you mean 'sign'"),
    ("loss < abc", "'loss < abc'"),
    ("L9[0,0] > 0", "no layer named 'L9'"),
    ("sign L2[0]", "two indices"),
    ("stuck 0", "≥ 1"),
])
def test_malformed_break(nnstep, condition, expected):
    done = nnstep("run", scenario("sign_flip.toml"), "--break", "loss rises", "--break", condition)
    assert done.returncode == 2
    line = stop_line(done)
    assert line.startswith("nnstep: --break ") and expected in line
    assert done.stdout == ""


# ---- non-finite values
def first_overflow_iteration() -> int:
    """diverging.toml by hand: o = 3w, loss = ½(o − 1)², ŵ = w − 10⁶·3(o − 1), w₀ = ½."""
    w = np.float64(0.5)
    with np.errstate(all="ignore"):
        for t in range(1, 101):
            o = 3.0 * w
            if not np.isfinite((o - 1.0) * (o - 1.0) * 0.5):
                return t
            w = w - 1e6 * (o - 1.0) * 3.0
    raise AssertionError("no overflow")


def test_nonfinite_stops_by_default(nnstep, json_lines):
    t = first_overflow_iteration()
    done = nnstep("run", scenario("diverging.toml"), "--format", "json")
    assert done.returncode == 3
    line = stop_line(done)
    index = (t - 1) * 8 + 4  # pick, forward L1, forward L2, loss
    assert f"stopped at operation {index} (nonfinite)" in line and "inf" in line
    lines = json_lines(done.stdout)
    assert [obj["iteration"] for obj in lines] == list(range(1, t))
    assert all(isinstance(obj["loss"], float) for obj in lines)  # all finite before


def test_keep_going_prints_nan_and_inf_as_strings(nnstep, json_lines):
    t = first_overflow_iteration()
    done = nnstep("run", scenario("diverging.toml"), "--keep-going", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)  # strict: a bare NaN / Infinity would raise
    assert [obj["iteration"] for obj in lines] == list(range(1, 101))
    assert lines[t - 1]["loss"] == "inf" and isinstance(lines[t - 2]["loss"], float)
    weights = [obj["layers"][1]["weights_after"][0][0] for obj in lines]
    assert "nan" in weights and ("inf" in weights or "-inf" in weights)
    assert weights[-1] == "nan"  # once NaN, always NaN


def test_keep_going_still_honours_breaks(nnstep):
    done = nnstep("run", scenario("diverging.toml"), "--keep-going", "--break", "loss rises",
                  "--format", "none")
    assert done.returncode == 3 and "stopped at operation 12 (loss rises)" in stop_line(done)


# ---- issue 4's acceptance
def test_issue_4_float_broccoli_diagnostics(nnstep, json_lines):
    done = nnstep("run", scenario("broccoli.toml"), "--float", "--iterations", "3", "--format",
                  "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert len(lines) == 3
    for obj in lines:
        change = obj["loss_change"]
        assert set(change) == {"predicted", "actual"}
        assert change == {"predicted": 0.0, "actual": 0.0}  # float64 learns nothing
    third = {d["kind"]: d for d in lines[2]["diagnostics"]}
    assert set(third) == {"rounding", "blocked", "dying"}
    dying = third.pop("dying")  # L3's one unit passes nothing for the batch (of one sample)
    assert (dying["layer"], dying["neuron"], dying["sample"], dying["value"]) == ("L3", -1, -1, 1)
    for d in third.values():
        assert (d["layer"], d["neuron"], d["sample"]) == ("L3", 0, 2)
        assert -1e-15 < d["value"] < 0  # ≈ −7.4e−17 where exact arithmetic says 0
    assert lines[2]["layers"][1]["output"][0][0] == third["blocked"]["value"]


def test_issue_4_exact_broccoli_loss_change(nnstep, json_lines):
    done = nnstep("run", scenario("broccoli.toml"), "--iterations", "3", "--format", "json")
    lines = json_lines(done.stdout)
    assert [obj["loss_change"] for obj in lines] == [
        {"predicted": "0", "actual": "0"}, {"predicted": "0", "actual": "0"},
        # −(2000² + 3000²); ½·(13·10⁶ − 1)² − ½
        {"predicted": "-13000000", "actual": "84499987000000"}]
    kinds = [[d["kind"] for d in obj["diagnostics"]] for obj in lines]
    # the third update: ‖Δw‖/‖w‖ ≈ 3606/0.005 (update_ratio), w²[1,2] flips, the loss rises
    assert kinds == [[], [], ["update_ratio", "sign", "overshoot"]]


# ---- exact → float64
def runaway_iteration(stderr: str) -> int:
    found = re.search(r"at iteration (\d+)", stderr)
    assert found, stderr
    return int(found.group(1))


def test_runaway_fractions_stop_with_exit_4(nnstep, json_lines):
    done = nnstep("run", scenario("dead_relu.toml"), "--exact", "--format", "json")
    assert done.returncode == 4
    t = runaway_iteration(stop_line(done))
    assert "--continue-in-float" in done.stderr and "limit of 12000" in done.stderr
    lines = json_lines(done.stdout)
    assert [obj["iteration"] for obj in lines] == list(range(1, t))
    assert {obj["numbers"] for obj in lines} == {"exact"}


def test_continue_in_float_switches_where_the_message_says(nnstep, json_lines):
    done = nnstep("run", scenario("dead_relu.toml"), "--exact", "--continue-in-float",
                  "--format", "json")
    assert done.returncode == 0, done.stderr
    t = runaway_iteration(stop_line(done))
    assert "Continuing in float64" in done.stderr
    lines = json_lines(done.stdout)
    assert [obj["iteration"] for obj in lines] == list(range(1, 10))
    assert [obj["numbers"] for obj in lines] == ["exact"] * (t - 1) + ["float64"] * (10 - t)
    assert 1 < t < 10  # guard: both modes appear
    # the float iterations carry on from the exact weights (converted), not from the start
    exact_w = [float(eval(v)) for v in lines[t - 2]["layers"][1]["weights_after"][0]]  # noqa: S307
    assert lines[t - 1]["layers"][1]["weights"][0] == pytest.approx(exact_w, rel=1e-15)


def test_max_fraction_bits_raises_the_limit(nnstep, json_lines):
    default = nnstep("run", scenario("dead_relu.toml"), "--exact", "--format", "json")
    raised = nnstep("run", scenario("dead_relu.toml"), "--exact", "--max-fraction-bits", "30000",
                    "--format", "json")
    assert raised.returncode == 4 and "limit of 30000" in raised.stderr
    assert runaway_iteration(raised.stderr) > runaway_iteration(default.stderr)
    assert len(json_lines(raised.stdout)) > len(json_lines(default.stdout))


def test_max_fraction_bits_past_python_digit_limit(nnstep, json_lines):
    """A limit large enough for the whole run: every iteration exact, exit 0 — even though
    the fractions grow past Python's 4,300-digit int-to-text limit on the way."""
    done = nnstep("run", scenario("dead_relu.toml"), "--exact", "--max-fraction-bits", "100000",
                  "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr[-600:]
    assert done.returncode == 0, done.stderr[-600:]
    lines = json_lines(done.stdout)
    assert [obj["numbers"] for obj in lines] == ["exact"] * 9


def test_max_fraction_bits_must_be_positive(nnstep):
    done = nnstep("run", scenario("dead_relu.toml"), "--max-fraction-bits", "0")
    assert done.returncode == 2 and "at least 1" in done.stderr
