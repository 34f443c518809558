"""`nnstep run` as a person runs it, per iteration, beside the engine and PyTorch, from one run.

For a 3-1 network (broccoli in float64) and 784-128-10 at batch 1, each timed in the same run,
best of a few repetitions, µs per iteration (wall time; the same again as this process's CPU
time under "cpu", with its ratios under "ratios_cpu"):
- ``recorded``: the engine's recorded iteration (a Session going to the last iteration);
- ``run_none``: ``nnstep run --format none`` (headless.run: fused iterations, the always-on
  NaN/inf check); ``run_parts`` splits it: the fused iterations alone (``fused``), the check
  (``fused_checked`` − ``fused``), and the rest (``run_none`` − ``fused_checked``: the
  timeline and its checkpoints, the screens, the loops);
- ``run_break_*``: the same with a breakpoint that never holds: a weight (``L2[0,0] > 1000``),
  the loss (``loss > 1e9``), ``stuck L2[0,0] 100000``;
- ``run_json``: ``--format json`` (every field; large layers summarised), written to a file
  like every run here; ``json_serialising`` is ``run_json`` − ``run_none``, and
  ``json_fields`` (wall time) splits it, over the records of a fresh run: for a small
  network, written a chunk of iteration ends at a time (engine/trace_chunk.py): each end read
  into its row as it comes, then a chunk's stack, each part's texts, the lines joined; for a
  large one, line by line, each field and the line's assembly;
- ``back_*``: reverse-continue from the end to the start with a breakpoint that never holds,
  over the recorded history (the ``nonfinite`` check included, as in the debugger);
- ``pytorch_float32``: the same network trained eagerly in PyTorch (one thread, plain SGD).
Then the ratios the goals are stated in. Also the wall time of the `nnstep run` process,
and ``json_as_a_process``: the JSON goal (serialising a broccoli iteration ÷ computing it) as
a person meets it, `nnstep run` processes from their start, their output to a file, per
iteration over 60,000 iterations (the in-process ``json_serialising_to_computing``, from
best-of runs inside this process, is a cross-check).

    python benchmarks/headless_speed.py [--quick]
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine, scenario
from engine_speed import torch_trainer
from nnstep.engine import Session, chunk_fields, trace_chunk
from nnstep.engine.conditions import parse_condition
from nnstep.engine.model import Model
from nnstep.engine.search import RecentEnds, backward_iter, scan
from nnstep.engine.step import first_record, next_iteration
from nnstep.engine.trace import EVERYTHING, fields
from nnstep.engine.watch import Screen
from nnstep.tui import headless

CASES = [("3-weight", 10_000, "3-1 (broccoli, float64)"), ("784-128-10", 500,
                                                           "784-128-10, batch 1")]
BREAKS = {"weight": "L2[0,0] > 1000", "loss": "loss > 1e9", "stuck": "stuck L2[0,0] 100000"}


def per_iteration(seconds: float, n: int) -> float:
    return round(seconds / n * 1e6, 1)


def best_of_both(repeat: int, run) -> tuple[float, float]:
    """The least wall time and the least CPU time of this process (seconds) over ``repeat``
    runs: on a machine shared with other busy processes the CPU time leaves out the time they
    take, so its ratios hold better between runs (on a quiet machine the two agree)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def case(name: str, n: int, repeat: int) -> tuple[dict, dict]:
    """(wall, CPU) µs per iteration of every measure of one network."""
    sc = scenario(name, n)
    out: dict = {}
    cpu: dict = {}

    def measure(key: str, fn) -> None:
        wall, used = best_of_both(repeat, fn)
        out[key], cpu[key] = per_iteration(wall, n), per_iteration(used, n)

    def run(form: str, breaks=()):
        def go() -> None:  # written to a file, as a shell's redirection has it
            with tempfile.TemporaryFile("w", encoding="utf-8") as out:
                headless.run(sc, n, form, False, list(breaks), out=out, err=io.StringIO())

        return go

    measure("recorded_us", lambda: Session(sc).goto_iteration(n))
    measure("run_none_us", run("none"))
    measure("fused_us", fused(sc, n, False))
    measure("fused_checked_us", fused(sc, n, True))
    for times in (out, cpu):
        times["run_parts_us"] = {
            "fused iteration": times["fused_us"],
            "nonfinite check": round(times["fused_checked_us"] - times["fused_us"], 1),
            "bookkeeping": round(times["run_none_us"] - times["fused_checked_us"], 1)}
    for label, text in BREAKS.items():
        measure(f"run_break_{label}_us", run("none", [text]))
    measure("run_json_us", run("json"))
    for times in (out, cpu):
        times["json_serialising_us"] = round(times["run_json_us"] - times["run_none_us"], 1)
    out["json_fields_us"] = json_fields(sc, n, repeat)
    names = [spec.name for spec in sc.layers]
    session = Session(sc)
    session.goto_iteration(n)
    for label in ("weight", "loss"):
        conditions = [parse_condition("nonfinite", names), parse_condition(BREAKS[label], names)]

        def back(conditions=conditions) -> None:
            *_, result = backward_iter(session, conditions)
            assert result is None

        measure(f"back_{label}_us", back)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
        measure("pytorch_float32_us", torch_trainer(torch, sc, torch.float32, n))
    return out, cpu


def fused(sc, n: int, checked: bool):
    """``n`` fused iterations one after another (engine/step.py next_iteration), with the cycle
    collector paused (as a timeline pauses it while it computes), each followed by the
    always-on NaN/inf check as a run screens it when ``checked``: what `run_none` spends
    besides its bookkeeping."""
    model = Model.of(sc)
    start = first_record(sc)
    screen = Screen(parse_condition("nonfinite", [spec.name for spec in sc.layers]), model,
                    None, forward=True)

    def iterate() -> None:
        rec = start
        gc.disable()
        try:
            for _ in range(n):
                rec = next_iteration(rec, model)
                if checked:
                    screen.fires(rec, None)
        finally:
            gc.enable()

    return iterate


def json_fields(sc, n: int, repeat: int) -> dict:
    """µs per line spent on each part of the JSON trace as `run` writes it (best of ``repeat``
    runs, each over freshly computed records, in the order a line writes them: what one field
    computes and another reads again is charged to the first). A network whose arrays are all
    small is written a chunk of iteration ends at a time (engine/trace_chunk.py): "(stack)"
    stacks a chunk's arrays and checks them, then each field's texts for the whole chunk, then
    "(line)" assembles the lines; a larger one line by line, field by field."""
    model = Model.of(sc)
    large = not trace_chunk.small(next(iter_ends(Session(sc, rewinds=False), 1)), model)
    best: dict[str, float] = {}
    for _ in range(repeat):
        session = Session(sc, rewinds=False)
        spent = (_by_line if large else _by_chunk)(session, n)
        for field, seconds in spent.items():
            best[field] = min(best.get(field, seconds), seconds)
    return {field: per_iteration(seconds, n) for field, seconds in best.items()}


def iter_ends(session: Session, n: int, history=None):
    """The ends of the first ``n`` iterations, computed as a run computes them."""
    for rec in scan(session, [], n * session.schedule.ops_per_iteration, history):
        if rec is None:
            return
        yield rec


class Spent(dict):
    """Seconds by part: ``charge(part, start)`` adds the time since ``start`` and returns now."""

    def charge(self, part: str, start: float) -> float:
        now = time.perf_counter()
        self[part] = self.get(part, 0.0) + now - start
        return now


def _by_chunk(session: Session, n: int) -> Spent:
    """As `run` writes a small network's lines to a file (trace_chunk.Lines, in UTF-8):
    "(rows)" each end read into its row and key as it comes; then, a chunk at a time,
    "(stack)" what the chunk's ends are (the ends held stacked), each part's texts (a field, or
    a run of fields written once for each distinct end), "(line)" the lines joined."""
    ends = list(iter_ends(session, n))
    held = {rec.iteration: rec for rec in ends}  # the look-back's ends, as trace_chunk.Lines
    spent = Spent()

    class Timed(chunk_fields.Chunk):
        def parts(self, fields):
            start = spent.charge("(stack)", began[0])
            parts = []
            for written, make in self.makers(fields):
                parts.append(make())
                start = spent.charge(" … ".join(written[::len(written) - 1 or 1]), start)
            began[0] = start
            return parts

    lines = trace_chunk.Lines(session.model, EVERYTHING, held.get, end="\n", binary=True)
    flush, began = lines._lines, [0.0]

    def timed_flush(chunk):
        began[0] = time.perf_counter()
        out = flush(chunk)
        spent.charge("(line)", began[0])
        return out

    lines._lines, trace_chunk.Chunk = timed_flush, Timed
    gc.disable()  # as a run writing its JSON lines pauses it (headless._Written)
    try:
        for rec in ends:  # an add's time less the chunk's it wrote, if it wrote one
            others = sum(spent.values()) - spent.get("(rows)", 0.0)
            start = time.perf_counter()
            lines.add(rec)
            took = time.perf_counter() - start
            spent["(rows)"] = spent.get("(rows)", 0.0) + took - (
                sum(spent.values()) - spent.get("(rows)", 0.0) - others)
        lines.flush()
    finally:
        trace_chunk.Chunk = chunk_fields.Chunk
        gc.enable()
    return spent


def _by_line(session: Session, n: int) -> Spent:
    history, spent = RecentEnds(session, headless.LOOK_BACK_SHOWN), Spent()
    for rec in iter_ends(session, n, history):
        start = time.perf_counter()
        texts = []
        for field, text in fields(rec, session.model, history=history):
            texts.append(f'"{field}": {text}')
            start = spent.charge(field, start)
        "{" + ", ".join(texts) + "}"
        spent.charge("(line)", start)
    return spent


def ratios(c: dict) -> dict:
    r = {"run_to_recorded": c["run_none_us"] / c["recorded_us"]}
    if "pytorch_float32_us" in c:
        r["run_to_pytorch_float32"] = c["run_none_us"] / c["pytorch_float32_us"]
    for label in BREAKS:
        r[f"break_{label}_to_run"] = c[f"run_break_{label}_us"] / c["run_none_us"]
    for label in ("weight", "loss"):
        r[f"back_{label}_to_run"] = c[f"back_{label}_us"] / c["run_none_us"]
    r["json_serialising_to_computing"] = (c["run_json_us"] - c["run_none_us"]) / c["run_none_us"]
    return {k: round(v, 2) for k, v in r.items()}


def json_as_a_process(name: str, n: int, repeat: int) -> dict:
    """The JSON goal as a person meets it: ``nnstep run FILE --float --iterations N --format
    json`` and the same with ``--format none``, each a process from its start, its output going
    to a file (so the text is encoded and written, as a shell's redirection has it). Per
    iteration over many iterations: a run of ``n`` iterations less a run of 1 (the start-up,
    the same for both formats, left out), divided by n − 1; CPU time of the process (user +
    system) and wall time, the least of ``repeat`` runs of each, the formats alternating.
    Serialising is json − none, computing is none."""
    path = str(ROOT / "scenarios" / f"{name}.toml")
    best: dict[tuple[str, int], tuple[float, float]] = {}
    for _ in range(repeat):
        for form in ("none", "json"):
            for count in (1, n):
                took = _process(["run", path, "--float", "--iterations", str(count),
                                 "--format", form])
                held = best.get((form, count), took)
                best[form, count] = (min(held[0], took[0]), min(held[1], took[1]))
    out: dict = {}
    for i, clock in enumerate(("cpu", "wall")):
        each = {form: (best[form, n][i] - best[form, 1][i]) / (n - 1) * 1e6
                for form in ("none", "json")}
        out[clock] = {"none_us": round(each["none"], 1), "json_us": round(each["json"], 1),
                      "serialising_us": round(each["json"] - each["none"], 1),
                      "serialising_to_computing": round(
                          (each["json"] - each["none"]) / each["none"], 2)}
    return out


def _process(args: list[str]) -> tuple[float, float]:
    """(CPU, wall) seconds of one `nnstep` process, its output written to a temporary file
    (Python's own buffering: PYTHONUNBUFFERED, if set here, is left out)."""
    import os
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile("w") as out:
        subprocess.run([str(Path(sys.executable).parent / "nnstep"), *args], check=True,
                       stdout=out, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall


def process_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nnstep"), *args], check=True,
                   capture_output=True)
    return round(time.perf_counter() - start, 2)


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 1 if quick else 3
    results = {"benchmark": "headless_speed", "machine": machine(), "cases": []}
    for name, n, label in CASES:
        n = max(20, n // 10) if quick else n
        wall, cpu = case(name, n, repeat)
        c = {"network": label, "iterations": n, **wall, "ratios": ratios(wall), "cpu": cpu,
             "ratios_cpu": ratios(cpu)}
        results["cases"].append(c)
    results["json_as_a_process"] = {
        "network": "3-1 (broccoli, float64)", "iterations": 2_000 if quick else 60_000,
        **json_as_a_process("broccoli", 2_000 if quick else 60_000, repeat)}
    results["process_seconds"] = {
        "nnstep run mlp784.toml --iterations 1000 --format none": process_seconds(
            ["run", str(ROOT / "scenarios" / "mlp784.toml"), "--iterations", "1000",
             "--format", "none"]) if not quick else None}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
