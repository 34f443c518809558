"""engine.ranking.largest against a plain sort of (−value, index) pairs."""

from __future__ import annotations

import numpy as np
import pytest
from nnstep.engine.ranking import largest


def oracle(values: list[float], count: int) -> list[int]:
    key = [(-(float("inf") if v != v else v), i) for i, v in enumerate(values)]
    return [i for _, i in sorted(key)[:count]]


@pytest.mark.parametrize("seed", range(20))
def test_matches_a_sort_with_ties_by_index(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, size=rng.integers(1, 60)).astype(float)  # many ties
    if seed % 3 == 0:
        values[rng.integers(0, values.size)] = np.nan
    for count in (0, 1, 3, values.size - 1, values.size, values.size + 5):
        assert largest(values, count).tolist() == oracle(values.tolist(), max(count, 0))


def test_nan_comes_first():
    assert largest(np.array([1.0, np.nan, 5.0]), 2).tolist() == [1, 2]
