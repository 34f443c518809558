"""Snapshots of the loss plot, the explanation, the branch comparison and a restored session
(120×40, fixed number formats, no blinking cursor). Regenerate with
``pytest tests/tui --snapshot-update`` and read every changed SVG before committing."""

from __future__ import annotations

from nnstep.engine import Session, load_scenario
from nnstep.engine.saved_session import SavedBreakpoint, capture
from nnstep.engine.session_store import digest, save
from nnstep.tui.app import build_app
from tui_support import BROCCOLI, ROOT, make_app

SIZE = (120, 40)


async def _edited(pilot) -> None:
    """Broccoli: w²[1,2] set to 0 at the loss of sample 3, then the update."""
    app = pilot.app
    app.move_to(30)
    app.move_to(25)
    app.session.set_weight(1, 0, 1, "0")
    app.move_to(30)
    app.action_select(1)
    await pilot.pause()


def test_loss_plot_after_an_edit(snap_compare) -> None:
    """The plot as a panel: this branch's losses (0, 0, 98/841) beside the parent's (0, 0, 1/2),
    the cursor at iteration 3."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_edited, press=["l"])


def test_loss_plot_of_a_diverging_run(snap_compare) -> None:
    """Full screen, log scale: the loss climbs to 1e300, then inf and NaN, named below."""

    async def run_before(pilot) -> None:
        pilot.app.session.last()
        pilot.app.show_record()
        await pilot.pause()

    app = build_app(load_scenario(ROOT / "scenarios" / "diverging.toml"), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before, press=["l", "l", "L"])


def test_explanation_of_the_articles_update(snap_compare) -> None:
    """= on w²[1,2] after the update of sample 3: δw = (−1)·2000, ŵ = 23199997/11600."""

    async def run_before(pilot) -> None:
        pilot.app.move_to(30)
        pilot.app.action_select(1)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before,
                        press=["equals_sign"])


def test_branch_comparison(snap_compare) -> None:
    """v after w²[1,2] := 0: Δ of the loss, the output and the weights at the update."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_edited, press=["v"])


def test_restored_session(snap_compare, tmp_path) -> None:
    """A saved session opened again: branch 1 at the update of sample 3, w²[1,3] selected,
    decimal numbers, the status line saying what came back."""
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    scenario = load_scenario(BROCCOLI)
    session = Session(scenario)
    session.goto(25)
    session.set_weight(1, 0, 1, "0")
    session.goto(30)
    save(capture(session, str(BROCCOLI.resolve()), digest(BROCCOLI), selected=(1, 0, 2),
                 style="decimal", breakpoints=(SavedBreakpoint("sign", False, 1),)), env)
    app = build_app(scenario, cursor_blink=False, state=env)
    assert snap_compare(app, terminal_size=SIZE)
