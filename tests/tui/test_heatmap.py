"""A heat map's colours computed for the whole block at once (``rgbs``) are those of its cells
one by one (``rgb``, the rule the module doc states), special values and any scale included;
its strips, made from colour codes with shared styles, are cell for cell the half blocks of
those colours as Rich styles made one by one; its scale is the largest finite |value| read
value by value."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from nnstep.tui.widgets.heatmap import (
    HALF,
    LOUD_RGB,
    MARK_RGB,
    ZERO_RGB,
    HeatMap,
    _block,
    rgb,
    rgbs,
    scale_of,
)
from rich.color import Color
from rich.style import Style

values = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 9)),
                elements=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True))
scales = st.one_of(st.none(), st.just(0.0), st.floats(min_value=0, allow_infinity=True),
                   st.sampled_from([5e-324, 1e-300, 1.0, 1e300]))


@given(values, scales)
def test_the_whole_blocks_colours_are_its_cells(grid: np.ndarray, scale: float | None) -> None:
    scale = scale_of(grid) if scale is None else scale
    assert rgbs(grid, scale) == [[rgb(float(v), scale) for v in row] for row in grid]


def test_every_kind_of_cell() -> None:
    grid = np.array([[np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.25, -1e-300, 2.0]])
    got = rgbs(grid, 1.0)
    assert got[0][:5] == [LOUD_RGB] * 3 + [ZERO_RGB] * 2
    assert got == [[rgb(float(v), 1.0) for v in grid[0]]]
    # brightest green (1 and 2, past the scale) and red, a quarter's green, the darkest red
    assert len(set(got[0][5:])) == 4 and got[0][5] == got[0][9]
    assert rgbs(grid, 0.0) == [[LOUD_RGB] * 3 + [ZERO_RGB] * 7]


def cells_of(strip) -> list[tuple[str, Style]]:
    """A strip as (character, style) per cell."""
    return [(char, segment.style) for segment in strip for char in segment.text]


def by_hand(heat: HeatMap, width: int) -> list[list[tuple[str, Style]]]:
    """The map drawn cell by cell: each character the upper half of a block over the one
    below (none under the last line of an odd count), each colour by ``rgb`` as a Rich
    colour, the marked weight's block white."""
    grid = heat.grid(width)
    colours = [[rgb(float(v), heat.scale) for v in row] for row in grid]
    if heat.mark is not None:
        (rows, cols), (i, j) = heat.values.shape, heat.mark
        colours[_block(i, rows, len(grid))][_block(j, cols, len(grid[0]))] = MARK_RGB
    lines = []
    for top in range(0, len(colours), 2):
        lower = colours[top + 1] if top + 1 < len(colours) else [None] * len(colours[top])
        lines.append([(HALF, Style(color=Color.from_rgb(*up),
                                   bgcolor=None if down is None else Color.from_rgb(*down)))
                      for up, down in zip(colours[top], lower)])
    return lines


matrices = arrays(np.float64, st.tuples(st.integers(1, 13), st.integers(1, 40)),
                  elements=st.one_of(
                      st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
                      st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5])))


@given(matrices, st.integers(1, 7), st.integers(1, 45), st.data())
def test_a_maps_strips_are_its_cells_colours_one_by_one(values, lines, width, data) -> None:
    rows, cols = values.shape
    mark = data.draw(st.none() | st.tuples(st.integers(0, rows - 1), st.integers(0, cols - 1)))
    heat = HeatMap(values, lines, mark=mark)
    strips = heat.strips(width)
    assert [cells_of(strip) for strip in strips] == by_hand(heat, width)
    for strip in strips:  # neighbours of the same colours share one segment
        styles = [segment.style for segment in strip]
        assert all(a != b for a, b in zip(styles, styles[1:]))
        assert strip.cell_length == len(cells_of(strip))


@given(arrays(np.float64, st.tuples(st.integers(0, 5), st.integers(0, 7)),
              elements=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)))
def test_the_scale_is_the_largest_finite_magnitude(values) -> None:
    finite = [abs(float(v)) for v in values.ravel() if math.isfinite(v)]
    scale = scale_of(values)
    assert scale == max(finite, default=0.0) and type(scale) is float
    assert math.copysign(1.0, scale) == 1.0  # never −0
