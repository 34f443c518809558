"""A small network whose weights come from files, for the weights tests (engine and CLI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import safetensors.numpy as stn

LAYERS = """
[[layers]]
name = "L1"
kind = "input"
size = 3

[[layers]]
name = "L2"
kind = "linear"
size = 4
{first}

[[layers]]
name = "L3"
kind = "relu"

[[layers]]
name = "L4"
kind = "linear"
size = 2
{second}
"""
HEAD = """title = "from a file"
numbers = "{numbers}"
{network}
[data]
samples = [{{ x = [1, -2, 3], y = [0, 1] }}, {{ x = [0.5, 0, -1], y = [1, 0] }}]

[training]
learning_rate = "1/10"
"""


def state_dict(dtype=np.float64, seed: int = 3) -> dict[str, np.ndarray]:
    """What ``nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)).state_dict()`` holds."""
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(size=(4, 3)).astype(dtype),
            "0.bias": rng.normal(size=4).astype(dtype),
            "2.weight": rng.normal(size=(2, 4)).astype(dtype),
            "2.bias": rng.normal(size=2).astype(dtype)}


def write(path: Path, tensors: dict[str, np.ndarray]) -> Path:
    if path.suffix == ".npz":
        np.savez(path, **tensors)
    else:
        stn.save_file(tensors, str(path))
    return path


def scenario(folder: Path, network: str = "", first: str = "", second: str = "",
             numbers: str = "float64") -> Path:
    path = folder / "net.toml"
    path.write_text(HEAD.format(numbers=numbers, network=network)
                    + LAYERS.format(first=first, second=second))
    return path


def whole(folder: Path, name: str, numbers: str = "float64", names: str = "") -> Path:
    return scenario(folder, f'[weights]\nfile = "{name}"\n{names}\n', numbers=numbers)
