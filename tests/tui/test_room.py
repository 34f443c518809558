"""How a strip shares its width (tui/widgets/room.py), as pure functions of widths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from nnstep.tui.widgets.grid import ever_drawn
from nnstep.tui.widgets.room import rows_that_fit, share


def test_rows_take_the_panels_that_fit_in_reading_order() -> None:
    assert rows_that_fit([30, 40, 20, 50], 100) == [[0, 1, 2], [3]]
    assert rows_that_fit([120, 10], 100) == [[0], [1]]  # too wide: a row of its own
    assert rows_that_fit([50, 50], 100) == [[0, 1]]


def test_spare_width_reaches_every_panel_not_only_the_last() -> None:
    # three panels at 30, 40, 20 in 130: 40 spare, every step costs 10; each panel gains one
    # step in turn (ties by place), then the first a second
    assert share(130, [30, 40, 20], [[40, 50], [50, 60], [30, 40]]) == [50, 50, 30]
    # the panel that gains least so far goes first: 40 spare, steps of 15 and 30
    assert share(100, [30, 30], [[45, 60], [60]]) == [60, 30]  # 45 (+15) then 60 (+15)
    # nothing affordable: the needs stay; a step too wide for the room is never taken
    assert share(65, [30, 30], [[50], [50]]) == [30, 30]


def test_what_no_step_takes_goes_to_panels_that_use_any_width() -> None:
    assert share(100, [30, 30], [None, [40]]) == [60, 40]
    assert share(101, [30, 30], [None, None]) == [51, 50]


@given(st.lists(st.tuples(st.integers(1, 60), st.lists(st.integers(1, 200), max_size=5)),
                min_size=1, max_size=6),
       st.integers(1, 400))
def test_shares_never_exceed_the_room_nor_fall_below_the_needs(panels, width) -> None:
    need = [n for n, _ in panels]
    steps = [sorted(set(s)) for _, s in panels]
    widths = share(width, need, steps)
    assert all(w >= n for w, n in zip(widths, need))
    assert sum(widths) <= max(width, sum(need))
    # each width is a need or one of its panel's steps: no room given that shows nothing more
    assert all(w == n or w in s for w, n, s in zip(widths, need, steps))


def test_only_drawings_that_some_width_draws_are_steps() -> None:
    # richest first: 90, then 70 (drawn from 70 up to 89), then 80 (never: 70 is richer and
    # narrower), then 40
    assert ever_drawn([90, 70, 80, 40]) == [40, 70, 90]
