"""`nnstep run --save-weights` and weights files on the command line: saving after N iterations
and reopening gives the JSON ``weights_after`` of iteration N exactly; bad weight files exit 2
with one line naming the file and the key; the exit-3 message ends with a command that opens
the debugger there."""

from __future__ import annotations

import os
import shlex
from fractions import Fraction

import numpy as np
import pytest
import safetensors.numpy as stn
from weights_support import scenario, state_dict, whole, write


def test_save_after_n_iterations_then_reopen(tmp_path, nnstep, json_lines):
    write(tmp_path / "model.safetensors", state_dict())
    first = whole(tmp_path, "model.safetensors")
    done = nnstep("run", first, "--iterations", "5", "--format", "json",
                  "--save-weights", tmp_path / "after5.safetensors")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (f"nnstep: wrote the weights after iteration 5 to "
                                   f"{tmp_path / 'after5.safetensors'}")
    fifth = json_lines(done.stdout)[4]
    assert fifth["iteration"] == 5
    (tmp_path / "again").mkdir()
    second = scenario(tmp_path / "again", '[weights]\nfile = "../after5.safetensors"\n')
    reopened = nnstep("run", second, "--iterations", "1", "--format", "json")
    assert reopened.returncode == 0, reopened.stderr
    start = json_lines(reopened.stdout)[0]
    for before, after in zip(fifth["layers"], start["layers"]):
        if "weights" in before:
            assert after["weights"] == before["weights_after"]
            assert after["bias"] == before["bias_after"]


def test_exact_run_saves_float64_and_says_so(tmp_path, nnstep, json_lines):
    write(tmp_path / "model.npz", state_dict())
    path = whole(tmp_path, "model.npz", numbers="exact")
    out = tmp_path / "w.npz"
    done = nnstep("run", path, "--iterations", "2", "--format", "json", "--save-weights", out)
    assert done.returncode == 0, done.stderr
    assert "(exact fractions rounded to float64)" in done.stderr
    last = json_lines(done.stdout)[-1]["layers"][3]["weights_after"]
    saved = np.load(out, allow_pickle=False)["2.weight"]
    assert saved.tolist() == [[float(Fraction(v)) for v in row] for row in last]


def test_save_weights_refusals(tmp_path, nnstep, broccoli_path):
    existing = tmp_path / "w.safetensors"
    existing.write_bytes(b"keep me")
    done = nnstep("run", broccoli_path, "--save-weights", existing)
    assert done.returncode == 2 and "already exists (not overwritten)" in done.stderr
    assert existing.read_bytes() == b"keep me"
    done = nnstep("run", broccoli_path, "--save-weights", existing, "--overwrite",
                  "--format", "none")
    assert done.returncode == 0, done.stderr
    assert sorted(stn.load_file(str(existing))) == ["0.weight"]  # broccoli: no bias
    done = nnstep("run", broccoli_path, "--save-weights", tmp_path / "w.pt")
    assert done.returncode == 2 and "expected a .safetensors or .npz file name" in done.stderr
    done = nnstep("run", broccoli_path, "--save-weights", tmp_path / "no" / "w.npz")
    assert done.returncode == 2 and "does not exist" in done.stderr


@pytest.mark.parametrize("breakage, expected", [
    ("shape", "'0.weight' has shape [3, 4], expected [4, 3]"),
    ("key", "no key '2.bias'"),
    ("extra", "unexpected key 'extra'"),
    ("dtype", "'2.weight' holds int32 values (expected floating-point"),
    ("corrupt", "cannot read it as .safetensors"),
    ("fifo", "is not a regular file"),
])
def test_bad_weight_files_exit_2(tmp_path, nnstep, breakage, expected):
    tensors = state_dict()
    target = tmp_path / "model.safetensors"
    if breakage == "shape":
        tensors["0.weight"] = tensors["0.weight"].T.copy()
    elif breakage == "key":
        del tensors["2.bias"]
    elif breakage == "extra":
        tensors["extra"] = np.zeros(2)
    elif breakage == "dtype":
        tensors["2.weight"] = np.ones((2, 4), dtype=np.int32)
    if breakage == "corrupt":
        target.write_bytes(stn.save(tensors)[:50])
    elif breakage == "fifo":
        os.mkfifo(target)
    else:
        write(target, tensors)
    path = whole(tmp_path, "model.safetensors")
    for command in ("check", "run"):
        done = nnstep(command, path)
        assert done.returncode == 2
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"nnstep: {path}, line ")
        assert "weights.file: weights file '" in lines[0] and "model.safetensors'" in lines[0]
        assert expected in lines[0]


def test_exit_3_message_ends_with_the_command_that_opens_there(nnstep, repo_root):
    path = repo_root / "scenarios" / "broccoli.toml"
    done = nnstep("run", path, "--float", "--break", "loss rises", "--format", "none")
    assert done.returncode == 3
    line = done.stderr.strip()
    assert "stopped at operation 25 (loss rises)" in line
    command = line.split(" — open it: ")[1]
    assert shlex.split(command) == ["nnstep", str(path), "--float", "--break", "loss rises",
                                    "--goto", "3:loss"]


@pytest.mark.parametrize("goto, expected", [
    ("3:backwrd:L3", "unknown operation 'backwrd' (did you mean 'backward'?)"),
    ("3:backward:L9", "no layer 'L9'"),
    ("3:forward", "forward needs a layer"),
    ("-1", "expected an iteration number"),
    ("0:loss", "iteration 0 is the start of training"),
    ("3:loss:L2", "loss takes no layer"),
])
def test_bad_goto_exits_2(nnstep, broccoli_path, goto, expected):
    done = nnstep(broccoli_path, "--goto", goto)
    assert done.returncode == 2
    assert done.stderr.startswith(f"nnstep: --goto '{goto}'")
    assert expected in done.stderr


def test_bad_break_in_the_debugger_exits_2(nnstep, broccoli_path):
    done = nnstep(broccoli_path, "--break", "loss <", "--continue")
    assert done.returncode == 2 and done.stderr.startswith("nnstep: --break ")
