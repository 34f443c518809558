"""The sign codes of the vectorised sign tables (signs.py): one small integer per value, so
that the signs of 100k weights are filtered and sorted as arrays."""

from __future__ import annotations

import numpy as np

INCREASE, DECREASE, KEEP = "increase", "decrease", "keep"
PLUS, MINUS, ZERO, MIXED, NAN = 1, -1, 0, 2, 3
CODE_TEXT = {PLUS: "+", MINUS: "-", ZERO: "0", MIXED: "mixed", NAN: "nan"}
MOVE_TEXT = {PLUS: INCREASE, MINUS: DECREASE, ZERO: KEEP}


def codes(arr: np.ndarray) -> np.ndarray:
    """Elementwise sign codes; NaN -> NAN (works for float and Fraction arrays)."""
    if arr.dtype == object:
        return (arr > 0).astype(np.int8) - (arr < 0).astype(np.int8)
    signs = np.sign(arr)  # -1, 0 (for ±0), 1 or NaN
    total = np.add.reduce(signs, axis=None)  # NaN exactly when a sign is (the others are
    if total != total:                        # -1, 0 and 1, whose sum is exact)
        signs[signs != signs] = NAN
    return signs.astype(np.int8)


def batch_codes(arr: np.ndarray) -> np.ndarray:
    """Per column of a [batch, n] array: the common code, MIXED when samples disagree, NAN if
    any is NaN."""
    each = codes(arr)
    if len(each) == 1:
        return each[0]  # one sample agrees with itself
    out = np.where((each == each[:1]).all(axis=0), each[0], MIXED).astype(np.int8)
    out[(each == NAN).any(axis=0)] = NAN
    return out


# the move of a step of sign code c is MOVE_OF_STEP[c]: its opposite (index -1 reads the last
# entry)
MOVE_OF_STEP = np.array([ZERO, MINUS, MIXED, NAN, PLUS], dtype=np.int8)
