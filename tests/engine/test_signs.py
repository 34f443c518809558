"""Sign analysis against the articles' interpretation table (000_*: "Interpretation") and the
update itself; blocked-flow and rounding findings.

| situation                 | model result         | ŵ²       |
| δ³ = 0                    | as expected          | keep     |
| δ³ < 0 and o¹ ≥ 0         | lower than expected  | increase |
| δ³ < 0 and o¹ < 0         | lower than expected  | decrease |
| δ³ > 0 and o¹ ≥ 0         | higher than expected | decrease |
| δ³ > 0 and o¹ < 0         | higher than expected | increase |
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.flow_findings import findings
from nnstep.engine.signs import sign_rows


def one_weight(make, x, w, y, lr=1, last="identity", numbers="exact", **layer):
    """input(len x) → linear(1, no bias, weights w) → ``last``; one sample."""
    layers = [
        {"name": "L1", "kind": "input", "size": len(x)},
        {"name": "L2", "kind": "linear", "size": 1, "bias": False, "weights": [w]},
        {"name": "L3", "kind": last, **layer},
    ]
    text = make(layers, [(x, [y])], numbers=numbers, learning_rate=lr)
    return Session(parse_scenario(text, "signs.toml"))


TABLE = [
    # x, y, (δ³ sign, o¹ sign, move, words)   with w = 1/2, so o³ = x/2
    (2, 1, ("0", "+", "keep", "as expected")),
    (2, 3, ("-", "+", "increase", "lower than expected")),
    (-2, 0, ("-", "-", "decrease", "lower than expected")),
    (2, 0, ("+", "+", "decrease", "higher than expected")),
    (-2, -3, ("+", "-", "increase", "higher than expected")),
]


@pytest.mark.parametrize(("x", "y", "expected"), TABLE,
                         ids=["d=0", "d<0,o>=0", "d<0,o<0", "d>0,o>=0", "d>0,o<0"])
def test_interpretation_table(make_scenario_text, x, y, expected):
    w = Fraction(1, 2)
    session = one_weight(make_scenario_text, [x], [w], y)
    rec = session.goto(session.schedule.ops_per_iteration)
    (row,) = sign_rows(rec, session.model)
    delta_sign, input_sign, move, words = expected
    assert (row.delta_sign, row.input_sign, row.move) == (delta_sign, input_sign, move)
    assert words in row.situation
    # the update itself is the oracle for the move: ŵ = w − α·δ³·o¹
    delta3 = w * x - y
    after = w - 1 * delta3 * x
    assert rec.new_params[1]["w"][0, 0] == after
    truth = "increase" if after > w else "decrease" if after < w else "keep"
    assert truth == move
    assert row.actual == move and row.moved is True


def test_zero_input_keeps_the_weight(make_scenario_text):
    """o¹ = 0: δw = δ³·0 = 0, so the update keeps the weight whatever δ³ says."""
    session = one_weight(make_scenario_text, [0, 2], [Fraction(1, 2), Fraction(1, 2)], 5)
    rec = session.goto(session.schedule.ops_per_iteration)
    rows = sign_rows(rec, session.model)
    assert [(r.col, r.delta_sign, r.input_sign, r.move) for r in rows] == [
        (0, "-", "0", "keep"), (1, "-", "+", "increase")]
    assert rec.new_params[1]["w"][0, 0] == Fraction(1, 2)
    assert all(r.moved for r in rows)


def test_one_row_per_weight_with_its_own_input_sign(make_scenario_text):
    session = one_weight(make_scenario_text, [2, -2], [Fraction(1, 2), Fraction(1, 4)], 10)
    rec = session.goto(session.schedule.ops_per_iteration)
    rows = sign_rows(rec, session.model)
    assert [(r.row, r.col) for r in rows] == [(0, 0), (0, 1)]
    assert [(r.delta_sign, r.input_sign, r.move) for r in rows] == [
        ("-", "+", "increase"), ("-", "-", "decrease")]


def test_moved_is_none_before_the_update_and_false_when_nothing_moves(make_scenario_text):
    session = one_weight(make_scenario_text, [2], [Fraction(1, 2)], 3, lr=0)
    opi = session.schedule.ops_per_iteration
    before = session.goto(opi - 1)  # backward of L1: δw of L2 is known, no update yet
    assert before.op.kind == "backward"
    (row,) = sign_rows(before, session.model)
    assert row.move == "increase" and row.moved is None and row.actual is None
    after = session.goto(opi)
    (row,) = sign_rows(after, session.model)
    # α = 0: the update keeps the weight although δw says increase
    assert row.move == "increase" and row.actual == "keep" and row.moved is False


def test_no_rows_before_the_backward_pass(make_scenario_text):
    session = one_weight(make_scenario_text, [2], [Fraction(1, 2)], 3)
    for index in range(0, 6):  # start, pick, 3 forwards, loss
        assert sign_rows(session.goto(index), session.model) == []


# ---- blocked flow: a ReLU input < 0 while δ ≠ 0 (000_*: the "bad situation")
def blocked(rec, model):
    return [f for f in findings(rec, model) if f.kind == "blocked"]


def test_blocked_when_relu_input_negative_and_something_to_learn(make_scenario_text):
    session = one_weight(make_scenario_text, [1], [-1], 1, last="relu")
    rec = session.goto(session.schedule.ops_per_iteration)
    assert rec.outputs[1][0, 0] == -1 and rec.loss_delta[0, 0] == -1
    (found,) = blocked(rec, session.model)
    assert (found.name, found.neuron, found.sample) == ("L3", 0, 0)
    assert found.value == -1
    (row,) = sign_rows(rec, session.model)
    assert row.delta_sign == "0" and row.move == "keep"
    assert "lower than expected" in row.situation and "blocked" in row.situation


def test_not_blocked_when_nothing_to_learn(make_scenario_text):
    session = one_weight(make_scenario_text, [1], [-1], 0, last="relu")
    rec = session.goto(session.schedule.ops_per_iteration)
    assert rec.outputs[1][0, 0] == -1 and rec.loss_delta[0, 0] == 0
    assert blocked(rec, session.model) == []
    (row,) = sign_rows(rec, session.model)
    assert "blocked" not in row.situation and "as expected" in row.situation


def test_not_blocked_when_relu_input_positive(make_scenario_text):
    session = one_weight(make_scenario_text, [1], [2], 5, last="relu")
    rec = session.goto(session.schedule.ops_per_iteration)
    assert rec.loss_delta[0, 0] == -3
    assert blocked(rec, session.model) == []


def test_leaky_relu_does_not_block(make_scenario_text):
    session = one_weight(make_scenario_text, [1], [-1], 1, last="leaky_relu", slope="1/10")
    rec = session.goto(session.schedule.ops_per_iteration)
    assert rec.deltas[2][0, 0] == Fraction(-11, 10) * Fraction(1, 10)  # δ = (−1/10 − 1)·slope
    assert blocked(rec, session.model) == []


@pytest.mark.parametrize(("grad_at_zero", "is_blocked"), [(1, False), (0, True)])
def test_relu_input_exactly_zero(make_scenario_text, grad_at_zero, is_blocked):
    session = one_weight(make_scenario_text, [0], [1], 1, last="relu", grad_at_zero=grad_at_zero)
    rec = session.goto(session.schedule.ops_per_iteration)
    assert rec.outputs[1][0, 0] == 0
    assert rec.deltas[2][0, 0] == (0 if is_blocked else -1)
    assert bool(blocked(rec, session.model)) is is_blocked


def test_blocked_found_at_the_relus_own_backward(make_scenario_text):
    """Reported where the ReLU stops the flow: its own backward operation, not the one before
    (where δ arrives) — so `--break blocked` stops on the ReLU (issue 9)."""
    session = one_weight(make_scenario_text, [1], [-1], 1, last="relu")
    forward_done = session.goto(4)  # forward of L3: δ of the loss not known yet
    assert forward_done.op.kind == "forward" and forward_done.loss_delta is None
    assert blocked(forward_done, session.model) == []
    backward_loss = session.goto(6)
    assert backward_loss.op.kind == "backward_loss"
    assert blocked(backward_loss, session.model) == []
    own = session.goto(7)
    assert (own.op.kind, own.op.layer) == ("backward", 2)
    assert len(blocked(own, session.model)) == 1


def test_rounding_only_in_float64(broccoli_path):
    for numbers, expected in (("exact", set()), ("float64", {"rounding", "blocked"})):
        session = Session(load_scenario(broccoli_path, numbers=numbers))
        rec = session.goto(3 * session.schedule.ops_per_iteration)
        kinds = {f.kind for f in findings(rec, session.model)}
        assert kinds & {"rounding", "blocked"} == expected, numbers


def test_rounding_not_reported_for_a_clear_negative(make_scenario_text):
    session = one_weight(make_scenario_text, [1], [-0.5], 1, last="relu", numbers="float64")
    rec = session.goto(session.schedule.ops_per_iteration)
    kinds = [f.kind for f in findings(rec, session.model)]
    assert kinds.count("blocked") == 1 and "rounding" not in kinds


def test_nan_flow_is_not_called_a_disagreement(data_dir):
    """Batch of one whose δ is NaN: the situation must not say the batch's samples disagree."""
    session = Session(load_scenario(data_dir / "huge_learning_rate.toml"))
    rec = session.goto(4 * session.schedule.ops_per_iteration)
    assert len(rec.samples) == 1 and rec.loss_delta[0, 0] != rec.loss_delta[0, 0]
    rows = sign_rows(rec, session.model)
    assert rows and all(r.delta_sign == "nan" for r in rows)
    assert all("disagree" not in r.situation for r in rows)
    assert all("nan" in r.situation.lower() for r in rows)


def test_an_infinite_input_is_not_called_rounding(repo_root):
    """dead_relu with w²[1,1] = 1e308: L3's input is inf, and terms of size inf that 'cancelled'
    say nothing about rounding (issue 9)."""
    import numpy as np
    from nnstep.engine import Session, load_scenario
    from nnstep.engine.flow_findings import findings

    session = Session(load_scenario(repo_root / "scenarios" / "dead_relu.toml"))
    session.set_weight(1, 0, 0, "1e308")
    seen_inf = False
    for index in range(1, session.schedule.iteration_end(3) + 1):
        rec = session.goto(index)
        seen_inf |= rec.outputs[1] is not None and bool(np.isinf(rec.outputs[1]).any())
        assert not [f for f in findings(rec, session.model) if f.kind == "rounding"], index
    assert seen_inf


def test_the_dead_neurons_sign_rows_see_the_block(repo_root):
    """dead_relu: L2 neuron 2's δ is 0 because L3 blocks it, not because there is nothing to
    learn — the rows say so, as the finding does (issue 9)."""
    from nnstep.engine import Session, load_scenario
    from nnstep.engine.signs import sign_rows

    session = Session(load_scenario(repo_root / "scenarios" / "dead_relu.toml"))
    rec = session.goto(session.schedule.iteration_end(1))
    rows = [r for r in sign_rows(rec, session.model) if r.layer == 1 and r.row == 1]
    assert rows and all("blocked by L3" in r.situation and "as expected" not in r.situation
                        for r in rows)
    live = [r for r in sign_rows(rec, session.model) if r.layer == 1 and r.row == 0]
    assert all("blocked" not in r.situation for r in live)


def test_a_weight_that_did_not_move_says_why(repo_root):
    """saturated_sigmoid, iteration 1: δw > 0 predicts a decrease, but α·δw is below w's float64
    precision, so w kept its value — the row says so instead of a bare ✗ (issue 9)."""
    from nnstep.engine import Session, load_scenario
    from nnstep.engine.signs import sign_rows

    session = Session(load_scenario(repo_root / "scenarios" / "saturated_sigmoid.toml"))
    rec = session.goto(session.schedule.iteration_end(1))
    [row] = [r for r in sign_rows(rec, session.model) if r.moved is False]
    w, new = rec.params[row.layer]["w"][row.row, row.col], rec.new_params[row.layer]["w"][row.row,
                                                                                        row.col]
    assert w == new and (row.move, row.actual) == ("decrease", "keep")
    assert "smaller than the weight's float64 precision" in row.situation
