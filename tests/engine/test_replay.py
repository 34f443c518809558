"""Deterministic replay (same scenario + same edits ⇒ bit-identical records) and runaway exact
fractions (a clear error naming the iteration, then going on in float64)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from nnstep.engine import RunawayFractions, Session, parse_scenario
from nnstep.engine.records import same


def shuffled_text(make, numbers="float64", epochs=3):
    rng = np.random.default_rng(11)
    layers = [
        {"name": "in", "kind": "input", "size": 3},
        {"name": "h", "kind": "linear", "size": 4, "bias": True,
         "weights": rng.normal(size=(4, 3)).round(3).tolist(),
         "biases": rng.normal(size=4).round(3).tolist()},
        {"name": "act", "kind": "relu"},
        {"name": "out", "kind": "linear", "size": 2, "bias": False,
         "weights": rng.normal(size=(2, 4)).round(3).tolist()},
        {"name": "id", "kind": "identity"},
    ]
    samples = [(rng.normal(size=3).round(3).tolist(), rng.normal(size=2).round(3).tolist())
               for _ in range(7)]
    return make(layers, samples, numbers=numbers, batch_size=3, epochs=epochs, order="shuffle",
                seed=5, learning_rate=0.05)


def test_two_fresh_shuffled_sessions_are_bit_identical(make_scenario_text):
    scenario = parse_scenario(shuffled_text(make_scenario_text), "shuffle.toml")
    a, b = Session(scenario), Session(parse_scenario(shuffled_text(make_scenario_text), "s.toml"))
    a.last()
    b.last()
    assert a.last_index == b.last_index == 3 * 3 * a.schedule.ops_per_iteration
    for index in range(a.last_index + 1):
        assert same(a.at(index), b.at(index)), index
    # and the order really is shuffled, differently from one epoch to the next
    opi, ipe = a.schedule.ops_per_iteration, a.schedule.iterations_per_epoch
    orders = [sum((a.at((e * ipe + t) * opi).samples for t in range(1, ipe + 1)), ())
              for e in range(3)]
    assert all(sorted(order) == list(range(7)) for order in orders)
    assert orders[0] != tuple(range(7))
    assert len(set(orders)) > 1
    assert [len(a.at(t * opi).samples) for t in range(1, ipe + 1)] == [3, 3, 1]


def test_same_detects_a_changed_seed(make_scenario_text):
    """Guard for the oracle above: another seed gives another history."""
    text = shuffled_text(make_scenario_text)
    a = Session(parse_scenario(text, "a.toml"))
    b = Session(parse_scenario(text.replace("seed = 5", "seed = 6"), "b.toml"))
    a.last()
    b.last()
    assert any(not same(a.at(i), b.at(i)) for i in range(a.last_index + 1))


@pytest.mark.parametrize("numbers", ["float64", "exact"])
def test_replay_of_the_edit_log_is_bit_identical(make_scenario_text, numbers):
    epochs = 3 if numbers == "float64" else 1
    scenario = parse_scenario(shuffled_text(make_scenario_text, numbers, epochs), "r.toml")
    session = Session(scenario)
    opi = session.schedule.ops_per_iteration
    session.goto(opi + 4)
    session.set_weight(1, 2, 1, "0.75")
    session.goto(opi * 2 + 9)
    session.set_learning_rate("1/16")
    session.goto(opi + 2)  # back into iteration 2, edit again on the new branch
    session.set_input(1, 0, "-0.3")
    session.goto(3 * opi - 1)
    session.set_target(0, 1, "2")
    session.last()
    log = session.edit_log
    assert [e.kind for _, e in log] == ["weight", "learning_rate", "input", "target"]

    replay = Session.replay(scenario, log)
    replay.last()
    assert replay.last_index == session.last_index
    for index in range(session.last_index + 1):
        assert same(replay.at(index), session.at(index)), index
    unedited = Session(scenario)
    assert not same(unedited.last(), session.record)


def runaway_text(make):
    layers = [
        {"name": "in", "kind": "input", "size": 2},
        {"name": "h", "kind": "linear", "size": 3, "bias": True,
         "weights": [[F(1, 3), F(-2, 7)], [F(5, 11), F(1, 13)], [F(-3, 17), F(2, 19)]],
         "biases": [F(1, 23), F(-1, 29), F(1, 31)]},
        {"name": "a", "kind": "leaky_relu", "slope": F(1, 10)},
        {"name": "o", "kind": "linear", "size": 1, "bias": False,
         "weights": [[F(2, 5), F(-1, 6), F(3, 7)]]},
    ]
    samples = [([F(1, 2), F(-1, 3)], [F(1)]), ([F(2, 3), F(1, 5)], [F(-1, 2)]),
               ([F(-1, 7), F(3, 4)], [F(1, 3)])]
    return make(layers, samples, numbers="exact", learning_rate=F(1, 3), epochs=1)


def test_runaway_fractions_name_the_iteration_then_continue_in_float(make_scenario_text):
    scenario = parse_scenario(runaway_text(make_scenario_text), "runaway.toml")
    reference = Session(scenario, max_fraction_bits=100_000)
    reference.last()  # the same training all in exact arithmetic

    session = Session(scenario, max_fraction_bits=100)
    with pytest.raises(RunawayFractions) as caught:
        session.last()
    failed_index = session.computed + 1
    iteration = session.schedule.locate(failed_index)[0]
    assert 1 <= iteration < session.schedule.iterations
    assert caught.value.iteration == iteration
    assert f"iteration {iteration}" in str(caught.value)
    assert caught.value.bits > 100 and caught.value.limit == 100
    assert session.cursor == session.computed  # stopped at what was computed
    exact_part = list(session.branch.records)
    for index, rec in enumerate(exact_part):
        assert rec.mode == "exact" and same(rec, reference.at(index))

    rec = session.continue_in_float()
    switch = session.cursor
    assert rec.mode == "float64" and rec.index == switch == len(exact_part) - 1
    end = session.last()
    assert end.index == session.last_index and end.mode == "float64"
    for index, rec in enumerate(exact_part[:-1]):
        assert session.at(index) is rec  # history before the switch is kept, exact
    assert session.last_index - switch > 5  # float64 really did go on for a while
    for index in range(switch, session.last_index + 1):
        ours, theirs = session.at(index), reference.at(index)
        for p, q in zip(ours.weights_after(), theirs.weights_after()):
            for key in p:
                np.testing.assert_allclose(p[key], q[key].astype(np.float64), rtol=1e-12)
    assert end.loss == pytest.approx(float(reference.record.loss), rel=1e-12)
