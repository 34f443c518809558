"""Key to paint as a person meets it: `nnstep FILE` runs in a terminal (a pty, 120×40); after its
first screen, `n` is written to the terminal the way a key press arrives, and the time runs
until the terminal receives the new operation's number (the timeline's "operation N /"). Keys
come at a person's pace (PACE after each paint), as when stepping through an iteration and
reading it; the first step into each iteration is also reported apart (it draws the whole
iteration's end unless the debugger prepared it while the key was awaited).

Each network is stepped from fresh starts (``--fresh``, its saved session not restored):
784-128-10 once through 6 iterations, broccoli three times through its 3. Prints one JSON
object: per network the steps' wall time p50 / p95 / max in milliseconds (all steps, and the
steps into a new iteration), and the mean CPU time per step of the nnstep process
(from /proc, in the kernel's 10 ms ticks, so only its mean over many steps is given; the
preparing done while keys were awaited included).

    python benchmarks/key_to_paint.py [--quick]
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sys
import tempfile
import time

from common import ROOT, machine, percentiles
from startup import NNSTEP, SIZE, cpu_seconds, spawn

PACE = 0.1  # seconds between a paint and the next key
TIMEOUT = 30.0
# network, operations per iteration, iterations stepped through (broccoli has 3), fresh starts
# (broccoli's 30 steps, three of them into an iteration, are too few for a p95 of one start)
CASES = [("broccoli", 10, 3, 3), ("mlp784", 12, 6, 1)]


def ms(values: list[float]) -> dict:
    return {key: round(value * 1000, 1) for key, value in percentiles(values).items()}


def wait_for(fd: int, pattern: re.Pattern, seen: bytes = b"") -> bytes:
    """Read the terminal until ``pattern`` is in what it received; the text since then."""
    start = time.perf_counter()
    while time.perf_counter() - start < TIMEOUT:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            seen += os.read(fd, 65536)
            found = pattern.search(seen)
            if found:
                return seen[found.end():]
    raise RuntimeError(f"{pattern.pattern!r} never came")


def steps(name: str, count: int, per_iteration: int, state: str
          ) -> tuple[list[float], list[float], float]:
    """``count`` paced steps of ``name`` from a fresh start: each step's wall time, those of
    the steps into an iteration, and the mean CPU time per step."""
    pid, fd = spawn([NNSTEP, "--fresh", str(ROOT / "scenarios" / f"{name}.toml")], state, state)
    walls, into = [], []
    try:
        rest = wait_for(fd, re.compile(rb"before training"))
        time.sleep(1.0)  # the first screen settles
        cpu = cpu_seconds(pid)
        for n in range(1, count + 1):
            time.sleep(PACE)
            select.select([fd], [], [], 0)
            start = time.perf_counter()
            os.write(fd, b"n")
            rest = wait_for(fd, re.compile(rb"operation %d /" % n), rest)
            walls.append(time.perf_counter() - start)
            if n % per_iteration == 1:
                into.append(walls[-1])
        cpu = (cpu_seconds(pid) - cpu) / count
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return walls, into, cpu


def main() -> None:
    quick = "--quick" in sys.argv
    results = {"benchmark": "key_to_paint", "machine": machine(), "load": os.getloadavg(),
               "terminal": [SIZE[1], SIZE[0]], "pace_s": PACE, "cases": []}
    with tempfile.TemporaryDirectory() as state:
        for name, per_iteration, iterations, starts in CASES:
            count = (2 if quick else iterations) * per_iteration
            walls, into, cpus = [], [], []
            for _ in range(1 if quick else starts):
                w, i, c = steps(name, count, per_iteration, state)
                walls += w
                into += i
                cpus.append(c)
            results["cases"].append({
                "network": name, "starts": len(cpus), "steps": len(walls),
                "step_ms": ms(walls), "into_iteration_ms": ms(into),
                "cpu_mean_ms": round(sum(cpus) / len(cpus) * 1000, 1)})
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
