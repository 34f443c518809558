"""Every view the debugger builds from an exact record holding values up to 10^±5000 renders
(issue 9): the layer panels, the loss panel and plot, the data panel, the sign table and its
findings, the header, the timeline, the status line, and the explain (=), compare (v), row (d)
and gradient-check (x) screens, in every number format — and none of them shows a nan, which an
exact record cannot hold. The engine's own views are tested in tests/engine/test_properties.py.

Each example is one pilot at a fixed size (seeded Hypothesis profile of tests/conftest.py, a few
examples: a pilot costs about a second)."""

from __future__ import annotations

import asyncio
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from nnstep.tui.screens.main import MainScreen
from nnstep.tui.widgets.common import Weight
from rich.console import Console
from tui_support import make_app, settle, status

SIZE = (120, 40)
SCIENTIFIC = st.builds(lambda m, e: f"{m}e{e}", st.integers(-999, 999).filter(bool),
                       st.integers(-2500, 2500))


def screen_text(app) -> str:
    """What the terminal shows now: the screen rendered in full, as text (App.export_screenshot
    without its SVG, the costly part)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def walk(weight: str, x: str) -> None:
    """w²[1,2] = ``weight`` and the second input of sample 2 = ``x`` (products and the loss
    reach 10^±5000): every operation of iteration 2 and every view of its update, rendered."""
    app = make_app("exact", max_fraction_bits=100_000)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        app.move_to(s.schedule.iteration_end(1) + 1)
        await settle(app, pilot)
        s.set_weight(1, 0, 1, weight)
        s.set_input(0, 1, x)
        app.selected = Weight(1, 0, 1)
        app.show_record()
        end = s.schedule.iteration_end(2)
        for index in range(s.cursor, end + 1):
            app.move_to(index)
            await settle(app, pilot)
            shown = screen_text(app)
            assert "nan" not in shown and "error" not in status(app), (index, status(app))
        assert s.cursor == end and s.record.op.kind == "update"
        await pilot.press("l")  # the loss plot as a panel
        for key in ("f", "f", "f", "s", "s", "s", "s", "w"):  # formats, sign-table filters
            await pilot.press(key)
            await settle(app, pilot)
            assert "nan" not in screen_text(app) and "error" not in status(app), key
        for key in ("equals_sign", "v", "d", "x"):  # explain, compare, row, gradient check
            await pilot.press(key)
            await settle(app, pilot)
            assert not isinstance(app.screen, MainScreen), key
            shown = screen_text(app)
            assert "error:" not in shown.lower(), (key, shown)
            if key != "x":  # the gradient check's finite differences are floats: may be nan
                assert "nan" not in shown, key
            await pilot.press("escape")
            await settle(app, pilot)


@settings(max_examples=2)
@given(weight=SCIENTIFIC, x=SCIENTIFIC)
@example(weight="1e400", x="3")  # ‖Δw‖/‖w‖ read inf/inf = nan
@example(weight="-999e2500", x="999e-2500")
def test_every_debugger_view_of_huge_exact_values_renders(weight: str, x: str) -> None:
    asyncio.run(walk(weight, x))
