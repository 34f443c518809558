"""The JSON trace written a chunk at a time (engine/trace_chunk.py) against the plain per-record
rendering (``trace.line``, one record at a time, as the trace was written before): the same
lines, byte for byte, whatever the scenario, numbers, fields, chunk size and where a breakpoint
stops the run."""

from __future__ import annotations

import gc
import io
from functools import cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.conditions import parse_condition
from nnstep.engine.errors import ScenarioError
from nnstep.engine.records import Record
from nnstep.engine.search import RecentEnds, scan
from nnstep.engine.stacked import Stack
from nnstep.engine.trace import LAYER_FIELDS, TOP_FIELDS, FieldError, line, select
from nnstep.engine.trace_chunk import Lines
from nnstep.tui import headless
from nnstep.tui.headless import LOOK_BACK_SHOWN, with_iterations
from trace_support import chunked

SMALL = ["broccoli", "iris", "momentum_overshoot", "adam_tiny_gradient", "diverging",
         "dead_relu", "sign_flip", "saturated_sigmoid"]


@cache
def scenario(repo_root, name: str, numbers: str):
    try:
        return load_scenario(repo_root / "scenarios" / f"{name}.toml", numbers=numbers)
    except ScenarioError:
        return None  # a kind without exact values


def both(sc, iterations: int, selection, chunk: int, breaks=()) -> tuple[list, list]:
    """(per-record lines, chunked lines) of a run of ``iterations`` iterations that stops at
    the first hit of ``breaks`` (the always-on NaN/inf check included)."""
    sc = with_iterations(sc, iterations)
    session = Session(sc, rewinds=False)
    names = [spec.name for spec in sc.layers]
    conditions = [parse_condition(text, names) for text in ("nonfinite", *breaks)]
    history = RecentEnds(session, LOOK_BACK_SHOWN)
    lines = Lines(session.model, selection, history, chunk)
    plain, chunked = [], []
    for item in scan(session, conditions, iterations * session.schedule.ops_per_iteration,
                     history):
        if not isinstance(item, Record):
            break
        plain.append(line(item, session.model, selection, history))
        chunked += [text for _, text in lines.add(item)]
    chunked += [text for _, text in lines.flush()]
    return plain, chunked


@pytest.mark.parametrize("numbers", ["float64", "exact"])
@pytest.mark.parametrize("name", SMALL)
def test_every_scenario_gets_the_per_record_lines(repo_root, name, numbers):
    """Every field, chunks of several sizes (a chunk's first end reads the ends before it)."""
    sc = scenario(repo_root, name, numbers)
    if sc is None:
        pytest.skip(f"{name} has no exact values")
    iterations = 40 if numbers == "float64" else 6
    for chunk in (1, 3, 16):
        plain, chunked = both(sc, iterations, select(None, []), chunk)
        assert chunked == plain


FIELDS = st.sampled_from(list(TOP_FIELDS) + [f"layers.L{n}" for n in range(1, 5)]
                         + [f"layers.L{n}.{f}" for n in range(1, 5) for f in LAYER_FIELDS])


@given(name=st.sampled_from(SMALL), fields=st.lists(FIELDS, min_size=1, max_size=6),
       full=st.booleans(), iterations=st.integers(1, 30), chunk=st.integers(1, 9))
def test_field_selections_get_the_per_record_lines(repo_root, name, fields, full, iterations,
                                                   chunk):
    sc = scenario(repo_root, name, "float64")
    names = [spec.name for spec in sc.layers]
    try:
        selection = select(",".join(fields), names, full)
    except FieldError:
        assume(False)  # a layer this network does not have
    plain, chunked = both(sc, iterations, selection, chunk)
    assert chunked == plain


SAMPLES = [([1.0, -2.0], [0.5, -1.0]), ([-1.5, 0.5], [2.0, 0.0]), ([0.25, 3.0], [-0.5, 1.5]),
           ([2.0, 1.0], [1.0, 1.0])]
OPTIMIZERS = ["", '[optimizer]\nkind = "sgd"\nmomentum = "1/2"', '[optimizer]\nkind = "adam"']


@given(lr=st.sampled_from([0.05, 0.5, 3.0]), batch=st.sampled_from([1, 2, 4]),
       seed=st.integers(0, 50), loss=st.sampled_from(["half_squared_error", "mse"]),
       optimizer=st.sampled_from(OPTIMIZERS),
       activation=st.sampled_from(["relu", "relu", "leaky_relu", "tanh", "sigmoid"]),
       bias=st.booleans(), iterations=st.integers(1, 40), chunk=st.integers(1, 9))
def test_a_net_that_learns_gets_the_same_lines(make_scenario_text, lr, batch, seed, loss,
                                               optimizer, activation, bias, iterations, chunk):
    """Batches, biases, every activation, optimizers with a direction of their own, and
    learning rates that diverge."""
    layers = [{"kind": "input", "size": 2},
              {"kind": "linear", "size": 3, "init": "xavier", "seed": seed},
              {"kind": activation},
              {"kind": "linear", "size": 2, "bias": bias, "init": "xavier", "seed": seed}]
    text = make_scenario_text(layers, SAMPLES, learning_rate=lr, batch_size=batch,
                              order="shuffle", seed=seed)
    sc = parse_scenario(f'{text}\n[loss]\nkind = "{loss}"\n{optimizer}\n')
    plain, chunked = both(sc, iterations, select(None, []), chunk)
    assert chunked == plain


@pytest.mark.parametrize("momentum", ["0", "1/2"])
@pytest.mark.parametrize("lr", [0.3, 0.6])
def test_a_relu_that_dies_gets_the_same_lines(make_scenario_text, lr, momentum):
    """Weights that move, then stop for good (``unchanged`` from the fifth update on); a δ of 0
    that is nothing to learn at one sample and the dead ReLU blocking at the other (the same
    codes, another situation); momentum moving a weight against its gradient."""
    layers = [{"kind": "input", "size": 1},
              {"kind": "linear", "size": 1, "weights": [[1.0]], "biases": [0.5]},
              {"kind": "relu"},
              {"kind": "linear", "size": 1, "bias": False, "weights": [[1.0]]}]
    text = make_scenario_text(layers, [([1.0], [-1.0]), ([2.0], [0.0])], learning_rate=lr)
    sc = parse_scenario(f'{text}\n[optimizer]\nkind = "sgd"\nmomentum = "{momentum}"\n')
    for chunk in (1, 3, 7):
        plain, chunked = both(sc, 30, select(None, []), chunk)
        assert chunked == plain


@given(data=st.data())
def test_a_run_stopped_by_a_breakpoint_prints_the_same_lines(repo_root, data):
    """headless.run's output and exit against the per-record lines of the same run."""
    name, condition = data.draw(st.sampled_from([
        ("broccoli", "w2[1,2] > -0.0002"), ("iris", "loss < 0.5"), ("iris", "dying"),
        ("momentum_overshoot", "loss > 10"), ("sign_flip", "L2[0,0] < 0"),
        ("broccoli", "loss > 0.5"), ("diverging", "exploding")]))
    iterations = data.draw(st.integers(1, 60))
    sc = scenario(repo_root, name, "float64")
    plain, _ = both(sc, iterations, select(None, []), 1, (condition,))
    out, err = io.StringIO(), io.StringIO()
    code = headless.run(sc, iterations, "json", False, [condition], out=out, err=err)
    assert out.getvalue() == "".join(text + "\n" for text in plain)
    assert code == (headless.EXIT_BREAK if "stopped at" in err.getvalue() else headless.EXIT_OK)


@pytest.mark.parametrize("name", [n for n in SMALL if n != "diverging"])
def test_float_runs_take_the_stacked_path(repo_root, name):
    """The property compares the stacked path, not only its fallback."""
    sc = with_iterations(scenario(repo_root, name, "float64"), 12)
    session = Session(sc, rewinds=False)
    ends = [r for r in scan(session, [], 12 * session.schedule.ops_per_iteration)
            if isinstance(r, Record)]
    assert Stack(ends, session.model).usable()


def test_large_layers_are_written_record_by_record(repo_root):
    """784-128-10: summarised by default, or a large array named whole: the lines of the
    per-record trace, and no large array stacked."""
    sc = load_scenario(repo_root / "scenarios" / "mlp784.toml", numbers="float64")
    for fields in (None, "loss,layers.L2.grad_weights,diagnostics"):
        selection = select(fields, [spec.name for spec in sc.layers])
        plain, chunked = both(sc, 2, selection, 4)
        assert chunked == plain


def test_a_chunk_of_ends_that_do_not_follow_is_written_one_by_one(repo_root):
    sc = with_iterations(scenario(repo_root, "broccoli", "float64"), 8)
    session = Session(sc, rewinds=False)
    ends = [r for r in scan(session, [], 8 * session.schedule.ops_per_iteration)
            if isinstance(r, Record)]
    picked = [ends[0], ends[2], ends[3]]
    history = session.end_of_iteration
    assert chunked(picked, session.model, history=history) == [
        line(rec, session.model, history=history) for rec in picked]


def test_ctrl_c_prints_the_iteration_ends_held(monkeypatch, repo_root):
    """Ctrl-C while a chunk fills: the ends computed so far are printed, as line by line, and
    the message says after which iteration."""
    sc = scenario(repo_root, "broccoli", "float64")
    plain, _ = both(sc, 5, select(None, []), 1)
    add = Lines.add

    def add_until_ctrl_c(lines: Lines, rec: Record):
        if rec.iteration > 5:
            raise KeyboardInterrupt
        return add(lines, rec)

    monkeypatch.setattr(Lines, "add", add_until_ctrl_c)
    out, err = io.StringIO(), io.StringIO()
    assert headless.run(sc, 40, "json", False, out=out, err=err) == headless.EXIT_INTERRUPTED
    assert out.getvalue() == "".join(text + "\n" for text in plain)
    assert err.getvalue().strip().endswith("interrupted after iteration 5 of 40")
    assert gc.isenabled()  # paused while the chunk was held (headless._Written)
