"""Every dialog treats a refused value the same way (issue 9): the dialog stays open with the
text as typed, so it can be fixed; the message says why, as plain text; nothing is applied or
added. Fixing the text and pressing enter then works. Text typed or read from a scenario is
never read as Textual markup: '[/]' crashed every dialog, '[@click=app.quit]' made a link."""

from __future__ import annotations

from nnstep.engine import parse_scenario
from nnstep.tui.app import build_app
from nnstep.tui.screens.breakpoints import BreakpointsScreen
from nnstep.tui.screens.dialog import EditDialog, FindDialog, GotoDialog
from nnstep.tui.screens.main import MainScreen
from textual.widgets import Input, Static
from tui_support import BROCCOLI, make_app, settle, status

SIZE = (120, 40)


def shown(widget: Static) -> str:
    """What a Static shows, as plain text (its markup, if any, applied)."""
    return widget.render().plain if hasattr(widget.render(), "plain") else str(widget.render())


def state(app) -> tuple:
    s = app.session
    return (len(s.branches), s.branch.id, s.cursor, s.record, app.selected,
            [c.text for c in app.breakpoints])


async def refuse_then_fix(app, pilot, key: str, dialog: type, bad: str, good: str) -> str:
    """Open the dialog with ``key``, type ``bad``: refused with nothing changed and the text
    kept; then ``good``: accepted. The refusal's message."""
    before = state(app)
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, dialog)
    field = app.screen.query_one("#dialog-input", Input)
    field.value = ""
    await pilot.press(*bad, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, dialog), f"{key} {bad!r} was not refused"
    error = app.screen.query_one("#dialog-error", Static)
    message = shown(error)
    assert error.has_class("-shown") and message.startswith("✖ ")
    assert field.value == bad and field.cursor_position == len(bad)  # kept, ready to fix
    assert state(app) == before
    await pilot.press(*["backspace"] * len(bad), *good, "enter")
    await settle(app, pilot)
    return message


async def test_a_refused_value_stays_to_be_fixed_in_every_dialog() -> None:
    app = make_app("exact")
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(12)
        await settle(app, pilot)
        said = await refuse_then_fix(app, pilot, "b", BreakpointsScreen, "sign w2[9,9]",
                                     "sign w2[1,2]")
        assert "w²[1,3]" in said  # the weights that exist
        assert isinstance(app.screen, BreakpointsScreen)  # b adds, and stays for more
        assert [c.text for c in app.breakpoints] == ["sign w2[1,2]"]
        assert not app.screen.query_one("#dialog-error").has_class("-shown")
        assert app.screen.query_one("#dialog-input", Input).value == ""
        await pilot.press("escape")
        await settle(app, pilot)
        said = await refuse_then_fix(app, pilot, "g", GotoDialog, "2:forward:L9", "2:loss")
        rec = app.session.record
        assert "no layer 'L9'" in said and (rec.iteration, rec.op.kind) == (2, "loss")
        said = await refuse_then_fix(app, pilot, "e", EditDialog, "1/0", "1/100")
        assert isinstance(app.screen, MainScreen) and app.session.branch.id == 1
        said = await refuse_then_fix(app, pilot, "a", EditDialog, "-1", "1/2")
        assert "≥ 0" in said and app.session.record.lr == 0.5
        said = await refuse_then_fix(app, pilot, "slash", FindDialog, "w²[9,9]", "w²[1,3]")
        assert app.selected == (1, 0, 2)


async def test_markup_typed_into_any_dialog_is_plain_text() -> None:
    app = make_app("exact")
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(12)
        await settle(app, pilot)
        for key, dialog in (("b", BreakpointsScreen), ("g", GotoDialog), ("e", EditDialog),
                            ("a", EditDialog), ("slash", FindDialog), ("i", EditDialog)):
            for typed in ("[/]", "[@click=app.quit]x[/]", "loss < [red]"):
                await pilot.press(key)
                await pilot.pause()
                value = f"1 = {typed}" if key == "i" else typed  # NAME = VALUE
                app.screen.query_one("#dialog-input", Input).value = value
                await pilot.press("enter")
                await settle(app, pilot)
                assert isinstance(app.screen, dialog), (key, typed)
                assert typed.split()[-1] in shown(app.screen.query_one("#dialog-error", Static))
                await pilot.press("escape")
                await settle(app, pilot)


async def test_names_from_the_scenario_are_plain_text() -> None:
    text = BROCCOLI.read_text().replace('"broccoli"', '"[b]bro[/b]"').replace(
        '"workout hours"', '"[@click=app.quit]w[/]"')
    app = build_app(parse_scenario(text, str(BROCCOLI)), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(app, pilot)
        line = app.screen.query_one("#status", Static)
        assert "[b]bro[/b]" in shown(line) and "[b]bro[/b]" in status(app)
        await pilot.press("e")
        await pilot.pause()
        assert "[b]bro[/b]" in shown(app.screen.query_one("#dialog-prompt", Static))
        await pilot.press("escape", "i")
        await pilot.pause()
        assert "[@click=app.quit]w[/]" in shown(app.screen.query_one("#dialog-prompt", Static))


async def test_the_breakpoint_dialog_fits_a_small_terminal() -> None:
    """At 80×24 the field and the keys' hint are on screen; the language reference below them
    scrolls into view."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BreakpointsScreen)
        dialog = screen.query_one("#dialog")
        bottom = dialog.region.bottom - 1  # the border's row
        for widget in (screen.query_one(Input), screen.query_one("#dialog-hint")):
            assert widget.region.height > 0 and widget.region.bottom <= bottom
        assert dialog.max_scroll_y > 0  # the reference is there, further down
        dialog.scroll_end(animate=False)
        await pilot.pause()
        assert screen.query_one("#breakpoint-language").region.bottom <= bottom
