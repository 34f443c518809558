"""The heat maps' block reduction (summary.downsample) against a plain-Python reading of its
rule: blocks cut at linspace(0, size, blocks + 1) truncated; each keeps its value of largest
magnitude, the first in reading order among equals; NaN wins."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine.summary import downsample


def edges(size: int, blocks: int) -> list[int]:
    return [int(size * n / blocks) for n in range(blocks + 1)]


def by_hand(values: list[list[float]], rows: int, cols: int) -> list[list[float]]:
    r, c = len(values), len(values[0])
    rows, cols = max(1, min(rows, r)), max(1, min(cols, c))
    re, ce = edges(r, rows), edges(c, cols)
    out = []
    for a in range(rows):
        line = []
        for b in range(cols):
            block = [values[i][j] for i in range(re[a], re[a + 1])
                     for j in range(ce[b], ce[b + 1])]
            if any(math.isnan(v) for v in block):
                line.append(math.nan)
                continue
            best = block[0]
            for v in block[1:]:
                if abs(v) > abs(best):
                    best = v
            line.append(best)
        out.append(line)
    return out


def same(a: np.ndarray, b: list[list[float]]) -> bool:
    b = np.array(b)
    return a.shape == b.shape and all(
        (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))


VALUES = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-300, math.inf, -math.inf,
                          math.nan, 3.0, -3.0])


@given(st.integers(1, 9), st.integers(1, 13), st.integers(1, 12), st.integers(1, 15),
       st.data())
def test_blocks_keep_their_largest_magnitude(r, c, rows, cols, data):
    values = [[data.draw(VALUES) for _ in range(c)] for _ in range(r)]
    assert same(downsample(np.array(values), rows, cols), by_hand(values, rows, cols))


def test_ties_go_to_the_first_in_reading_order():
    values = [[1.0, -2.0, 2.0], [-2.0, 0.0, 1.0]]
    assert downsample(np.array(values), 1, 1).tolist() == [[-2.0]]
    assert downsample(np.array(values), 2, 1).tolist() == [[-2.0], [-2.0]]


def test_a_layer_of_784_by_128():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(128, 784))
    values[5, 700] = math.nan
    values[100, 3] = -math.inf
    assert same(downsample(values, 16, 97), by_hand(values.tolist(), 16, 97))


def test_a_vector_is_one_row():
    assert downsample(np.array([1.0, -4.0, 3.0]), 5, 2).tolist() == [[1.0, -4.0]]
