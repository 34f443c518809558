"""Continue and reverse-continue on the shipped scenarios: each condition stops at the exact
operation where it first becomes true (checked against values computed here by hand), continuing
goes on to the next time (or to the end), and reverse-continue finds the same hits newest first."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.conditions import parse_condition
from nnstep.engine.diagnostics import by_kind
from nnstep.engine.search import continue_backward, continue_forward, forward_iter

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def session_of(name: str, numbers: str | None = None) -> Session:
    return Session(load_scenario(SCENARIOS / name, numbers=numbers))


def conditions(session: Session, *texts: str):
    names = [spec.name for spec in session.model.layers]
    return [parse_condition(t, names) for t in texts]


def forward_hits(session: Session, *texts: str) -> list[int]:
    """Every hit from the cursor on, continuing until the end (where the cursor must land)."""
    conds = conditions(session, *texts)
    out = []
    while (hit := continue_forward(session, conds)) is not None:
        assert session.cursor == hit.index and hit.index not in out
        out.append(hit.index)
        assert len(out) < 200
    assert session.cursor == session.last_index
    return out


def backward_hits(session: Session, *texts: str) -> list[int]:
    """Every hit from the end back to the start (where the cursor must land), newest first."""
    conds = conditions(session, *texts)
    session.last()
    out = []
    while (hit := continue_backward(session, conds)) is not None:
        assert session.cursor == hit.index
        out.append(hit.index)
        assert len(out) < 200
    assert session.cursor == 0
    return out


def both_ways(name: str, text: str, numbers: str | None = None) -> list[int]:
    """Forward hits, checked to be the backward hits reversed. Reverse-continue from the end
    finds hits before the cursor: a hit at the very last operation is where it starts."""
    session = session_of(name, numbers)
    forward = forward_hits(session, text)
    before_end = [i for i in forward if i < session.last_index]
    assert backward_hits(session_of(name, numbers), text) == before_end[::-1], text
    return forward


def index_of(session: Session, iteration: int, kind: str, layer: int | None = None) -> int:
    """The operation index of ``kind`` (and ``layer``) in ``iteration``, from the schedule."""
    ops = session.schedule.ops
    j = next(j for j, op in enumerate(ops) if op.kind == kind and op.layer == layer)
    return (iteration - 1) * session.schedule.ops_per_iteration + 1 + j


# ---- broccoli, exact: w²₂ and w²₃ jump at the third update (by 2000 and 3000)
W0 = [Fraction(1, 200), Fraction(-3000, 11600000), Fraction(1, 5800)]
W3 = [W0[0], W0[1] + 2000, W0[2] + 3000]  # ŵ = w − 1·δw with δw = −1·(0, 2000, 3000)


def test_broccoli_hand_numbers():
    s = session_of("broccoli.toml")
    end = s.goto_iteration(3)
    assert list(end.params[1]["w"][0]) == W0 and list(end.new_params[1]["w"][0]) == W3
    assert [s.goto_iteration(t).loss for t in (1, 2, 3)] == [0, 0, Fraction(1, 2)]


@pytest.mark.parametrize("text", ["sign", "sign L2[0,1]", "L2[0,1] crosses 0", "L2[0,1] > 0",
                                  "L2[0,1] >= 1999", "L2[0,2] crosses 1000", "L2[0,2] > 3000",
                                  "overshoot"])
def test_broccoli_third_update(text):
    s = session_of("broccoli.toml")
    hits = both_ways("broccoli.toml", text)
    assert hits == [index_of(s, 3, "update")] == [30]


@pytest.mark.parametrize("text", ["sign L2[0,0]", "sign L2[0,2]", "L2[0,0] crosses 0",
                                  "L2[0,2] > 3001", "L2[0,1] < 0", "L2[0,1] crosses 2000"])
def test_broccoli_weights_that_do_not_get_there(text):
    # w²₁ never moves, w²₃ stays positive and ends at 3000 + 1/5800, w²₂ ends below 2000
    assert both_ways("broccoli.toml", text) == []


@pytest.mark.parametrize("text", ["loss > 0", "loss rises", "loss >= 1/2"])
def test_broccoli_loss_of_the_third_sample(text):
    s = session_of("broccoli.toml")
    hits = both_ways("broccoli.toml", text)
    assert hits == [index_of(s, 3, "loss")] == [25]
    rec, before = s.at(25), s.at(24)
    assert rec.loss == Fraction(1, 2) and before.loss is None  # the loss appears at this op
    assert s.at(20).loss == 0  # and the previous iteration's was not > 0


def test_broccoli_exact_neither_blocks_nor_rounds():
    """In exact arithmetic the ReLU input is exactly 0 and the flow passes (the story)."""
    s = session_of("broccoli.toml")
    assert s.at(23).outputs[1][0, 0] == 0
    for text in ("blocked", "rounding", "nonfinite", "saturated", "loss < 0", "loss > 1/2"):
        assert both_ways("broccoli.toml", text) == [], text


def test_broccoli_float_blocks_at_the_relus_own_backward():
    """In float64 the ReLU input of sample 3 is ≈ −1e−16 (by the BLAS kernel): with δ of the loss
    (−1) arriving, the ReLU blocks it at its own backward operation (backward · L3) of
    iteration 3."""
    s = session_of("broccoli.toml", "float64")
    hits = both_ways("broccoli.toml", "blocked", "float64")
    assert hits == [index_of(s, 3, "backward", 2)] == [27]
    rec, before = s.at(27), s.at(26)
    assert -1e-15 < rec.outputs[1][0, 0] < 0 and rec.loss_delta[0, 0] == -1.0
    assert before.deltas[2] is None
    # iteration 1's input is also slightly negative, but δ = 0 there: nothing to learn, no hit
    first = s.at(index_of(s, 1, "backward_loss"))
    assert first.outputs[1][0, 0] < 0 and first.loss_delta[0, 0] == 0


def test_broccoli_float_rounding_at_samples_1_and_3():
    """Samples 1 and 3 compute 0 exactly; float64 gets a tiny negative at the L2 forward."""
    exact, s = session_of("broccoli.toml"), session_of("broccoli.toml", "float64")
    hits = both_ways("broccoli.toml", "rounding", "float64")
    assert hits == [index_of(s, 1, "forward", 1), index_of(s, 3, "forward", 1)] == [3, 23]
    for i in hits:
        assert exact.at(i).outputs[1][0, 0] == 0
        assert s.at(i).outputs[1][0, 0] != 0 and s.at(i - 1).outputs[1] is None
    assert exact.at(13).outputs[1][0, 0] == 1  # sample 2: 200/200, nothing to round


def test_broccoli_float_learns_nothing():
    for text in ("overshoot", "sign", "L2[0,1] > 0", "L2[0,2] > 1"):
        assert both_ways("broccoli.toml", text, "float64") == [], text
    # the loss of the third sample still rises (1/2 after 0): the model is wrong, not learning
    assert both_ways("broccoli.toml", "loss rises", "float64") == [25]


def test_reverse_continue_starts_before_the_cursor():
    """Standing on a hit (here the last operation), reverse-continue goes to the previous one."""
    s = session_of("sign_flip.toml")
    s.goto(16)
    cond = conditions(s, "sign")
    assert continue_backward(s, cond) is None and s.cursor == 0
    s.goto(15)
    assert continue_forward(s, cond).index == 16
    b = session_of("broccoli.toml")
    b.last()
    assert continue_backward(b, conditions(b, "overshoot")) is None and b.cursor == 0


@pytest.mark.parametrize("numbers", [None, "float64"])
def test_broccoli_stuck(numbers):
    s = session_of("broccoli.toml", numbers)
    # δw²₁ = 0 for all three samples; δw²₂ = 0 for samples 1 and 2 only (exact); float: always
    assert both_ways("broccoli.toml", "stuck L2[0,0] 2", numbers) == [index_of(s, 2, "update")]
    assert both_ways("broccoli.toml", "stuck L2[0,0] 3", numbers) == [30]
    expected = [] if numbers is None else [30]
    assert both_ways("broccoli.toml", "stuck L2[0,1] 3", numbers) == expected
    assert both_ways("broccoli.toml", "stuck L2[0,1] 4", numbers) == []  # only 3 iterations
    hit = continue_forward(s, conditions(s, "stuck 1"))
    assert hit.index == 10 and "w²[1,1]" in hit.message and "1 iterations" in hit.message


# ---- sign_flip, exact: w learns y = −x from +1/2; an independent Fraction simulation
def sign_flip_story(iterations: int = 6):
    """(w before, w after, loss) per iteration, by hand: o = w·x, δw = (o − y)·x."""
    data = [(Fraction(1), Fraction(-1)), (Fraction(2), Fraction(-2))]
    w, lr, out = Fraction(1, 2), Fraction(1, 10), []
    for t in range(iterations):
        x, y = data[t % 2]
        loss = (w * x - y) ** 2 / 2
        new = w - lr * (w * x - y) * x
        out.append((w, new, loss))
        w = new
    return out


def test_sign_flip_story():
    story = sign_flip_story()
    s = session_of("sign_flip.toml")
    assert s.schedule.iterations == 6
    for t, (w, new, loss) in enumerate(story, start=1):
        end = s.goto_iteration(t)
        assert (end.params[1]["w"][0, 0], end.new_params[1]["w"][0, 0], end.loss) == (w, new, loss)


def expected_weight_hits(op, value):
    return [t for t, (w, new, _) in enumerate(sign_flip_story(), start=1)
            if op(new, value) and not op(w, value)]


@pytest.mark.parametrize("text, op, value", [
    ("L2[0,0] < 0", lambda a, b: a < b, 0),
    ("L2[0,0] <= -1/5", lambda a, b: a <= b, Fraction(-1, 5)),
    ("L2[0,0] < -1/2", lambda a, b: a < b, Fraction(-1, 2)),
    ("L2[0,0] < -9/10", lambda a, b: a < b, Fraction(-9, 10)),
    ("L2[0,0] > -1/4", lambda a, b: a > b, Fraction(-1, 4)),
    ("L2[0,0] >= 1/2", lambda a, b: a >= b, Fraction(1, 2)),
])
def test_sign_flip_weight_thresholds(text, op, value):
    s = session_of("sign_flip.toml")
    expected = [index_of(s, t, "update") for t in expected_weight_hits(op, value)]
    assert both_ways("sign_flip.toml", text) == expected


def test_sign_flip_first_crossing():
    story = sign_flip_story()
    first = next(t for t, (w, new, _) in enumerate(story, start=1) if w > 0 > new)
    s = session_of("sign_flip.toml")
    expected = [index_of(s, first, "update")]
    assert expected  # guard: the story has a crossing
    for text in ("sign", "sign L2[0,0]", "L2[0,0] crosses 0", "L2[0,0] crosses -1/10"):
        assert both_ways("sign_flip.toml", text) == expected, text
    hit = continue_forward(s, conditions(s, "L2[0,0] crosses 0"))
    w, new, _ = story[first - 1]
    assert s.record.params[1]["w"][0, 0] == w > 0 and s.record.new_params[1]["w"][0, 0] == new
    assert str(w) in hit.message and str(new) in hit.message


@pytest.mark.parametrize("text, op, value", [
    ("loss < 1/10", lambda a, b: a < b, Fraction(1, 10)),
    ("loss <= 9/8", lambda a, b: a <= b, Fraction(9, 8)),
    ("loss >= 9/8", lambda a, b: a >= b, Fraction(9, 8)),
    ("loss > 1", lambda a, b: a > b, 1),
    ("loss < 0", lambda a, b: a < b, 0),
])
def test_sign_flip_loss_thresholds(text, op, value):
    losses = [loss for _, _, loss in sign_flip_story()]
    expected_t = [t for t, loss in enumerate(losses, start=1)
                  if op(loss, value) and not (t > 1 and op(losses[t - 2], value))]
    s = session_of("sign_flip.toml")
    assert both_ways("sign_flip.toml", text) == [index_of(s, t, "loss") for t in expected_t]


def test_sign_flip_loss_rises():
    losses = [loss for _, _, loss in sign_flip_story()]
    expected_t = [t for t in range(2, 7) if losses[t - 1] > losses[t - 2]]
    assert expected_t  # guard: the x = 2 samples have larger losses
    s = session_of("sign_flip.toml")
    assert both_ways("sign_flip.toml", "loss rises") == [index_of(s, t, "loss") for t in expected_t]


# ---- dead_relu, float64: neuron 2 of L2 never gets any learning flow
def test_dead_relu_blocked_is_edge_triggered():
    """The dead neuron blocks in every iteration; the condition becomes true once (it held at
    the end of each previous iteration), as conditions are documented (issue 9)."""
    s = session_of("dead_relu.toml")
    hits = both_ways("dead_relu.toml", "blocked")
    assert hits == [index_of(s, 1, "backward", 2)]
    for t in range(1, 10):
        assert [f.neuron for f in by_kind("blocked", s.at(index_of(s, t, "backward", 2)),
                                          s.model)] == [1], t
    for i in hits:
        rec = s.at(i)
        assert rec.outputs[1][0, 1] < 0 and rec.deltas[3][0, 1] != 0  # input < 0, δ ≠ 0
        assert s.at(i - 1).deltas[2] is None and rec.deltas[2][0, 1] == 0  # blocked here


def test_dead_relu_bias_of_the_live_neuron():
    """Sample 1: o = (1.5, −8.5) → ReLU (1.5, 0) → 0.75; δ = −2.25; δb = (−2.25·½, 0);
    b̂₀ = 0 − (1/50)(−1.125) = 0.0225 > 0 at the first update."""
    s = session_of("dead_relu.toml")
    assert both_ways("dead_relu.toml", "L2.b[0] > 0") == [index_of(s, 1, "update")]
    rec = s.at(index_of(s, 1, "update"))
    assert rec.params[1]["b"][0] == 0 and rec.new_params[1]["b"][0] == pytest.approx(0.0225)
    assert both_ways("dead_relu.toml", "L2.b[0] crosses 0.01") == [index_of(s, 1, "update")]
    # the dead neuron's bias never moves from −10
    assert both_ways("dead_relu.toml", "L2.b[1] crosses -10") == []
    assert both_ways("dead_relu.toml", "L2.b[1] > -10") == []
    assert s.at(s.last_index).new_params[1]["b"][1] == -10


def test_dead_relu_stuck():
    s = session_of("dead_relu.toml")
    for text in ("stuck 3", "stuck L2[1,0] 3", "stuck L2.b[1] 3", "stuck L4[0,1] 3"):
        assert both_ways("dead_relu.toml", text) == [index_of(s, 3, "update")], text
    hit = continue_forward(s, conditions(s, "stuck 3"))
    assert "w²[2,1]" in hit.message  # the first stuck weight, in model order
    for text in ("stuck L2[0,0] 1", "stuck L2.b[0] 2", "stuck L4[0,0] 1"):  # the live neuron
        assert both_ways("dead_relu.toml", text) == [], text


# ---- saturated_sigmoid: σ(40), σ(32): the derivative vanishes, w does not move
def test_saturated_sigmoid_stuck_5():
    s = session_of("saturated_sigmoid.toml")
    # |δw| = σ'(wx)·σ(wx)·x ≤ 5·σ'(32) ≈ 6e−14 < 1e−12 for both samples
    assert 5 * np.exp(-32.0) < 1e-12
    assert both_ways("saturated_sigmoid.toml", "stuck 5") == [index_of(s, 5, "update")]
    assert both_ways("saturated_sigmoid.toml", "stuck L2.b[0] 20") == [index_of(s, 20, "update")]


def test_edit_out_of_saturation_clears_the_condition():
    s = session_of("saturated_sigmoid.toml")
    s.set_weight(1, 0, 0, "1/10")
    assert continue_forward(s, conditions(s, "saturated")) is None
    assert s.cursor == s.last_index


# ---- diverging: fused whole-iteration search for nonfinite
def test_nonfinite_fused_search_equals_op_by_op():
    fused = session_of("diverging.toml")
    hit = continue_forward(fused, conditions(fused, "nonfinite"))
    slow = session_of("diverging.toml")
    slow_hit = continue_forward(slow, conditions(slow, "nonfinite", "loss < -1"))
    assert hit is not None and slow_hit is not None
    assert hit.index == slow_hit.index and hit.message == slow_hit.message
    assert fused.record.op.kind == "loss" and fused.record.iteration == 24


def test_forward_iter_reports_progress_and_does_not_move():
    s = session_of("dead_relu.toml")
    steps = list(forward_iter(s, conditions(s, "L2.b[1] > 0"), chunk=10))
    assert steps[-1] is None and s.cursor == 0
    assert steps[:-1] == sorted(steps[:-1]) and steps[-2] == s.last_index
    assert len(steps) >= s.last_index // 10


# ---- continuing from the middle, and several conditions at once
def test_continue_from_a_hit_and_from_mid_iteration():
    s = session_of("sign_flip.toml")
    cond = conditions(s, "loss rises")
    rises = both_ways("sign_flip.toml", "loss rises")
    assert len(rises) >= 2  # guard
    s.goto(rises[0])
    assert continue_forward(s, cond).index == rises[1]  # not the hit we stand on
    s.goto(rises[1] - 1)
    assert continue_forward(s, cond).index == rises[1]
    s.goto(rises[1] + 1)
    assert continue_backward(s, cond).index == rises[1]
    assert continue_backward(s, cond).index == rises[0]


def test_first_of_several_conditions_wins():
    s = session_of("sign_flip.toml")
    sign_at = both_ways("sign_flip.toml", "sign")[0]
    below = both_ways("sign_flip.toml", "loss < 1/10")[0]
    assert sign_at < below  # guard: two different places
    hit = continue_forward(s, conditions(s, "loss < 1/10", "sign"))
    assert (hit.index, hit.condition) == (sign_at, "sign")
    hit = continue_forward(s, conditions(s, "loss < 1/10", "sign"))
    assert (hit.index, hit.condition) == (below, "loss < 1/10")


def test_search_on_an_edited_branch(make_scenario_text):
    """Hits follow the branch the cursor is on: set α to 1/10 and diverging stops diverging."""
    s = session_of("diverging.toml")
    s.set_learning_rate("1/10")
    assert continue_forward(s, conditions(s, "nonfinite", "overshoot", "loss rises")) is None
    assert s.record.new_params[1]["w"][0, 0] == pytest.approx(1 / 3)
    assert s.undo()
    s.goto(0)
    assert continue_forward(s, conditions(s, "overshoot")).index == 8


def test_hand_made_exact_bias_crossing(make_scenario_text):
    """o = w·x + b, x = 0, y = −1 (only the bias learns): b̂ = b − α(b + 1) with α = 1/2 goes
    1 → 0 → −1/2 → −3/4 …: it crosses 0 by landing on it, then goes below."""
    layers = [{"name": "in", "kind": "input", "size": 1},
              {"name": "out", "kind": "linear", "size": 1, "bias": True, "weights": [[3]],
               "biases": [1]}]
    text = make_scenario_text(layers, [([0], [-1])], numbers="exact",
                              learning_rate=Fraction(1, 2), epochs=4)
    scenario = parse_scenario(text, "bias.toml")
    s = Session(scenario)
    b = [s.goto_iteration(t).new_params[1]["b"][0] for t in range(1, 5)]
    assert b == [0, Fraction(-1, 2), Fraction(-3, 4), Fraction(-7, 8)]
    opi = s.schedule.ops_per_iteration
    for text, t in (("out.b[0] crosses 0", [1]), ("out.b[0] < 0", [2]), ("out.b[0] <= 0", [1]),
                    ("sign out.b[0]", []), ("sign", []), ("out.b[0] crosses -5/8", [3]),
                    ("stuck out[0,0] 4", [4])):
        s.goto(0)
        hits = []
        conds = [parse_condition(text, ["in", "out"])]
        while (hit := continue_forward(s, conds)) is not None:
            hits.append(hit.index)
        assert hits == [i * opi for i in t], text


def test_hit_messages_survive_fractions_past_pythons_digit_limit():
    """dead_relu in exact mode with a raised size limit: the loss of iteration 9 (≈ 0.0173)
    is above iteration 8's (≈ 5.7e−5), and both are fractions of over 4,300 digits. The hit's
    message must not raise (Python refuses str() of such integers)."""
    s = Session(load_scenario(SCENARIOS / "dead_relu.toml", numbers="exact"),
                max_fraction_bits=100_000)
    s.last()
    assert s.goto_iteration(9).loss > s.goto_iteration(8).loss
    assert s.record.loss.denominator.bit_length() > 14_300
    s.last()
    hit = continue_backward(s, conditions(s, "loss rises"))
    assert hit is not None and hit.index == index_of(s, 9, "loss")
    assert "loss rose" in hit.message and len(hit.message) < 400


def test_saturated_is_edge_triggered():
    """saturated_sigmoid: L3's neuron stays saturated from iteration to iteration; the condition
    is hit once, at its backward in iteration 1, not every iteration (issue 9)."""
    s = session_of("saturated_sigmoid.toml")
    assert both_ways("saturated_sigmoid.toml", "saturated") == [index_of(s, 1, "backward", 2)]
