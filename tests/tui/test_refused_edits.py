"""The debugger at the edges (issue 9): a refused edit leaves the state exactly as it was and
the dialog says why; exact values beyond float range step and undo; edit texts say what is
recomputed."""

from __future__ import annotations

from nnstep.tui.screens.dialog import EditDialog
from tui_support import make_app, settle, status

SIZE = (120, 40)


async def type_into_dialog(pilot, text: str) -> None:
    await pilot.press(*list(text), "enter")  # the present value is selected: replaced


async def test_a_float64_edit_of_1e400_is_refused_and_changes_nothing() -> None:
    app = make_app("float64")
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        s = app.session
        before = (len(s.branches), s.branch, s.cursor, s.record)
        await pilot.press("e")
        await type_into_dialog(pilot, "1e400")
        await settle(app, pilot)
        assert isinstance(app.screen, EditDialog)
        assert "range of float64" in str(app.screen.query_one("#dialog-error").content)
        assert (len(s.branches), s.branch, s.cursor, s.record) == before


async def test_exact_1e400_and_alpha_1e999_step_and_undo() -> None:
    app = make_app("exact")
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        s = app.session
        original = s.record
        await pilot.press("e")
        await type_into_dialog(pilot, "1e400")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditDialog)
        await pilot.press("p", "p", "n", "a")
        await type_into_dialog(pilot, "1e999")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditDialog) and s.branch.id == 2
        app.action_last()
        await settle(app, pilot)
        await pilot.press("u", "u")
        await settle(app, pilot)
        assert s.branch.id == 0 and s.at(30) is original


async def test_an_edit_before_training_says_training_is_recomputed() -> None:
    app = make_app("exact")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        prompt = str(app.screen.query_one("#dialog-prompt").content)
        assert "training is recomputed from its start" in prompt
        await type_into_dialog(pilot, "1/100")
        await settle(app, pilot)
        assert "training is recomputed from its start" in status(app)
        assert "iteration 0" not in status(app)
