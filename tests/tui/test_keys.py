"""Pilot tests: each key does what the help says (state asserted on the session)."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from nnstep.engine import Session
from nnstep.engine.records import same
from nnstep.tui.screens.confirm import ConfirmDialog
from nnstep.tui.screens.dialog import EditDialog, GotoDialog
from nnstep.tui.screens.help import HelpScreen
from textual.widgets import Input
from tui_support import broccoli, header, make_app, settle, status

SIZE = (120, 40)





async def test_step_keys(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("n", "right")
        assert s.cursor == 2 and app.record is s.record
        assert "forward · L1 (input)" in header(app)
        await pilot.press("p")
        assert s.cursor == 1
        await pilot.press("left", "left")
        assert s.cursor == 0
        assert "start · before training" in header(app)


async def test_iteration_epoch_home_end(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("right_square_bracket")
        assert s.cursor == 10 and s.record.op.kind == "update"
        await pilot.press("right_square_bracket")
        assert s.cursor == 20
        await pilot.press("left_square_bracket")
        assert s.cursor == 10
        await pilot.press("right_curly_bracket")
        assert s.cursor == s.last_index == 30
        await pilot.press("left_curly_bracket")
        assert s.cursor == 0
        await pilot.press("end")
        await settle(app, pilot)
        assert s.cursor == 30
        await pilot.press("home")
        assert s.cursor == 0


async def test_epochs_on_a_longer_run() -> None:
    app = make_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        app.action_next_epoch()
        await settle(app, pilot)
        assert s.cursor == 30 and s.record.epoch == 1
        app.action_next_epoch()
        await settle(app, pilot)
        assert s.cursor == 60 and s.record.epoch == 2
        app.action_prev_epoch()
        await settle(app, pilot)
        assert s.cursor == 30


async def test_goto_iteration_dialog(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, GotoDialog)
        app.screen.query_one(Input).value = "9"
        await pilot.press("enter")
        assert isinstance(app.screen, GotoDialog)  # refused: past iteration 3
        assert "iteration 9 is past the end of training (3 iterations)" in str(
            app.screen.query_one("#dialog-error").content)
        app.screen.query_one(Input).value = "2"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, GotoDialog)
        assert app.session.cursor == 20


async def test_typing_in_a_dialog_replaces_the_value_shown(app) -> None:
    """The dialog opens with the present value selected: typing a new one replaces it."""
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        await pilot.press("g")
        field = app.screen.query_one(Input)
        assert field.value == "3"
        await pilot.press("1", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, GotoDialog)
        assert app.session.cursor == 10
        await pilot.press("g", "left", "2", "enter")  # ← keeps the value, to edit it: "21"
        assert "iteration 21 is past the end" in str(app.screen.query_one("#dialog-error").content)


async def test_run_to_end(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(app, pilot)
        assert app.session.cursor == app.session.last_index
        assert not app.running


async def test_long_run_is_sliced_and_escape_cancels() -> None:
    """pilot.press waits for the CPU to idle, which a run never does: drive it directly."""
    app = make_app(epochs=4000)
    async with app.run_test(size=SIZE):
        s = app.session
        app.action_last()  # the end key: a long run to the last operation
        await asyncio.sleep(0.3)
        assert app.running and 0 < s.computed < s.last_index and s.cursor == 0
        app.action_next_op()  # refused while running: nothing corrupts the session
        app.action_edit_weight()
        app.action_undo()
        assert not isinstance(app.screen, EditDialog) and s.branch.id == 0 and s.cursor == 0
        assert "busy" in status(app)
        await app.run_action("cancel")  # escape
        await app.workers.wait_for_complete()
        assert not app.running
        assert 0 < s.cursor < s.last_index and s.cursor == s.computed
        assert "cancelled" in status(app)


async def test_selection_keys(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert app.selected == (1, 0, 0)
        await pilot.press("tab")
        assert app.selected == (1, 0, 1)
        await pilot.press("down", "j")
        assert app.selected == (1, 0, 0)  # wraps round the three weights
        await pilot.press("shift+tab")
        assert app.selected == (1, 0, 2)
        await pilot.press("up", "k")
        assert app.selected == (1, 0, 0)
        assert app.session.cursor == 0  # selecting never steps
        assert "w²[1,1]" in status(app)


async def test_edit_refused_changes_nothing(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        app.move_to(30)
        before = s.record
        await pilot.press("e")
        assert isinstance(app.screen, EditDialog)
        app.screen.query_one(Input).value = "1/0"
        await pilot.press("enter")
        assert isinstance(app.screen, EditDialog)
        assert "divides by zero" in str(app.screen.query_one("#dialog-error").content)
        app.screen.query_one(Input).value = "broccoli"
        await pilot.press("enter")
        assert "not a number" in str(app.screen.query_one("#dialog-error").content)
        await pilot.press("escape")
        assert not isinstance(app.screen, EditDialog)
        assert s.branch.id == 0 and len(s.branches) == 1 and s.record is before


async def test_edit_accepted_branches_and_undo_restores() -> None:
    app = make_app()
    fresh = Session(broccoli())
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        app.move_to(30)
        await pilot.press("tab")  # w²[1,2], the Tagada strawberries weight
        await pilot.press("e")
        app.screen.query_one(Input).value = "0"
        await pilot.press("enter")
        assert not isinstance(app.screen, EditDialog)
        assert s.branch.id == 1 and s.forks() == [21] and s.cursor == 30
        assert s.record.params[1]["w"][0, 1] == 0
        # recomputed: o² = 3000 · 1/5800 = 15/29 > 0, so the loss changes
        assert s.record.outputs[1][0, 0] == Fraction(15, 29)
        assert "branch 1" in header(app)
        await pilot.press("u")
        assert s.branch.id == 0 and s.cursor == 30
        assert "branch" not in header(app)
        for i in range(s.last_index + 1):
            assert same(s.at(i), fresh.at(i))
        await pilot.press("u")
        assert "nothing to undo" in status(app)


async def test_edit_learning_rate(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        app.screen.query_one(Input).value = "1/2"
        await pilot.press("enter")
        assert app.session.record.lr == Fraction(1, 2) and app.session.branch.id == 1
        app.move_to(30)
        assert app.session.record.new_params[1]["w"][0, 1] == Fraction(-3, 11600) + 1000


async def test_format_cycles(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert app.style == "fraction"
        await pilot.press("f")
        assert app.style == "decimal"
        await pilot.press("f")
        assert app.style == "scientific"
        await pilot.press("f")
        assert app.style == "fraction"


async def test_float_mode_starts_in_decimal() -> None:
    app = make_app("float64")
    async with app.run_test(size=SIZE):
        assert app.style == "decimal" and app.session.record.mode == "float64"


async def test_help_and_quit(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("n")  # the help is modal: stepping keys do nothing there
        assert app.session.cursor == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_runaway_fractions_offers_float() -> None:
    app = make_app(max_fraction_bits=8)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await pilot.press("n", "n")  # forward L1 outputs 2000: 11 bits > 8
        assert isinstance(app.screen, ConfirmDialog)
        assert s.cursor == 1 and s.record.mode == "exact"
        await pilot.press("y")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert s.record.mode == "float64" and s.branch.id == 1 and s.cursor == 2
        assert "float64" in header(app)
        app.move_to(30)
        await settle(app, pilot)
        assert s.cursor == 30


async def test_runaway_fractions_declined_stays_exact() -> None:
    app = make_app(max_fraction_bits=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert app.session.record.mode == "exact" and app.session.cursor == 1
        assert "stayed exact" in status(app)


async def test_a_next_iteration_that_cannot_be_computed_is_not_tried_again() -> None:
    """While keys wait the debugger prepares the next iteration; when its exact fractions run
    away, it says nothing (the step there will ask) and does not try again at every change."""
    from test_redraw import prepared

    app = make_app(max_fraction_bits=8)
    async with app.run_test(size=SIZE) as pilot:
        s, tried = app.session, []
        compute = s.iteration_end_after
        s.iteration_end_after = lambda end: tried.append(end.index) or compute(end)
        for _ in range(3):
            app.refresh_view()
            await prepared(app, pilot)
        assert tried == [0]
        assert app.inspection.ahead_of_next().record is None
        assert not isinstance(app.screen, ConfirmDialog) and s.cursor == 0


async def test_timeline_click_seeks(app) -> None:
    from nnstep.tui.widgets.timeline import Timeline

    async with app.run_test(size=SIZE) as pilot:
        app.post_message(Timeline.Seek(12))
        await settle(app, pilot)
        assert app.session.cursor == 12


async def test_repeated_findings_in_a_layer_panel_are_counted_once() -> None:
    """After w²[1,2] = 1/100 both w²[1,2] and w²[1,3] flip sign at the third update: the L2
    panel says so on one line, ×2, not twice."""
    import io

    from rich.console import Console

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        app.session.set_weight(1, 0, 1, "1/100")
        app.record = app.session.record
        await settle(app, pilot)
        flips = [f for f in app.view().findings if f.kind == "sign" and f.layer == 1]
        assert len(flips) == 2
        console = Console(width=100, file=io.StringIO(), color_system=None)
        console.print(app.screen.query_one("#layer-1").content)
        text = console.file.getvalue()
        assert text.count("sign flip") == 1 and "± sign flip L2 n1 ×2" in text


async def test_goto_echoes_a_huge_number_cut(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        app.screen.query_one(Input).value = "7" * 5000
        await pilot.press("enter")
        error = str(app.screen.query_one("#dialog-error").content)
        assert "7" * 40 in error and "7" * 100 not in error and len(error) < 200
        app.screen.query_one(Input).value = "x\x1b" + "y" * 100
        await pilot.press("enter")
        error = str(app.screen.query_one("#dialog-error").content)
        assert "\\x1b" in error and "\x1b" not in error and len(error) < 200


@pytest.mark.parametrize("size, pairs", [((80, 24), 1), ((100, 30), 1), ((120, 40), 2),
                                         ((200, 60), 2)])
async def test_help_keys_never_wrap(size, pairs) -> None:
    """Two column pairs where every description fits one line, else one pair that scrolls."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys")
        table = keys.content
        assert len(table.columns) == 2 * pairs
        rows = len(app.screen.rows())
        assert table.row_count == (rows if pairs == 1 else -(-rows // 2))
        assert keys.size.height == table.row_count + 1  # one line a row, and the heading


async def test_a_step_past_either_end_says_so(app) -> None:
    """p [ { home at the start and n ] } end at the end of training do nothing: the status
    line says why (they did nothing, silently)."""
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        for key in ("p", "left_square_bracket", "left_curly_bracket", "home"):
            app.say("")
            await pilot.press(key)
            assert s.cursor == 0 and "at the start of training" in status(app), key
        await pilot.press("end")
        await settle(app, pilot)
        assert s.cursor == s.last_index and "at the end" not in status(app)
        for key in ("n", "right_square_bracket", "right_curly_bracket", "end"):
            app.say("")
            await pilot.press(key)
            assert s.cursor == s.last_index and "at the end of training" in status(app), key
        await pilot.press("p")
        assert s.cursor == s.last_index - 1 and "at the end" not in status(app)
