"""Snapshots of where the debugger opens: ``--goto 3:backward:L3``, ``--break 'loss rises'
--continue`` (the status line names the hit), and the go-to dialog with its position syntax.
Fixed size, broccoli in exact numbers, no blinking cursor."""

from __future__ import annotations

from nnstep.tui.app import build_app
from nnstep.tui.headless import opening
from tui_support import broccoli

SIZE = (120, 40)


def opened(goto=None, breaks=(), continue_=False):
    start = opening(broccoli(), goto, list(breaks), continue_)
    return build_app(start.scenario, cursor_blink=False, opening=start)


async def settled(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_opened_at_goto(snap_compare) -> None:
    """nnstep broccoli.toml --goto 3:backward:L3: sample 3, δ³ = −1 just computed."""
    assert snap_compare(opened("3:backward:L3"), terminal_size=SIZE, run_before=settled)


def test_opened_at_first_break_hit(snap_compare) -> None:
    """--break 'loss rises' --continue: the loss of iteration 3 (1/2 after 0), the hit named."""
    assert snap_compare(opened(None, ["loss rises"], True), terminal_size=SIZE,
                        run_before=settled)


def test_goto_dialog_shows_the_position(snap_compare) -> None:
    """g at 2:forward:L2: the dialog explains N and N:OP and holds the cursor's position."""

    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press("g")
        await pilot.pause()

    assert snap_compare(opened("2:forward:L2"), terminal_size=SIZE, run_before=run_before)
