"""Shared fixtures for the engine and CLI tests: paths, a scenario writer and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Property tests are seeded (derandomize) so CI sees the same examples on every run.
settings.register_profile(
    "nnstep", derandomize=True, deadline=None, max_examples=60, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("nnstep")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: small broken and good scenario files."""
    return ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def broccoli_path() -> Path:
    return ROOT / "scenarios" / "broccoli.toml"


def _toml_value(v: Any) -> str:
    """A number as TOML text: Fractions as quoted "p/q", floats by their shortest repr."""
    if isinstance(v, Fraction):
        return f'"{v}"'
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_toml_value(e) for e in v) + "]"
    raise TypeError(type(v))


def scenario_text(
    layers: Sequence[dict],
    samples: Sequence[tuple[Sequence, Sequence]],
    *,
    numbers: str = "float64",
    learning_rate: Any = Fraction(1, 10),
    batch_size: int = 1,
    epochs: int = 1,
    order: str = "sequential",
    seed: int = 0,
    title: str = "test net",
) -> str:
    """TOML text of a scenario. ``layers``: dicts with name/kind/size/bias/weights/biases/slope."""
    lines = [f'title = "{title}"', f'numbers = "{numbers}"', "", "[data]", "samples = ["]
    for x, y in samples:
        lines.append(f"    {{ x = {_toml_value(list(x))}, y = {_toml_value(list(y))} }},")
    lines += ["]", "", "[training]", f"learning_rate = {_toml_value(learning_rate)}",
              f"batch_size = {batch_size}", f"epochs = {epochs}", f'order = "{order}"',
              f"seed = {seed}", ""]
    for spec in layers:
        lines.append("[[layers]]")
        for key, value in spec.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def make_scenario_text() -> Callable[..., str]:
    """``make_scenario_text(layers, samples, numbers=..., learning_rate=..., ...)`` -> TOML."""
    return scenario_text


def _nnstep_command() -> list[str]:
    """The installed `nnstep` script beside this Python, else the CLI module."""
    script = Path(sys.executable).parent / "nnstep"
    return [str(script)] if script.exists() else [sys.executable, "-m", "nnstep.tui.cli"]


def run_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``nnstep ARGS`` in a subprocess, text output."""
    return subprocess.run(
        [*_nnstep_command(), *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="session")
def nnstep() -> Callable[..., subprocess.CompletedProcess]:
    """Run the `nnstep` command in a subprocess: ``nnstep("check", path)``."""
    return run_cli


def _no_constants(name: str) -> Any:
    raise ValueError(f"bare JSON constant {name} (non-finite floats must be strings)")


@pytest.fixture(scope="session")
def json_lines() -> Callable[[str], list[dict]]:
    """Parse JSON-lines output strictly (NaN / Infinity literals are refused)."""

    def parse(text: str) -> list[dict]:
        return [json.loads(line, parse_constant=_no_constants)
                for line in text.splitlines() if line.strip()]

    return parse
