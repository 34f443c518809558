"""Pilot tests of sessions that persist: quit saves breakpoints (on/off, hits), edits, the
selection, the format and the cursor; the next open restores them with bit-identical records;
--fresh starts clean; a session that no longer fits is set aside with a message. Every test
keeps its state under a temporary XDG_STATE_HOME (never the real home)."""

from __future__ import annotations

import shutil

import pytest
from nnstep.engine import load_scenario
from nnstep.engine.records import same
from nnstep.engine.session_store import session_file
from nnstep.tui.app import build_app
from nnstep.tui.screens.breakpoints import BreakpointsScreen
from textual.widgets import Input, OptionList
from tui_support import BROCCOLI, ROOT, settle, status

SIZE = (120, 40)


@pytest.fixture
def env(tmp_path):
    return {"XDG_STATE_HOME": str(tmp_path / "state")}


@pytest.fixture
def scenario_path(tmp_path):
    path = tmp_path / "broccoli.toml"
    shutil.copy(BROCCOLI, path)
    return path


def open_app(path, env, fresh=False):
    return build_app(load_scenario(path), cursor_blink=False, state=env, fresh=fresh)


async def a_session(path, env) -> list:
    """Open, edit twice (a tree: undo between), set breakpoints, quit. The records made."""
    app = open_app(path, env)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        s.goto(25)
        s.set_weight(1, 0, 1, "0")
        s.undo()
        s.goto(12)
        s.set_learning_rate("1/2")
        s.goto(27)
        app.show_record()
        app.action_select(1)
        app.action_select(1)  # w²[1,3]
        app.action_cycle_format()  # decimal
        await pilot.press("b")
        for text in ("sign", "loss rises"):
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
        options = app.screen.query_one(OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")  # "sign" switched off
        await pilot.pause()
        assert options.get_option_at_index(0).prompt == "○ sign (off)"
        await pilot.press("escape")
        app.breaks.hits["loss rises"] = 2
        records = [(b.id, [s.branches[b.id].records[i] for i in range(len(b.records))])
                   for b in s.branches]
        await pilot.press("q")
    assert app.save_problem is None
    return records


async def test_quit_saves_and_the_next_open_restores(scenario_path, env) -> None:
    records = await a_session(scenario_path, env)
    assert session_file(scenario_path, "exact", env).exists()
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        s = app.session
        assert (s.branch.id, s.cursor) == (2, 27)
        assert [(b.parent, b.at) for b in s.branches[1:]] == [(0, 25), (0, 12)]
        assert app.selected == (1, 0, 2) and app.style == "decimal"
        assert [c.text for c in app.breakpoints] == ["sign", "loss rises"]
        assert app.breaks.off == {"sign"} and app.breaks.hits == {"loss rises": 2}
        assert status(app).startswith("session restored: 2 edits, 2 breakpoints, operation 27")
        for branch_id, recorded in records:  # the edits replayed: the very same records
            s.switch(branch_id)
            for rec in recorded:
                assert same(s.branch.records[rec.index], rec), (branch_id, rec.index)


async def test_fresh_starts_clean_and_replaces_the_session_on_quit(scenario_path, env) -> None:
    await a_session(scenario_path, env)
    app = open_app(scenario_path, env, fresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.cursor == 0 and len(app.session.branches) == 1
        assert app.breakpoints == []
        assert "a fresh session (--fresh)" in status(app)
        await pilot.press("q")
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.session.branches) == 1 and app.breakpoints == []


async def test_a_changed_scenario_sets_the_session_aside(scenario_path, env) -> None:
    await a_session(scenario_path, env)
    saved = session_file(scenario_path, "exact", env)
    kept = saved.read_bytes()
    with scenario_path.open("a") as out:
        out.write("\n# a comment changes the bytes\n")
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.session.branches) == 1 and app.session.cursor == 0
        assert app.breakpoints == []
        text = status(app)
        assert "set aside, not restored (the scenario file has changed since it was saved)" \
            in text
        (aside,) = saved.parent.glob("*.set-aside-*.json")
        assert aside.read_bytes() == kept and not saved.exists()


async def test_a_corrupt_session_never_crashes(scenario_path, env) -> None:
    saved = session_file(scenario_path, "exact", env)
    saved.parent.mkdir(parents=True)
    saved.write_text('{"format": "nnstep session", "version": 1, "branches": [')
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "not JSON" in status(app) and app.session.cursor == 0
        await pilot.press("q")
    assert saved.exists()  # a new session was saved on quit; the corrupt one kept aside
    assert len(list(saved.parent.glob("*.set-aside-*.json"))) == 1


async def test_hits_count_when_continue_stops(scenario_path, env) -> None:
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        app.screen.query_one(Input).value = "sign"
        await pilot.press("enter")
        await pilot.press("escape")
        await pilot.press("c")
        await settle(app, pilot)
        assert app.session.cursor == 30 and app.breaks.hits == {"sign": 1}
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsScreen)
        assert app.screen.query_one(OptionList).get_option_at_index(0).prompt == \
            "● sign · 1 hit"


async def test_goto_wins_over_the_saved_cursor_and_breaks_join(scenario_path, env) -> None:
    from nnstep.tui.headless import opening

    await a_session(scenario_path, env)
    scenario = load_scenario(scenario_path)
    start = opening(scenario, "2", ["blocked", "sign"], False)
    app = build_app(scenario, cursor_blink=False, state=env, opening=start)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        s = app.session
        assert len(s.branches) == 3 and s.branch.id == 2  # the edits came back
        assert s.cursor == 20  # --goto 2: the end of iteration 2, not the saved 27
        assert [c.text for c in app.breakpoints] == ["sign", "loss rises", "blocked"]
        assert app.breaks.off == {"sign"}


async def test_a_changed_data_file_sets_the_session_aside(tmp_path, env) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "scenarios" / "iris.toml", tmp_path / "iris.toml")
    csv = tmp_path / "data" / "iris.csv"
    shutil.copy(ROOT / "scenarios" / "data" / "iris.csv", csv)
    path = tmp_path / "iris.toml"
    app = open_app(path, env)
    async with app.run_test(size=SIZE) as pilot:
        app.session.goto(3)
        app.session.set_learning_rate("0.5")
        await pilot.press("q")
    assert app.save_problem is None
    app = open_app(path, env)  # the same files: restored
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.session.branches) == 2 and "session restored" in status(app)
        await pilot.press("q")
    csv.write_text(csv.read_text().replace("5.1,", "5.2,", 1))  # one cell of the data
    app = open_app(path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.session.branches) == 1 and app.session.cursor == 0
        assert "set aside, not restored (the data file data/iris.csv changed since it was " \
               "saved)" in status(app)


async def test_autosave_writes_changes_only(scenario_path, env) -> None:
    saved = session_file(scenario_path, "exact", env)
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app._autosave()
        assert not saved.exists()  # nothing changed since it opened: nothing written
        app.session.goto(12)
        app.session.set_learning_rate("1/2")
        app._autosave()  # as the timer does while the debugger runs
        written = saved.read_bytes()
        assert b'"kind": "learning_rate"' in written
        saved.write_bytes(b"sentinel")
        app._autosave()
        assert saved.read_bytes() == b"sentinel"  # unchanged since the last write: not rewritten
    saved.write_bytes(written)  # the terminal was closed without q: the autosave is there
    app = open_app(scenario_path, env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.session.branches) == 2


@pytest.mark.parametrize("condition, why", [("w2[9,9] > 5", "L2 has 1 neuron × 3 inputs"),
                                            ("sign w²[1,4]", "weights w²[1,1] … w²[1,3]")])
def test_a_saved_breakpoint_the_b_dialog_would_refuse_sets_the_session_aside(
        scenario_path, env, condition, why) -> None:
    """A hand-edited session file: a breakpoint on a weight the network does not have is
    refused as the b dialog refuses it (it was restored and could never hold)."""
    from nnstep.engine import Session
    from nnstep.engine.saved_session import SavedBreakpoint, capture
    from nnstep.engine.session_store import digest, save
    from nnstep.tui.controllers.sessions import open_session

    scenario = load_scenario(scenario_path)
    save(capture(Session(scenario), str(scenario_path.resolve()), digest(scenario_path),
                 breakpoints=(SavedBreakpoint(condition),)), env)
    opened = open_session(scenario, env)
    assert opened.problem and opened.saved is None
    assert "set aside" in opened.message and why in opened.message
