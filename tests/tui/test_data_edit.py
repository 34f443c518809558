"""Editing an input or a target of the current sample (keys i and t), and the text it accepts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from nnstep.tui.data_edit import DataEditError, parse_data_edit
from nnstep.tui.screens.dialog import EditDialog
from textual.widgets import Input
from tui_support import make_app

NAMES = ["broccoli", "Tagada strawberries", "workout hours"]
SIZE = (120, 40)


@pytest.mark.parametrize("text, expected", [
    ("broccoli = 250", (0, 0, "250")),
    ("Tagada Strawberries=1/2", (0, 1, "1/2")),
    ("3 = -0.25", (0, 2, "-0.25")),
    ("#2 workout hours = 3e-4", (1, 2, "3e-4")),
])
def test_parse_data_edit(text, expected) -> None:
    assert parse_data_edit(text, NAMES, batch=2) == expected


def test_parse_single_value_needs_no_name() -> None:
    assert parse_data_edit("0", ["good shape"], batch=1) == (0, 0, "0")


@pytest.mark.parametrize("text, says", [
    ("pizza = 3", "no value named 'pizza'"),
    ("4 = 1", "not between 1 and 3"),
    ("250", "say which one"),
    ("#3 broccoli = 1", "not a sample of this batch"),
    # digits to Python's isdigit that int() refuses, or that are too long for it: refused with
    # the dialog's message (they were ValueError tracebacks that closed the debugger)
    ("#² broccoli = 1", "'#²' is not a sample"),
    ("² = 1", "no value named '²'"),
    ("#" + "9" * 5000 + " broccoli = 1", "'#" + "9" * 39 + "…' is not a sample"),
    ("9" * 5000 + " = 1", "9" * 39 + "… is not between 1 and 3"),
    ("\x1b[2J = 1", r"no value named '\\x1b\[2J'"),
], ids=lambda value: value[:24])
def test_parse_data_edit_refuses(text, says) -> None:
    with pytest.raises(DataEditError, match=says):
        parse_data_edit(text, NAMES, batch=2)


async def submit(app, pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, EditDialog)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_what_if_sample_3_had_eaten_200_broccoli() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        s.goto(s.schedule.iteration_end(2) + 5)  # iteration 3, after the loss
        app.record = s.record
        assert s.record.loss == Fraction(1, 2)
        await submit(app, pilot, "i", "broccoli = 200")
        assert not isinstance(app.screen, EditDialog)
        rec = s.record
        assert s.branch.id == 1 and rec.x[0, 0] == 200
        # o² = 200/200 + 2000·(−3/11600) + 3000/5800 = 1: the expected output, loss 0
        assert rec.outputs[1][0, 0] == 1 and rec.loss == 0
        assert s.at(0).data_x[2, 0] == 0  # before the edit's iteration nothing changed
        await pilot.press("u")
        await pilot.pause()
        assert s.branch.id == 0 and s.record.loss == Fraction(1, 2)


async def test_target_edit_and_refusal() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("t")  # nothing picked at the start: refused, no dialog
        await pilot.pause()
        assert not isinstance(app.screen, EditDialog) and s.branch.id == 0
        s.goto(s.schedule.iteration_end(2) + 5)
        app.record = s.record
        await submit(app, pilot, "t", "good shape = abc")
        assert isinstance(app.screen, EditDialog)  # refused: the dialog stays, nothing changed
        assert "'abc' is not a number" in str(app.screen.query_one("#dialog-error").content)
        assert s.branch.id == 0
        app.screen.query_one(Input).value = "0"
        await pilot.press("enter")
        await pilot.pause()
        assert s.branch.id == 1 and s.record.y[0, 0] == 0 and s.record.loss == 0


async def test_typing_completes_the_name_the_dialog_starts_with() -> None:
    """`i` opens with "broccoli = " in the field: typing the value completes it. (It was
    selected like a present value, so typing 200 replaced it and was refused: "say which
    one".) Where the field holds the present value (one target), typing still replaces it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        s.goto(s.schedule.iteration_end(2) + 5)
        app.record = s.record
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("2", "0", "0", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, EditDialog), app.screen.query_one(Input).value
        assert s.branch.id == 1 and s.record.x[0, 0] == 200
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("0", "enter")
        await pilot.pause()
        assert s.branch.id == 2 and s.record.y[0, 0] == 0


async def test_unnamed_inputs_and_targets_are_typed_as_the_screen_shows_them() -> None:
    """A data set naming no input or target: the panels show x1 … and y1 …, and the i / t
    dialogs take those names (they wanted 'input 2', a name shown nowhere)."""
    from nnstep.engine import parse_scenario
    from nnstep.tui.app import build_app

    scenario = parse_scenario('title = "t"\nnumbers = "exact"\n[data]\nsamples = [{ x = [1, 2], '
                              'y = [1] }]\n[training]\nlearning_rate = 1\n[[layers]]\nkind = '
                              '"input"\nsize = 2\n[[layers]]\nkind = "linear"\nsize = 1\n'
                              'weights = [[1, 1]]\n', "t.toml")
    app = build_app(scenario, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        s.goto(1)
        app.record = s.record
        await submit(app, pilot, "i", "x2 = 5")
        assert not isinstance(app.screen, EditDialog) and s.record.x[0, 1] == 5
        await submit(app, pilot, "t", "y1 = 3")
        assert not isinstance(app.screen, EditDialog) and s.record.y[0, 0] == 3
