"""Opening where you mean to: ``--goto`` (the same position syntax as the g dialog),
``--break`` and ``--continue``; and the files out, S (the weights at the cursor) and B (the
branch as a scenario), with the confirm dialog before replacing a file."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import numpy as np
import safetensors.numpy as stn
from nnstep.engine import Session, load_scenario
from nnstep.engine.records import same
from nnstep.tui import cli, headless
from nnstep.tui.app import build_app
from nnstep.tui.headless import opening
from nnstep.tui.screens.confirm import ConfirmDialog
from nnstep.tui.screens.dialog import GotoDialog, PathDialog
from nnstep.tui.screens.help import DESCRIPTIONS, key_text
from nnstep.tui.screens.main import BINDINGS
from textual.widgets import Input
from tui_support import ROOT, broccoli, header, settle, status

SIZE = (120, 40)


def opened(scenario=None, goto=None, breaks=(), continue_=False):
    start = opening(scenario or broccoli(), goto, list(breaks), continue_)
    return build_app(start.scenario, cursor_blink=False, opening=start)


async def test_goto_an_operation() -> None:
    app = opened(goto="3:backward:L3")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.cursor == 27
        assert "backward · L3 (relu)" in header(app)


async def test_goto_past_the_scenarios_epochs_adds_epochs() -> None:
    """Like ``nnstep run --iterations``: --goto 5 on a 3-iteration scenario trains 2 epochs."""
    app = opened(goto="5:loss")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.schedule.epochs == 2
        assert app.session.cursor == 45 and app.session.record.iteration == 5


async def test_break_and_continue_open_at_the_first_hit() -> None:
    app = opened(breaks=["loss rises"], continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.cursor == 25  # as `nnstep run --break 'loss rises'` stops
        assert [c.text for c in app.breakpoints] == ["loss rises"]
        assert status(app).startswith("● loss rises: loss, iteration 3")


async def test_continue_from_a_goto() -> None:
    app = opened(goto="2", breaks=["loss rises"], continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.cursor == 25


async def test_continue_stops_at_the_first_nan() -> None:
    """nnstep FILE --break nonfinite --continue: the first inf (diverging.toml, α = 10⁶)."""
    scenario = load_scenario(ROOT / "scenarios" / "diverging.toml")
    app = opened(scenario, breaks=["nonfinite"], continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rec = app.session.record
        assert app.session.cursor == 188 and rec.op.kind == "loss"
        assert not np.isfinite(float(rec.loss))
        assert np.isfinite(float(app.session.at(187).outputs[-1][0, 0]))


async def test_goto_dialog_takes_operations() -> None:
    app = opened(goto="2:forward:L2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        field = app.screen.query_one(Input)
        assert field.value == "2:forward:L2"  # where the cursor is, in the same syntax
        field.value = "3:backwrd:L2"
        await pilot.press("enter")
        assert isinstance(app.screen, GotoDialog)
        assert "unknown operation 'backwrd' (did you mean 'backward'?)" in str(
            app.screen.query_one("#dialog-error").content)
        app.screen.query_one(Input).value = "3:backward:loss"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, GotoDialog)
        assert app.session.cursor == 26


async def type_path(app, pilot, key: str, path: Path) -> None:
    await pilot.press(key)
    assert isinstance(app.screen, PathDialog)
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_save_weights_key(tmp_path) -> None:
    app = opened(broccoli("float64"), goto="2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        assert app.screen.query_one(Input).value.endswith("broccoli-2.safetensors")
        await pilot.press("escape")
        out = tmp_path / "w.safetensors"
        await type_path(app, pilot, "S", out)
        want = app.session.record.weights_after()[1]["w"]
        assert stn.load_file(str(out))["0.weight"].tobytes() == want.tobytes()
        assert status(app).startswith("wrote the weights after iteration 2's update to ")
        await type_path(app, pilot, "S", tmp_path / "w.pt")
        assert "expected a .safetensors or .npz file name" in str(
            app.screen.query_one("#dialog-error").content)


async def test_replacing_a_file_asks_first(tmp_path) -> None:
    out = tmp_path / "w.npz"
    out.write_bytes(b"precious")
    app = opened(goto="1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_path(app, pilot, "S", out)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        assert out.read_bytes() == b"precious"
        assert "not saved" in status(app)
        # the path dialog is back with the name as typed, to change (it was gone, the name
        # lost); escape leaves it
        assert isinstance(app.screen, PathDialog)
        assert app.screen.query_one(Input).value == str(out)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, PathDialog) and out.read_bytes() == b"precious"
        await type_path(app, pilot, "S", out)
        await pilot.press("y")
        await settle(app, pilot)
        assert sorted(np.load(out, allow_pickle=False)) == ["0.weight"]
        assert "exact fractions rounded to float64" in status(app)


async def test_save_branch_key_reopens_here(tmp_path) -> None:
    app = opened(goto="3:loss")
    out = tmp_path / "branch.toml"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.session.set_weight(1, 0, 1, "-1/1000")
        app.show_record()
        app.move_to(28)
        await settle(app, pilot)
        await type_path(app, pilot, "B", out)
        assert "nnstep " + str(out) + " reopens it here" in status(app)
        original = app.session
    again = opened(load_scenario(out))
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.session.cursor == 28
        for i in range(original.last_index + 1):
            assert same(original.at(i), again.session.at(i))
    assert Session(load_scenario(out)).branch.id == 1


def test_help_lists_the_save_keys() -> None:
    rows = {key_text(b.key): DESCRIPTIONS[b.action] for b in BINDINGS if b.action in DESCRIPTIONS}
    assert rows["S"] == "save the weights (.safetensors / .npz)"
    assert rows["B"] == "save this branch as a scenario (.toml)"
    assert rows["g"].startswith("go to: 12, 12:backward:L3")


async def test_the_exit_3_command_opens_where_the_run_stopped() -> None:
    """`nnstep run` stops (exit 3) and prints a command; that command opens the debugger at the
    very operation it stopped at, with the same breakpoints and number mode."""
    err = io.StringIO()
    path = ROOT / "scenarios" / "broccoli.toml"
    code = headless.run(load_scenario(path, "float64"), None, "none", False, ["blocked"],
                        out=io.StringIO(), err=err, numbers_flag="--float")
    assert code == headless.EXIT_BREAK
    stopped = int(re.search(r"stopped at operation (\d+)", err.getvalue()).group(1))
    words = shlex.split(err.getvalue().strip().split(" — open it: ")[1])
    assert words[:2] == ["nnstep", str(path)]
    args = cli.parser().parse_args(["open", *words[1:]])
    start = opening(load_scenario(args.file, args.numbers), args.goto, args.breaks, args.cont)
    app = build_app(start.scenario, cursor_blink=False, opening=start)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.cursor == stopped
        assert app.session.record.mode == "float64"
        assert [c.text for c in app.breakpoints] == ["blocked"]
