"""The float64 fast paths of the layers give the values of the plain formulas they replace:
the batch-1 weight gradient (einsum instead of np.outer; a broadcast product plus +0 on a small
layer), the ReLU slope (one comparison instead of nested np.where), ReLU on one value (no
np.where), the loss and its δ made together, the input layer passing its arrays on instead of
copying them. Oracles: Python's own float arithmetic, value by value, and the general path."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from nnstep.engine.kinds.half_squared_error import RECIPE as HALF_SQUARED
from nnstep.engine.kinds.linear import grads as linear_grads
from nnstep.engine.kinds.relu import RECIPE as RELU
from nnstep.engine.layers import LayerSpec, backward, forward
from nnstep.engine.numbers import SMALL, Numbers

FLOAT, EXACT = Numbers("float64"), Numbers("exact")


def awkward(rng, n: int) -> np.ndarray:
    """Values of every scale, with +0, −0, inf, nan and subnormals among them."""
    v = rng.standard_normal(n) * 10.0 ** rng.integers(-320, 300, n)
    v[rng.random(n) < 0.15] = 0.0
    v[rng.random(n) < 0.15] = -0.0
    v[rng.random(n) < 0.05] = np.inf
    v[rng.random(n) < 0.05] = np.nan
    return v


def test_batch_one_weight_gradient_is_the_outer_product() -> None:
    rng = np.random.default_rng(5)
    spec = LayerSpec(name="L2", kind="linear", size=37, bias=True)
    for _ in range(50):
        d, x = awkward(rng, 37), awkward(rng, 53)
        with np.errstate(all="ignore"):
            grads = linear_grads(spec, x[None], d[None], FLOAT)
            expected = np.outer(d, x)
        got = grads["w"]
        assert got.shape == (37, 53)
        same = (got == expected) | (np.isnan(got) & np.isnan(expected))
        assert same.all()  # equal values; only the sign of a zero may differ
        nonzero = expected != 0
        assert (got[nonzero].view(np.uint64) == expected[nonzero].view(np.uint64)).all()
        assert np.array_equal(grads["b"], d, equal_nan=True)


# one NaN only (NaN·NaN keeps the payload of whichever operand a kernel reads first)
SPECIAL = st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-200,
                           -1e-200, 1e200, -1e200, 1.0, -1.0])
FLOATS = st.one_of(SPECIAL, st.floats(allow_nan=False))


def bits(values) -> list:
    """Each value's bits, every NaN as one marker."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    return ["nan" if v != v else int(u) for v, u in zip(flat.tolist(), flat.view(np.uint64))]


@given(st.integers(1, 16).flatmap(lambda n: st.tuples(
    st.lists(FLOATS, min_size=n, max_size=n), st.lists(FLOATS, min_size=1, max_size=16))))
@example(([np.inf, -1e-200, -0.0, np.nan], [0.0, 1e-200, -0.0, -np.inf, 3.0]))
def test_a_small_layer_weight_gradient_is_each_product_plus_zero(values) -> None:
    """(δ·x) + 0 value by value in Python's floats: a zero product is +0, an underflow of a
    negative product too (no fused multiply-add); and the same bits as einsum, the path of a
    larger layer."""
    d, x = values
    assert len(d) * len(x) <= SMALL  # the small path
    spec = LayerSpec(name="L2", kind="linear", size=len(d), bias=False)
    with np.errstate(all="ignore"):
        got = linear_grads(spec, np.array([x]), np.array([d]), FLOAT)["w"]
        einsum = np.einsum("i,j->ij", np.array(d), np.array(x))
    assert got.shape == (len(d), len(x)) and got.dtype == np.float64
    assert bits(got) == bits([[0.0 + a * b for b in x] for a in d])
    assert bits(got) == bits(einsum)


def test_a_tiny_negative_product_that_underflows_gives_plus_zero() -> None:
    spec = LayerSpec(name="L2", kind="linear", size=1, bias=False)
    got = linear_grads(spec, np.array([[1e-200, -0.0]]), np.array([[-1e-200]]), FLOAT)["w"]
    assert bits(got) == bits([[0.0, 0.0]]) and not np.signbit(got).any()


@given(x=FLOATS, d=FLOATS)
@example(x=-0.0, d=-1.0)
@example(x=0.0, d=np.inf)
@example(x=-np.inf, d=np.inf)
@example(x=np.nan, d=2.0)
@example(x=-5e-324, d=-0.0)
def test_relu_of_one_value_is_the_general_path_and_the_articles_rule(x, d) -> None:
    """Forward: +0 below 0, else the value itself (−0, NaN and inf kept); backward: δ·0 below
    0, else δ (the articles' convention at 0). As the np.where path gives for larger arrays."""
    spec = LayerSpec(name="L3", kind="relu", size=1)
    one, two = np.array([[x]]), np.array([[x, x]])
    flow, flows = np.array([[d]]), np.array([[d, d]])
    with np.errstate(all="ignore"):
        o = forward(spec, {}, one, FLOAT)
        delta, grads = backward(spec, {}, one, o, flow, FLOAT)
        wide = forward(spec, {}, two, FLOAT), backward(spec, {}, two, two, flows, FLOAT)[0]
    assert bits(o) == bits([0.0 if x < 0.0 else x]) == bits(wide[0][0, :1])
    assert bits(delta) == bits([d * 0.0 if x < 0.0 else d]) == bits(wide[1][0, :1])
    assert grads == {}
    for out, given_ in ((o, one), (delta, flow)):  # a new array of the same shape
        assert out is not given_ and out.shape == (1, 1) and out.dtype == np.float64


@given(st.integers(1, 3).flatmap(lambda n: st.lists(
    st.tuples(FLOATS, FLOATS), min_size=n, max_size=n)), st.integers(1, 3))
@example([(np.inf, 1.0)], 1)
@example([(-np.inf, 1.0)], 2)
@example([(np.nan, 0.0)], 1)
@example([(-0.0, 0.0)], 1)
@example([(1e200, -1e200)], 1)
@example([(np.inf, np.inf)], 1)
def test_the_loss_and_its_delta_together_are_the_two_asked_one_by_one(pairs, batch) -> None:
    """What the fused iteration asks (values_and_delta) against what stepping asks."""
    o = np.array([[p[0] for p in pairs]] * batch)
    y = np.array([[p[1] for p in pairs]] * batch)
    with np.errstate(all="ignore"):
        values, delta = HALF_SQUARED.values_and_delta(o, y, FLOAT)
        one_by_one = HALF_SQUARED.values(o, y, FLOAT), HALF_SQUARED.delta(o, y, FLOAT)
    assert bits(values) == bits(one_by_one[0]) and bits(delta) == bits(one_by_one[1])
    assert bits(delta) == bits([[a - b for a, b in pairs]] * batch)
    with np.errstate(all="ignore"):  # the plain formula: a sum over the outputs, halved
        plain = np.add.reduce((o - y) * (o - y), axis=1) * 0.5
    assert bits(values) == bits(plain)
    if len(pairs) == 1:  # one output: ½·(o − y)² in Python's floats
        a, b = pairs[0]
        assert bits(values) == bits([(a - b) * (a - b) * 0.5] * batch)


def test_exact_batch_one_gradient_stays_exact() -> None:
    spec = LayerSpec(name="L2", kind="linear", size=2, bias=False)
    d = np.array([[Fraction(1, 3), Fraction(-2)]], dtype=object)
    x = np.array([[Fraction(3, 4), 0, Fraction(5)]], dtype=object)
    g = linear_grads(spec, x, d, EXACT)["w"]
    assert g.tolist() == [[Fraction(1, 4), 0, Fraction(5, 3)], [Fraction(-3, 2), 0, -10]]


@pytest.mark.parametrize("at_zero", [Fraction(1), Fraction(1, 2), Fraction(0)])
def test_relu_slope_is_one_above_zero_the_convention_at_zero_and_zero_below(at_zero) -> None:
    """…and 1 at a NaN input: δ passes a NaN unit, as PyTorch's relu backward lets it."""
    rng = np.random.default_rng(7)
    spec = LayerSpec(name="L3", kind="relu", size=1, grad_at_zero=at_zero)
    x = awkward(rng, 400).reshape(20, 20)
    x[0, :3] = [-np.inf, np.inf, np.nan]
    plain = np.where(x < 0, 0.0, np.where(x == 0, float(at_zero), 1.0))
    got = RELU.slope(spec, x, None, FLOAT)
    assert got.dtype == np.float64 and np.array_equal(got, plain)
    assert got.view(np.uint64).tolist() == plain.view(np.uint64).tolist()


def test_the_input_layer_passes_its_arrays_on() -> None:
    spec = LayerSpec(name="L1", kind="input", size=3)
    x = np.arange(3.0)[None]
    assert forward(spec, {}, x, FLOAT) is x
    d = np.ones((1, 3))
    delta, grads = backward(spec, {}, x, x, d, FLOAT)
    assert delta is d and grads == {}


@pytest.mark.parametrize("at_zero", [Fraction(1), Fraction(1, 2)])
def test_relu_backward_is_the_flow_times_the_slope_bit_for_bit(at_zero) -> None:
    rng = np.random.default_rng(8)
    spec = LayerSpec(name="L3", kind="relu", size=1, grad_at_zero=at_zero)
    x, d = awkward(rng, 300).reshape(10, 30), awkward(rng, 300).reshape(10, 30)
    with np.errstate(all="ignore"):
        got, grads = backward(spec, {}, x, forward(spec, {}, x, FLOAT), d, FLOAT)
        plain = d * np.where(x < 0, 0.0, np.where(x == 0, float(at_zero), 1.0))
    assert grads == {} and got.view(np.uint64).tolist() == plain.view(np.uint64).tolist()


def test_the_loss_of_one_sample_is_its_own_loss() -> None:
    from nnstep.engine.losses import batch_loss

    for value in (0.0, 1.5e-300, 0.25, np.inf, np.nan):
        one = np.array([value])
        assert np.array_equal(batch_loss(one, FLOAT), float(one.sum()) / 1, equal_nan=True)
    assert batch_loss(np.array([1.0, 2.0]), FLOAT) == 1.5


def test_fused_records_hold_only_read_only_arrays() -> None:
    """A batch in order is a view of the (read-only) data set and is not marked again; a
    shuffled batch is a copy, and must be marked read-only like everything else."""
    from nnstep.engine import parse_scenario
    from nnstep.engine.model import Model
    from nnstep.engine.step import first_record, next_iteration

    scenario = parse_scenario(
        'title = "t"\nnumbers = "float64"\n[data]\nsamples = [{ x = [1], y = [1] }, '
        '{ x = [2], y = [1] }, { x = [3], y = [1] }]\n[training]\nlearning_rate = 0.1\n'
        'batch_size = 2\nepochs = 3\norder = "shuffle"\n[[layers]]\nkind = "input"\nsize = 1\n'
        '[[layers]]\nkind = "linear"\nsize = 1\nweights = [[0.5]]\n[[layers]]\nkind = "relu"\n',
        "t.toml")
    model, rec = Model.of(scenario), first_record(scenario)
    shuffled = 0
    for _ in range(scenario.iterations):
        rec = next_iteration(rec, model)
        shuffled += list(rec.samples) != sorted(rec.samples)
        arrays = [rec.x, rec.y, rec.losses, rec.loss_delta, *rec.outputs, *rec.deltas]
        for group in (rec.new_params, rec.grads):
            arrays += [a for p in group if p for a in p.values()]
        assert not any(a.flags.writeable for a in arrays)
    assert shuffled  # the case this test is about did occur
