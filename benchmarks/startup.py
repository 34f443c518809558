"""Start-up as a person meets it: from starting the `nnstep` process in a terminal (a pty, 120×40)
to the first screen painted — the header's operation appearing in what the program writes to
the terminal — then `q`, which saves the session that the next start restores (as a person's
second start does; the sessions live in a temporary $XDG_STATE_HOME, and the dataclasses'
compiled methods that `nnstep` keeps between runs, tui/dataclass_cache.py, in a temporary
$XDG_CACHE_HOME, written by the discarded first run as the bytecode is). Beside it, in the same
run: broccoli's first paint without those methods kept (``first_paint_broccoli_uncached``:
each start with an empty $XDG_CACHE_HOME, as the first start after installing nnstep, its
bytecode compiled); the first paint of a Textual app with one line of text and a footer (the
floor any Textual app starts from on this machine), and of the same app importing numpy first
(``first_paint_textual_numpy``: the floor of any Textual app that computes with numpy, as
nnstep's first record does); and the bare imports (`python -c "import
…"`, process start included) of textual.app, numpy (which the first record needs) and
nnstep.tui.app.

Prints one JSON object: per case the warm start-up (the first run is discarded to warm the
file cache and write the bytecode), p50 / min / max over the repetitions, in milliseconds, and
for the first paints the CPU time the process had used by then (``cpu_p50``: less disturbed by
other work on a shared machine than the time on the clock, in 10 ms ticks), and the first
paint's distance to the bare Textual app's in the same run (``over_textual_p50``) and to the
one importing numpy (``over_textual_numpy_p50``: what is nnstep's own).

    python benchmarks/startup.py [--quick]
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from common import ROOT, machine

NNSTEP = str(Path(sys.executable).parent / "nnstep")
# a warm start, as a person's second run: compiled bytecode is written and read back
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
MARKER = b"before training"  # the header of the first screen: "start \xb7 before training"
SIZE = (40, 120)
TIMEOUT = 30.0
TICK = os.sysconf("SC_CLK_TCK")
MINIMAL = f"""
from textual.app import App
from textual.widgets import Footer, Static
class Minimal(App):
    BINDINGS = [("q", "quit", "quit")]
    def compose(self):
        yield Static("start · {MARKER.decode()}")
        yield Footer()
Minimal().run()
"""


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def spawn(args: list[str], state: str, cache: str) -> tuple[int, int]:
    """``args`` started in a pty of SIZE, sessions kept in ``state``, caches in ``cache``:
    (pid, the pty's fd)."""
    env = dict(ENV, TERM="xterm-256color", COLUMNS=str(SIZE[1]), LINES=str(SIZE[0]),
               XDG_STATE_HOME=state, XDG_CACHE_HOME=cache)
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the program, its terminal the pty
        os.execve(args[0], args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
    return pid, fd


def first_paint(args: list[str], state: str, cache: str | None = None) -> tuple[float, float]:
    """Seconds from starting ``args`` in a pty to MARKER in its output, and the CPU seconds it
    had used then; then quits it. Caches are kept in ``cache`` (default: ``state``)."""
    start = time.perf_counter()
    pid, fd = spawn(args, state, state if cache is None else cache)
    seen, found = b"", None
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = seen[-len(MARKER):] + chunk
            if MARKER in seen:
                found = time.perf_counter() - start
                cpu = cpu_seconds(pid)
                break
        os.write(fd, b"q")
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    if found is None:
        raise RuntimeError(f"no first paint from {args}")
    return found, cpu


def import_time(module: str) -> float:
    """Seconds from starting Python to ``module`` imported (the interpreter's exit left out)."""
    code = f"import {module}, time; print(time.time())"
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, env=ENV).stdout
    return float(done) - start


def summary(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values) * 1000, 1),
            "min": round(min(values) * 1000, 1), "max": round(max(values) * 1000, 1)}


def main() -> None:
    repeat = 3 if "--quick" in sys.argv else 7
    results = {"benchmark": "startup", "machine": machine(), "load": os.getloadavg(),
               "terminal": [SIZE[1], SIZE[0]], "repetitions": repeat, "cases": {}}
    runs: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    cases = {f"first_paint_{name}": [NNSTEP, str(ROOT / "scenarios" / f"{name}.toml")]
             for name in ("broccoli", "mlp784")}
    cases["first_paint_broccoli_uncached"] = cases["first_paint_broccoli"]
    cases["first_paint_textual_minimal"] = [sys.executable, "-c", MINIMAL]
    cases["first_paint_textual_numpy"] = [sys.executable, "-c", "import numpy\n" + MINIMAL]
    imports = ("textual.app", "numpy", "nnstep.tui.app")
    with tempfile.TemporaryDirectory() as state:
        for args in cases.values():
            first_paint(args, state)  # warm the file cache, write the bytecode, save a session
        for module in imports:
            import_time(module)
        for _ in range(repeat):  # interleaved, so a busy moment of the machine hits every case
            for name, args in cases.items():
                with tempfile.TemporaryDirectory() as empty:
                    cache = empty if name.endswith("_uncached") else None
                    took, cpu = first_paint(args, state, cache)
                runs.setdefault(name, []).append(took)
                cpus.setdefault(name, []).append(cpu)
            for module in imports:
                runs.setdefault(f"import_{module}", []).append(import_time(module))
    results["cases"] = {name: summary(values) for name, values in runs.items()}
    floor = statistics.median(runs["first_paint_textual_minimal"])
    with_numpy = statistics.median(runs["first_paint_textual_numpy"])
    for name, values in cpus.items():
        results["cases"][name]["cpu_p50"] = round(statistics.median(values) * 1000, 1)
        results["cases"][name]["over_textual_p50"] = round(
            (statistics.median(runs[name]) - floor) * 1000, 1)
        results["cases"][name]["over_textual_numpy_p50"] = round(
            (statistics.median(runs[name]) - with_numpy) * 1000, 1)
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
