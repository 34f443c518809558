"""Key-to-paint and start-up time of the debugger, headless (Textual's pilot), on broccoli and
on the 784-128-10 network.

Prints one JSON object. Per network, at 120×40:
- ``startup_ms``: from building the app (session included) to the first screen painted;
- ``press_n_ms``: ``pilot.press("n")`` then ``pilot.pause()`` (the pilot's own key delivery
  included), p50 / p95 / max over the repetitions;
- ``action_ms``: the same step as a direct ``action_next_op()`` call then ``pilot.pause()``;
- ``show_ms``: building the view and pushing it into the widgets alone (no Textual pacing);
- every case three times: with widgets whose inputs did not change left alone and the next
  iteration's end prepared while a key is awaited (the debugger as it runs), the same without
  preparing, and with every widget redrawn on every step, for comparison;
- ``paint_ms``: from the action to Textual's ``call_after_refresh`` callback, which runs once
  the screen has been refreshed with the new content: the closest to key-to-paint headless.
  Steps back to back: Textual paints at most 60 frames a second, so a step that comes within a
  frame of the last paint waits for the next frame (up to 16.7 ms);
- ``step_to_paint_ms``: the same, each step 50 ms after the last paint, as a person's key
  presses (or a held key's repeats) come: a step whose frame is free paints at once, so this
  is the step's own work; ``step_cpu_ms``: the CPU time of those steps (less disturbed by other
  work on a shared machine than the time on the clock); ``into_iteration_cpu_ms``: those of
  the steps into a new iteration (its first operation), which draw what the whole iteration
  will show unless the debugger prepared it while the key was awaited.

    python benchmarks/tui_latency.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from common import ROOT, machine, percentiles
from nnstep.engine import load_scenario
from nnstep.tui.app import build_app

SIZE = (120, 40)
PACE = 0.05  # seconds between a paint and the next step, as a person's keys come


def ms(values: list[float]) -> dict:
    return {key: round(value * 1000, 2) for key, value in percentiles(values).items()}


async def measure(name: str, scenario, repeat: int, start_at: int,
                  skip_unchanged: bool = True, prepare: bool = True) -> dict:
    began = time.perf_counter()
    app = build_app(scenario, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen_stack[0].skip_unchanged = skip_unchanged
        app.prefetch.enabled = prepare
        startup = time.perf_counter() - began
        last = app.session.last_index

        async def rewind_if_needed() -> None:
            if app.session.cursor >= last:
                app.move_to(start_at)
                await pilot.pause()

        app.move_to(start_at)
        await pilot.pause()
        press, action, show = [], [], []
        for _ in range(repeat):
            await rewind_if_needed()
            start = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            press.append(time.perf_counter() - start)
        for _ in range(repeat):
            await rewind_if_needed()
            start = time.perf_counter()
            app.action_next_op()
            await pilot.pause()
            action.append(time.perf_counter() - start)
        async def step() -> tuple[float, float]:
            """A step, and the time and CPU time from it to its paint: taken in Textual's
            after-refresh callback, so what the app does after painting (preparing the next
            iteration) is left out."""
            painted = asyncio.Event()
            stamps: list[tuple[float, float]] = []

            def stamp() -> None:
                stamps.append((time.perf_counter(), time.process_time()))
                painted.set()

            start, began_cpu = time.perf_counter(), time.process_time()
            app.action_next_op()
            app.call_after_refresh(stamp)
            await painted.wait()
            return stamps[0][0] - start, stamps[0][1] - began_cpu

        paint = []
        for _ in range(repeat):
            await rewind_if_needed()
            await pilot.pause()
            paint.append((await step())[0])
        paced, cpu, into = [], [], []
        for _ in range(repeat):
            await rewind_if_needed()
            await pilot.pause()
            await asyncio.sleep(PACE)
            took, took_cpu = await step()
            paced.append(took)
            cpu.append(took_cpu)
            if app.session.record.op.kind == "pick":
                into.append(took_cpu)
        screen = app.screen_stack[0]
        for _ in range(repeat):
            await rewind_if_needed()
            app.session.step()
            start = time.perf_counter()
            screen.show(app.view(), "")
            show.append(time.perf_counter() - start)
        return {"network": name, "skip_unchanged": skip_unchanged, "prepare": prepare,
                "operations": last + 1, "repetitions": repeat,
                "startup_ms": round(startup * 1000, 1), "press_n_ms": ms(press),
                "action_ms": ms(action), "paint_ms": ms(paint),
                "step_to_paint_ms": ms(paced), "step_cpu_ms": ms(cpu),
                "into_iteration_cpu_ms": ms(into), "show_ms": ms(show)}


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 20 if quick else 100
    broccoli = load_scenario(ROOT / "scenarios" / "broccoli.toml")
    mlp = load_scenario(ROOT / "scenarios" / "mlp784.toml")
    results = {"benchmark": "tui_latency", "machine": machine(), "load": os.getloadavg(),
               "terminal": list(SIZE), "cases": []}
    for name, sc, start_at in (("broccoli", broccoli, 0), ("784-128-10", mlp, 13)):
        # redrawing only what changed and preparing the next iteration (as the debugger
        # does), the same without preparing, and redrawing everything, side by side
        for skip, prepare in ((True, True), (True, False), (False, False)):
            results["cases"].append(asyncio.run(measure(name, sc, repeat, start_at, skip,
                                                        prepare)))
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
