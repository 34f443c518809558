"""The sign table measures its tables at every length of input names from one table: the first
column's width, computed without building the table, is the one the built table has."""

from __future__ import annotations

from pathlib import Path

import pytest
from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.widgets.sign_table import NAME_WIDTHS, SignTable

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["broccoli", "iris", "mlp784"])
async def test_the_names_column_is_measured_as_drawn(name: str) -> None:
    app = build_app(load_scenario(SCENARIOS / f"{name}.toml"), cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.move_to(app.session.schedule.iteration_end(1))
        for _ in range(2):  # all weights around the selection, then the largest |δw|
            await pilot.pause()
            view = app.view()
            assert view.sign_places
            for n in NAME_WIDTHS:
                assert SignTable._name_width(view, n) == SignTable._table(view, n).widths()[0]
            app.action_sign_filter()
