"""Saved sessions: the branch tree replayed through the edit API gives bit-identical records;
files are written atomically under $XDG_STATE_HOME/nnstep; a session that no longer fits its
scenario, or does not read, is set aside (kept) with a message — never applied, never a crash."""

from __future__ import annotations

import json
import os
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Edit, Session, load_scenario
from nnstep.engine.records import same
from nnstep.engine.saved_session import (
    SavedBranch,
    SavedBreakpoint,
    SavedSession,
    SavedSessionError,
    capture,
    from_json,
    to_json,
)
from nnstep.engine.session_store import (
    digest,
    input_digests,
    load,
    save,
    session_file,
    set_aside,
    state_dir,
)


@pytest.fixture
def env(tmp_path):
    return {"XDG_STATE_HOME": str(tmp_path / "state")}


@pytest.fixture
def scenario(broccoli_path):
    return load_scenario(broccoli_path)


def a_tree(scenario) -> Session:
    """Four branches: 1 and 2 grow from 0, 3 from 2, the cursor ends on 1."""
    s = Session(scenario)
    s.goto(25)
    s.set_weight(1, 0, 1, "0")          # branch 1
    s.undo()
    s.goto(12)
    s.set_learning_rate("1/2")          # branch 2, from 0
    s.goto(27)
    s.set_input(0, 2, "2500")           # branch 3, from 2
    s.continue_in_float()               # branch 4: mode edit, from 3
    s.switch(1)
    s.goto(28)
    return s


def test_replay_rebuilds_every_branch_bit_identically(scenario):
    original = a_tree(scenario)
    saved = capture(original, "/x/broccoli.toml", "d" * 64, selected=(1, 0, None),
                    style="decimal", breakpoints=(SavedBreakpoint("sign", False, 2),))
    again = from_json(to_json(saved)).replay(scenario)
    assert [(b.id, b.parent, b.fork, b.at, b.edit) for b in again.branches] == [
        (b.id, b.parent, b.fork, b.at, b.edit) for b in original.branches]
    assert again.branch.id == 1
    for branch in range(len(original.branches)):
        original.switch(branch)
        again.switch(branch)
        for index in range(original.last_index + 1):
            assert same(original.at(index), again.at(index)), (branch, index)


def test_json_round_trip_keeps_everything(scenario):
    saved = capture(a_tree(scenario), "/x/broccoli.toml", "d" * 64, selected=(1, 0, 2),
                    style="fraction",
                    breakpoints=(SavedBreakpoint("sign", True, 3), SavedBreakpoint("blocked")))
    back = from_json(to_json(saved))
    assert back == saved
    assert back.cursor == 28 and back.branch == 1 and back.numbers == "exact"
    assert back.branches[1].edit == Edit("learning_rate", F(1, 2))
    assert back.branches[3].edit == Edit("mode", "float64")


@pytest.mark.parametrize("change, why", [
    (lambda d: d.update(format="other"), "not a saved nnstep session"),
    (lambda d: d.update(version=99), "another version"),
    (lambda d: d.update(cursor=-1), "'cursor' is missing"),
    (lambda d: d.update(cursor="3"), "'cursor' is missing"),
    (lambda d: d.update(numbers="decimal"), "unknown number mode"),
    (lambda d: d["branches"][0]["edit"].update(kind="explode"), "no edit of a known kind"),
    (lambda d: d["branches"][0]["edit"].update(value="one half"), "is not a number"),
    (lambda d: d["branches"][0]["edit"].update(row=-2), "whole numbers"),
    (lambda d: d.update(selected=[1, "a", None]), "'selected'"),
    (lambda d: d.update(breakpoints=[{"condition": "sign", "enabled": 1, "hits": 0}]),
     "'enabled'"),
])
def test_bad_fields_say_what_is_wrong(scenario, change, why):
    data = json.loads(to_json(capture(a_tree(scenario), "/x/b.toml", "d")))
    change(data)
    with pytest.raises(SavedSessionError, match=why):
        from_json(json.dumps(data))


@given(st.text(max_size=200))
def test_any_text_is_a_session_or_a_clear_refusal(text):
    try:
        from_json(text)
    except SavedSessionError:
        pass


@pytest.mark.parametrize("parent, at, layer, why", [
    (3, 5, 1, "does not exist yet"),
    (0, 99999, 1, "past the end of training"),
    (0, 5, 7, "does not apply: layer 7 has no weights"),
])
def test_edits_that_do_not_fit_are_refused_whole(scenario, parent, at, layer, why):
    edit = Edit("weight", F(1), layer, 0, 0)
    saved = SavedSession("/x/b.toml", "d", "exact", (SavedBranch(parent, at, edit),))
    with pytest.raises(SavedSessionError, match=why):
        saved.replay(scenario)


def test_state_dir_follows_xdg(tmp_path):
    assert state_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "nnstep"
    home = os.path.expanduser("~")
    assert str(state_dir({"XDG_STATE_HOME": "relative/path"})) == os.path.join(
        home, ".local", "state", "nnstep")
    assert str(state_dir({})) == os.path.join(home, ".local", "state", "nnstep")


def test_save_then_load_restores(scenario, broccoli_path, env):
    d = digest(broccoli_path)
    path = save(capture(a_tree(scenario), str(broccoli_path.resolve()), d), env)
    assert path.parent == state_dir(env) and path.name.startswith("broccoli-")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    loaded = load(broccoli_path, "exact", d, env)
    assert loaded.saved is not None and loaded.saved.cursor == 28 and not loaded.problem
    assert load(broccoli_path, "float64", d, env).saved is None  # another mode, another file


def test_a_changed_scenario_sets_the_session_aside(scenario, broccoli_path, env):
    d = digest(broccoli_path)
    path = save(capture(a_tree(scenario), str(broccoli_path), d), env)
    kept = path.read_bytes()
    loaded = load(broccoli_path, "exact", "0" * 64, env)
    assert loaded.saved is None and loaded.problem
    assert "the scenario file has changed since it was saved" in loaded.message
    assert not path.exists()
    (aside,) = path.parent.glob("*.set-aside-*.json")
    assert aside.read_bytes() == kept and str(aside) in loaded.message


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[]", b""])
def test_a_corrupt_file_is_set_aside_not_fatal(broccoli_path, env, content):
    path = session_file(broccoli_path, "exact", env)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    loaded = load(broccoli_path, "exact", digest(broccoli_path), env)
    assert loaded.saved is None and loaded.problem
    (aside,) = path.parent.glob("*.set-aside-*.json")
    assert aside.read_bytes() == content and str(aside) in loaded.message


@pytest.mark.parametrize("make, says", [
    (os.mkfifo, "is not a regular file"),  # opening it waited for a writer forever
    (os.mkdir, "is a directory"),
    (lambda path: path.write_bytes(b"x" * (16 * 2**20 + 1)), "over the limit"),
])
def test_a_session_file_that_is_not_a_file_is_set_aside_without_reading_it(
        broccoli_path, env, make, says):
    path = session_file(broccoli_path, "exact", env)
    path.parent.mkdir(parents=True)
    make(path)
    loaded = load(broccoli_path, "exact", digest(broccoli_path), env)
    assert loaded.saved is None and loaded.problem and says in loaded.message
    assert not os.path.lexists(path) and len(list(path.parent.glob("*.set-aside-*"))) == 1


def test_setting_aside_twice_keeps_both(broccoli_path, env):
    path = session_file(broccoli_path, "exact", env)
    path.parent.mkdir(parents=True)
    for content in (b"one", b"two"):
        path.write_bytes(content)
        set_aside(path, "test")
    assert sorted(p.read_bytes() for p in path.parent.glob("*.set-aside-*")) == [b"one", b"two"]


def test_a_failed_write_leaves_the_old_session_whole(scenario, broccoli_path, env, monkeypatch):
    saved = capture(a_tree(scenario), str(broccoli_path), "d")
    path = save(saved, env)
    before = path.read_bytes()

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        save(capture(Session(scenario), str(broccoli_path), "d"), env)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.fixture
def iris_copy(tmp_path):
    """iris.toml and its CSV copied to a folder of their own (the CSV is edited)."""
    import shutil

    root = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")
    (tmp_path / "data").mkdir()
    shutil.copy(os.path.join(root, "iris.toml"), tmp_path / "iris.toml")
    shutil.copy(os.path.join(root, "data", "iris.csv"), tmp_path / "data" / "iris.csv")
    return tmp_path / "iris.toml"


def test_a_scenario_lists_the_files_it_read(iris_copy):
    (path,) = load_scenario(iris_copy).inputs
    assert os.path.samefile(path, iris_copy.parent / "data" / "iris.csv")


def _saved_iris(iris_copy, env):
    sc = load_scenario(iris_copy)
    inputs = input_digests(iris_copy, sc.inputs)
    assert list(inputs) == ["data/iris.csv"] and len(inputs["data/iris.csv"]) == 64
    save(capture(Session(sc), str(iris_copy), digest(iris_copy), inputs=inputs), env)
    return inputs


def test_a_changed_data_file_sets_the_session_aside(iris_copy, env):
    _saved_iris(iris_copy, env)
    csv = iris_copy.parent / "data" / "iris.csv"
    assert load(iris_copy, "float64", digest(iris_copy), env,
                input_digests(iris_copy, load_scenario(iris_copy).inputs)).saved is not None
    csv.write_text(csv.read_text().replace("5.1,", "5.2,", 1))  # one cell
    loaded = load(iris_copy, "float64", digest(iris_copy), env,
                  input_digests(iris_copy, load_scenario(iris_copy).inputs))
    assert loaded.saved is None and loaded.problem
    assert "the data file data/iris.csv changed since it was saved" in loaded.message
    assert len(list(state_dir(env).glob("*.set-aside-*.json"))) == 1


def test_a_data_file_gone_or_unrecorded_is_not_applied(iris_copy, env):
    inputs = _saved_iris(iris_copy, env)
    gone = {"data/iris.csv": ""}  # what input_digests says of a file it cannot read
    loaded = load(iris_copy, "float64", digest(iris_copy), env, gone)
    assert loaded.saved is None and "data/iris.csv changed" in loaded.message
    # a session saved before the data files' digests were kept: not applied to a CSV scenario
    path = session_file(iris_copy, "float64", env)
    raw = json.loads(to_json(capture(Session(load_scenario(iris_copy)), str(iris_copy),
                                     digest(iris_copy))))
    del raw["inputs"]
    path.write_text(json.dumps(raw))
    loaded = load(iris_copy, "float64", digest(iris_copy), env, inputs)
    assert loaded.saved is None and "data files' digests" in loaded.message


def test_inline_data_needs_no_file_digests(scenario, broccoli_path, env):
    d = digest(broccoli_path)
    raw = json.loads(to_json(capture(a_tree(scenario), str(broccoli_path), d)))
    del raw["inputs"]  # an older session of an inline scenario still restores
    path = session_file(broccoli_path, "exact", env)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(raw))
    assert load(broccoli_path, "exact", d, env, {}).saved is not None
