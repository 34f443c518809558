"""Bounded history: whatever a timeline keeps, every record it gives back is bit-identical to the
one a keep-everything session recorded (random order, after edits, undo and continue-in-float);
the fused iteration equals stepping; forks share their prefix; memory stays within the policy."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from math import ceil
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.history import Timeline
from nnstep.engine.kept_records import ENDS_BUDGET, Policy, _checkpoint
from nnstep.engine.model import Model
from nnstep.engine.records import same
from nnstep.engine.session import network_sizes
from nnstep.engine.step import first_record, next_iteration, next_record

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

POLICIES = {
    "all": Policy(),
    "ends": Policy(keep_ops=False, cache_ops=3, cache_ends=2),
    "checkpoints": Policy(keep_ops=False, keep_ends=False, every=3, cache_ops=3, cache_ends=2),
}


@pytest.fixture(scope="module")
def float_scenario(make_scenario_text):
    """2 → 3 (tanh, bias) → 2 (leaky ReLU), 5 samples in shuffled batches of 2, 4 epochs."""
    rng = np.random.default_rng(21)
    layers = [{"name": "L1", "kind": "input", "size": 2},
              {"name": "L2", "kind": "linear", "size": 3, "bias": True,
               "weights": rng.normal(size=(3, 2)).tolist(), "biases": [0.1, -0.2, 0.3]},
              {"name": "L3", "kind": "tanh"},
              {"name": "L4", "kind": "linear", "size": 2, "bias": True,
               "weights": rng.normal(size=(2, 3)).tolist(), "biases": [0.0, 0.5]},
              {"name": "L5", "kind": "leaky_relu", "slope": 0.1}]
    samples = [(rng.normal(size=2).tolist(), rng.normal(size=2).tolist()) for _ in range(5)]
    text = make_scenario_text(layers, samples, batch_size=2, epochs=4, order="shuffle", seed=9,
                              learning_rate=0.2)
    return parse_scenario(text, "history.toml")


@pytest.fixture(scope="module")
def exact_scenario(make_scenario_text):
    """Exact, 2 → 2 (ReLU, bias) → 1: small enough fractions for a few iterations."""
    layers = [{"name": "L1", "kind": "input", "size": 2},
              {"name": "L2", "kind": "linear", "size": 2, "bias": True,
               "weights": [[Fraction(1, 2), Fraction(-1, 4)], [Fraction(1, 3), 1]],
               "biases": [0, Fraction(1, 5)]},
              {"name": "L3", "kind": "relu"},
              {"name": "L4", "kind": "linear", "size": 1, "bias": False,
               "weights": [[1, Fraction(-1, 2)]]}]
    samples = [([1, 2], [1]), ([2, -1], [0]), ([-1, 1], [2])]
    text = make_scenario_text(layers, samples, numbers="exact", epochs=4,
                              learning_rate=Fraction(1, 20))
    return parse_scenario(text, "history_exact.toml")


def random_order(n: int, seed: int) -> list[int]:
    return [int(i) for i in np.random.default_rng(seed).permutation(n)]


def assert_same_everywhere(a: Session, b: Session, seed: int = 0) -> None:
    """Every index of ``a``'s branch (random order, fresh lookups) equals ``b``'s."""
    order = random_order(a.last_index + 1, seed)
    for index in order:
        assert same(a.goto(index), b.at(index)), index


@pytest.mark.parametrize("name", ["ends", "checkpoints"])
def test_random_access_from_a_fresh_session(float_scenario, name):
    """Nothing computed in advance: jumping around computes and recomputes on demand."""
    full = Session(float_scenario, policy=POLICIES["all"])
    full.last()
    sparse = Session(float_scenario, policy=POLICIES[name])
    assert_same_everywhere(sparse, full, seed=1)
    assert_same_everywhere(sparse, full, seed=2)


@pytest.mark.parametrize("name", list(POLICIES))
def test_edits_mid_iteration_and_undo(float_scenario, name):
    opi = 2 * 5 + 4
    sessions = [Session(float_scenario, policy=POLICIES["all"]),
                Session(float_scenario, policy=POLICIES[name])]
    for s in sessions:
        s.goto(4 * opi + 5)            # mid-forward of iteration 5
        s.set_weight(3, 1, 2, "-0.75")
        s.goto(7 * opi + 11)           # mid-backward of iteration 8
        s.set_learning_rate("1/20")
        s.goto(2 * opi + 3)            # back before both: an input edit branches again
        s.set_input(0, 0, "1/4")
    full, sparse = sessions
    assert sparse.edit_log == full.edit_log and len(full.edit_log) == 3
    assert_same_everywhere(sparse, full, seed=3)
    for _ in range(3):
        assert sparse.undo() and full.undo()
        cursor = random_order(full.last_index, 4)[0]
        full.goto(cursor)
        sparse.goto(cursor)
        assert same(sparse.record, full.record)
        assert_same_everywhere(sparse, full, seed=5)
    assert not sparse.undo()
    plain = Session(float_scenario)
    assert same(sparse.at(sparse.last_index), plain.at(plain.last_index))  # back to the start


@pytest.mark.parametrize("name", list(POLICIES))
def test_continue_in_float(exact_scenario, name):
    opi = 2 * 4 + 4
    switch = 2 * opi + 6  # iteration 3, after its loss
    sessions = []
    for policy in (POLICIES["all"], POLICIES[name]):
        s = Session(exact_scenario, policy=policy)
        s.goto(switch)
        s.continue_in_float()
        s.last()
        sessions.append(s)
    full, sparse = sessions
    assert_same_everywhere(sparse, full, seed=6)
    modes = [full.at(i).mode for i in range(full.last_index + 1)]
    assert modes == ["exact"] * switch + ["float64"] * (full.last_index + 1 - switch)
    # float values after the switch start from the exact ones, converted
    exact = Session(exact_scenario)
    w = exact.at(switch).params[1]["w"]
    assert full.at(switch).params[1]["w"].tolist() == [[float(v) for v in row] for row in w]
    sparse.goto(switch)
    assert sparse.undo() and sparse.record.mode == "exact"
    assert same(sparse.record, exact.at(switch))


def test_fused_iteration_equals_stepping(float_scenario):
    model = Model.of(float_scenario)
    opi = model.schedule.ops_per_iteration
    rec = first_record(float_scenario)
    for _ in range(model.schedule.iterations):
        fused = next_iteration(rec, model)
        fused_from_checkpoint = next_iteration(_checkpoint(rec), model) if rec.index else fused
        stepped = rec
        for _ in range(opi):
            stepped = next_record(stepped, model)
        assert same(fused, stepped) and same(fused_from_checkpoint, stepped), stepped.index
        assert fused.index == rec.index + opi and fused.op.kind == "update"
        rec = stepped


def test_fused_iteration_refuses_exact_and_unfinished(exact_scenario, float_scenario):
    model = Model.of(exact_scenario)
    with pytest.raises(ValueError):
        next_iteration(first_record(exact_scenario), model)
    fmodel = Model.of(float_scenario)
    with pytest.raises(ValueError):
        next_iteration(next_record(first_record(float_scenario), fmodel), fmodel)


@pytest.mark.parametrize("name", list(POLICIES))
def test_fork_shares_the_prefix(float_scenario, name):
    s = Session(float_scenario, policy=POLICIES[name])
    s.last()
    tl = s.branch.records
    opi = s.schedule.ops_per_iteration
    n = 3 * opi + 4
    fork = tl.fork(n)
    assert len(fork) == n and fork.tip is tl[n - 1]
    assert fork.losses == tl.losses[:3]
    with pytest.raises(IndexError):
        fork[n]
    for i in random_order(n, 7):
        assert same(fork[i], tl[i]), i
        if name == "all":
            assert fork[i] is tl[i], i  # the very objects, not copies
    fork.extend_to(s.last_index)
    for i in random_order(s.last_index + 1, 8):
        assert same(fork[i], tl[i]), i
    for bad in (0, len(tl) + 1):
        with pytest.raises(ValueError):
            tl.fork(bad)


def test_append_refuses_a_gap(float_scenario):
    model = Model.of(float_scenario)
    tl = Timeline(model, Policy())
    rec = first_record(float_scenario)
    tl.append(rec)
    with pytest.raises(ValueError):
        tl.append(next_record(next_record(rec, model), model))


# ---- memory
@pytest.fixture(scope="module")
def wide(make_scenario_text):
    """64 → 32 (ReLU) → 10 on generated data: 2,410 weights, 300 iterations."""
    text = "\n".join([
        'title = "wide"', 'numbers = "float64"', "",
        "[data]",
        'generate = { kind = "classes", samples = 100, features = 64, classes = 10, '
        'noise = 0.2, seed = 3 }', "",
        "[training]", "learning_rate = 0.05", "epochs = 3", 'order = "shuffle"', "seed = 1", "",
        "[[layers]]", 'name = "L1"', 'kind = "input"', "size = 64", "",
        "[[layers]]", 'name = "L2"', 'kind = "linear"', "size = 32", 'init = "xavier"', "seed = 1",
        "",
        "[[layers]]", 'name = "L3"', 'kind = "relu"', "",
        "[[layers]]", 'name = "L4"', 'kind = "linear"', "size = 10", 'init = "xavier"', "seed = 2",
    ])
    scenario = parse_scenario(text, "wide.toml")
    assert network_sizes(scenario)[0] == 64 * 32 + 32 + 32 * 10 + 10
    return scenario


def held(tl: Timeline) -> dict[str, int]:
    return {"kept": len(tl._kept), "checkpoints": len(tl._checkpoints), "ops": len(tl._ops),
            "ends": len(tl._ends)}


def test_checkpoint_memory_stays_bounded(wide):
    policy = Policy(keep_ops=False, keep_ends=False, every=25, cache_ops=6, cache_ends=4)
    s = Session(wide, policy=policy)
    iterations = s.schedule.iterations
    assert iterations == 300
    s.last()
    tl = s.branch.records
    bounds = {"kept": 1, "checkpoints": ceil(iterations / 25), "ops": 6, "ends": 4}
    assert held(tl)["checkpoints"] == bounds["checkpoints"]
    oracle = {}
    rec = first_record(wide)
    wanted = set(random_order(s.last_index + 1, 9)[:25])
    for index in range(1, s.last_index + 1):  # the plain step function, no timeline
        rec = next_record(rec, s.model)
        if index in wanted:
            oracle[index] = rec
    for index in sorted(wanted, key=lambda i: (i * 7919) % 1013):
        if index:
            assert same(s.goto(index), oracle[index]), index
        sizes = held(tl)
        assert all(sizes[k] <= bounds[k] for k in bounds), sizes
    for cp in tl._checkpoints.values():  # stripped: no activations or gradients
        assert cp.outputs == () and cp.grads == () and cp.new_params is None


def test_policy_for_model():
    broccoli = Session(load_scenario(SCENARIOS / "broccoli.toml"))
    assert broccoli.policy == Policy()
    scenario = load_scenario(SCENARIOS / "mlp784.toml")
    params, _ = network_sizes(scenario)
    assert params == 101_770  # as the scenario's description says
    assert scenario.iterations == 10_000
    model = Model.of(scenario)
    policy = Policy.for_model(model, network_sizes(scenario))
    assert not policy.keep_ops and not policy.keep_ends and policy.every > 1
    # checkpoints of 8-byte weights fit the budget; one fewer "every" would not be needed
    assert ceil(10_000 / policy.every) * 8 * params <= ENDS_BUDGET
    assert ceil(10_000 / (policy.every - 1)) * 8 * params > ENDS_BUDGET * 0.95


def test_mlp784_checkpoints_recompute_bit_identical():
    scenario = load_scenario(SCENARIOS / "mlp784.toml")
    scenario = replace(scenario, training=replace(scenario.training, epochs=1))
    s = Session(scenario, policy=Session(load_scenario(SCENARIOS / "mlp784.toml")).policy)
    opi = s.schedule.ops_per_iteration
    wanted = {3 * opi + 5, 61 * opi, 61 * opi + 1, 70 * opi + 9, 130 * opi, 150 * opi - 2}
    oracle, rec = {}, first_record(scenario)
    for index in range(1, max(wanted) + 1):
        rec = next_record(rec, s.model)
        if index in wanted:
            oracle[index] = rec
    s.goto(150 * opi)
    for index in sorted(wanted, reverse=True):
        assert same(s.goto(index), oracle[index]), index
    tl = s.branch.records
    assert len(tl._kept) == 1 and len(tl._checkpoints) == 2  # iterations 61 and 122
    assert len(tl._ops) <= s.policy.cache_ops and len(tl._ends) <= s.policy.cache_ends


def stepped_records(scenario) -> list:
    """Every record of a run, stepping one operation at a time: the oracle."""
    model = Model.of(scenario)
    recs = [first_record(scenario)]
    while recs[-1].index < model.schedule.last_index:
        recs.append(next_record(recs[-1], model))
    return recs


@pytest.mark.parametrize("name", list(POLICIES))
def test_whole_iterations_are_recorded_as_their_update(float_scenario, name):
    """Computed fused, an iteration is kept as its update record; every operation's record
    read off it (records.before) equals stepping's, and shares the update's arrays."""
    oracle = stepped_records(float_scenario)
    s = Session(float_scenario, policy=POLICIES[name])
    s.goto_iteration(s.schedule.iterations)  # fused all the way
    for i in random_order(len(oracle), 11):
        assert same(s.at(i), oracle[i]), i
    opi = s.schedule.ops_per_iteration
    end = s.at(2 * opi)
    mid = s.at(2 * opi - 3)  # backward of iteration 2
    assert mid.op.kind == "backward" and mid.outputs[1] is end.outputs[1]
    assert mid.new_params is None and mid.grads[0] is None and mid.grads[-2] is end.grads[-2]
    if name == "all":
        assert s.at(2 * opi - 3) is mid  # kept once read


def test_compute_iter_goes_by_whole_iterations(float_scenario):
    s = Session(float_scenario, policy=POLICIES["all"])
    opi = s.schedule.ops_per_iteration
    s.goto(5)  # mid-iteration: the first stretch ends with its iteration
    reached = list(s.compute_iter(4 * opi + 2))
    assert reached == [opi, 2 * opi, 3 * opi, 4 * opi, 4 * opi + 2]
    reached = list(s.compute_iter(9 * opi, chunk=3 * opi))
    assert reached == [8 * opi, 9 * opi]  # 4·opi+2 + 3·opi, to the end of its iteration


def test_a_pin_inside_an_iteration_stops_reading_its_past_off_the_update(float_scenario):
    """A record pinned at p (e.g. an edit) inside an iteration: the records before p in that
    iteration are not read off the update that follows the pin."""
    model = Model.of(float_scenario)
    opi = model.schedule.ops_per_iteration
    oracle = stepped_records(float_scenario)
    tl = Timeline(model, POLICIES["ends"])  # op records only in a 3-entry cache
    tl.append(oracle[0], pinned=True)
    p = opi + 6
    for rec in oracle[1:p]:
        tl.append(rec)
    tl.append(oracle[p].with_(lr=0.5), pinned=True)  # what an edit at p would do
    tl.extend_to(3 * opi)
    for i in range(opi + 1, p):
        assert same(tl[i], oracle[i]), i  # recomputed from before, not read off the update
    assert tl[p + 1].lr == 0.5 and tl[2 * opi].lr == 0.5


def test_computing_pauses_the_cycle_collector_and_restores_it(float_scenario):
    import gc

    from nnstep.engine import history

    seen = []
    real = history.next_iteration

    def spy(rec, model):
        seen.append(gc.isenabled())
        return real(rec, model)

    history.next_iteration = spy
    try:
        assert gc.isenabled()
        Session(float_scenario).goto_iteration(3)
        assert seen and not any(seen) and gc.isenabled()
        gc.disable()
        Session(float_scenario).goto_iteration(3)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
        history.next_iteration = real
