"""A heat map's colours computed for the whole block at once (``rgbs``) are those of its cells
one by one (``rgb``, the rule the module doc states), special values and any scale included."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from nnstep.tui.widgets.heatmap import LOUD_RGB, ZERO_RGB, rgb, rgbs, scale_of

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
