"""The largest entries of an array, chosen the same way on every machine.

numpy's argpartition and argsort order equal values differently with the SIMD code a processor
gets (AVX-512 on one, AVX2 on another), so a "top 4" of a layer where many |δw| are equal would
name other weights on another machine. Here ties go to the lower index.
"""

from __future__ import annotations

import numpy as np


def largest(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` largest of the 1-D float array ``values``, largest first, equal
    values in index order. NaN counts as larger than everything (a debugger must show it)."""
    values = np.where(np.isnan(values), np.inf, values)
    n = values.size
    count = max(0, min(count, n))
    if count == 0:
        return np.empty(0, dtype=np.intp)
    if count < n:
        kth = np.partition(values, n - count)[n - count]
        above = np.flatnonzero(values > kth)
        tied = np.flatnonzero(values == kth)[: count - above.size]
        chosen = np.sort(np.concatenate([above, tied]))
    else:
        chosen = np.arange(n)
    return chosen[np.argsort(-values[chosen], kind="stable")]
