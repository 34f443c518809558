"""An iteration end's row (engine/rows.py) and the stacks made from bytes (stacked.py) against
the plain readings: each array stacked with ``np.array`` over the records, ``np.isfinite`` of
every value, and the detector's own ``_unmoved``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, parse_scenario
from nnstep.engine.detectors import _unmoved
from nnstep.engine.records import Record
from nnstep.engine.rows import Layout
from nnstep.engine.search import scan
from nnstep.engine.stacked import Stack, array, names

SAMPLES = [([1.0, -2.0], [0.5, -1.0]), ([-1.5, 0.5], [2.0, 0.0]), ([0.25, 3.0], [-0.5, 1.5]),
           ([2.0, 1.0], [1.0, 1.0])]


def ends_of(make_scenario_text, lr: float, batch: int, seed: int, bias: bool,
            iterations: int) -> tuple[Session, list[Record]]:
    layers = [{"kind": "input", "size": 2},
              {"kind": "linear", "size": 3, "init": "xavier", "seed": seed},
              {"kind": "relu"},
              {"kind": "linear", "size": 2, "bias": bias, "init": "xavier", "seed": seed}]
    text = make_scenario_text(layers, SAMPLES, learning_rate=lr, batch_size=batch,
                              order="shuffle", seed=seed)
    session = Session(parse_scenario(text), rewinds=False)
    ops = iterations * session.schedule.ops_per_iteration
    return session, [r for r in scan(session, [], ops) if isinstance(r, Record)]


RUNS = dict(lr=st.sampled_from([0.05, 0.5, 40.0]), batch=st.sampled_from([1, 2, 4]),
            seed=st.integers(0, 50), bias=st.booleans(), iterations=st.integers(1, 12))


@given(**RUNS)
def test_rows_stack_as_np_array_stacks(make_scenario_text, lr, batch, seed, bias, iterations):
    """Every array of the ends, stacked from their rows, has the bits np.array gives."""
    session, ends = ends_of(make_scenario_text, lr, batch, seed, bias, iterations)
    layout = Layout(session.model, ends[0])
    rows = [layout.row(rec) for rec in ends]
    blocks = layout.blocks(rows)
    for name in names(session.model, ends[0]):
        plain = np.array([array(rec, name) for rec in ends])
        assert blocks[name].shape == plain.shape
        assert blocks[name].tobytes() == plain.tobytes()
    for k in session.model.trainable:
        assert layout.unmoved(rows, k).tolist() == [_unmoved(r, session.model, k) for r in ends]


@given(**RUNS)
def test_a_stack_joined_from_bytes_is_the_plain_stack(make_scenario_text, lr, batch, seed,
                                                      bias, iterations):
    """Stack.usable stacks every name at once from the arrays' bytes; Stack.subset takes some
    records; both against np.array over the records' own arrays."""
    session, ends = ends_of(make_scenario_text, lr, batch, seed, bias, iterations)
    stack = Stack(ends, session.model)
    finite = all(np.isfinite(array(rec, name)).all() and math.isfinite(rec.loss)
                 for rec in ends for name in stack.names)
    assert stack.usable() == finite
    if not finite:
        return
    places = list(range(len(ends)))[::-2]
    sub = stack.subset(places)
    for name in stack.names:
        plain = np.array([array(rec, name) for rec in ends])
        assert stack[name].tobytes() == plain.tobytes() and stack[name].shape == plain.shape
        assert sub[name].tobytes() == plain[places].tobytes()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["array", "loss", "lr"])
def test_a_row_is_finite_when_every_value_is(make_scenario_text, value, where):
    session, ends = ends_of(make_scenario_text, 0.05, 2, 3, True, 2)
    rec = ends[-1]
    layout = Layout(session.model, rec)
    assert layout.finite(rec, layout.row(rec))
    if where == "array":
        w = np.array(rec.grads[1]["w"])
        w[1, 0] = value
        bad = rec.with_(grads=(rec.grads[0], {**rec.grads[1], "w": w}, *rec.grads[2:]))
    else:
        bad = rec.with_(**{where: value})
    assert not layout.finite(bad, layout.row(bad))


def test_a_row_is_none_when_an_array_is_missing_or_not_contiguous(make_scenario_text):
    session, ends = ends_of(make_scenario_text, 0.05, 2, 3, True, 2)
    rec = ends[-1]
    layout = Layout(session.model, rec)
    assert layout.row(rec.with_(new_params=None)) is None
    assert layout.row(rec.with_(x=np.asfortranarray(np.ones((3, 2)))[:2])) is None
    assert layout.row(rec.with_(x=np.ones((2, 2)).T)) is None  # Fortran order
    assert layout.row(rec.with_(x=np.ones((4, 2))[:2])) is not None  # a C-contiguous view


def test_keys_differ_in_the_bits_of_the_loss_and_the_samples(make_scenario_text):
    """-0.0 and 0.0 print differently, so they make different keys."""
    session, ends = ends_of(make_scenario_text, 0.05, 2, 3, True, 2)
    rec = ends[-1]
    layout = Layout(session.model, rec)
    row = layout.row(rec)
    assert rec.samples != tuple(reversed(rec.samples))
    assert layout.key(rec, row) != layout.key(rec.with_(samples=rec.samples[::-1]), row)
    assert layout.key(rec.with_(loss=0.0), row) != layout.key(rec.with_(loss=-0.0), row)
    assert layout.key(rec.with_(lr=0.0), row) != layout.key(rec.with_(lr=-0.0), row)
    assert layout.key(rec, row) == layout.key(rec.with_(), row)
