"""A branch saved as a scenario reopens exactly where it was: the same records, bit for bit,
at every operation, and the cursor's position in [branch] goto. Bad [branch] tables are refused
with the edit's key path."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy as stn
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import ScenarioError, Session, load_scenario
from nnstep.engine.branch_file import branch_source, save_branch
from nnstep.engine.position import parse_position
from nnstep.engine.records import same
from nnstep.engine.saved_session import capture, from_json, to_json
from nnstep.engine.toml_text import toml_text

ROOT = Path(__file__).resolve().parents[2]


def edited_broccoli(numbers: str | None = None) -> Session:
    """Broccoli with an edit of every kind, made where a person would make them."""
    session = Session(load_scenario(ROOT / "scenarios" / "broccoli.toml", numbers))
    session.goto(25)  # iteration 3, loss
    session.set_weight(1, 0, 1, "-1/4000")
    session.goto(12)  # iteration 2, forward L1
    session.set_input(0, 2, "7")
    session.set_target(0, 0, "1/2")
    session.goto(30)
    session.set_learning_rate("1/10")
    return session


def assert_same_history(a: Session, b: Session) -> None:
    assert a.last_index == b.last_index
    for i in range(a.last_index + 1):
        assert same(a.at(i), b.at(i)), f"record {i} differs"


@pytest.mark.parametrize("numbers", [None, "float64"])
def test_saved_branch_reopens_with_the_same_records(tmp_path, numbers):
    session = edited_broccoli(numbers)
    session.goto(27)
    out = tmp_path / "sub" / "branch.toml"
    out.parent.mkdir()
    save_branch(session, session.cursor, out)
    again = load_scenario(out)
    assert again.branch.goto == "3:backward:L3"
    reopened = Session(again)
    index = parse_position(again.branch.goto, ["L1", "L2", "L3"]).index(reopened.schedule)
    assert index == 27
    assert reopened.cursor == 0  # replayed, then back at the start
    assert_same_history(session, reopened)
    raw = tomllib.loads(out.read_text())
    # the weight edit at iteration 3 came first; going back to iteration 2 and editing forked
    # from that branch: the log keeps every edit, in the order made
    assert [(e["at"], e["kind"]) for e in raw["branch"]["edits"]] == [
        ("3:loss", "weight"), ("2:forward:L1", "input"), ("2:forward:L1", "target"),
        ("3", "learning_rate")]


def test_edit_log_is_written_in_the_articles_numbering(tmp_path):
    session = Session(load_scenario(ROOT / "scenarios" / "broccoli.toml"))
    session.goto(25)
    session.set_weight(1, 0, 2, "3001")
    session.goto(27)
    session.set_learning_rate("1/2")
    edits = branch_source(session, 27, tmp_path / "x.toml")["branch"]["edits"]
    assert edits == [
        {"at": "3:loss", "kind": "weight", "layer": "L2", "row": 1, "col": 3, "value": "3001"},
        {"at": "3:backward:L3", "kind": "learning_rate", "value": "1/2"}]


def test_a_saved_session_on_a_branch_file_keeps_only_its_own_edits(tmp_path):
    """The persistent session of a branch scenario: its [branch] edits come from the file,
    the session store keeps the edits made after opening, and restoring gives the same tree."""
    save_branch(edited_broccoli(), 30, tmp_path / "b.toml")
    scenario = load_scenario(tmp_path / "b.toml")
    session = Session(scenario)
    assert len(session.branches) == 5  # the original and one per edit of the file
    session.goto(7)
    session.set_weight(1, 0, 0, "1/100")
    saved = capture(session, str(tmp_path / "b.toml"), "digest")
    assert len(saved.branches) == 1 and saved.branches[0].parent == 4
    restored = from_json(to_json(saved)).replay(scenario)
    assert len(restored.branches) == 6 and restored.branch.id == 5
    assert_same_history(session, restored)


def test_paths_move_with_the_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("a,b,y\n1,2,0\n3,4,1\n")
    stn.save_file({"0.weight": np.array([[0.5, -0.25]])}, str(tmp_path / "data" / "w.safetensors"))
    (tmp_path / "s.toml").write_text(
        'title = "t"\n[data]\nfile = "data/d.csv"\ntargets = ["y"]\n[training]\n'
        'learning_rate = 1\n[weights]\nfile = "data/w.safetensors"\n'
        '[[layers]]\nkind = "input"\nsize = 2\n[[layers]]\nkind = "linear"\nsize = 1\n'
        'bias = false\n')
    session = Session(load_scenario(tmp_path / "s.toml"))
    session.goto(3)
    session.set_input(0, 1, "5")
    out = tmp_path / "deep" / "er" / "b.toml"
    out.parent.mkdir(parents=True)
    save_branch(session, 3, out)
    raw = tomllib.loads(out.read_text())
    assert raw["data"]["file"] == "../../data/d.csv"
    assert raw["weights"]["file"] == "../../data/w.safetensors"
    assert_same_history(session, Session(load_scenario(out)))


def test_continue_in_float_is_replayed(tmp_path):
    session = Session(load_scenario(ROOT / "scenarios" / "broccoli.toml"))
    session.goto(14)
    session.continue_in_float()
    session.goto(22)
    session.set_weight(1, 0, 0, "0.25")
    save_branch(session, 22, tmp_path / "b.toml")
    reopened = Session(load_scenario(tmp_path / "b.toml"))
    assert reopened.at(22).mode == "float64" and reopened.at(13).mode == "exact"
    assert_same_history(session, reopened)


BAD = [
    ('goto = "9"', "branch.goto", "past the end of training"),
    ('goto = "2:sideways"', "branch.goto", "unknown operation 'sideways'"),
    ('edits = [{ at = "3", kind = "weight", layer = "L3", row = 1, col = 1, value = 1 }]',
     "branch.edits[0].layer", "'L3' is not a linear layer"),
    ('edits = [{ at = "3", kind = "weight", layer = "L2", row = 2, col = 1, value = 1 }]',
     "branch.edits[0].row", "expected a whole number 1 … 1, got 2"),
    ('edits = [{ at = "3", kind = "bias", layer = "L2", row = 1, value = 1 }]',
     "branch.edits[0].layer", "has no bias"),
    ('edits = [{ at = "3", kind = "weight", layer = "L2", row = 1, value = 1 }]',
     "branch.edits[0]", "exactly the keys at, kind, layer, row, col, value"),
    ('edits = [{ at = "2", kind = "input", sample = 3, feature = 1, value = 1 }]',
     "branch.edits[0].sample", "sample 3 is not in iteration 2's batch (samples 2)"),
    ('edits = [{ at = "0", kind = "input", sample = 1, feature = 1, value = 1 }]',
     "branch.edits[0].at", "not at the start of training"),
    ('edits = [{ at = "1", kind = "learning_rate", value = "-1" }]',
     "branch.edits[0].value", "≥ 0"),
    ('edits = [{ at = "1", kind = "learning_rate", value = "x" }]',
     "branch.edits[0].value", "'x' is not a number"),
    ('edits = [{ at = "1", kind = "numbers", value = "float32" }]',
     "branch.edits[0].value", "expected one of exact, float64"),
    ('edits = [{ at = "1", kind = "rename", value = 1 }]', "branch.edits[0]", "kind one of"),
    ('edits = [{ at = "1", kind = ["weight"], value = 1 }]', "branch.edits[0]", "kind one of"),
    ('edits = [{ at = "1", kind = { a = 1 }, value = 1 }]', "branch.edits[0]", "kind one of"),
    ('colour = "red"', "branch", "expected a table with keys goto, edits"),
]


@pytest.mark.parametrize("line, where, expected", BAD)
def test_bad_branch_tables(tmp_path, line, where, expected):
    text = (ROOT / "scenarios" / "broccoli.toml").read_text() + f"\n[branch]\n{line}\n"
    (tmp_path / "b.toml").write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "b.toml")
    message = str(caught.value)
    assert f": {where}: " in message and expected in message


_VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.text(max_size=8),
              st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)


@given(st.dictionaries(st.text(max_size=6), _VALUES, max_size=5))
def test_toml_text_reads_back(doc):
    assert tomllib.loads(toml_text(doc)) == doc
