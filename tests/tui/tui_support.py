"""Helpers for the TUI tests: the broccoli scenario and the app as the CLI builds it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nnstep.engine import load_scenario
from nnstep.tui.app import NnstepApp, build_app
from nnstep.tui.widgets.header_bar import HeaderBar
from nnstep.tui.widgets.status_line import StatusLine

ROOT = Path(__file__).resolve().parents[2]
BROCCOLI = ROOT / "scenarios" / "broccoli.toml"


def broccoli(numbers: str | None = None, epochs: int | None = None):
    scenario = load_scenario(BROCCOLI, numbers)
    if epochs is not None:
        scenario = replace(scenario, training=replace(scenario.training, epochs=epochs))
    return scenario


def make_app(numbers: str | None = None, epochs: int | None = None, **options) -> NnstepApp:
    """The app exactly as the CLI builds it, without a blinking cursor."""
    return build_app(broccoli(numbers, epochs), cursor_blink=False, **options)




def status(app: NnstepApp) -> str:
    """The status line's text."""
    return str(app.screen_stack[0].query_one(StatusLine).content)


def header(app: NnstepApp) -> str:
    """The header line's text."""
    return str(app.screen_stack[0].query_one(HeaderBar).content)


async def settle(app: NnstepApp, pilot) -> None:
    """Let key handling and any long-run worker finish."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
