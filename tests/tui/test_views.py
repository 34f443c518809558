"""Pilot tests of the loss plot (l, L), the explanation (=) and the branch comparison (v)."""

from __future__ import annotations

import math
from fractions import Fraction as F

from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.screens.compare import CompareScreen
from nnstep.tui.screens.explain import ExplainScreen
from nnstep.tui.screens.main import MainScreen
from nnstep.tui.widgets.loss_plot import LossPlot
from nnstep.tui.widgets.timeline import Timeline
from textual.widgets import Static
from tui_support import ROOT, make_app, settle, status

SIZE = (120, 40)


def plot_of(app) -> LossPlot:
    return app.screen_stack[0].query_one(LossPlot)


def text_of(screen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


async def test_l_cycles_panel_full_screen_hidden_and_draws_the_recorded_losses() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        main = app.screen
        plot = plot_of(app)
        assert not plot.display
        await pilot.press("l")
        await pilot.pause()
        assert main.has_class("-plot-panel") and plot.display
        mine, before = plot.curves
        assert before is None
        assert mine.count == 3 and list(mine.y) == [0.0, 0.0, 0.5]  # the articles' losses
        assert "loss plot" in status(app)
        await pilot.press("l")
        await pilot.pause()
        assert main.has_class("-plot-full") and not main.query_one("#body").display
        assert plot.region.height > 30
        await pilot.press("p")  # stepping still works under the full-screen plot
        await pilot.pause()
        assert app.session.cursor == 29 and plot.drawn_from[4] == 3
        await pilot.press("l")
        await pilot.pause()
        assert not plot.display and not main.has_class("-plot-full")


async def test_log_scale_and_non_finite_losses_are_named() -> None:
    app = build_app(load_scenario(ROOT / "scenarios" / "diverging.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.session.last()
        app.show_record()
        await pilot.press("L")  # log scale, and the plot shown
        await settle(app, pilot)
        plot = plot_of(app)
        assert plot.display and plot.log_scale
        mine, _ = plot.curves
        assert mine.log and mine.count == 100
        notes = text_of(plot, "plot-notes")
        assert notes.startswith("inf at iterations ") and "nan at iterations " in notes
        assert "100" in notes
        assert all(math.isfinite(v) for v in mine.y[:10])


async def test_an_edit_overlays_the_parent_curve() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)  # the parent's curve is what it computed: all three iterations
        app.move_to(25)
        await settle(app, pilot)
        app.session.set_weight(1, 0, 1, "0")
        app.move_to(30)
        await pilot.press("l")
        await settle(app, pilot)
        mine, before = plot_of(app).curves
        assert before is not None and list(before.y) == [0.0, 0.0, 0.5]
        assert mine.y[-1] == float(F(1, 2) * (F(15, 29) - 1) ** 2)
        # the edit made at 25 (iteration 3's loss) branches at 21, the start of the iteration
        # it recomputes: the timeline says so (it said 'edited at 21' while the comparison
        # said 'made at operation 25')
        head = app.screen.query_one(Timeline).render().plain.split("\n")[0]
        assert head.endswith("branched at 21"), head


async def test_equals_explains_the_selected_weight_and_follows_the_cursor() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(30)
        app.action_select(1)  # w²[1,2]
        await settle(app, pilot)
        await pilot.press("equals_sign")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        body = text_of(screen, "live-text")
        assert "δw²[1,2] = δ³[1] · o¹[2] = (−1) · 2000 = −2000" in body
        assert "ŵ²[1,2]  = w − α·δw = −3/11600 − 1 · (−2000) = 23199997/11600" in body
        assert "its neuron L2 n1:" in body
        await pilot.press("p")  # back to backward · L2 … the update is not computed there
        await pilot.pause()
        assert app.session.cursor == 29
        assert "computed at the update" in text_of(screen, "live-text")
        await pilot.press("tab")  # the next weight, explained at once
        await pilot.pause()
        assert "δw²[1,3]" in text_of(screen, "live-text")
        await pilot.press("equals_sign")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_v_compares_with_the_parent_branch() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert "no edit on this branch" in text_of(app.screen, "live-text")
        await pilot.press("escape")
        app.move_to(30)
        await settle(app, pilot)
        app.session.set_learning_rate("1/2")
        app.show_record()
        await pilot.press("v")
        await pilot.pause()
        title = str(app.screen.query_one("#live-title").render())
        assert title.startswith("branch 1 against branch 0 · operation 30")
        comparison = app.views.comparison()
        assert [(c.name, c.delta) for c in comparison.layers[0].top] == [
            ("w²[1,3]", -1500), ("w²[1,2]", -1000)]
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_a_classifier_plots_its_accuracy_under_the_loss() -> None:
    app = build_app(load_scenario(ROOT / "tests" / "data" / "classes_plot.toml"),
                    cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.session.last()
        app.show_record()
        await pilot.press("l")
        await settle(app, pilot)
        plot = plot_of(app)
        assert plot.has_class("-accuracy") and plot.query_one("#accuracy-area").display
        assert len(app.session.accuracy_series()) == 15
        assert "accuracy " in text_of(plot, "plot-notes")
    broccoli_app = make_app()
    async with broccoli_app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await settle(broccoli_app, pilot)
        assert not plot_of(broccoli_app).query_one("#accuracy-area").display


async def test_the_timeline_keeps_the_latest_loss_in_view() -> None:
    """The losses after the sparkline are the latest ones that fit: when the width runs out
    the oldest give way. (diverging at 120×40: it19 … it23 did not fit, and the latest, it23,
    was the one cut: '1.21221…'.)"""
    from nnstep.engine.format import fmt

    app = build_app(load_scenario(ROOT / "scenarios" / "diverging.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        app.move_to(s.schedule.iteration_end(23))
        await settle(app, pilot)
        line = app.screen.query_one(Timeline).render().plain.split("\n")[2]
        last = fmt(s.losses()[-1][1], "decimal")
        assert line.endswith(f"it23 {last}") and "…" not in line, line
        assert "it18" not in line  # the oldest gave way


async def test_the_loss_plots_ticks_are_evenly_spaced_on_a_short_panel() -> None:
    """At 80×24 the plot panel has 5 rows: its ticks are one every other row at most, so
    that no label is written over another (0 … 0.5 read 0.5, 0.4, 0.3, 0.1, 0: 0.2 was under
    0.3, and each label stood a row away from its value)."""
    from test_redraw import screen_text

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.move_to(30)
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.pause(0.1)
        labels = [float(row.split("┫")[0].strip("│ \xa0")) for row in screen_text(app)
                  if "┫" in row]
        steps = {round(a - b, 9) for a, b in zip(labels, labels[1:])}
        assert len(labels) >= 2 and len(steps) == 1, labels


async def test_the_explanations_hint_is_never_cut_at_24_rows() -> None:
    """iris at 80×24, '=' on the first update: the explanation is longer than the screen; its
    body scrolls and the hint under it (how to step and close) stays inside the dialog (the
    body took 80 % of the screen and pushed the hint out)."""
    from textual.widgets import Static as Hint

    app = build_app(load_scenario(ROOT / "scenarios" / "iris.toml"), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.move_to(app.session.schedule.ops_per_iteration)
        await settle(app, pilot)
        await pilot.press("equals_sign")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        live, hint = app.screen.query_one("#live"), app.screen.query_one("#dialog-hint", Hint)
        assert hint.region.bottom <= live.region.bottom - 1, (hint.region, live.region)
        body = app.screen.query_one("#live-body")
        assert body.virtual_size.height > body.size.height  # it scrolls


async def test_the_loss_plot_draws_a_lone_loss() -> None:
    """After the first iteration the loss plot has one point: it is drawn (a short level
    across its iteration); a line of one point drew nothing, an empty plot."""
    from test_redraw import screen_text

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(10)
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.pause(0.1)
        drawn = [ch for row in screen_text(app) for ch in row if 0x2801 <= ord(ch) <= 0x28FF]
        assert drawn, "\n".join(screen_text(app))

