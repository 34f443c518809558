"""Pilot tests of issue 4's keys: breakpoints (b), continue (c), reverse-continue (C), the
gradient check (x), the non-finite stop, and the predicted vs actual loss change."""

from __future__ import annotations

import io
from pathlib import Path

from nnstep.engine import load_scenario
from nnstep.engine.records import UPDATE
from nnstep.tui.app import build_app
from nnstep.tui.screens.breakpoints import BreakpointsScreen
from nnstep.tui.screens.gradcheck import GradcheckScreen
from nnstep.tui.widgets.loss_panel import LossPanel
from rich.console import Console
from textual.widgets import Input, OptionList
from tui_support import make_app, settle, status

SIZE = (120, 40)
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"




async def add_breakpoint(app, pilot, text: str) -> str:
    """Type ``text`` into the breakpoints dialog; the dialog's error text ('' if accepted)."""
    field = app.screen.query_one(Input)
    field.value = text
    await pilot.press("enter")
    await pilot.pause()
    error = app.screen.query_one("#dialog-error")
    return str(error.content) if error.has_class("-shown") else ""


async def test_breakpoint_dialog_adds_refuses_and_removes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        assert isinstance(app.screen, BreakpointsScreen)
        assert await add_breakpoint(app, pilot, "loss rises") == ""
        problem = await add_breakpoint(app, pilot, "lost rises")
        assert "did you mean 'loss'" in problem
        assert "is already set" in await add_breakpoint(app, pilot, "loss  rises")
        assert await add_breakpoint(app, pilot, "sign L2[0,1]") == ""
        assert [c.text for c in app.breakpoints] == ["loss rises", "sign L2[0,1]"]
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        options.focus()
        options.highlighted = 0
        await pilot.press("delete")
        await pilot.pause()
        assert [c.text for c in app.breakpoints] == ["sign L2[0,1]"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BreakpointsScreen)
        assert "sign L2[0,1]" in status(app)


async def test_tab_then_delete_removes_the_first_and_the_highlight_stays() -> None:
    """Tab from the field to the list highlights its first condition, so delete works at once;
    after a delete the highlight stays (on the next one, or the new last)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        for text in ("loss rises", "sign", "blocked"):
            assert await add_breakpoint(app, pilot, text) == ""
        options = app.screen.query_one(OptionList)
        await pilot.press("tab")
        assert app.screen.focused is options and options.highlighted == 0
        await pilot.press("delete")
        await pilot.pause()
        assert [c.text for c in app.breakpoints] == ["sign", "blocked"]
        assert options.highlighted == 0
        await pilot.press("down", "delete")
        await pilot.pause()
        assert [c.text for c in app.breakpoints] == ["sign"]
        assert options.highlighted == 0
        await pilot.press("delete")
        await pilot.pause()
        assert app.breakpoints == []


async def test_continue_stops_at_the_exact_operation_and_reverse_goes_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("b")
        await add_breakpoint(app, pilot, "loss rises")
        await pilot.press("escape")
        await pilot.press("c")
        await settle(app, pilot)
        # the loss of iteration 3 (1/2) is the first higher than the previous one (0)
        assert s.record.op.kind == "loss" and s.record.iteration == 3
        assert s.at(s.cursor - 1).loss is None  # the operation before had not computed it
        assert "loss rises" in status(app) and "from 0" in status(app)
        await pilot.press("c")  # no further rise: continue runs to the end
        await settle(app, pilot)
        assert s.cursor == s.last_index
        assert "no breakpoint hit" in status(app)
        await pilot.press("C")  # reverse-continue: back to where the loss rose
        await settle(app, pilot)
        assert s.record.op.kind == "loss" and s.record.iteration == 3


async def test_reverse_continue_without_breakpoints_says_so(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settle(app, pilot)
        before = app.session.cursor
        await pilot.press("C")
        await pilot.pause()
        assert app.session.cursor == before
        assert "b adds one" in status(app)


async def test_a_nan_stops_continue_where_it_is_produced() -> None:
    app = build_app(load_scenario(SCENARIOS / "diverging.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("c")
        await settle(app, pilot)
        assert s.cursor < s.last_index
        rec, prev = s.record, s.at(s.cursor - 1)
        assert rec.op.kind == "loss" and rec.loss == float("inf")
        assert all(abs(v) < float("inf") for v in prev.outputs[-1].ravel())
        assert "nonfinite" in status(app) and "inf" in status(app)
        await pilot.press("n")  # the UI goes on working past it
        await pilot.pause()
        assert s.cursor == rec.index + 1


async def test_gradient_check_key() -> None:
    app = make_app("float64")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")  # nothing picked at the start
        await pilot.pause()
        assert not isinstance(app.screen, GradcheckScreen)
        assert "step into an iteration" in status(app)
        app.session.goto(app.session.schedule.iteration_end(1) + 3)
        app.record = app.session.record
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, GradcheckScreen)
        (check,) = app.screen.checks
        assert check.layer == "L2" and check.checked + check.kinks == 3
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GradcheckScreen)


async def test_loss_panel_shows_predicted_and_actual_change() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settle(app, pilot)
        assert app.session.record.op.kind == UPDATE
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(app.screen.query_one(LossPanel).content)
        text = console.export_text()
        # broccoli's third update: −α·‖δw‖² = −(2000² + 3000²) and the measured change
        assert "Δ pred. -13000000" in text and "Δ actual ≈8.45e+13" in text
        assert "α too large" in text


async def test_the_condition_reference_reads_line_by_line_at_80_columns() -> None:
    """The dialog's reference of the language: every example is a condition the language
    takes, and at 80×24 no line wraps (an 89-letter line broke mid-phrase at 80 columns)."""
    from nnstep.engine.conditions import parse_condition
    from nnstep.tui.screens.breakpoints import LANGUAGE
    from textual.widgets import Static

    layers = build_app(load_scenario(SCENARIOS / "iris.toml")).session.model.layers
    *examples, names = LANGUAGE.split("\n")
    for term in " · ".join(examples).split(" · "):
        parse_condition(term.removesuffix(" (always on)"), layers)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        reference = app.screen.query_one("#breakpoint-language", Static)
        assert reference.size.height == len(examples) + 1, reference.size
