"""The step machine's cursor: where each move lands, and that rewinding never recomputes."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from nnstep.engine import Session, parse_scenario
from nnstep.engine.records import same

OPI = 10            # 3 layers: pick, 3 forwards, loss, backward loss, 3 backwards, update
IPE = 3             # 5 samples in batches of 2
EPOCHS = 3
LAST = OPI * IPE * EPOCHS


@pytest.fixture
def text(make_scenario_text):
    rng = np.random.default_rng(3)
    layers = [
        {"name": "in", "kind": "input", "size": 2},
        {"name": "lin", "kind": "linear", "size": 1, "bias": True,
         "weights": rng.normal(size=(1, 2)).tolist(), "biases": [0.25]},
        {"name": "act", "kind": "relu"},
    ]
    samples = [(rng.normal(size=2).tolist(), [float(rng.normal())]) for _ in range(5)]
    return make_scenario_text(layers, samples, batch_size=2, epochs=EPOCHS)


@pytest.fixture
def session(text):
    return Session(parse_scenario(text, "nav.toml"))


def expected_place(index: int) -> tuple[int, int]:
    """(iteration, epoch) of an operation index."""
    if index == 0:
        return 0, 0
    iteration = (index - 1) // OPI + 1
    return iteration, (iteration - 1) // IPE + 1


def test_schedule_shape(session):
    assert session.schedule.ops_per_iteration == OPI
    assert session.schedule.iterations_per_epoch == IPE
    assert session.last_index == LAST
    assert session.record.index == 0 and session.record.op.kind == "start"


def test_operations_of_one_iteration_in_order(session):
    ops = [(session.step().op.kind, session.record.op.layer) for _ in range(OPI)]
    assert ops == [("pick", None), ("forward", 0), ("forward", 1), ("forward", 2), ("loss", None),
                   ("backward_loss", None), ("backward", 2), ("backward", 1), ("backward", 0),
                   ("update", None)]


def test_every_index_knows_its_iteration_and_epoch(session):
    for index in range(LAST + 1):
        rec = session.goto(index)
        assert session.cursor == index and rec.index == index
        assert (rec.iteration, rec.epoch) == expected_place(index)
    # the last batch of each epoch holds the fifth sample alone
    assert session.goto(3 * OPI).samples == (4,)
    assert session.goto(2 * OPI).samples == (2, 3)


def test_step_and_back_clamp(session):
    assert session.step().index == 1
    assert session.step(4).index == 5
    assert session.back(2).index == 3
    assert session.back(100).index == 0
    assert session.step(10_000).index == LAST
    assert session.goto(LAST + 7).index == LAST
    assert session.goto(-3).index == 0


def test_first_and_last(session):
    session.goto(37)
    rec = session.last()
    assert rec.index == LAST and rec.op.kind == "update"
    assert (rec.iteration, rec.epoch) == (IPE * EPOCHS, EPOCHS)
    rec = session.first()
    assert rec.index == 0 and rec.op.kind == "start"


def test_next_iteration_end(session):
    seen = [session.next_iteration_end().index for _ in range(IPE * EPOCHS + 2)]
    assert seen == [OPI * t for t in range(1, IPE * EPOCHS + 1)] + [LAST, LAST]
    session.goto(25)  # inside iteration 3
    rec = session.next_iteration_end()
    assert (rec.index, rec.op.kind, rec.iteration) == (30, "update", 3)


def test_iteration_end_after_is_the_next_iteration_bit_for_bit(text):
    """What the debugger computes ahead for the next iteration (without recording) is the
    record stepping there gives, across epochs (reshuffled batches) and from the start."""
    ahead, stepped = (Session(parse_scenario(text, "nav.toml")) for _ in range(2))
    end = ahead.record
    for t in range(1, IPE * EPOCHS + 1):
        computed = ahead.computed
        nxt = ahead.iteration_end_after(end)
        assert ahead.computed == computed  # nothing recorded
        assert (nxt.index, nxt.op.kind, nxt.iteration) == (OPI * t, "update", t)
        assert same(nxt, stepped.goto(OPI * t))
        end = nxt
    assert ahead.iteration_end_after(end) is None  # past the last iteration
    stepped.goto(OPI * 2)  # computed that far: the recorded one
    assert stepped.iteration_end_after(stepped.at(OPI)) is stepped.at(OPI * 2)


def test_prev_iteration_end(session):
    session.last()
    seen = [session.prev_iteration_end().index for _ in range(IPE * EPOCHS + 1)]
    assert seen == [OPI * t for t in range(IPE * EPOCHS - 1, -1, -1)] + [0]
    session.goto(25)  # inside iteration 3: back to the end of iteration 2
    rec = session.prev_iteration_end()
    assert (rec.index, rec.op.kind, rec.iteration) == (20, "update", 2)
    session.goto(5)  # inside iteration 1: back to the start of training
    assert session.prev_iteration_end().index == 0


def test_next_epoch_end(session):
    seen = [session.next_epoch_end() for _ in range(EPOCHS + 1)]
    assert [r.index for r in seen] == [30, 60, 90, 90]
    assert [(r.op.kind, r.iteration, r.epoch) for r in seen[:3]] == [
        ("update", 3, 1), ("update", 6, 2), ("update", 9, 3)]
    session.goto(35)  # epoch 2
    assert session.next_epoch_end().index == 60


def test_prev_epoch_end(session):
    session.last()
    seen = [session.prev_epoch_end().index for _ in range(EPOCHS + 1)]
    assert seen == [60, 30, 0, 0]
    session.goto(35)  # epoch 2: back to the end of epoch 1
    rec = session.prev_epoch_end()
    assert (rec.index, rec.epoch, rec.iteration, rec.op.kind) == (30, 1, 3, "update")
    session.goto(12)  # epoch 1: back to the start
    assert session.prev_epoch_end().index == 0


@pytest.mark.parametrize(("iteration", "index"), [(0, 0), (1, 10), (4, 40), (9, 90), (50, 90)])
def test_goto_iteration(session, iteration, index):
    rec = session.goto_iteration(iteration)
    assert rec.index == index
    assert rec.op.kind == ("start" if index == 0 else "update")
    assert rec.iteration == min(iteration, IPE * EPOCHS)


def test_records_are_computed_lazily(session):
    assert session.computed == 0
    session.goto(17)
    assert session.computed == 17
    session.back(10)
    assert session.computed == 17


def test_rewind_never_recomputes(session, monkeypatch):
    session.last()
    recorded = list(session.branch.records)
    assert len(recorded) == LAST + 1

    def forbidden(*args, **kwargs):
        raise AssertionError("a recorded operation was recomputed")

    patched = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("nnstep.engine"):
            for attr in ("next_record", "next_iteration"):
                if callable(getattr(module, attr, None)):
                    monkeypatch.setattr(module, attr, forbidden)
                    patched += 1
    assert patched >= 1
    with pytest.raises(AssertionError, match="recomputed"):  # the patch is in force
        Session(session.scenario).step()
    rng = np.random.default_rng(0)
    moves = [session.first, session.last, session.next_iteration_end, session.prev_iteration_end,
             session.next_epoch_end, session.prev_epoch_end, session.step, session.back]
    for _ in range(200):
        move = moves[rng.integers(len(moves))]
        rec = move()
        assert rec is recorded[session.cursor]
        rec = session.goto(int(rng.integers(0, LAST + 1)))
        assert rec is recorded[session.cursor]
    for index in range(LAST, -1, -1):
        assert session.goto(index) is recorded[index]


def test_same_detects_a_difference(session):
    """Guard for the `same` oracle used by the edit and replay tests."""
    a = session.goto(OPI)
    b = session.goto(2 * OPI)
    assert same(a, a) and not same(a, b)


def test_record_arrays_are_read_only(session):
    session.last()
    for rec in session.branch.records:
        arrays = [rec.data_x, rec.data_y, rec.x, rec.y, rec.losses, rec.loss_delta]
        arrays += list(rec.outputs) + list(rec.deltas)
        for group in (rec.params, rec.new_params or (), rec.grads):
            for p in group:
                arrays += list((p or {}).values())
        for arr in arrays:
            if arr is not None:
                assert not arr.flags.writeable
        for p in rec.params:
            with pytest.raises(TypeError):
                p["w"] = None  # type: ignore[index]


def test_bounded_history_recomputes_bit_identical_records(text):
    """When a policy keeps only checkpoints, a record recomputed on demand is bit-identical to
    the one a keep-everything session recorded."""
    kept_records = pytest.importorskip("nnstep.engine.kept_records")
    scenario = parse_scenario(text, "nav.toml")
    full = Session(scenario)
    full.last()
    for policy in (kept_records.Policy(keep_ops=False, cache_ops=2, cache_ends=2),
                   kept_records.Policy(keep_ops=False, keep_ends=False, every=2, cache_ops=2,
                                       cache_ends=2)):
        sparse = Session(scenario, policy=policy)
        sparse.last()
        for index in list(range(LAST, -1, -1)) + list(range(0, LAST + 1, 7)):
            assert same(sparse.goto(index), full.at(index)), (policy, index)


def test_iteration_end_is_the_update_stepping_reaches_and_records_nothing(text):
    """What the rest of the iteration will show, computed ahead without moving or recording:
    bit-identical to the update record that stepping then reaches."""
    s = Session(parse_scenario(text))
    assert s.iteration_end() is s.record  # the start: nothing ahead
    s.goto(OPI + 3)  # a forward of iteration 2
    ahead = s.iteration_end()
    assert s.computed == OPI + 3 and s.cursor == OPI + 3
    assert ahead.op.kind == "update" and ahead.index == 2 * OPI
    assert same(ahead, s.at(2 * OPI))
    assert s.iteration_end() is s.at(2 * OPI)  # computed now: the recorded one
    s.goto(2 * OPI)
    assert s.iteration_end() is s.record
