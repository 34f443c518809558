"""Rewinding a long run: the 784-128-10 network trained for 10,000 iterations (its scenario's
ten epochs at batch 1), then jumps to random operations of the history.

Prints one JSON object: the time to compute the run, the time of each jump (p50 / p95 / max;
a jump lands on any operation, kept or recomputed from the nearest checkpoint), the history
policy the session chose, and the process's peak resident memory (getrusage, so it includes
Python, numpy and the data set).

    python benchmarks/history.py [--quick]
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time

from common import machine, percentiles, scenario
from nnstep.engine import Session


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    quick = "--quick" in sys.argv
    iterations, jumps = (1_000, 50) if quick else (10_000, 100)
    sc = scenario("784-128-10", iterations)
    before = peak_rss_mb()
    start = time.perf_counter()
    session = Session(sc)
    session.goto_iteration(iterations)
    run_seconds = time.perf_counter() - start
    after_run = peak_rss_mb()
    rng = random.Random(0)
    times = []
    for _ in range(jumps):
        index = rng.randrange(0, session.computed + 1)
        start = time.perf_counter()
        session.goto(index)
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "benchmark": "history", "machine": machine(), "network": "784-128-10",
        "iterations": iterations, "operations": session.computed + 1,
        "policy": repr(session.policy), "run_seconds": round(run_seconds, 2),
        "jumps": jumps, "jump_ms": {k: round(v * 1000, 2) for k, v in percentiles(times).items()},
        "peak_rss_mb": {"before_session": round(before, 1), "after_run": round(after_run, 1),
                        "after_jumps": round(peak_rss_mb(), 1)},
    }, indent=1))


if __name__ == "__main__":
    main()
