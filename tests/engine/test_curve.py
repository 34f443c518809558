"""The loss curve: downsampled buckets (checked against plain Python means), non-finite
stretches named, the log scale, and the series read off the timeline as iterations finish."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario
from nnstep.engine.curve import Stretch, curve


def test_buckets_are_means_of_equal_runs_of_iterations():
    c = curve([1.0, 3.0, 5.0, 7.0, 9.0], 2)  # buckets of 3: [1, 3, 5], [7, 9]
    assert c.count == 5
    assert list(c.x) == [2.0, 4.5]  # iterations 1–3 and 4–5
    assert list(c.y) == [3.0, 8.0]
    assert list(c.low) == [1.0, 7.0] and list(c.high) == [5.0, 9.0]


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300), st.integers(1, 80))
def test_downsampling_against_plain_python(values, points):
    c = curve(values, points)
    size = -(-len(values) // points)
    chunks = [values[i:i + size] for i in range(0, len(values), size)]
    assert len(c.x) == len(chunks) <= points
    for y, low, high, chunk in zip(c.y, c.low, c.high, chunks):
        assert y == pytest.approx(sum(chunk) / len(chunk), rel=1e-9, abs=1e-6)
        assert (low, high) == (min(chunk), max(chunk))


def test_inf_then_nan_are_named_not_dropped():
    values = [4.0, 1e300, math.inf, math.inf, math.nan, math.nan, math.nan]
    c = curve(values, 100)
    assert c.nonfinite == (Stretch(3, 4, "inf"), Stretch(5, 7, "nan"))
    assert [s.describe() for s in c.nonfinite] == ["inf at iterations 3–4",
                                                   "nan at iterations 5–7"]
    assert c.y[0] == 4.0 and math.isnan(c.y[2])  # drawn where finite, a gap where not
    assert c.finite


def test_log_scale_counts_zero_losses_it_cannot_draw():
    c = curve([F(0), F(0), F(1, 2), F(100)], 10, log=True)
    assert c.not_positive == 2
    assert math.isnan(c.y[0]) and c.y[2] == pytest.approx(math.log10(0.5)) and c.y[3] == 2.0


def test_fractions_too_large_for_a_float_read_as_inf():
    c = curve([F(10**400), F(1, 3)], 10)
    assert c.nonfinite == (Stretch(1, 1, "inf"),)


def test_empty_series():
    c = curve([], 40)
    assert c.count == 0 and not c.finite and c.nonfinite == ()


def test_the_series_grows_with_the_run_and_forks_with_an_edit(broccoli_path):
    session = Session(load_scenario(broccoli_path))
    assert session.loss_series() == [] and session.loss_series(parent=True) is None
    session.goto(25)  # the loss of iteration 3 is computed, its update not yet
    assert session.loss_series() == [0, 0]
    session.goto(30)
    assert session.loss_series() == [0, 0, F(1, 2)]  # the articles' losses
    session.goto(22)
    session.set_weight(1, 0, 1, "0")
    assert session.loss_series() == [0, 0]  # iteration 3 is recomputed on the new branch
    session.goto(30)
    assert session.loss_series()[-1] == F(1, 2) * (F(15, 29) - 1) ** 2
    assert session.loss_series(parent=True) == [0, 0, F(1, 2)]


def test_a_long_float_run_draws_from_the_recorded_series(repo_root):
    session = Session(load_scenario(repo_root / "scenarios" / "diverging.toml"))
    session.last()
    values = session.loss_series()
    assert len(values) == session.schedule.iterations
    c = curve(values, 60, log=True)
    assert c.nonfinite and c.nonfinite[-1].text == "nan" and c.nonfinite[-1].last == len(values)
    assert np.isfinite(c.y[0])


def test_the_accuracy_series_of_a_classifier(make_scenario_text):
    from nnstep.engine import parse_scenario

    rng = np.random.default_rng(2)
    layers = [{"name": "in", "kind": "input", "size": 2},
              {"name": "out", "kind": "linear", "size": 3, "bias": True,
               "weights": rng.normal(size=(3, 2)).round(2).tolist(), "biases": [0, 0, 0]}]
    samples = [(rng.normal(size=2).round(2).tolist(), np.eye(3)[i % 3].tolist())
               for i in range(6)]
    text = make_scenario_text(layers, samples, batch_size=2, epochs=3) + (
        '\n[loss]\nkind = "softmax_cross_entropy"\n')
    session = Session(parse_scenario(text, "classes.toml"))
    session.last()
    acc = session.accuracy_series()
    assert len(acc) == len(session.loss_series()) == 9
    opi = session.schedule.ops_per_iteration
    for t, value in enumerate(acc, start=1):  # oracle: argmax of o against argmax of y
        rec = session.at(t * opi)
        right = np.argmax(rec.outputs[-1], axis=1) == np.argmax(rec.y, axis=1)
        assert value == right.mean()
    session.goto(4 * opi)
    session.set_learning_rate("0")
    assert session.accuracy_series() == acc[:4] and session.accuracy_series(parent=True) == acc


def test_no_accuracy_without_classes(broccoli_path):
    session = Session(load_scenario(broccoli_path))
    session.last()
    assert session.accuracy_series() == []
