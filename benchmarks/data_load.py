"""Loading a CSV data set: a 60,000 × 785 CSV of integers (MNIST's shape: a label column, then
784 pixels 0–255, four in five of them 0) read by ``nnstep check``'s loader (load_scenario, a
float64 scenario) against ``numpy.loadtxt`` on the same file, alternately, in the same run.

Prints one JSON object: seconds per load (the best of the rounds) and the ratio nnstep / numpy;
the issue's target is a ratio ≤ 2.

    python benchmarks/data_load.py [--quick]     # --quick: 6,000 rows
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import machine
from nnstep.engine import load_scenario

SCENARIO = """title = "CSV load benchmark"
[data]
file = "data.csv"
targets = ["label"]
[training]
learning_rate = 0.1
[[layers]]
kind = "input"
size = 784
[[layers]]
kind = "linear"
size = 1
init = "xavier"
"""


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(1, 256, size=(rows, 784))
    pixels[rng.random((rows, 784)) < 0.8] = 0
    table = np.column_stack([rng.integers(0, 10, size=rows), pixels])
    header = ",".join(["label"] + [f"p{i}" for i in range(784)])
    np.savetxt(path, table, fmt="%d", delimiter=",", header=header, comments="")


def timed(load) -> float:
    start = time.perf_counter()
    load()
    return time.perf_counter() - start


def main() -> None:
    rows = 6_000 if "--quick" in sys.argv else 60_000
    rounds = 2
    with tempfile.TemporaryDirectory() as folder:
        data, scenario = Path(folder) / "data.csv", Path(folder) / "load.toml"
        write_csv(data, rows)
        scenario.write_text(SCENARIO)
        numpy_s, nnstep_s = [], []
        for _ in range(rounds):
            numpy_s.append(timed(lambda: np.loadtxt(data, delimiter=",", skiprows=1)))
            nnstep_s.append(timed(lambda: load_scenario(scenario)))
        size_mb = data.stat().st_size / 1e6
    best_numpy, best_nnstep = min(numpy_s), min(nnstep_s)
    print(json.dumps({
        "benchmark": "data_load", "rows": rows, "columns": 785, "file_mb": round(size_mb, 1),
        "numpy_loadtxt_s": round(best_numpy, 2), "nnstep_load_s": round(best_nnstep, 2),
        "ratio": round(best_nnstep / best_numpy, 2), "target_ratio": 2.0,
        "rounds": {"numpy": [round(t, 2) for t in numpy_s],
                   "nnstep": [round(t, 2) for t in nnstep_s]},
        "machine": machine(),
    }))


if __name__ == "__main__":
    main()
