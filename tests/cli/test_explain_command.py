"""`nnstep explain`: the articles' lines for broccoli, exit 0; every bad input exit 2 with one
clear line."""

from __future__ import annotations

import pytest


def test_the_articles_update_of_w2_12(nnstep, broccoli_path):
    done = nnstep("explain", broccoli_path, "--iteration", "3", "--weight", "w²[1,2]")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "w²[1,2] at the end of iteration 3 (epoch 1, sample 3), exact:",
        "δw²[1,2] = δ³[1] · o¹[2] = (−1) · 2000 = −2000",
        "ŵ²[1,2]  = w − α·δw = −3/11600 − 1 · (−2000) = 23199997/11600",
        "",
        "where δ³[1] came from:",
        "  δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1) · relu′(0) = (−1) · 1 = −1",
    ]


def test_ascii_names_neurons_and_styles(nnstep, broccoli_path):
    done = nnstep("explain", broccoli_path, "--iteration", "3", "--neuron", "L3 n1",
                  "--style", "decimal")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        "o³[1] = relu(o²[1]) = relu(0) = 0",
        "δ⁴[1] = ∂Loss/∂o³[1] = −1   (half_squared_error: δ = o − y, with o³[1] = 0 and y[1] = 1)",
        "δ³[1] = δ⁴[1] · relu′(o²[1]) = (−1) · relu′(0) = (−1) · 1 = −1",
    ]
    done = nnstep("explain", broccoli_path, "--iteration", "3", "--weight", "w2[1,3]")
    assert done.stdout.splitlines()[2] == (
        "ŵ²[1,3]  = w − α·δw = 1/5800 − 1 · (−3000) = 17400001/5800")


def test_non_finite_values_explain_too(nnstep, repo_root):
    done = nnstep("explain", repo_root / "scenarios" / "diverging.toml", "--iteration", "60",
                  "--weight", "w2[1,1]")
    assert done.returncode == 0, done.stderr
    assert "δw²[1,1] = δ³[1] · o¹[1] = nan · 3 = nan" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["--weight", "w9[1,1]"], "--weight 'w9[1,1]': there is no layer 9 (layers 1 … 3)"),
    (["--weight", "L3 n1"], "--weight 'L3 n1' is a neuron: use --neuron"),
    (["--neuron", "w2[1,1]"], "--neuron 'w²[1,1]' is a weight: use --weight"),
    (["--neuron", "L3 n7"], "L3 has 1 neuron (n1)"),
    (["--weight", "w2[1,1]", "--iteration", "0"], "--iteration: expected at least 1, got 0"),
    ([], "one of the arguments --weight --neuron is required"),
    (["--weight", "w2[1,1]", "--neuron", "L3 n1"], "not allowed with argument"),
])
def test_bad_input_exits_2_with_one_line(nnstep, broccoli_path, args, message):
    if "--iteration" not in args:
        args = ["--iteration", "3", *args]
    done = nnstep("explain", broccoli_path, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_an_unnamed_input_is_named_as_the_screen_shows_it(nnstep, repo_root):
    """mlp784's generated data names no feature: x784, as its panels show it, is explained."""
    done = nnstep("explain", repo_root / "scenarios" / "mlp784.toml", "--iteration", "1",
                  "--neuron", "x784")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("L1 n784 at the end of iteration 1")
