"""What the first screen needs and no more: the dialogs, the searches, the condition parser,
the loss plot's textual-plot areas and the readers of files the scenario does not have
(safetensors, zipfile, csv) load when first used; the cycle collector, off while `nnstep`
starts, is on again for every command and once the debugger's first screen is painted."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from nnstep.tui import cli, headless
from tui_support import BROCCOLI, make_app

LATER = ["textual_plot", "nnstep.tui.widgets.curve_plot", "nnstep.engine.search",
         "nnstep.engine.compare", "nnstep.tui.screens.help", "nnstep.tui.screens.breakpoints",
         "nnstep.tui.screens.compare", "nnstep.tui.screens.explain", "nnstep.engine.conditions",
         "safetensors", "zipfile", "csv", "shlex",
         # the other dialogs, the explanation, the gradient check, the JSON trace
         "nnstep.tui.screens.dialog", "nnstep.tui.screens.gradcheck", "nnstep.tui.screens.row",
         "nnstep.tui.data_edit", "nnstep.engine.explain", "nnstep.engine.gradcheck",
         "nnstep.engine.curve", "nnstep.engine.trace", "nnstep.engine.json_text"]
PROBED = ("nnstep", "textual_plot", "safetensors", "zipfile", "csv", "shlex")

FIRST_SCREEN = """
import asyncio, json, os, sys
from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.headless import opening

async def first_screen(keys):  # as `nnstep FILE` opens it (tui/cli.py)
    start = opening(load_scenario(sys.argv[1]), None, [], False)
    state = {"XDG_STATE_HOME": os.environ["STATE"]} if "STATE" in os.environ else None
    app = build_app(start.scenario, cursor_blink=False, opening=start, state=state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()

asyncio.run(first_screen(sys.argv[2:]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith(PROBED))))
"""


def loaded(*keys: str, state: Path | None = None) -> set[str]:
    """The modules loaded once the debugger's first screen is up and ``keys`` are pressed;
    with ``state``, the sessions are kept in that folder (restored, saved on quit)."""
    probe = f"PROBED = {PROBED!r}\n{FIRST_SCREEN}"
    env = dict(os.environ, **({} if state is None else {"STATE": str(state)}))
    done = subprocess.run([sys.executable, "-c", probe, str(BROCCOLI), *keys],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_first_screen_loads_no_dialog_search_or_plot_library() -> None:
    assert loaded().isdisjoint(LATER)


def test_nor_does_restoring_a_saved_session(tmp_path) -> None:
    """A second start, as a person's: the session the first saved on quit is restored."""
    loaded("q", state=tmp_path)
    assert list((tmp_path / "nnstep").glob("broccoli-*.json"))
    assert loaded(state=tmp_path).isdisjoint(LATER)


def test_they_load_when_first_used() -> None:
    """Guard: the probe sees them once the keys that use them are pressed."""
    modules = loaded("l", "question_mark", "escape", "b", "escape", "c")
    assert {"textual_plot", "nnstep.tui.widgets.curve_plot", "nnstep.tui.screens.help",
            "nnstep.tui.screens.breakpoints", "nnstep.engine.search",
            "nnstep.engine.conditions"} <= modules


def test_other_commands_run_with_the_cycle_collector_on(monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(headless, "check", lambda scenario: seen.append(gc.isenabled()) or 0)
    gc.disable()
    try:
        assert cli.main(["check", str(BROCCOLI)]) == 0
        assert seen == [True] and gc.isenabled()
    finally:
        gc.enable()


async def test_the_debugger_turns_the_cycle_collector_on_once_painted() -> None:
    app = make_app()
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_dialogs_css_is_read_with_the_first_dialog() -> None:
    """tui/dialogs.tcss is not parsed at start (app.tcss holds the main screen's rules only);
    the first dialog opened reads it."""
    from nnstep.tui.screens.dialog import DIALOG_CSS

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.stylesheet.has_source(str(DIALOG_CSS), "")
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.stylesheet.has_source(str(DIALOG_CSS), "")
