"""Pilot tests: `/` selects a weight, a bias or a neuron by the name the screen shows, and a
click on a weight's value or on its sign-table row selects it."""

from __future__ import annotations

import re
from pathlib import Path

from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.screens.dialog import FindDialog
from nnstep.tui.widgets.layer_panel import LayerPanel
from nnstep.tui.widgets.sign_table import SignTable
from textual.widgets import Input
from tui_support import settle, status

SIZE = (120, 40)
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def shown_lines(panel, view) -> list[str]:
    """The lines ``panel`` draws for ``view`` at its width."""
    blocks = panel.drawing(view).at(panel.content_region.width)
    return "\n".join(block.plain for block in blocks).split("\n")


async def find(app, pilot, text: str) -> str:
    """Type ``text`` into the find dialog; the dialog's error ('' when it closed)."""
    await pilot.press("slash")
    assert isinstance(app.screen, FindDialog)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)
    if isinstance(app.screen, FindDialog):
        error = str(app.screen.query_one("#dialog-error").content)
        await pilot.press("escape")
        return error
    return ""


async def test_slash_finds_weights_biases_and_neurons_by_their_screen_names() -> None:
    app = build_app(load_scenario(SCENARIOS / "dead_relu.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        assert await find(app, pilot, "w²[2,1]") == ""
        assert app.selected == (1, 1, 0)
        assert status(app).startswith("selected w²[2,1] (x1 → L2 n2) = ")
        assert await find(app, pilot, "w4[1,2]") == ""  # ASCII
        assert app.selected == (3, 0, 1)
        assert await find(app, pilot, "b²[2]") == ""
        assert app.selected == (1, 1, None)
        assert status(app).startswith("selected b²[2] (bias → L2 n2)")
        assert await find(app, pilot, "L3 n2") == ""  # a ReLU unit: the weight it feeds
        assert app.selected == (3, 0, 1)
        assert status(app).startswith("L3 n2: selected w⁴[1,2] (L3 n2 → L4 n1)")
        assert await find(app, pilot, "x2") == ""  # a feature: its first weight
        assert app.selected == (1, 0, 1)
        assert await find(app, pilot, "L2 n2") == ""  # a linear neuron: its first weight
        assert app.selected == (1, 1, 0)


async def test_slash_says_why_a_name_finds_nothing_and_keeps_the_selection() -> None:
    app = build_app(load_scenario(SCENARIOS / "dead_relu.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        before = app.selected
        error = await find(app, pilot, "w²[3,1]")
        assert "L2 has 2 neurons × 2 inputs" in error and "w²[1,1] … w²[2,2]" in error
        assert "no layer named 'L9'" in await find(app, pilot, "L9 n1")
        assert "names no weight" in await find(app, pilot, "broccoli")
        assert "has no weights" in await find(app, pilot, "w³[1,1]")
        assert app.selected == before


async def test_slash_reaches_a_weight_deep_in_a_big_layer() -> None:
    app = build_app(load_scenario(SCENARIOS / "mlp784.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        assert await find(app, pilot, "w2[100,700]") == ""
        assert app.selected == (1, 99, 699)
        assert status(app).startswith("selected w²[100,700]")
        # generated data names no feature: the screen's x784 is found as it reads (it was
        # refused: "names no weight, bias or neuron")
        assert await find(app, pilot, "x784") == ""
        assert app.selected == (1, 0, 783)


async def weight_row(app, pilot) -> tuple[LayerPanel, int, list[int]]:
    """At the end of dead_relu's first iteration: L4's panel, the line of its first neuron's
    w row and where each word of it starts (its label, w⁴[1,1], w⁴[1,2], …)."""
    app.move_to(app.session.schedule.iteration_end(1))
    await settle(app, pilot)
    panel = app.screen.query_one("#layer-3", LayerPanel)
    lines = shown_lines(panel, app.view())
    row = next(n for n, line in enumerate(lines) if line.startswith("w⁴[1,·]"))
    return panel, row, [m.start() for m in re.finditer(r"\S+", lines[row])]


async def test_a_click_on_a_weight_or_its_sign_row_selects_it() -> None:
    app = build_app(load_scenario(SCENARIOS / "dead_relu.toml"), cursor_blink=False)
    async with app.run_test(size=(200, 60)) as pilot:
        panel, row, words = await weight_row(app, pilot)
        column = words[2]  # the second input's value (w⁴[1,2])
        await pilot.click(panel, offset=(panel.gutter.left + column,
                                         panel.gutter.top + row))
        await settle(app, pilot)
        assert app.selected == (3, 0, 1)
        assert status(app).startswith("selected w⁴[1,2]")
        table = app.screen.query_one(SignTable)
        lines = shown_lines(table, app.view())
        row = next(n for n, line in enumerate(lines) if line.startswith("w²[2,1]"))
        await pilot.click(table, offset=(table.gutter.left + 40, table.gutter.top + row))
        await settle(app, pilot)
        assert app.selected == (1, 1, 0)


async def test_the_mouse_over_a_weight_redraws_nothing() -> None:
    """A weight's value carries the weight in its style's meta (for the click above). Textual
    took such a style for a link and redrew the panel each time the mouse moved onto another
    value; a panel has no links (Panel's auto_links off), so hovering redraws nothing."""
    app = build_app(load_scenario(SCENARIOS / "dead_relu.toml"), cursor_blink=False)
    async with app.run_test(size=(200, 60)) as pilot:
        panel, row, words = await weight_row(app, pilot)
        columns = words[1:4]  # three weights
        # redraws asked for; Textual also renders the line under the mouse to read its style
        refreshed = []
        refresh = panel.refresh
        panel.refresh = lambda *args, **kw: refreshed.append(args) or refresh(*args, **kw)
        for column in columns * 2:
            await pilot.hover(panel, offset=(panel.gutter.left + column, panel.gutter.top + row))
            await settle(app, pilot)
        assert refreshed == []
