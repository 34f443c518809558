"""Shared helpers for the benchmark scripts: one BLAS thread, machine facts, scenarios, timing."""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from nnstep.engine import load_scenario, parse_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

NET_231 = """
title = "2-3-1"
[data]
samples = [{ x = [0.5, -1.0], y = [0.25] }, { x = [1.5, 0.5], y = [-0.5] }]
[training]
learning_rate = 0.05
[[layers]]
kind = "input"
size = 2
[[layers]]
kind = "linear"
size = 3
init = "xavier"
[[layers]]
kind = "relu"
[[layers]]
kind = "linear"
size = 1
init = "xavier"
"""


def machine() -> dict:
    """What the figures were taken on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}


def scenario(name: str, iterations: int, batch_size: int | None = None):
    """A benchmark network with enough epochs for ``iterations`` iterations, in float64."""
    if name == "3-weight":
        sc = load_scenario(ROOT / "scenarios" / "broccoli.toml", numbers="float64")
    elif name == "2-3-1":
        sc = parse_scenario(NET_231, "2-3-1")
    else:
        sc = load_scenario(ROOT / "scenarios" / "mlp784.toml")
    training = sc.training
    if batch_size is not None:
        training = replace(training, batch_size=batch_size)
    per_epoch = -(-len(sc.samples) // training.batch_size)
    training = replace(training, epochs=-(-iterations // per_epoch))
    return replace(sc, training=training)


def best_of(repeat: int, run) -> float:
    """The fastest of ``repeat`` runs of ``run()`` (seconds): the least disturbed by the
    machine's other work."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of sorted ``values``, interpolated between the two values around
    it (numpy's default, "linear"): never below the median for q ≥ 0.5, however few values."""
    at = q * (len(values) - 1)
    below = int(at)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (at - below)


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    return {"p50": statistics.median(values), "p95": percentile(values, 0.95),
            "max": values[-1]}
