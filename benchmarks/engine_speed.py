"""Engine time per training iteration, recorded and not, and memory per recorded iteration.

Prints one JSON object. Networks: 3-weight (broccoli in float64), 2-3-1, 784-128-10 at batch 1
and 64. "recorded" is a Session running to the end with the history policy it picks for that
network; "every_op" forces the keep-everything policy (every iteration's update record, from
which each operation's record is read when asked); "unrecorded" chains the fused iteration
function and keeps nothing. When PyTorch is installed,
the same network (float64 and float32, one thread, eager mode, plain SGD) is timed in the same
run and the ratio printed.

    python benchmarks/engine_speed.py [--quick]
"""

from __future__ import annotations

import json
import sys
import tracemalloc

from common import best_of, machine, scenario
from nnstep.engine import Session
from nnstep.engine.kept_records import Policy
from nnstep.engine.model import Model
from nnstep.engine.step import first_record, next_iteration

CASES = [  # name, batch size, iterations timed
    ("3-weight", None, 20_000),
    ("2-3-1", None, 20_000),
    ("784-128-10", 1, 1_000),
    ("784-128-10", 64, 200),
]


def engine_times(name: str, batch: int | None, n: int, repeat: int) -> dict:
    sc = scenario(name, n, batch)
    model = Model.of(sc)

    def unrecorded() -> None:
        rec = first_record(sc)
        for _ in range(n):
            rec = next_iteration(rec, model)

    def recorded(policy=None):
        def run() -> None:
            Session(sc, policy=policy).goto_iteration(n)
        return run

    out = {
        "unrecorded_us": best_of(repeat, unrecorded) / n * 1e6,
        "recorded_us": best_of(repeat, recorded()) / n * 1e6,
        "policy": repr(Session(sc).policy),
    }
    if n * model.schedule.ops_per_iteration <= 300_000:
        out["every_op_us"] = best_of(repeat, recorded(Policy())) / n * 1e6
    out["memory_per_recorded_iteration_bytes"] = memory_per_iteration(sc, n)
    return out


def memory_per_iteration(sc, n: int) -> float:
    """Bytes held by the session after ``n`` iterations, less those held after 1, per iteration."""
    tracemalloc.start()
    try:
        session = Session(sc)
        session.goto_iteration(1)
        base = tracemalloc.get_traced_memory()[0]
        session.goto_iteration(n)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (held - base) / max(1, n - 1)


def torch_times(name: str, batch: int | None, n: int, repeat: int) -> dict | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    sc = scenario(name, n, batch)
    out = {"torch": torch.__version__}
    for dtype_name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        out[f"{dtype_name}_us"] = best_of(repeat, torch_trainer(torch, sc, dtype, n)) / n * 1e6
    return out


def torch_trainer(torch, sc, dtype, n: int):
    """A function training the scenario's network for ``n`` iterations in eager PyTorch."""
    xs = torch.tensor([[float(v) for v in s.x] for s in sc.samples], dtype=dtype)
    ys = torch.tensor([[float(v) for v in s.y] for s in sc.samples], dtype=dtype)
    layers = []
    for spec, p in zip(sc.layers, sc.params):
        if spec.kind == "linear":
            w = torch.tensor([[float(v) for v in row] for row in p["w"]], dtype=dtype,
                             requires_grad=True)
            b = (torch.tensor([float(v) for v in p["b"]], dtype=dtype, requires_grad=True)
                 if spec.bias else None)
            layers.append(("linear", w, b))
        elif spec.kind == "relu":
            layers.append(("relu", None, None))
    params = [p for _, w, b in layers for p in (w, b) if p is not None]
    lr, bs, count = float(sc.training.learning_rate), sc.training.batch_size, len(sc.samples)

    def train() -> None:
        for t in range(n):
            start = (t * bs) % count
            x, y = xs[start:start + bs], ys[start:start + bs]
            o = x
            for kind, w, b in layers:
                if kind == "relu":
                    o = torch.relu(o)
                else:
                    o = o @ w.T + b if b is not None else o @ w.T
            loss = 0.5 * ((o - y) ** 2).sum(dim=1).mean()
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None

    return train


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 1 if quick else 3
    results = {"benchmark": "engine_speed", "machine": machine(), "cases": []}
    for name, batch, n in CASES:
        n = max(10, n // 10) if quick else n
        case = {"network": name, "batch_size": batch or 1, "iterations": n}
        case.update(engine_times(name, batch, n, repeat))
        torch = torch_times(name, batch, n, repeat)
        if torch:
            case["pytorch"] = torch
            case["ratio_unrecorded_to_torch_float64"] = case["unrecorded_us"] / torch["float64_us"]
            case["ratio_unrecorded_to_torch_float32"] = case["unrecorded_us"] / torch["float32_us"]
        results["cases"].append(case)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
