"""Initial weights of the linear layers: explicit values, a seeded ``uniform`` / ``xavier`` draw,
or tensors from .safetensors / .npz files (per layer, or a whole state_dict: see state_dict.py)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .draws import drawn, uniform
from .errors import cut, shown, suggest
from .layers import LayerSpec
from .numbers import EXACT, NumberError, parse_number
from .state_dict import (
    FileProblem,
    TensorFile,
    describe_shape,
    prefixes,
    read_network,
    read_tensor,
    shape_of,
)

INITS = ("uniform", "xavier")
NETWORK_KEYS = ("file", "names")  # [weights]
TENSOR_KEYS = ("file", "key")  # weights = { file = …, key = … } in a layer
EXACT_DECIMALS = 4  # a random draw in exact mode is rounded to this many decimals


class WeightFiles:
    """Opens the weights files a scenario names (relative to its folder), each file once."""

    def __init__(self, folder: Path, fail) -> None:
        self.folder, self.fail, self.opened = folder, fail, {}

    def open(self, name: Any, where: tuple) -> TensorFile:
        if not isinstance(name, str) or not name:
            raise self.fail("expected the path of a .safetensors or .npz file, relative to the "
                            "scenario", where)
        path = self.folder / name
        if path not in self.opened:
            try:
                self.opened[path] = TensorFile(path)
            except FileProblem as err:
                raise self.fail(str(err), where) from None
        return self.opened[path]

    def tensor(self, raw: Any, shape: tuple, shape_text: str, where: tuple):
        """``{ file = "…", key = "…" }`` -> that tensor, float64 of ``shape``."""
        if not isinstance(raw, dict) or set(raw) != set(TENSOR_KEYS):
            raise self.fail("expected { file = \"model.safetensors\", key = \"fc1.weight\" }",
                            where)
        file = self.open(raw["file"], where + ("file",))
        if not isinstance(raw["key"], str):
            raise self.fail(f"expected the name of a tensor, got {shown(raw['key'])}",
                            where + ("key",))
        try:
            return read_tensor(file, raw["key"], shape, shape_text)
        except FileProblem as err:
            raise self.fail(str(err), where + ("key",)) from None


def network_params(raw: Any, specs: list[LayerSpec], layers_raw: list, files: WeightFiles,
                   fail) -> tuple[list[dict], tuple]:
    """``[weights] file = "…", names = {L2 = "fc1"}``: every linear layer's weights from one
    state_dict file. Returns (params per layer, state_dict prefix per layer)."""
    where = ("weights",)
    if not isinstance(raw, dict) or "file" not in raw or set(raw) - set(NETWORK_KEYS):
        raise fail("expected file = \"model.safetensors\" (or .npz) and optionally names = "
                   "{ L2 = \"fc1\", … }", where)
    names = raw.get("names", {})
    layer_names = [spec.name for spec in specs]
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise fail("expected a table of layer names and state_dict prefixes, "
                   "e.g. { L2 = \"fc1\" }", where + ("names",))
    for name, prefix in names.items():
        k = layer_names.index(name) if name in layer_names else None
        if k is not None and not specs[k].trainable:
            raise fail(f"layer {name} is a {specs[k].kind} layer: it has no weights to read",
                       where + ("names", name))
        if k is None:
            raise fail(f"'{shown(name)}' is not a layer of this scenario"
                       f"{suggest(name, layer_names)}", where + ("names", name))
        if not prefix.strip():
            raise fail("expected a state_dict prefix such as \"fc1\" (the text before "
                       ".weight), got an empty one", where + ("names", name))
    keys = prefixes(specs, names)
    owner: dict[str, str] = {}
    for spec, prefix in zip(specs, keys):
        if prefix is not None and prefix in owner:  # both would read (and S write) one tensor
            raise fail(f"layers {owner[prefix]} and {spec.name} would both read "
                       f"{shown(prefix)}.weight: give each its own prefix", where + ("names",))
        owner[prefix] = spec.name
    for k, layer in enumerate(layers_raw):
        for key in ("weights", "biases", "init"):
            if isinstance(layer, dict) and key in layer:
                raise fail(f"the weights come from [weights] file; remove '{key}' here",
                           ("layers", k, key))
    file = files.open(raw["file"], where + ("file",))
    try:
        return read_network(file, specs, keys), keys
    except FileProblem as err:
        raise fail(str(err), where + ("file",)) from None


def initial_params(spec: LayerSpec, n_in: int, raw: dict, numbers: str, default_seed: int,
                   where: tuple, fail, files: WeightFiles, specs: list[LayerSpec]) -> dict:
    """{"w": ((Fraction, ...), ...) [size][n_in], "b": (Fraction, ...) [size] when biased}.
    Weights drawn by ``init`` in float64 mode, and tensors read from files, are float64 arrays
    instead (exact sessions convert their floats exactly). ``specs`` are the layers so far,
    this one last."""
    k = len(specs) - 1
    if "weights" in raw and "init" in raw:
        raise fail("give either weights or init, not both", where + ("init",))
    if isinstance(raw.get("weights"), dict):
        w = files.tensor(raw["weights"], shape_of(specs, k, "w"), describe_shape(specs, k, "w"),
                         where + ("weights",))
    elif "weights" in raw:
        w = _matrix(raw["weights"], spec.size, n_in, where + ("weights",), fail, numbers)
    elif "init" in raw:
        init = raw["init"]
        if init not in INITS:
            raise fail(f"'{shown(init)}' is not valid{suggest(str(init), INITS)}; expected one of "
                       f"{', '.join(INITS)}", where + ("init",))
        seed = raw.get("seed", default_seed)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise fail(f"expected a whole number ≥ 0, got {shown(seed)}", where + ("seed",))
        w = _draw(init, spec.size, n_in, seed, numbers)
    else:
        raise fail(f"a linear layer needs weights = [[...]] ({spec.size} rows of {n_in}) or "
                   "init = \"uniform\" / \"xavier\"", where)
    params: dict[str, Any] = {"w": w}
    if "biases" in raw and not spec.bias:
        raise fail("biases given but bias = false", where + ("biases",))
    if spec.bias and isinstance(raw.get("biases"), dict):
        params["b"] = files.tensor(raw["biases"], shape_of(specs, k, "b"),
                                   describe_shape(specs, k, "b"), where + ("biases",))
    elif spec.bias:
        b = raw.get("biases", [0] * spec.size)
        if not isinstance(b, list) or len(b) != spec.size:
            raise fail(f"expected {spec.size} biases (one per output neuron), got {shown(b)}",
                       where + ("biases",))
        params["b"] = tuple(_num(v, where + ("biases", j), fail, numbers)
                            for j, v in enumerate(b))
    return params


def _num(value: Any, where: tuple, fail, numbers: str) -> Fraction:
    try:
        return parse_number(value, numbers)
    except NumberError as err:
        raise fail(str(err), where) from None


def _matrix(raw: Any, rows: int, cols: int, where: tuple, fail, numbers: str) -> tuple:
    if (not isinstance(raw, list) or len(raw) != rows
            or not all(isinstance(r, list) and len(r) == cols for r in raw)):
        got = (f"{len(raw)} rows" if isinstance(raw, list) else shown(raw))
        raise fail(f"expected {rows} row(s) of {cols} weights (rows = output neurons, columns = "
                   f"inputs), got {got}" + _row_lengths(raw), where)
    return tuple(tuple(_num(v, where + (i, j), fail, numbers) for j, v in enumerate(r))
                 for i, r in enumerate(raw))


def _row_lengths(raw: Any) -> str:
    if isinstance(raw, list) and all(isinstance(r, list) for r in raw):
        return " of " + cut("/".join(str(len(r)) for r in raw), 60) + " values"
    return ""


def _draw(init: str, rows: int, cols: int, seed: int, numbers: str) -> tuple:
    bound = (1.0 / np.sqrt(cols)) if init == "uniform" else np.sqrt(6.0 / (cols + rows))
    w, = drawn(uniform, seed, float(bound), rows, cols)
    if numbers == EXACT:
        return tuple(tuple(Fraction(f"{v:.{EXACT_DECIMALS}f}") for v in r) for r in w)
    return w  # float64 draws stay a float array: 100k Fractions would cost ~0.1 s to start
