"""`nnstep run` and `nnstep check` with a loss and an optimizer of PyTorch's: the JSON trace
carries the optimizer's state and the accuracy; a wrong setting or a float-only kind in exact
mode is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

SCENARIO = """title = "classes"

[data]
classes = ["a", "b"]
samples = [ { x = [1, 0.5], y = "a" }, { x = [-0.5, 2], y = 1 } ]

[training]
learning_rate = 0.1
batch_size = 2
epochs = 3

[loss]
kind = "softmax_cross_entropy"

[optimizer]
kind = "adamw"
weight_decay = 0.05

[[layers]]
kind = "input"
size = 2

[[layers]]
kind = "linear"
size = 2
weights = [[0.5, -0.25], [0.125, 1]]
"""


def test_json_trace_with_adamw(tmp_path: Path, nnstep, json_lines):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    done = nnstep("run", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [obj["iteration"] for obj in lines] == [1, 2, 3]
    for t, obj in enumerate(lines, start=1):
        state = obj["layers"][1]["optimizer_state"]
        assert state["step"] == t and set(state) == {"step", "m", "v"}
        assert set(state["m"]) == {"weights", "bias"}
        assert 0 <= obj["accuracy"] <= 1
        assert "optimizer_state" not in obj["layers"][0]
    assert lines[0]["y"] == [[1, 0], [0, 1]]


def test_bad_settings_exit_2_with_one_line(tmp_path: Path, nnstep):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.replace("weight_decay = 0.05", "weight_decay = 0.05\nbeta2 = 1"),
                    encoding="utf-8")
    done = nnstep("check", path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "line 18: optimizer.beta2: expected beta2 < 1" in done.stderr
    path.write_text(SCENARIO, encoding="utf-8")
    done = nnstep("run", path, "--exact", "--format", "none")
    assert done.returncode == 2 and "loss.kind: softmax_cross_entropy has no exact" in done.stderr
    done = nnstep("check", path)
    assert done.returncode == 0 and "softmax_cross_entropy loss, adamw (weight_decay 1/20)" \
        in done.stdout
