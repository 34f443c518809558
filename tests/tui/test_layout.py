"""The screen holds still: through every operation of an iteration, every panel keeps its
top-left corner and its width (values appearing, findings, a longer number never move another
panel), at 80×24, 120×40 and 200×60."""

from __future__ import annotations

from pathlib import Path

import pytest
from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.widgets.panel import Panel
from textual.geometry import Region

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SIZES = [(80, 24), (120, 40), (200, 60)]
CASES = [("dead_relu.toml", 4), ("broccoli.toml", 3), ("iris.toml", 2), ("mlp784.toml", 3)]


def places(app) -> dict[str, tuple[int, int, int]]:
    """Each panel's (x, y, width) on the screen, by id."""
    return {p.id: (p.region.x, p.region.y, p.region.width)
            for p in app.screen.query(Panel) if p.display}


@pytest.mark.parametrize("name,iteration", CASES)
async def test_panels_hold_still_through_an_iteration(name: str, iteration: int) -> None:
    scenario = load_scenario(SCENARIOS / name)
    for size in SIZES:
        app = build_app(scenario, cursor_blink=False)
        async with app.run_test(size=size) as pilot:
            schedule = app.session.schedule
            first = schedule.iteration_end(iteration - 1) + 1
            seen = {}
            for index in range(first, schedule.iteration_end(iteration) + 1):
                app.move_to(index)
                await pilot.pause()
                await pilot.pause()
                seen[app.session.label()] = places(app)
            labels = list(seen)
            for label in labels[1:]:
                moved = {k: (seen[labels[0]][k], v) for k, v in seen[label].items()
                         if seen[labels[0]].get(k) != v}
                assert not moved, f"{name} {size}: at '{label}' vs '{labels[0]}': {moved}"


async def test_nothing_essential_is_cut_at_80_columns() -> None:
    """At 80×24: the header keeps the operation's name, the footer keeps ? and q, and the
    gradient check names its worst weights in full."""
    from nnstep.tui.screens.gradcheck import GradcheckScreen
    from test_redraw import screen_text

    for name in ("iris.toml", "mlp784.toml", "broccoli.toml"):
        app = build_app(load_scenario(SCENARIOS / name), cursor_blink=False)
        async with app.run_test(size=(80, 24)) as pilot:
            ops = app.session.schedule.ops_per_iteration
            for index in range(1, ops + 1):
                app.move_to(index)
                await pilot.pause()
                rows = [row.replace("\xa0", " ") for row in screen_text(app)]
                assert app.session.label() in rows[0], (name, rows[0])
                assert rows[-1].startswith("? helpq quit"), (name, rows[-1])  # keys abut
            if name == "iris.toml":
                await pilot.press("x")
                await pilot.pause()
                assert isinstance(app.screen, GradcheckScreen)
                text = "\n".join(screen_text(app)).replace("\xa0", " ")
                assert all(c.where in text for c in app.screen.checks), text


async def panel_text(name: str, size: tuple[int, int], index: int) -> dict[str, str]:
    """The text of each panel of ``name`` (border included) at operation ``index`` on a
    ``size`` screen."""
    app = build_app(load_scenario(SCENARIOS / name), cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        app.move_to(index)
        await pilot.pause()
        await pilot.pause()
        return {p.id: "\n".join(line.text for line in p.render_lines(Region(0, 0, *p.size)))
                for p in app.screen.query(Panel) if p.display}


async def test_free_width_goes_to_every_panel() -> None:
    """Spare width reaches every panel of a row, not only the last: more samples, more inputs,
    longer names, and a sign table whose situations read on one line. (On the old grid, iris
    at 200×60 cut L2 to 3 of 4 inputs and L4 to 3 of 8, broccoli cut 'Tagada st…' with 100
    columns free, and at 120×40 the iris situations wrapped over four lines.)"""
    broccoli = await panel_text("broccoli.toml", (200, 60), 30)
    assert all("…" not in broccoli[k] for k in ("layer-0", "layer-1", "signs")), broccoli
    assert "Tagada strawberries" in broccoli["layer-1"]
    iris = await panel_text("iris.toml", (200, 60), 12)
    assert "inputs" not in iris["layer-1"] and "petal_width" in iris["layer-1"]  # 4 of 4
    assert "L3 n8" in iris["layer-3"] and "inputs" not in iris["layer-3"]  # 8 of 8
    assert iris["layer-1"].count("δ² #") >= 2  # and more than one sample of the batch
    iris = await panel_text("iris.toml", (120, 40), 12)
    assert "sepal_length" in iris["layer-1"] and "sepal_len…" not in iris["layer-1"]
    rows = [line for line in iris["signs"].split("\n") if line.startswith(("│ w²", "│ b²"))]
    assert rows and all("disagree" in line and "✓" in line for line in rows), rows


@pytest.mark.parametrize("name", ["broccoli.toml", "digits.toml"])
async def test_every_panel_fits_the_width_at_80_columns(name: str) -> None:
    """At 80×24 no panel is wider than its strip: the sign table, whose situations wrap to fill
    the room it is given, was measured in the whole screen's width and came out 5 columns
    wider than the strip, its 'moved' column and its findings cut at the edge; a batch of 32
    samples listed in the data panel's title made it 188 columns wide."""
    app = build_app(load_scenario(SCENARIOS / name), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.move_to(app.session.schedule.ops_per_iteration * 3)
        await pilot.pause()
        await pilot.pause()
        wide = {p.id: (p.region.right, p.parent.size.width) for p in app.screen.query(Panel)
                if p.display and p.parent.id in ("layers", "lower")
                and p.region.right > p.parent.size.width}
        assert not wide, wide


async def test_the_gradient_checks_numbers_are_whole_at_80_columns() -> None:
    """digits at 80×24: the gradient check's table is too wide for the dialog; the counts'
    columns give way, never the numbers (Rich cut the last column: 1.60938e-06 as
    1.60938e-0)."""
    from nnstep.tui.screens.gradcheck import GradcheckScreen
    from test_redraw import screen_text

    app = build_app(load_scenario(SCENARIOS / "digits.toml"), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.move_to(app.session.schedule.ops_per_iteration)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, GradcheckScreen)
        rows = [row.replace("\xa0", " ") for row in screen_text(app)]
        for c in app.screen.checks:
            row = next(r for r in rows if c.where in r).replace(" ", "")
            assert f"{c.analytic:.6g}{c.numeric:.6g}█" in row, row


@pytest.mark.parametrize("name", ["broccoli.toml", "mlp784.toml"])
async def test_the_drill_in_fits_80_columns(name: str) -> None:
    """d at 80×24: the table fits the dialog, input names giving way (or, when even short
    names would not fit, their column: the weight's name says which input): it scrolled
    sideways and the column at the edge read as a shorter number (ŵ²[1,2] = 23199997/11600
    as 23199997/1)."""
    from nnstep.tui.screens.row import RowScreen
    from textual.widgets import DataTable

    app = build_app(load_scenario(SCENARIOS / name), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.move_to(app.session.schedule.ops_per_iteration * 3)
        await pilot.pause()
        await pilot.press("w", "d")
        await pilot.pause()
        assert isinstance(app.screen, RowScreen)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert [str(c.label) for c in table.columns.values()][-2:] == ["ŵ", "move"]
        if name == "broccoli.toml":  # one neuron, not "1 neurons"
            title = str(app.screen.query_one("#dialog-title").content)
            assert title == "L2 n1 (of 1 neuron): its 3 weights", title
