"""Weights from .safetensors and .npz files: a PyTorch nn.Sequential state_dict written with
safetensors.numpy and numpy (no torch) opens with every weight and bias bit-identical; exact
mode takes the floats exactly; export then import is bit-identical; bad files are refused with
the file, the key and what was expected."""

from __future__ import annotations

import os
import struct
from fractions import Fraction

import numpy as np
import pytest
import safetensors.numpy as stn
from nnstep.engine import ScenarioError, Session, load_scenario
from nnstep.engine.files import FileProblem
from nnstep.engine.state_dict import save_weights
from weights_support import scenario, state_dict, whole, write


def bits(arr) -> bytes:
    return np.asarray(arr, dtype=np.float64).tobytes()


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_state_dict_opens_bit_identical(tmp_path, suffix, dtype):
    tensors = state_dict(dtype)
    write(tmp_path / f"model{suffix}", tensors)
    params = Session(load_scenario(whole(tmp_path, f"model{suffix}"))).record.params
    for k, prefix in ((1, "0"), (3, "2")):
        assert params[k]["w"].dtype == np.float64
        assert bits(params[k]["w"]) == bits(tensors[f"{prefix}.weight"].astype(np.float64))
        assert bits(params[k]["b"]) == bits(tensors[f"{prefix}.bias"].astype(np.float64))


def test_exact_mode_takes_the_floats_exactly(tmp_path):
    tensors = state_dict()
    write(tmp_path / "model.safetensors", tensors)
    params = Session(load_scenario(whole(tmp_path, "model.safetensors", "exact"))).record.params
    w = params[1]["w"]
    assert w.dtype == object
    for got, want in zip(w.flat, tensors["0.weight"].flat):
        assert isinstance(got, Fraction)
        assert got == Fraction(struct.unpack("<d", struct.pack("<d", float(want)))[0])
        assert got.denominator & (got.denominator - 1) == 0  # a binary float, not a decimal


def test_per_layer_files_and_other_names(tmp_path):
    tensors = state_dict()
    renamed = {"fc1.weight": tensors["0.weight"], "fc1.bias": tensors["0.bias"],
               "head.weight": tensors["2.weight"], "head.bias": tensors["2.bias"]}
    write(tmp_path / "a.npz", renamed)
    write(tmp_path / "b.safetensors", renamed)
    path = scenario(
        tmp_path,
        first='weights = { file = "a.npz", key = "fc1.weight" }\n'
              'biases = { file = "a.npz", key = "fc1.bias" }',
        second='weights = { file = "b.safetensors", key = "head.weight" }\n'
               'biases = { file = "b.safetensors", key = "head.bias" }')
    params = load_scenario(path).params
    assert bits(params[1]["w"]) == bits(tensors["0.weight"])
    assert bits(params[3]["b"]) == bits(tensors["2.bias"])
    mapped = whole(tmp_path, "b.safetensors", names='names = { L2 = "fc1", L4 = "head" }')
    loaded = load_scenario(mapped)
    assert bits(loaded.params[3]["w"]) == bits(tensors["2.weight"])
    assert loaded.state_keys == (None, "fc1", None, "head")


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_export_then_import_is_bit_identical(tmp_path, suffix):
    """After training, save_weights writes PyTorch names that read back (by safetensors / numpy
    themselves, and by nnstep) to the very same bits."""
    write(tmp_path / "model.npz", state_dict())
    session = Session(load_scenario(whole(tmp_path, "model.npz")))
    rec = session.goto_iteration(2)
    out = tmp_path / f"out{suffix}"
    save_weights(out, rec.weights_after(), session.model.layers, session.scenario.state_keys)
    read = (dict(np.load(out, allow_pickle=False)) if suffix == ".npz"
            else stn.load_file(str(out)))
    assert sorted(read) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert all(a.dtype == np.float64 for a in read.values())
    after = rec.weights_after()
    assert bits(read["2.weight"]) == bits(after[3]["w"])
    again = Session(load_scenario(whole(tmp_path, out.name))).record.params
    for k in (1, 3):
        for key in ("w", "b"):
            assert bits(again[k][key]) == bits(after[k][key])


def problem(tmp_path, name: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(whole(tmp_path, name))
    return str(caught.value)


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.update({"0.weight": t["0.weight"].T.copy()}),
     ["'0.weight' has shape [3, 4]", "expected [4, 3]", "L2: 4 outputs × 3 inputs"]),
    (lambda t: t.update({"2.bias": np.zeros(3)}), ["'2.bias' has shape [3]", "expected [2]"]),
    (lambda t: t.pop("2.bias"), ["no key '2.bias'", "expected [2]", "the file has"]),
    (lambda t: t.update({"4.weight": np.zeros((1, 2))}), ["unexpected key '4.weight'",
                                                          "expected 0.weight, 0.bias"]),
    (lambda t: t.update({"0.weight": np.zeros((4, 3), dtype=np.int64)}),
     ["'0.weight' holds int64 values", "expected floating-point"]),
    (lambda t: t.update({"0.bias": np.array([1.0, np.nan, 0, 0])}), ["'0.bias' holds nan"]),
])
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_bad_state_dicts(tmp_path, change, expected, suffix):
    tensors = state_dict()
    change(tensors)
    write(tmp_path / f"model{suffix}", tensors)
    message = problem(tmp_path, f"model{suffix}")
    assert "net.toml" in message and "weights.file" in message
    assert f"model{suffix}" in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize("content", [b"", b"not a file of tensors at all" * 10,
                                     b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1}        "])
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_corrupt_files(tmp_path, content, suffix):
    (tmp_path / f"model{suffix}").write_bytes(content)
    message = problem(tmp_path, f"model{suffix}")
    assert f"model{suffix}': cannot read it as {suffix}" in message


def test_truncated_safetensors(tmp_path):
    data = stn.save(state_dict())
    (tmp_path / "model.safetensors").write_bytes(data[:-40])
    assert "cannot read it as .safetensors" in problem(tmp_path, "model.safetensors")


def test_pickled_npz_is_refused(tmp_path):
    np.savez(tmp_path / "model.npz", **state_dict(), extra=np.array([{"a": 1}], dtype=object))
    message = problem(tmp_path, "model.npz")
    assert "unexpected key 'extra'" in message


def test_pickled_array_in_the_right_place_is_refused(tmp_path):
    tensors = state_dict()
    tensors["0.bias"] = np.array([1.0, 2.0, 3.0, {"x": 1}], dtype=object)
    np.savez(tmp_path / "model.npz", **tensors)
    assert "'0.bias' holds object (pickled) values" in problem(tmp_path, "model.npz")


def test_not_regular_files(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    assert "is not a regular file" in problem(tmp_path, "model.npz")  # and does not hang
    (tmp_path / "dir.safetensors").mkdir()
    assert "is a directory" in problem(tmp_path, "dir.safetensors")
    assert "does not exist" in problem(tmp_path, "missing.safetensors")
    (tmp_path / "model.pt").write_bytes(b"x")
    assert "expected a .safetensors or .npz file name" in problem(tmp_path, "model.pt")


def test_weights_table_conflicts(tmp_path):
    write(tmp_path / "model.npz", state_dict())
    path = scenario(tmp_path, '[weights]\nfile = "model.npz"\n', first='init = "xavier"')
    with pytest.raises(ScenarioError, match=r"layers\[1\]\.init: the weights come from"):
        load_scenario(path)
    path = whole(tmp_path, "model.npz", names='names = { L3 = "x" }')
    with pytest.raises(ScenarioError, match="layer L3 is a relu layer: it has no weights"):
        load_scenario(path)
    path = scenario(tmp_path, first='weights = { file = "model.npz" }')
    with pytest.raises(ScenarioError, match=r"layers\[1\]\.weights: expected \{ file"):
        load_scenario(path)


def test_writing_refuses_unknown_suffix_and_leaves_no_temp(tmp_path):
    write(tmp_path / "model.npz", state_dict())
    session = Session(load_scenario(whole(tmp_path, "model.npz")))
    with pytest.raises(FileProblem, match="expected a .safetensors or .npz"):
        save_weights(tmp_path / "out.pt", session.record.params, session.model.layers,
                     session.scenario.state_keys)
    save_weights(tmp_path / "out.npz", session.record.params, session.model.layers,
                 session.scenario.state_keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz", "net.toml", "out.npz"]


@pytest.mark.parametrize("names, says", [
    # a prefix another layer reads by default: both layers read one tensor, and S wrote one
    ('names = { L2 = "2" }', r"weights\.names: layers L2 and L4 would both read 2\.weight"),
    ('names = { L4 = "0" }', r"weights\.names: layers L2 and L4 would both read 0\.weight"),
    ('names = { L2 = "fc", L4 = "fc" }', "layers L2 and L4 would both read fc.weight"),
    ('names = { L2 = "" }', r"weights\.names\.L2: expected a state_dict prefix"),
    ('names = { L9 = "x" }', r"weights\.names\.L9: 'L9' is not a layer of this scenario"),
])
def test_names_that_cannot_be_read_apart_are_refused(tmp_path, names, says):
    write(tmp_path / "model.npz", state_dict())
    with pytest.raises(ScenarioError, match=says):
        load_scenario(whole(tmp_path, "model.npz", names=names))


def test_a_big_endian_npz_reads_as_its_values(tmp_path):
    """numpy writes an array in its own byte order: >f8 is float64 (it was refused as a
    dtype that is not float64)."""
    tensors = {k: v.astype(">f8") for k, v in state_dict().items()}
    np.savez(tmp_path / "model.npz", **tensors)
    scenario = load_scenario(whole(tmp_path, "model.npz"))
    assert np.array_equal(scenario.params[1]["w"], state_dict()["0.weight"])
