"""Edits at the cursor: a new branch recomputed from the iteration's start, undo back to the old
future intact, refused edits that change nothing. Oracle: a fresh session of the edited scenario."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from nnstep.engine import Edit, EditError, Session, load_scenario, parse_scenario
from nnstep.engine.records import same

W1 = [[0.5, -0.75], [1.25, 0.5]]
B1 = [0.125, -0.25]
W2 = [[0.75, -1.5]]
SAMPLES = [([1.0, 2.0], [1.0]), ([-1.5, 0.5], [0.0]), ([2.0, -1.0], [2.0]), ([0.5, 0.5], [-1.0])]


def text_of(make, w1=W1, b1=B1, samples=SAMPLES, lr=0.125, numbers="float64"):
    layers = [
        {"name": "in", "kind": "input", "size": 2},
        {"name": "h", "kind": "linear", "size": 2, "bias": True, "weights": w1, "biases": b1},
        {"name": "act", "kind": "leaky_relu"},
        {"name": "out", "kind": "linear", "size": 1, "bias": False, "weights": W2},
    ]
    # 4 layers: ops per iteration = 2·4 + 4 = 12
    # exact fractions grow fast: one epoch in exact mode, two in float64
    return make(layers, samples, learning_rate=lr, epochs=1 if numbers == "exact" else 2,
                numbers=numbers)


@pytest.fixture
def make(make_scenario_text):
    return make_scenario_text


def fresh(text: str) -> Session:
    session = Session(parse_scenario(text, "edit.toml"))
    session.last()
    return session


def snapshot(session: Session):
    return (session.cursor, session.branch.id, len(session.branches),
            list(session.branch.records), [list(b.records) for b in session.branches])


@pytest.fixture(params=["float64", "exact"])
def numbers(request):
    return request.param


def test_undo_gives_back_the_old_future(make, numbers):
    session = fresh(text_of(make, numbers=numbers))
    opi = session.schedule.ops_per_iteration
    before = list(session.branch.records)
    middle = opi + 7  # inside iteration 2, during the backward pass
    session.goto(middle)
    edited = session.set_weight(1, 0, 1, "5/7")
    assert edited.index == middle and session.cursor == middle
    assert not same(edited, before[middle])
    assert session.undo() is True
    assert session.cursor == middle and session.branch.id == 0
    assert session.record is before[middle]
    # redo the edit, walk the new branch to its end, and undo from there
    session.set_weight(1, 0, 1, "5/7")
    session.last()
    assert not same(session.record, before[-1])
    assert session.undo() is True
    assert session.cursor == session.last_index and session.branch.id == 0
    assert session.record is before[-1]
    for index, rec in enumerate(before):
        assert session.at(index) is rec
        assert same(session.at(index), rec)
    assert session.undo() is False  # nothing left to undo


def test_edit_mid_iteration_one_equals_a_fresh_scenario(make, numbers):
    text = text_of(make, numbers=numbers)
    session = fresh(text)
    original = list(session.branch.records)
    session.goto(7)  # iteration 1, backward pass
    rec = session.set_weight(1, 0, 1, "5/7")
    assert rec.index == 7 and rec.iteration == 1
    assert rec.params[1]["w"][0, 1] == (Fraction(5, 7) if numbers == "exact" else 5 / 7)
    w1 = [list(r) for r in W1]
    w1[0][1] = "5/7"
    oracle = fresh(text_of(make, w1=w1, numbers=numbers))
    assert session.at(0) is original[0]  # the start is shared with the old branch
    for index in range(1, session.last_index + 1):
        assert same(session.at(index), oracle.at(index)), index


def _edited(kind: str, make, numbers: str):
    """(edit call, the scenario text with the same change made from the start)."""
    if kind == "weight":
        w1 = [list(r) for r in W1]
        w1[1][0] = "-3/8"
        return (lambda s: s.set_weight(1, 1, 0, "-3/8")), text_of(make, w1=w1, numbers=numbers)
    if kind == "bias":
        return (lambda s: s.set_bias(1, 1, "2/3")), text_of(make, b1=[B1[0], "2/3"],
                                                              numbers=numbers)
    if kind == "input":
        samples = [list(s) for s in SAMPLES]
        samples[0] = ([SAMPLES[0][0][0], "-0.3"], SAMPLES[0][1])
        return (lambda s: s.set_input(0, 1, "-0.3")), text_of(make, samples=samples,
                                                              numbers=numbers)
    if kind == "target":
        samples = [list(s) for s in SAMPLES]
        samples[0] = (SAMPLES[0][0], ["7/3"])
        return (lambda s: s.set_target(0, 0, "7/3")), text_of(make, samples=samples,
                                                              numbers=numbers)
    if kind == "learning_rate":
        return (lambda s: s.set_learning_rate("1/3")), text_of(make, lr="1/3", numbers=numbers)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["weight", "bias", "input", "target", "learning_rate"])
@pytest.mark.parametrize("at", [1, 5, 11])
def test_each_edit_kind_equals_a_fresh_scenario(make, numbers, kind, at):
    call, edited_text = _edited(kind, make, numbers)
    session = fresh(text_of(make, numbers=numbers))
    before = list(session.branch.records)
    session.goto(at)  # iteration 1: pick, forward, or the update
    rec = call(session)
    assert rec.index == at and session.cursor == at
    oracle = fresh(edited_text)
    assert not same(session.at(session.last_index), before[-1])  # the edit mattered
    for index in range(1, session.last_index + 1):
        assert same(session.at(index), oracle.at(index)), (kind, index)
    assert session.undo()
    assert all(session.at(i) is r for i, r in enumerate(before))


def test_edit_in_a_later_iteration_recomputes_from_its_start(make):
    session = fresh(text_of(make))
    opi = session.schedule.ops_per_iteration
    before = list(session.branch.records)
    cursor = 2 * opi + 5  # iteration 3: pick, forward in, h, act, out <- here
    session.goto(cursor)
    rec = session.set_weight(3, 0, 0, "-2")
    assert (rec.op.kind, rec.op.layer, rec.iteration) == ("forward", 3, 3)
    start = 2 * opi + 1  # the pick of iteration 3
    records = session.branch.records
    assert len(records) == cursor + 1  # nothing beyond the cursor computed yet
    for index in range(start):
        assert records[index] is before[index]
    assert records[start].params[3]["w"][0, 0] == -2.0
    # the old weights came from iteration 2's update; only the edited value differs
    expected = np.array(before[2 * opi].new_params[3]["w"])
    expected[0, 0] = -2.0
    assert np.array_equal(rec.params[3]["w"], expected)
    assert np.array_equal(rec.params[1]["w"], before[2 * opi].new_params[1]["w"])
    # the forward pass at the cursor used the edited weight (numpy oracle)
    x = np.array(rec.x)
    h = x @ np.array(rec.params[1]["w"]).T + np.array(rec.params[1]["b"])
    a = np.where(h >= 0, h, 0.01 * h)
    np.testing.assert_allclose(rec.outputs[3], a @ expected.T, rtol=1e-15)
    assert session.parent_record() is before[cursor]


BAD_EDITS = {
    "not a number": lambda s: s.set_weight(1, 0, 0, "abc"),
    "division by zero": lambda s: s.set_weight(1, 0, 0, "1/0"),
    "layer without weights": lambda s: s.set_weight(2, 0, 0, "1"),
    "no such layer": lambda s: s.set_weight(9, 0, 0, "1"),
    "weight out of range": lambda s: s.set_weight(1, 5, 0, "1"),
    "bias of an unbiased layer": lambda s: s.set_bias(3, 0, "1"),
    "bias out of range": lambda s: s.set_bias(1, 2, "1"),
    "negative learning rate": lambda s: s.set_learning_rate("-1"),
    "batch position out of range": lambda s: s.set_input(3, 0, "1"),
    "feature out of range": lambda s: s.set_input(0, 2, "1"),
    "target out of range": lambda s: s.set_target(0, 1, "1"),
    "unknown mode": lambda s: s.edit(Edit("mode", "decimal")),
    "unknown kind": lambda s: s.edit(Edit("colour", 1)),
}


@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_bad_edit_changes_nothing(make, name):
    session = fresh(text_of(make))
    session.goto(17)
    session.set_weight(1, 0, 0, "0.5")  # be on a branch already
    session.goto(15)
    before = snapshot(session)
    with pytest.raises(EditError):
        BAD_EDITS[name](session)
    after = snapshot(session)
    assert after[:3] == before[:3]
    assert len(after[3]) == len(before[3]) and all(p is q for p, q in zip(after[3], before[3]))
    for old, new in zip(before[4], after[4]):
        assert len(old) == len(new) and all(p is q for p, q in zip(old, new))


def test_input_edit_before_any_sample_is_picked_is_refused(make):
    session = fresh(text_of(make))
    session.first()
    before = snapshot(session)
    with pytest.raises(EditError):
        session.set_input(0, 0, "1")
    assert snapshot(session)[:3] == before[:3]


def test_edits_with_bounded_history_match_keep_everything(make):
    """The same edits on a session that keeps only checkpoints give bit-identical records."""
    kept_records = pytest.importorskip("nnstep.engine.kept_records")
    scenario = parse_scenario(text_of(make), "edit.toml")
    sparse_policy = kept_records.Policy(keep_ops=False, keep_ends=False, every=2, cache_ops=2,
                                        cache_ends=2)
    full, sparse = Session(scenario), Session(scenario, policy=sparse_policy)
    opi = full.schedule.ops_per_iteration
    for session in (full, sparse):
        session.last()
        session.goto(3 * opi + 6)
        session.set_weight(3, 0, 1, "1/3")
        session.goto(5 * opi + 2)
        session.set_bias(1, 0, "-0.5")
        session.last()
    for index in range(full.last_index, -1, -1):
        assert same(sparse.goto(index), full.at(index)), index
    assert sparse.undo() and full.undo()
    for index in range(0, full.last_index + 1, 5):
        assert same(sparse.goto(index), full.at(index)), index


def test_switch_to_exact_where_values_are_not_finite_is_refused(data_dir):
    """nan / inf have no exact value: an EditError, nothing changed; before them it works."""
    session = Session(load_scenario(data_dir / "huge_learning_rate.toml"))
    opi = session.schedule.ops_per_iteration
    session.goto(4 * opi)
    assert np.isnan(session.record.loss)
    before = snapshot(session)
    with pytest.raises(EditError):
        session.edit(Edit("mode", "exact"))
    after = snapshot(session)
    assert after[:3] == before[:3]
    assert all(p is q for p, q in zip(after[3], before[3]))
    session.goto(3)
    switched = session.edit(Edit("mode", "exact"))
    assert switched.mode == "exact" and switched.params[1]["w"][0, 0] == Fraction(1, 2)
    assert switched.outputs[0][0, 1] == -2
