"""The cheaper ways the analyses compute their masks and statistics give what the plain
formulas give, value by value, on awkward values (±0, subnormals, products that underflow or
overflow, ±inf, NaN) and on arrays on either side of numbers.SMALL. Oracles: Python's own
comparisons value by value, and numpy's NaN-ignoring statistics."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal

import numpy as np
import pytest
from nnstep.engine.detectors import _same, _still
from nnstep.engine.diagnostics import opposite_signs
from nnstep.engine.flow_findings import true_places
from nnstep.engine.format import _significant
from nnstep.engine.kinds.relu import RECIPE as RELU
from nnstep.engine.layers import LayerSpec
from nnstep.engine.sign_codes import MINUS, NAN, PLUS, ZERO, codes
from nnstep.engine.summary import _least, _mean, _most

SHAPES = [(1, 3), (4, 5), (16, 17), (40, 30)]  # 3 … 1,200 values: both sides of SMALL


def awkward(rng, shape: tuple[int, ...]) -> np.ndarray:
    """Values of every scale (tiny ones whose products underflow to 0), with +0, −0, ±inf and
    NaN among them."""
    n = math.prod(shape)
    v = rng.standard_normal(n) * 10.0 ** rng.integers(-320, 300, n)
    for value, share in ((0.0, 0.1), (-0.0, 0.1), (np.inf, 0.03), (-np.inf, 0.03),
                         (np.nan, 0.03)):
        v[rng.random(n) < share] = value
    return v.reshape(shape)


def python_sign(v: float) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


@pytest.mark.parametrize("shape", SHAPES)
def test_opposite_signs_is_one_negative_and_the_other_positive(shape) -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):
        old, new = awkward(rng, shape), awkward(rng, shape)
        new[rng.random(shape) < 0.3] *= -1  # many flips, some of them underflowing products
        got = opposite_signs(old, new)
        expected = [python_sign(a) * python_sign(b) < 0 for a, b in
                    zip(old.ravel().tolist(), new.ravel().tolist())]
        assert got.dtype == bool and got.shape == shape
        assert got.ravel().tolist() == expected


def test_opposite_signs_sees_flips_whose_product_underflows() -> None:
    old = np.full((20, 20), 1e-200)
    new = np.full((20, 20), 1e-200)
    new[3, 4] = -1e-200  # old·new = -1e-400: -0.0 as a float
    assert opposite_signs(old, new).nonzero() == (np.array([3]), np.array([4]))


@pytest.mark.parametrize("shape", SHAPES + [(7,), (2, 3, 4)])
def test_true_places_are_argwhere_in_row_major_order(shape) -> None:
    rng = np.random.default_rng(3)
    for share in (0.0, 0.01, 0.5, 1.0):
        mask = rng.random(shape) < share
        got = true_places(mask)
        expected = np.argwhere(mask)
        assert np.stack([a.astype(np.int64) for a in got], axis=-1).tolist() == \
            expected.tolist()


@pytest.mark.parametrize("shape", SHAPES)
def test_sign_codes(shape) -> None:
    rng = np.random.default_rng(7)
    for _ in range(10):
        arr = awkward(rng, shape)
        code = {1: PLUS, -1: MINUS, 0: ZERO}
        expected = [NAN if v != v else code[python_sign(v)] for v in arr.ravel().tolist()]
        assert codes(arr).ravel().tolist() == expected


@pytest.mark.parametrize("grad_at_zero", [0, 1])
def test_relu_blocks_below_zero_and_at_zero_only_when_its_slope_there_is_zero(grad_at_zero):
    rng = np.random.default_rng(2)
    spec = LayerSpec(name="L3", kind="relu", size=1, grad_at_zero=grad_at_zero)
    x, flow = awkward(rng, (16, 17)), awkward(rng, (16, 17))
    got = RELU.blocked(spec, x, flow)
    expected = [(v < 0 or (v == 0 and grad_at_zero == 0)) and d != 0
                for v, d in zip(x.ravel().tolist(), flow.ravel().tolist())]
    assert got.ravel().tolist() == expected


@pytest.mark.parametrize("shape", SHAPES)
def test_plain_statistics_equal_the_nan_ignoring_ones(shape) -> None:
    rng = np.random.default_rng(9)
    for nans in (0.0, 0.2, 1.0):
        with np.errstate(all="ignore"):
            arr = rng.standard_normal(shape) * 10.0 ** rng.integers(-5, 5, shape)
            arr[rng.random(shape) < nans] = np.nan
            if nans == 0.2:
                arr.flat[0], arr.flat[-1] = np.inf, -np.inf  # a plain mean of NaN, no NaN
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the NaN-ignoring ones warn of all-NaN
            for fast, plain in ((_least, np.nanmin), (_most, np.nanmax),
                                (_mean, np.nanmean)):
                got, expected = fast(arr), float(plain(arr))
                assert got == expected or (math.isnan(got) and math.isnan(expected))
                assert math.copysign(1, got) == math.copysign(1, expected)


class _Update:
    """What ``_still`` reads of an update record."""

    def __init__(self, w: np.ndarray, new: np.ndarray) -> None:
        self.params, self.new_params = ({"w": w},), ({"w": new},)


@pytest.mark.parametrize("shape", [(2, 3), (40, 30)])
def test_weights_unmoved_as_value_by_value_equality(shape) -> None:
    """A layer is unmoved when every ŵ equals its w, NaN counting as equal to NaN."""
    rng = np.random.default_rng(4)
    model = object()
    for case in range(50):
        w = awkward(rng, shape) if case % 2 else rng.standard_normal(shape)  # finite or not
        new = w.copy()
        at = rng.integers(w.size)
        if case % 5 == 1:
            w.flat[at], new.flat[at] = 1e-310, 1e-310 + 5e-324  # a step of one subnormal
        elif case % 5 == 2:
            new.flat[at] = np.nan
        elif case % 5 == 3:
            new = new * (1 + 1e-16 * rng.random(shape))
        elif case % 5 == 4:
            new.flat[at] = -new.flat[at]  # moved, unless it is 0 or NaN
        expected = all(a == b or (a != a and b != b)
                       for a, b in zip(w.ravel().tolist(), new.ravel().tolist()))
        got = _still(_Update(w, new), model, 0)
        assert got == expected == _same(w, new)


@pytest.mark.parametrize("digits", [2, 3, 4, 6])
def test_significant_digits_of_a_number_text(digits) -> None:
    rng = np.random.default_rng(digits)
    values = (rng.standard_normal(300) * 10.0 ** rng.integers(-30, 30, 300)).tolist()
    for v in values + [2000.0, 0.5, -0.5, 1999.9997, 1e-7, 100.0, -1.0]:
        text = f"{v:.{digits}g}"
        expected = len(Decimal(text).normalize().as_tuple().digits)
        assert _significant(text) == expected, text
