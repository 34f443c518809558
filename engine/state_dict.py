"""Weights by PyTorch ``nn.Sequential`` state_dict names, read from and written to files.

The k-th layer after the input (counted from 0, activations included) is module ``k`` of the
equivalent ``nn.Sequential``: Linear, ReLU, Linear → ``0.weight``, ``0.bias``, ``2.weight``,
``2.bias``. ``names = {L2 = "fc1"}`` gives a layer another prefix (``fc1.weight``). A weight is
[out, in] (rows = output neurons), as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .files import FileProblem
from .tensor_files import TensorFile, write_tensors

SHOWN_KEYS = 8  # longest list of key names a message prints


def prefixes(layers: Sequence[Any], names: Mapping[str, str] | None = None) -> tuple:
    """Per layer, the state_dict prefix of its weights ("0", "fc1", …), None for layers
    without weights. ``layers[0]`` is the input layer."""
    names = names or {}
    return tuple(names.get(spec.name, str(k - 1)) if spec.trainable else None
                 for k, spec in enumerate(layers))


def expected_keys(layers: Sequence[Any], keys: Sequence[str | None]) -> dict[str, tuple]:
    """{state_dict key: (layer index, "w" or "b")} of every weight and bias of the network."""
    out = {}
    for k, (spec, prefix) in enumerate(zip(layers, keys)):
        if prefix is None:
            continue
        out[f"{prefix}.weight"] = (k, "w")
        if spec.bias:
            out[f"{prefix}.bias"] = (k, "b")
    return out


def shape_of(layers: Sequence[Any], k: int, key: str) -> tuple[int, ...]:
    """The shape layer k's "w" ([out, in]) or "b" ([out]) must have."""
    n_in = layers[k - 1].size
    return (layers[k].size, n_in) if key == "w" else (layers[k].size,)


def describe_shape(layers: Sequence[Any], k: int, key: str) -> str:
    size, n_in = layers[k].size, layers[k - 1].size
    if key == "w":
        return f"[{size}, {n_in}] (layer {layers[k].name}: {size} outputs × {n_in} inputs)"
    return f"[{size}] (layer {layers[k].name}: one bias per output)"


def read_tensor(file: TensorFile, key: str, shape: tuple[int, ...], shape_text: str
                ) -> np.ndarray:
    """One tensor of ``file``, checked: present, floating-point, of ``shape``. float64,
    read-only."""
    if key not in file.shapes:
        raise file.problem(f"no key {key!r}{_close(key, file.names)} (expected {shape_text})")
    if file.shapes[key] != shape:
        got = "[" + ", ".join(str(n) for n in file.shapes[key]) + "]"
        raise file.problem(f"key {key!r} has shape {got}, expected {shape_text}")
    arr = file.load(key)
    if not np.isfinite(arr).all():
        raise file.problem(f"key {key!r} holds nan or inf (expected finite numbers)")
    arr.setflags(write=False)
    return arr


def read_network(file: TensorFile, layers: Sequence[Any], keys: Sequence[str | None]
                 ) -> list[dict]:
    """Every layer's {"w", "b"} from one state_dict file; every key of the file must be used.
    Raises FileProblem naming the file, the key and what was expected."""
    wanted = expected_keys(layers, keys)
    extra = [name for name in file.names if name not in wanted]
    if extra:
        raise file.problem(f"unexpected key {extra[0]!r}" + (f" and {len(extra) - 1} more"
                           if len(extra) > 1 else "") + f" (expected {_listed(wanted)})")
    params: list[dict] = [{} for _ in layers]
    for key, (k, which) in wanted.items():
        params[k][which] = read_tensor(file, key, shape_of(layers, k, which),
                                       describe_shape(layers, k, which))
    return params


def state_dict(params: Sequence[Mapping[str, np.ndarray]], layers: Sequence[Any],
               keys: Sequence[str | None]) -> dict[str, np.ndarray]:
    """The weights as a state_dict of float64 arrays (exact Fractions rounded to float64)."""
    return {key: np.array(params[k][which], dtype=np.float64)
            for key, (k, which) in expected_keys(layers, keys).items()}


def save_weights(path: str | Path, params: Sequence[Mapping[str, np.ndarray]],
                 layers: Sequence[Any], keys: Sequence[str | None]) -> None:
    """Write ``params`` to ``path`` (.safetensors or .npz by suffix), atomically."""
    write_tensors(path, state_dict(params, layers, keys))


def _listed(names: Mapping[str, Any] | Sequence[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:SHOWN_KEYS])
    return shown + (f" and {len(names) - SHOWN_KEYS} more" if len(names) > SHOWN_KEYS else "")


def _close(key: str, names: Sequence[str]) -> str:
    return f"; the file has {_listed([repr(n) for n in names])}" if names else "; it is empty"


__all__ = ["FileProblem", "TensorFile", "expected_keys", "prefixes", "read_network",
           "read_tensor", "save_weights", "state_dict"]
