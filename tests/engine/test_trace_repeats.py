"""The JSON trace of ends that repeat (value_fields.py: an end whose key was seen in its chunk
or the one before is not held, its texts looked up) and the trace written as UTF-8 bytes,
against the plain per-record lines (``trace.line``), byte for byte; the cycle collector is on
again after every kind of run."""

from __future__ import annotations

import gc
import io

import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.records import Record
from nnstep.engine.search import RecentEnds, scan
from nnstep.engine.trace import line, select
from nnstep.engine.trace_chunk import Lines
from nnstep.tui import headless
from nnstep.tui.headless import LOOK_BACK_SHOWN, with_iterations
from trace_support import chunked

SMALL = ["broccoli", "iris", "momentum_overshoot", "adam_tiny_gradient", "diverging",
         "dead_relu", "sign_flip", "saturated_sigmoid"]


def run_both(sc, iterations: int, chunk: int, binary: bool = False, fields=None):
    """(per-record lines, chunked lines, ends not held) of a run without a check."""
    session = Session(with_iterations(sc, iterations), rewinds=False)
    selection = select(fields, [spec.name for spec in sc.layers])
    history = RecentEnds(session, LOOK_BACK_SHOWN)
    lines = Lines(session.model, selection, history, chunk, binary=binary)
    written, dropped = lines._lines, []

    def counted(ends):
        dropped.extend(end for end in ends if end.rec is None)
        return written(ends)

    lines._lines = counted
    plain, chunked = [], []
    for item in scan(session, [], iterations * session.schedule.ops_per_iteration, history):
        if not isinstance(item, Record):
            break
        plain.append(line(item, session.model, selection, history))
        chunked += [text for _, text in lines.add(item)]
    chunked += [text for _, text in lines.flush()]
    return plain, chunked, len(dropped)


@pytest.mark.parametrize("name", ["broccoli", "sign_flip"])
@pytest.mark.parametrize("chunk", [2, 7, 128])
def test_ends_that_repeat_are_not_held_and_print_the_same(repo_root, name, chunk):
    """broccoli in float64 learns nothing and repeats every three iterations; sign_flip stops
    moving: their ends come back, many chunks long, and are looked up, not held."""
    sc = load_scenario(repo_root / "scenarios" / f"{name}.toml", numbers="float64")
    plain, chunked, dropped = run_both(sc, 300, chunk)
    assert chunked == plain
    assert dropped > 0


@pytest.mark.parametrize("fields", ["iteration,diagnostics", "loss,signs,epoch",
                                    "x,layers.L2.grad_weights,loss_change", "accuracy"])
def test_ends_that_repeat_print_the_same_fields(repo_root, fields):
    sc = load_scenario(repo_root / "scenarios" / "broccoli.toml", numbers="float64")
    plain, chunked, dropped = run_both(sc, 40, 5, fields=fields)
    assert chunked == plain and dropped > 0  # ("accuracy": none, a classifier's only: "{}")


def test_a_bias_that_moves_under_weights_that_do_not(make_scenario_text):
    """An input of zeros: δw is 0 and the weights stay while the bias learns; ``unchanged``
    reads the weights only (detectors._unmoved), in every chunk as line by line."""
    layers = [{"kind": "input", "size": 2},
              {"kind": "linear", "size": 1, "weights": [[0.5, -0.25]], "biases": [0.1]}]
    text = make_scenario_text(layers, [([0.0, 0.0], [1.0]), ([0.0, 0.0], [-1.0])],
                              learning_rate=0.1)
    plain, chunked, _ = run_both(parse_scenario(text), 20, 4)
    assert chunked == plain
    assert sum("unchanged" in text for text in plain) == 16


@pytest.mark.parametrize("name", SMALL)
def test_lines_in_bytes_are_the_lines_in_utf8(repo_root, name):
    """Every scenario, NaN and inf included (diverging, no check), repeating or not."""
    sc = load_scenario(repo_root / "scenarios" / f"{name}.toml", numbers="float64")
    plain, chunked, _ = run_both(sc, 60, 16, binary=True)
    assert chunked == [text.encode() for text in plain]


@pytest.mark.parametrize("name, args", [("broccoli", {}), ("diverging", {}),
                                         ("diverging", {"stop_nonfinite": False}),
                                         ("iris", {"breaks": ["loss < 0.5"]})])
def test_a_run_writes_the_same_to_a_file_as_to_a_string(repo_root, name, args):
    """headless.run writes a file's bytes itself (its UTF-8 buffer), a StringIO's text
    through it: the same text; unbuffered too."""
    sc = load_scenario(repo_root / "scenarios" / f"{name}.toml", numbers="float64")
    text, code = io.StringIO(), None
    code = headless.run(sc, 300, "json", False, out=text, err=io.StringIO(), **args)
    for buffering in (io.BufferedWriter, None):
        raw = io.BytesIO()
        out = io.TextIOWrapper(buffering(raw) if buffering else raw, encoding="utf-8",
                               write_through=buffering is None)
        assert headless.run(sc, 300, "json", False, out=out, err=io.StringIO(),
                            **args) == code
        out.flush()
        assert raw.getvalue().decode() == text.getvalue()
    assert gc.isenabled()


def test_the_cycle_collector_is_on_after_a_run_stops(repo_root):
    """The collector is paused while a chunk's ends are held: on again after a run that ends
    or stops at a breakpoint (and one interrupted: test_trace_chunk.py)."""
    sc = load_scenario(repo_root / "scenarios" / "broccoli.toml", numbers="float64")
    assert headless.run(sc, 40, "json", False, out=io.StringIO(), err=io.StringIO()) == 0
    assert gc.isenabled()
    assert headless.run(sc, 40, "json", False, ["loss > 0.1"], out=io.StringIO(),
                        err=io.StringIO()) == headless.EXIT_BREAK
    assert gc.isenabled()


def test_the_cycle_collector_is_paused_while_a_chunk_is_held(monkeypatch, repo_root):
    sc = load_scenario(repo_root / "scenarios" / "broccoli.toml", numbers="float64")
    add, collecting = Lines.add, []

    def add_and_look(lines: Lines, rec: Record):
        collecting.append(gc.isenabled())
        return add(lines, rec)

    write, after_writing = headless._Written._write, []

    def write_and_look(written, ready):
        done = write(written, ready)
        if ready:
            after_writing.append(gc.isenabled())
        return done

    monkeypatch.setattr(Lines, "add", add_and_look)
    monkeypatch.setattr(headless._Written, "_write", write_and_look)
    headless.run(sc, 300, "json", False, out=io.StringIO(), err=io.StringIO())
    assert not any(collecting[1:128]) and gc.isenabled()
    assert after_writing == [True, True, True]  # on again once a chunk is written


def test_a_chunk_of_ends_gets_the_per_record_lines(repo_root, make_scenario_text):
    """Ends held as one chunk (trace_chunk.Lines), from the first iteration or a later one."""
    layers = [{"kind": "input", "size": 2},
              {"kind": "linear", "size": 1, "weights": [[0.5, -0.25]], "biases": [0.1]}]
    text = make_scenario_text(layers, [([0.0, 0.0], [1.0]), ([0.0, 0.0], [-1.0])],
                              learning_rate=0.1)
    for sc in (parse_scenario(text),
               load_scenario(repo_root / "scenarios" / "broccoli.toml", numbers="float64")):
        session = Session(with_iterations(sc, 30), rewinds=False)
        ends = [r for r in scan(session, [], 30 * session.schedule.ops_per_iteration)
                if isinstance(r, Record)]
        history = session.end_of_iteration
        for first in (0, 12):
            assert chunked(ends[first:], session.model, history=history) == [
                line(rec, session.model, history=history) for rec in ends[first:]]
