"""Pilot tests on real-sized networks: heat maps, statistics, the sign-table filter, the
drill-in and the wrapped layer strip. mlp784 (784-128-10, one epoch here) and iris (batch 10)."""

from __future__ import annotations

import io
import statistics
import time
from collections import Counter
from dataclasses import replace

from nnstep.engine import load_scenario
from nnstep.engine.format import fmt
from nnstep.engine.signs import sign_rows
from nnstep.engine.summary import layer_stats
from nnstep.engine.weight_choice import select_weights
from nnstep.tui.app import build_app
from nnstep.tui.screens.row import RowScreen
from nnstep.tui.widgets.layer_panel import LayerPanel
from nnstep.tui.widgets.sign_table import SignTable
from rich.console import Console
from textual.widgets import DataTable
from tui_support import ROOT, make_app

SIZE = (120, 40)
UPDATE, BACKWARD_L2 = 12, 10  # operations of mlp784's first iteration


def scenario(name: str, epochs: int = 1):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    return replace(sc, training=replace(sc.training, epochs=epochs))


def large_app(name: str = "mlp784"):
    return build_app(scenario(name), cursor_blink=False)


def text_of(widget, width: int = 200) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.file.getvalue()


async def test_heat_maps_fit_the_panel() -> None:
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(BACKWARD_L2)
        await pilot.pause()
        for k in (1, 3):
            panel = app.screen.query_one(f"#layer-{k}", LayerPanel)
            assert panel.has_class("-big")
            w_map, dw_map = panel.heat_maps
            inner = panel.content_region.width
            for heat in (w_map, dw_map):
                rows, cols = heat.drawn
                assert 0 < cols <= (inner - 2) // 2 + 1  # two maps side by side
                assert cols >= inner // 2 - 4  # and they use the room
                assert 0 < rows <= 2 * 6
            assert w_map.scale == abs(app.session.record.params[k]["w"]).max()
        small = app.screen.query_one("#layer-0", LayerPanel)
        assert not small.has_class("-big") and small.heat_maps == []


async def test_statistics_are_the_engines() -> None:
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(BACKWARD_L2)
        await pilot.pause()
        rec, model = app.session.record, app.session.model
        stats = layer_stats(rec, model)

        def short(v):
            return fmt(v, "decimal", digits=3)

        l2 = text_of(app.screen.query_one("#layer-1", LayerPanel))
        s = stats[1]
        assert f"o² {short(s.o_min)} … {short(s.o_max)} mean {short(s.o_mean)}" in l2
        assert f"mean |δ²| {short(s.mean_abs_delta)}" in l2
        assert f"w² {short(s.w_min)} … {short(s.w_max)}  mean |δw²| {short(s.mean_abs_dw)}" in l2
        l3 = text_of(app.screen.query_one("#layer-2", LayerPanel))
        assert f"blocked {stats[2].blocked_share:.0%}" in l3
        assert f"mean |δ³| {short(stats[2].mean_abs_delta)}" in l3


async def test_filter_key_cycles_and_rows_match_select_weights() -> None:
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(UPDATE)
        await pilot.pause()
        rec, model = app.session.record, app.session.model
        every = sign_rows(rec, model)  # the oracle for the counts: every row, slowly
        expected = {"largest": len(every),
                    "moving": sum(r.dw_sign != "0" for r in every),
                    "against": sum(r.moved is False for r in every),
                    "all": len(app.weights)}
        table = app.screen.query_one(SignTable)
        for which in ("largest", "moving", "against", "all"):
            await pilot.press("s")
            view = app.view()
            assert app.sign_filter == view.sign_filter == which
            if which != "all":
                assert list(view.sign_places) == select_weights(rec, model, which, 24)
            assert view.sign_matches == expected[which]
            assert [(r.layer, r.row, r.col) for r in view.rows] == list(view.sign_places)
            assert f"{expected[which]:,} rows" in str(table.border_title)
        assert app.selected in app.view().sign_places  # "all": around the selection


async def test_largest_jump_and_drill_in() -> None:
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(UPDATE)
        await pilot.pause()
        rec, model = app.session.record, app.session.model
        ranked = select_weights(rec, model, "largest", 50)
        await pilot.press("w")
        assert app.selected == ranked[0]
        await pilot.press("w", "w", "W")
        assert app.selected == ranked[1]
        k, i, j = app.selected
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, RowScreen)
        table = screen.query_one(DataTable)
        n_in = model.layers[k - 1].size
        assert table.row_count == n_in + model.layers[k].bias
        assert table.cursor_row == j
        shown = table.get_row_at(j)
        assert str(shown[0]) == f"w{'²⁴'[k // 2]}[{i + 1},{j + 1}]"
        assert str(shown[3]) == fmt(rec.params[k]["w"][i, j], app.style, max_len=24)
        await pilot.press("n")  # the next neuron's row, same columns
        assert screen.i == (i + 1) % model.layers[k].size
        await pilot.press("down", "enter")
        assert app.screen is not screen
        assert app.selected == (k, (i + 1) % model.layers[k].size, j + 1)
        panel = text_of(app.screen.query_one(f"#layer-{k}", LayerPanel))
        name = f"{model.layers[k].name} n{(i + 1) % model.layers[k].size + 1}"
        assert f"{name}: the selected weight's row" in panel
        other = text_of(app.screen.query_one(f"#layer-{4 - k}", LayerPanel))  # L2 ↔ L4
        assert "selected weight" not in other and "first neuron's row" in other


async def test_step_repaints_quickly_on_mlp784() -> None:
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(UPDATE + 1)
        await pilot.pause()
        times = []
        for _ in range(12):
            start = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            times.append(time.perf_counter() - start)
        assert statistics.median(times) < 0.5, times  # real figures: benchmarks/tui_latency.py


async def test_iris_batch_stays_printed_and_filters_count() -> None:
    app = large_app("iris")
    async with app.run_test(size=SIZE) as pilot:
        last = app.session.schedule.iteration_end(1)
        app.move_to(last)
        await pilot.pause()
        for panel in app.screen.query(LayerPanel):
            assert not panel.has_class("-big")  # 4-8-3 is printed in full
        rec, model = app.session.record, app.session.model
        await pilot.press("s", "s")  # moving
        view = app.view()
        assert view.sign_matches == sum(r.dw_sign != "0" for r in sign_rows(rec, model))
        assert any(r.delta_sign == "mixed" for r in view.rows)


async def test_broccoli_default_filter_lists_every_weight() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(28)
        await pilot.pause()
        view = app.view()
        assert view.sign_filter == "all" and len(view.sign_places) == 3 == view.sign_matches


async def test_narrow_screen_wraps_the_layer_strip() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        strip = app.screen.query_one("#layers")
        assert [len(row) for row in strip.plan] == [2, 2]  # L1 L2 / L3 loss
        for panel in app.screen.query("LayerPanel, LossPanel"):
            assert 0 <= panel.region.x and panel.region.right <= 80, panel
            assert panel.region.bottom <= 18  # all four above the data and the timeline
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert len(app.screen.query_one("#layers").plan) == 1  # one row


async def test_sign_table_lists_the_most_serious_findings_and_counts_the_rest() -> None:
    """784-128-10's first update has dozens of findings (blocked units, sign flips, an
    overshoot): the overshoot comes first, ten are listed, the rest are counted per kind."""
    app = large_app()
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(UPDATE)
        await pilot.pause()
        findings = app.view().findings
        assert len(findings) > 10
        text = text_of(app.screen.query_one(SignTable))
        listed = [line for line in text.splitlines() if line[:1] in "✖⚠±≈"]
        assert len(listed) == 10 and listed[0].startswith("⚠ the update raised the loss")
        kinds = Counter(f.kind for f in findings)
        rest = len(findings) - 10
        assert f"… {rest} more findings (" in text
        assert f"blocked ×{kinds['blocked'] - 9}" in text  # 9 of them listed after the overshoot


async def test_a_big_layers_row_uses_the_free_width_and_holds_through_an_iteration() -> None:
    """The selected neuron's row of a heat-map layer shows as many inputs as the panel has
    columns for (it showed at most 4 however wide the screen), the same number at every
    operation of the iteration."""
    import re

    app = large_app()
    async with app.run_test(size=(200, 60)) as pilot:
        counts = []
        for _ in range(UPDATE):
            await pilot.press("n")
            await pilot.pause()
            text = text_of(app.screen.query(LayerPanel)[1], 200)
            counts.append(int(re.search(r"inputs 1–(\d+) of 784", text)[1]))
        assert counts[0] >= 6 and set(counts) == {counts[0]}, counts


async def test_a_layers_summed_up_findings_name_four_units_and_elide_from_five() -> None:
    """Past MAX_FINDINGS a layer's findings are summed up per kind, naming the first units:
    with four, all four (a "… (+1)" would take the room of the one it left out); with five,
    three and how many more."""
    from nnstep.engine.flow_findings import Finding

    app = build_app(load_scenario(ROOT / "scenarios" / "iris.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(app.session.schedule.iteration_end(1))
        await pilot.pause()
        panel = app.screen.query_one("#layer-1", LayerPanel)
        lines = {}
        for units in (4, 5):  # seven sign flips of L2's weights, over ``units`` neurons
            flips = [Finding("sign", 1, "w", n % units, n // units, 1.0, "") for n in range(7)]
            drawn = panel.drawing(replace(app.view(), findings=flips))
            text = "\n".join(block.plain for block in drawn.at(panel.content_region.width))
            lines[units] = [line for line in text.splitlines() if "sign flip" in line]
        assert lines[4] == ["± sign flip in 4 units: L2 n1, L2 n2, L2 n3, L2 n4"]
        assert lines[5] == ["± sign flip in 5 units: L2 n1, L2 n2, L2 n3 … (+2)"]
