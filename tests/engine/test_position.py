"""The position syntax shared by --goto and the go-to dialog: every operation written out reads
back to the same operation, the articles' names map to the right index, and what is not a
position says what was expected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario
from nnstep.engine.position import PositionError, describe, parse_position


@pytest.fixture(scope="module")
def broccoli(broccoli_path):
    return Session(load_scenario(broccoli_path))


NAMES = ["L1", "L2", "L3"]


@pytest.mark.parametrize("text, index, label", [
    ("0", 0, "start · before training"),
    ("1", 10, "update weights"),
    ("3", 30, "update weights"),
    ("3:update", 30, "update weights"),
    ("3:pick", 21, "pick samples"),
    ("3:forward:L1", 22, "forward · L1 (input)"),
    ("3:forward:L3", 24, "forward · L3 (relu)"),
    ("3:loss", 25, "loss"),
    ("3:backward:loss", 26, "backward · loss"),
    ("3:backward:L3", 27, "backward · L3 (relu)"),
    ("3:backward:L2", 28, "backward · L2 (linear, no bias)"),
    (" 3 : backward : L1 ", 29, "backward · L1 (input)"),
    ("3:forward:l2", 23, "forward · L2 (linear, no bias)"),
])
def test_positions_of_broccoli(broccoli, text, index, label):
    """Broccoli: 3 layers, 10 operations an iteration (pick, 3 forward, loss, δ of the loss,
    3 backward, update), counted by hand from the articles' loop."""
    position = parse_position(text, NAMES)
    assert position.index(broccoli.schedule) == index
    assert broccoli.label(broccoli.at(index)) == label


@given(st.integers(0, 30))
def test_describe_reads_back(index):
    session = _broccoli()
    rec = session.at(index)
    text = describe(rec.iteration, rec.op, NAMES)
    assert parse_position(text, NAMES).index(session.schedule) == index


_SESSION: list[Session] = []


def _broccoli() -> Session:
    if not _SESSION:
        from pathlib import Path
        path = Path(__file__).resolve().parents[2] / "scenarios" / "broccoli.toml"
        _SESSION.append(Session(load_scenario(path)))
    return _SESSION[0]


@pytest.mark.parametrize("text, expected", [
    ("", "is not a position"),
    ("x", "expected an iteration number"),
    ("1.5", "expected an iteration number"),
    ("+3", "expected an iteration number"),
    ("²", "expected an iteration number"),
    ("9" * 13, "at most 12 digits"),
    ("3:backwrd:L3", "unknown operation 'backwrd' (did you mean 'backward'?)"),
    ("3:forward", "forward needs a layer, e.g. 3:forward:L3 (layers: L1, L2, L3)"),
    ("3:backward:", "(layers: L1, L2, L3, loss)"),
    ("3:forward:loss", "no layer 'loss'"),
    ("3:forward:L22", "no layer 'L22' (did you mean 'L2'?)"),
    ("3:pick:L2", "pick takes no layer"),
    ("0:pick", "iteration 0 is the start"),
    ("3:\x1b[31m", "unknown operation '\\x1b[31m'"),
])
def test_bad_positions(text, expected):
    with pytest.raises(PositionError) as caught:
        parse_position(text, NAMES)
    assert expected in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_past_the_end(broccoli):
    with pytest.raises(PositionError, match=r"iteration 4 is past the end of training \(3 "):
        parse_position("4:loss", NAMES).index(broccoli.schedule)
