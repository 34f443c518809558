"""Continue (c) and reverse-continue (C) in the debugger, as a person meets them: Textual's
pilot at 120×40 on 784-128-10 (its first 2,000 iterations), the search running in the app's
sliced worker with the screen repainting between slices.

- ``end_s``: `end` from the start (the computing alone, in the same worker);
- ``continue_weight_s``: `c` from the start to a weight condition that never holds
  (``L2[0,0] > 1000``) — it reaches the end;
- ``reverse_loss_s``: from the end, `C` back to ``loss > 1e9`` (never holds) — it reaches the
  start, reading the recorded history;
- the ratios to ``end_s`` (the goal: at most 1.5).

    python benchmarks/debugger_search.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import replace

from common import ROOT, machine
from nnstep.engine import load_scenario
from nnstep.engine.conditions import parse_condition
from nnstep.tui.app import build_app

SIZE = (120, 40)


async def timed(scenario, action, conditions=(), at_end=False) -> float:
    app = build_app(scenario, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        names = [spec.name for spec in app.session.model.layers]
        app.breakpoints = [parse_condition(text, names) for text in conditions]
        if at_end:
            app.action_last()
            await app.workers.wait_for_complete()
            await pilot.pause()
        start = time.perf_counter()
        getattr(app, action)()
        await pilot.pause()
        await app.workers.wait_for_complete()
        seconds = time.perf_counter() - start
        assert app.session.cursor == (0 if at_end else app.session.last_index), app.session.cursor
        return seconds


def main() -> None:
    iterations = 300 if "--quick" in sys.argv else 2000
    sc = load_scenario(ROOT / "scenarios" / "mlp784.toml")
    sc = replace(sc, training=replace(sc.training, epochs=iterations // 1000 or 1))
    if iterations < 1000:
        sc = replace(sc, samples=sc.samples[:iterations])
    out = {"benchmark": "debugger_search", "machine": machine(), "network": "784-128-10",
           "iterations": sc.iterations}
    out["end_s"] = round(asyncio.run(timed(sc, "action_last")), 2)
    out["continue_weight_s"] = round(asyncio.run(
        timed(sc, "action_continue", ["L2[0,0] > 1000"])), 2)
    out["reverse_loss_s"] = round(asyncio.run(
        timed(sc, "action_reverse_continue", ["loss > 1e9"], at_end=True)), 2)
    out["ratios"] = {"continue_weight_to_end": round(out["continue_weight_s"] / out["end_s"], 2),
                     "reverse_loss_to_end": round(out["reverse_loss_s"] / out["end_s"], 2)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
