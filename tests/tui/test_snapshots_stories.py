"""Snapshots of the diagnostic scenarios at the operation that tells their story, reached as a
person would: a breakpoint set, then continue (c). 120×40, no blinking cursor.

Regenerate with ``pytest tests/tui --snapshot-update`` and look at every SVG before committing.
"""

from __future__ import annotations

from pathlib import Path

from nnstep.engine import load_scenario
from nnstep.engine.conditions import parse_condition
from nnstep.tui.app import build_app
from nnstep.tui.widgets.loss_panel import LossPanel

SIZE = (120, 40)
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def story(name: str):
    return build_app(load_scenario(SCENARIOS / f"{name}.toml"), cursor_blink=False)


def continue_to(*conditions: str):
    """A run_before that sets breakpoints and continues to the first hit."""

    async def run_before(pilot) -> None:
        app = pilot.app
        names = [spec.name for spec in app.session.model.layers]
        app.breakpoints = [parse_condition(text, names) for text in conditions]
        app.action_continue()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


def test_dead_relu_blocks_the_flow(snap_compare) -> None:
    """dead_relu, iteration 1, backward L4: L3 neuron 2 (input −17/2 < 0) blocks δ = −9/8; the
    L3 panel is marked blocked and the status line names the breakpoint."""
    assert snap_compare(story("dead_relu"), terminal_size=SIZE,
                        run_before=continue_to("blocked"))


def test_diverging_stops_at_the_first_inf(snap_compare) -> None:
    """diverging, iteration 24: c stops by itself at the loss that overflowed to inf."""
    assert snap_compare(story("diverging"), terminal_size=SIZE, run_before=continue_to())


def test_sign_flip_crosses_zero(snap_compare) -> None:
    """sign_flip, update of iteration 2: w goes 7/20 → −19/100, moving as predicted (✓)."""
    assert snap_compare(story("sign_flip"), terminal_size=SIZE,
                        run_before=continue_to("L2[0,0] crosses 0"))


def test_saturated_sigmoid_vanishing_flow(snap_compare) -> None:
    """saturated_sigmoid, backward L3: δ = 1 arrives, ~4e−18 leaves; marked saturated."""
    assert snap_compare(story("saturated_sigmoid"), terminal_size=SIZE,
                        run_before=continue_to("saturated"))


def test_momentum_carries_the_weight_past_the_minimum(snap_compare) -> None:
    """momentum_overshoot, update of iteration 6: past the minimum (w = 1.02916), δw > 0 says
    decrease, yet the velocity v carries w on up to 1.256608; the sign table's move column shows
    the real step and the situation says why."""
    assert snap_compare(story("momentum_overshoot"), terminal_size=SIZE,
                        run_before=continue_to("L2[0,0] > 1.1"))


def test_adam_moves_the_tiny_gradient_weight(snap_compare) -> None:
    """adam_tiny_gradient, update of iteration 1: w₂'s δw is −5e−7, its step ≈ α = 0.01; m and v
    beside w, the update's formula in the header."""
    assert snap_compare(story("adam_tiny_gradient"), terminal_size=SIZE,
                        run_before=continue_to("L2[0,1] > 0.505"))


def test_iris_softmax_and_adam(snap_compare) -> None:
    """iris, the loss of iteration 1 (a batch of 10), scrolled to the loss panel: logits, class
    probabilities, the predicted class (▸) and the batch's accuracy."""
    reach = continue_to("loss > 0")

    async def run_before(pilot) -> None:
        await reach(pilot)
        pilot.app.query_one(LossPanel).scroll_visible(animate=False)
        await pilot.pause()

    assert snap_compare(story("iris"), terminal_size=SIZE, run_before=run_before)
