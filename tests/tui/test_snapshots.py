"""Snapshot tests: fixed terminal size, fixed number formats, no blinking cursor, no clock.

Regenerate with ``pytest tests/tui --snapshot-update`` and look at every SVG before committing.
The update retakes the float test's snapshot for this machine's BLAS kernel only and deletes the
other kernel's: then run ``python tests/tui/fma_snapshot.py`` to write it from this one.
"""

from __future__ import annotations

import pytest
from nnstep.engine import Session
from tui_support import broccoli, make_app

SIZE = (120, 40)


def at(index: int):
    """A run_before that moves the cursor to operation ``index`` and selects w²[1,2]."""

    async def run_before(pilot) -> None:
        pilot.app.move_to(index)
        pilot.app.action_select(1)
        await pilot.pause()

    return run_before


def test_opening_screen(snap_compare) -> None:
    """Broccoli before training: weights shown, every o and δ blank (·)."""
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_mid_forward(snap_compare) -> None:
    """Sample 3, forward L2 highlighted: o² = 0 computed, L3 and the loss still blank."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=at(23))


def test_mid_backward(snap_compare) -> None:
    """Sample 3, backward L2: δ² and δw known, signs in the table, ŵ still blank."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=at(28))


def test_after_update_of_third_sample(snap_compare) -> None:
    """Update of sample 3: ŵ = 23199997/11600 and 17400001/5800, ✓ in the table."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=at(30))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, press=["question_mark"])


def test_edit_dialog(snap_compare) -> None:
    """Editing w²[1,2] at the update of sample 3: the current value prefilled."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=at(30), press=["e"])


def test_refused_edit(snap_compare) -> None:
    """A value that is not a number: the dialog stays open with the reason."""

    async def run_before(pilot) -> None:
        await at(30)(pilot)
        await pilot.press("e")
        pilot.app.screen.query_one("Input").value = "2000 strawberries"
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def third_sample_kernel() -> str:
    """"fma" where this machine's BLAS computes sample 3's L3 input as −7.4e−17 (a fused
    multiply-add), "no_fma" where it computes −1.1e−16: the screen shows the number it gets."""
    session = Session(broccoli("float64"))
    pre = session.goto(3 * session.schedule.ops_per_iteration).outputs[1][0, 0]
    return "fma" if pre == -7.41594285980085e-17 else "no_fma"


@pytest.mark.parametrize("kernel", ["fma", "no_fma"])
def test_float_relu_blocks_the_flow(snap_compare, kernel) -> None:
    """float64, sample 3, after backward L3: L3 input −7.4e−17 or −1.1e−16 (the machine's
    BLAS decides), flow blocked, rounding noted."""
    if kernel != third_sample_kernel():
        pytest.skip(f"this machine's BLAS computes the {third_sample_kernel()} value")
    assert snap_compare(make_app("float64"), terminal_size=SIZE, run_before=at(27))
