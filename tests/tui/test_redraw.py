"""Widgets whose inputs did not change are not redrawn (tui/screens/main.py), a widget whose
content keeps its size is repainted without a layout pass (tui/widgets/grid.show_in), and a
panel takes the next iteration's end it prepared while keys waited (Panel.prepare). These
tests drive two apps the same way — one economising and preparing, one redrawing and laying
out everything — and require the same screen text after every action, so a stale panel cannot
go unnoticed. The next operation's drawings, made while the key was awaited
(Panel.prepare_next), are put by the step that gets there."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from nnstep.engine import load_scenario
from nnstep.tui.app import build_app
from nnstep.tui.widgets.grid import ByWidth, KeepsRender, KeptContent

SIZE = (120, 40)
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', re.S)


def screen_text(app) -> list[str]:
    """The characters on screen, row by row, from Textual's SVG export."""
    rows: dict[float, list] = {}
    for m in _TEXT.finditer(app.export_screenshot()):
        text = html.unescape(re.sub("<[^>]+>", "", m.group(3)))
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), text))
    return ["".join(t for _, t in sorted(row)) for _, row in sorted(rows.items())]


async def settled_text(app, pilot, tries: int = 50) -> list[str]:
    """The screen once it stops changing. A layout pass may still be on its way after the
    pilot's pauses on a loaded machine; a stale panel stays stale however long one waits."""
    text = screen_text(app)
    for _ in range(tries):
        await pilot.pause(0.02)
        now = screen_text(app)
        if now == text:
            return now
        text = now
    return text


async def prepared(app, pilot) -> None:
    """Once the app has prepared the next iteration's end (tui/controllers/prefetch.py)."""
    for _ in range(500):
        if not app.prefetch.busy:
            return
        await pilot.pause(0.01)
    raise AssertionError("the next iteration's end was never prepared")


def holding(app) -> list:
    """The panels that keep room for the end of the iteration."""
    return [p for p in app._panels() if p.HOLDS_STILL]


async def walk(scenario, steps) -> None:
    apps = [build_app(scenario, cursor_blink=False) for _ in range(2)]
    async with apps[0].run_test(size=SIZE) as one, apps[1].run_test(size=SIZE) as two:
        apps[1].screen.skip_unchanged = False
        pilots = (one, two)
        for n, step in enumerate(steps):
            for app, pilot in zip(apps, pilots):
                step(app)
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                await prepared(app, pilot)  # the next iteration's end, as while keys wait
            texts = [await settled_text(app, pilot) for app, pilot in zip(apps, pilots)]
            assert texts[0] == texts[1], f"step {n} differs"


async def test_broccoli_walk_redraws_what_changed() -> None:
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    steps = [lambda a: a.action_next_op()] * 30
    steps += [lambda a: a.action_prev_op()] * 4
    steps += [lambda a: a.action_cycle_format(), lambda a: a.action_select(1),
              lambda a: a.session.set_weight(1, 0, 0, "1/100") and None,
              lambda a: setattr(a, "record", a.session.record),
              lambda a: a.action_next_op(), lambda a: a.action_undo(),
              lambda a: a.action_first(), lambda a: a.action_last()]
    await walk(scenario, steps)


async def test_float_and_batches_redraw_what_changed() -> None:
    scenario = load_scenario(SCENARIOS / "broccoli.toml", numbers="float64")
    await walk(scenario, [lambda a: a.action_next_op()] * 30)
    iris = load_scenario(SCENARIOS / "iris.toml")
    iris = replace(iris, training=replace(iris.training, epochs=1))
    await walk(iris, [lambda a: a.action_next_op()] * 16 + [lambda a: a.action_sign_filter()])


async def test_the_objects_of_a_started_debugger_are_left_out_of_cycle_collections() -> None:
    """After the first paint the app freezes what is alive (gc.freeze): full collections then
    no longer walk every widget and style, which stalled steps on a large network."""
    import gc

    gc.unfreeze()
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert gc.get_freeze_count() > 0
        await pilot.press("n")  # and the debugger goes on as before
        assert app.session.cursor == 1


async def test_the_layer_strip_fits_the_screen_at_any_width() -> None:
    """Between 80 and 140 columns the layer panels wrap onto as many columns as fit, counting
    each panel's min-width: nothing scrolls sideways (at 100 columns the loss panel used to be
    cut off, the ReLU panel's min-width not counted), and on a wide screen they sit in one row."""
    await fits(load_scenario(SCENARIOS / "broccoli.toml"), (0, 30))  # placeholders, widest
    # dead_relu at 100 columns, operation 5: fits in 100, not in the 98 left once the body's
    # scrollbar shows (the strip refits when it does)
    await fits(load_scenario(SCENARIOS / "dead_relu.toml"), (0, 5))


async def fits(scenario, indices) -> None:
    for width in (80, 90, 100, 103, 110, 120, 140):
        app = build_app(scenario, cursor_blink=False)
        async with app.run_test(size=(width, 40)) as pilot:
            for index in indices:
                app.move_to(index)
                await pilot.pause()
                await pilot.pause()
                strip = app.screen.query_one("#layers")
                assert strip.virtual_size.width <= strip.size.width, (width, index)
                panels = [p for p in strip.children if p.has_class("panel")]
                assert all(p.region.right <= strip.region.right for p in panels), (width, index)
        if width == 140:
            assert len({p.region.y for p in panels}) == 1  # one row


async def test_a_step_into_the_next_iteration_takes_what_was_prepared() -> None:
    """While keys wait, each panel that keeps room for the end of the iteration draws the next
    iteration's end; stepping into that iteration uses those drawings instead of drawing the
    end again (most of such a step's time)."""
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(5)  # iteration 1: the next one ends at operation 20
        await pilot.pause()
        await prepared(app, pilot)
        panels = holding(app)
        made = {p.id: p.prepared[1] for p in panels if p.prepared is not None}
        assert set(made) == {p.id for p in panels} and len(made) >= 4
        app.move_to(11)  # the pick of iteration 2
        await pilot.pause()
        assert all(p.reserve is made[p.id] for p in panels)
        assert app.view().end.record.index == 20


async def test_an_update_computed_ahead_shows_the_findings_diagnose_gives_it() -> None:
    """Stepping to an update the debugger computed ahead records that very object, whose
    findings were made with the iteration ends it will look back at — the one before it also
    computed ahead: with α = 0, `unchanged` (five updates in a row) appears as diagnosing the
    recorded update afresh says, at the update of each next iteration prepared while keys
    waited."""
    from fractions import Fraction

    from nnstep.engine.diagnostics import diagnose

    iris = load_scenario(SCENARIOS / "iris.toml")
    iris = replace(iris, training=replace(iris.training, learning_rate=Fraction(0)))
    app = build_app(iris, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        opi, kinds = s.schedule.ops_per_iteration, set()
        for t in range(1, 10, 2):  # never back: the end of iteration t is computed ahead too
            app.move_to(opi * (t - 1) + 1)  # the pick of iteration t
            await pilot.pause()
            await prepared(app, pilot)  # iteration t + 1's end, computed ahead
            ahead = app.inspection.ahead_of_next().record
            app.move_to(opi * (t + 1))  # its update
            await pilot.pause()
            assert s.record is ahead
            fresh = tuple(diagnose(s.record, s.model, s.end_of_iteration))
            assert app.view().findings == fresh, t
            kinds |= {f.kind for f in fresh}
        assert "unchanged" in kinds


async def test_within_an_iteration_no_panel_asks_for_a_layout_pass() -> None:
    """Panels keep the room the end of the iteration needs, so stepping through an iteration
    never needs a layout pass (each measures every widget: most of a step's time); only the
    step into an iteration may. A layout pass does not make a panel's next update ask for
    another one."""
    iris = load_scenario(SCENARIOS / "iris.toml")
    for scenario in (load_scenario(SCENARIOS / "broccoli.toml"),
                     replace(iris, training=replace(iris.training, epochs=1))):
        app = build_app(scenario, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            opi = app.session.schedule.ops_per_iteration
            asked = []
            for _ in range(3 * opi):
                app.action_next_op()
                await pilot.pause()
                await prepared(app, pilot)
                if (app.session.cursor - 1) % opi:  # not the step into an iteration
                    asked += [(app.session.cursor, p.id) for p in holding(app)
                              if p.asked_layout]
            assert asked == [], scenario.path


def places(app) -> dict:
    """Each panel's region on screen."""
    return {p.id: p.region for p in app.screen.query(".panel")}


async def test_a_panel_holds_its_room_from_one_iteration_to_the_next() -> None:
    """A panel keeps the largest room it was laid out with, so going over broccoli's iterations
    again moves no panel and asks for no layout pass (before, every step into an iteration laid
    out, and iteration 3's longer numbers widened L1 and L2, which shrank back in iteration 1)."""
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(30):
            app.action_next_op()
            await pilot.pause()
        held = places(app)
        app.move_to(1)  # (operation 0, before training, has no sign table)
        await pilot.pause()
        assert places(app) == held
        for _ in range(29):
            app.action_next_op()
            await pilot.pause()
            await prepared(app, pilot)
            assert [p.id for p in holding(app) if p.asked_layout] == [], app.session.cursor
            assert places(app) == held, app.session.cursor


async def test_after_a_resize_a_step_within_the_iteration_keeps_the_room_laid_out() -> None:
    """A resize lets the room held go once: the layout pass it makes holds the room for the new
    size, so the next step within the iteration asks for no layout pass and moves no panel
    (before, that step let the room go a second time and laid the screen out again)."""
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(3)
        await pilot.pause()
        await pilot.resize_terminal(SIZE[0] + 20, SIZE[1])
        await pilot.pause()
        held = places(app)
        app.action_next_op()
        await pilot.pause()
        assert [p.id for p in holding(app) if p.asked_layout] == []
        assert places(app) == held


async def test_the_start_screens_room_is_not_held_into_training() -> None:
    """The start of training shows lines no iteration shows ("1,000 samples; none picked
    yet"): its room is let go at the first step, so the panels then have their natural room,
    as in a debugger resized there (before, the data panel kept the start's width, blank)."""
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    apps = [build_app(scenario, cursor_blink=False) for _ in range(2)]
    async with apps[0].run_test(size=SIZE) as one, apps[1].run_test(size=SIZE) as two:
        for app, pilot in zip(apps, (one, two)):
            app.action_next_op()
            await pilot.pause()
        await two.resize_terminal(SIZE[0] + 20, SIZE[1])
        await two.resize_terminal(*SIZE)
        await two.pause()
        assert places(apps[0]) == places(apps[1])


async def test_a_resize_or_another_number_style_lets_the_room_held_go() -> None:
    """After a resize, or once the numbers are shown in another style, each panel gets its
    natural room again: the same as in a debugger that never went to iteration 3."""
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    apps = [build_app(scenario, cursor_blink=False) for _ in range(2)]
    async with apps[0].run_test(size=SIZE) as one, apps[1].run_test(size=SIZE) as two:
        apps[0].move_to(21)  # iteration 3: longer numbers, wider panels
        await one.pause()
        for app, pilot in zip(apps, (one, two)):
            app.move_to(11)
            await pilot.pause()
        assert places(apps[0]) != places(apps[1])  # the first still holds iteration 3's room
        for pilot in (one, two):
            await pilot.resize_terminal(SIZE[0] + 20, SIZE[1])
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
        assert places(apps[0]) == places(apps[1])
        apps[0].move_to(21)
        await one.pause()
        apps[0].move_to(11)
        await one.pause()
        assert places(apps[0]) != places(apps[1])
        for app, pilot in zip(apps, (one, two)):
            style = app.style
            app.action_cycle_format()
            while app.style != style:
                await pilot.pause()
                app.action_cycle_format()
            await pilot.pause()
        assert places(apps[0]) == places(apps[1])


async def test_a_step_puts_the_drawings_made_while_the_key_was_awaited() -> None:
    """While keys wait, each panel whose inputs change at the next operation draws it; the
    step there puts those very drawings (through an iteration, into the next one, at its
    update), and the walks above check they show what drawing afresh shows."""
    cases = [(load_scenario(SCENARIOS / "broccoli.toml"), (120, 40)),
             (load_scenario(SCENARIOS / "mlp784.toml"), (200, 60))]
    for scenario, size in cases:
        app = build_app(scenario, cursor_blink=False)
        async with app.run_test(size=size) as pilot:
            opi = app.session.schedule.ops_per_iteration
            put = 0
            for _ in range(opi + 2):
                await pilot.pause()
                await prepared(app, pilot)
                made = {p.id: p.next_drawing[2] for p in app._panels()
                        if p.next_drawing is not None}
                assert all(v._rendered is not None for v in made.values()  # rendered ahead
                           if isinstance(v, ByWidth))
                if (app.session.cursor + 1) % opi:  # (at the update: the end's drawings)
                    assert made, app.session.cursor  # something changes at every other step
                app.action_next_op()
                await pilot.pause()
                for panel in app._panels():
                    if panel.id in made:
                        assert panel.shown is made[panel.id], (app.session.cursor, panel.id)
                        put += 1
            assert put >= opi, scenario.path


async def test_drawings_made_ahead_are_rendered_under_the_style_the_step_gives() -> None:
    """A drawing made while the key was awaited is rendered then under the style its panel
    had when last rendered with the classes of the next operation (lit as active, or no longer
    lit): once each panel has been painted with each of its looks (an iteration), Textual
    renders no drawing a step puts again, text drawings included."""
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        opi = app.session.schedule.ops_per_iteration
        kept, texts, restyled = 0, 0, 0
        for step in range(2 * opi):  # the first iteration paints each look; the second checks
            await pilot.pause()
            await prepared(app, pilot)
            made = {p.id: (p.next_drawing[2], p.next_drawing[2]._rendered, p.visual_style)
                    for p in app._panels() if p.next_drawing is not None
                    and isinstance(p.next_drawing[2], KeepsRender)}
            app.action_next_op()
            await pilot.pause()
            for panel in app._panels():
                if panel.id in made and step >= opi:
                    visual, rendered, style_before = made[panel.id]
                    assert panel.shown is visual
                    assert visual._rendered is rendered, (app.session.cursor, panel.id)
                    assert rendered[0][2] == panel.visual_style
                    kept += 1
                    texts += isinstance(visual, KeptContent)
                    restyled += style_before != panel.visual_style
        assert kept >= opi and texts and restyled >= 2


async def test_a_drawing_made_for_another_end_of_the_iteration_is_not_put() -> None:
    """A panel's drawing is sized on the end of the iteration (its columns hold still through
    it): one made while the key was awaited is put only at the end it was sized on."""
    app = build_app(load_scenario(SCENARIOS / "broccoli.toml"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.move_to(3)
        await pilot.pause()
        await prepared(app, pilot)
        view = app.next_view()
        panel = next(p for p in app._panels() if p.next_drawing is not None)
        made = panel.next_drawing[2]
        end = view.end.record.with_(index=view.end.record.index)  # equal, another record
        panel.show(replace(view, end=replace(view.end, record=end)))
        assert panel.shown is not made
