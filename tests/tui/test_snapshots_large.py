"""Snapshot tests of the large-network views and of a narrow terminal (fixed sizes and formats).

Regenerate with ``pytest tests/tui --snapshot-update`` and look at every SVG before committing.
"""

from __future__ import annotations

from dataclasses import replace

from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from tui_support import ROOT, make_app


def mlp784_app():
    sc = load_scenario(ROOT / "scenarios" / "mlp784.toml")
    return build_app(replace(sc, training=replace(sc.training, epochs=1)), cursor_blink=False)


def test_mlp784_update_of_first_iteration(snap_compare) -> None:
    """784-128-10 at the first update: heat maps of w and δw for L2 and L4 (legend ±scale),
    statistics, top |δw| and |δ|, the selected weight's row, blocked share of the ReLU, the
    data panel cut to 16 inputs, the layer strip wrapped onto two columns."""

    async def run_before(pilot) -> None:
        pilot.app.move_to(12)
        await pilot.pause()

    assert snap_compare(mlp784_app(), terminal_size=(120, 40), run_before=run_before)


def test_broccoli_at_80_columns(snap_compare) -> None:
    """80×24, sample 3, backward L2: L1 | L2 over L3 | loss, nothing scrolls sideways."""

    async def run_before(pilot) -> None:
        pilot.app.move_to(28)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
