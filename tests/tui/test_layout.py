"""The screen holds still: through every operation of an iteration, every panel keeps its
top-left corner and its width (values appearing, findings, a longer number never move another
panel), at 80×24, 120×40 and 200×60."""

from __future__ import annotations

from pathlib import Path

import pytest
from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.widgets.panel import Panel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SIZES = [(80, 24), (120, 40), (200, 60)]
CASES = [("dead_relu.toml", 4), ("broccoli.toml", 3), ("iris.toml", 2)]


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
