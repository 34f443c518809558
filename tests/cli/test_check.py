"""`nnstep check` on good scenarios (exit 0, one summary line) and CSV data files."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
from nnstep.engine import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GOOD = sorted((ROOT / "scenarios").glob("*.toml")) + [
    ROOT / "tests" / "data" / name for name in ("good_small.toml", "good_bias.toml",
                                                "csv_good.toml")]


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_check_good_scenario(nnstep, path):
    done = nnstep("check", path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    scenario = load_scenario(path)
    summary = lines[0]
    assert path.name in summary and "ok" in summary
    assert f"'{scenario.title}'" in summary
    n = len(scenario.samples)
    assert f"{n:,} sample{'s' * (n != 1)}," in summary
    assert f"{len(scenario.layers)} layers" in summary


def test_broccoli_summary(nnstep, broccoli_path):
    done = nnstep("check", broccoli_path)
    assert "3 layers (3-1), 3 weights, 3 samples" in done.stdout
    assert "exact" in done.stdout


def test_csv_data_loads(data_dir):
    scenario = load_scenario(data_dir / "csv_good.toml")
    # good.csv: header a,b,good,c — the target column by name, the features the rest in order
    assert scenario.features == ("a", "b", "c")
    assert scenario.targets == ("good",)
    assert [(s.x, s.y) for s in scenario.samples] == [
        ((1, 2, 3), (1,)),
        ((0, Fraction(1, 2), 0), (0,)),
        ((Fraction(-1, 4), Fraction(3, 10), 2), (1,)),
    ]


def test_csv_data_runs(nnstep, data_dir, json_lines):
    done = nnstep("run", data_dir / "csv_good.toml", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [line["x"] for line in lines] == [[["1", "2", "3"]], [["0", "1/2", "0"]],
                                             [["-1/4", "3/10", "2"]]]
    assert [line["y"] for line in lines] == [[["1"]], [["0"]], [["1"]]]


def test_sigmoid_scenario_runs_with_float_as_the_message_says(nnstep, data_dir, json_lines):
    done = nnstep("run", data_dir / "sigmoid_exact.toml", "--float", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    o2 = lines[0]["layers"][1]["output"][0][0]  # 1/2·1 − 1/4·2 + 1/8·3 = 3/8
    assert o2 == 0.375
    assert lines[0]["layers"][2]["output"][0][0] == pytest.approx(1 / (1 + math.exp(-0.375)))
