"""The breakpoint condition language: what each form parses to, the messages of what does not
parse, and the edges of the comparisons (a weight landing exactly on V, ≤ against <)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from nnstep.engine import Session, parse_scenario
from nnstep.engine.conditions import ConditionError, parse_condition
from nnstep.engine.search import continue_forward

NAMES = ["L1", "L2", "L3"]  # broccoli's layers


@pytest.mark.parametrize("text, kind", [
    ("nonfinite", "nonfinite"), ("blocked", "blocked"), ("rounding", "rounding"),
    ("saturated", "saturated"), ("overshoot", "overshoot"), ("loss rises", "rises"),
    ("  loss   rises ", "rises"), ("sign", "sign"),
])
def test_words(text, kind):
    c = parse_condition(text, NAMES)
    assert c.kind == kind and c.weight is None
    assert c.text == " ".join(text.split())


@pytest.mark.parametrize("text, op, value", [
    ("loss < 0.01", "<", Fraction(1, 100)),
    ("loss<=1/2", "<=", Fraction(1, 2)),
    ("loss > 3e-4", ">", Fraction(3, 10000)),
    ("loss >= -2", ">=", Fraction(-2)),
])
def test_loss_comparisons(text, op, value):
    c = parse_condition(text, NAMES)
    assert (c.kind, c.op, c.value) == ("loss", op, value)
    assert isinstance(c.value, Fraction)  # exact, so exact sessions compare exactly


@pytest.mark.parametrize("text, op, value, weight", [
    ("L2[0,1] crosses 0", "crosses", Fraction(0), (1, "w", (0, 1))),
    ("L2[0, 2] crosses -3000/11600000", "crosses", Fraction(-3, 11600), (1, "w", (0, 2))),
    ("L2[0,1] < 0.5", "<", Fraction(1, 2), (1, "w", (0, 1))),
    ("L2[0,0]>=1/200", ">=", Fraction(1, 200), (1, "w", (0, 0))),
    ("L2.b[0] > -10", ">", Fraction(-10), (1, "b", (0,))),
    ("L2.w[0,1] <= 1", "<=", Fraction(1), (1, "w", (0, 1))),
])
def test_weight_comparisons(text, op, value, weight):
    c = parse_condition(text, NAMES)
    assert (c.kind, c.op, c.value, c.weight) == ("weight", op, value, weight)


def test_sign_and_stuck_with_and_without_a_weight():
    assert parse_condition("sign L2[0,1]", NAMES).weight == (1, "w", (0, 1))
    assert parse_condition("sign L2.b[3]", NAMES).weight == (1, "b", (3,))
    stuck = parse_condition("stuck 5", NAMES)
    assert (stuck.kind, stuck.count, stuck.weight) == ("stuck", 5, None)
    stuck = parse_condition("stuck L2[0,2] 12", NAMES)
    assert (stuck.kind, stuck.count, stuck.weight) == ("stuck", 12, (1, "w", (0, 2)))


@pytest.mark.parametrize("text, expected", [
    ("lost rises", "did you mean 'loss'"),
    ("sgn L2[0,1]", "did you mean 'sign'"),
    ("blocekd", "did you mean 'blocked'"),
    ("stuk 3", "did you mean 'stuck'"),
    ("overshot", "did you mean 'overshoot'"),
])
def test_unknown_word_suggests(text, expected):
    with pytest.raises(ConditionError) as err:
        parse_condition(text, NAMES)
    message = str(err.value)
    assert expected in message and f"'{text}'" in message
    assert "loss < V" in message  # and lists what the language has


@pytest.mark.parametrize("text", ["loss < abc", "loss < 1/0", "L2[0,1] crosses x", "loss > --1"])
def test_bad_number(text):
    with pytest.raises(ConditionError) as err:
        parse_condition(text, NAMES)
    assert f"'{text}'" in str(err.value)


def test_unknown_layer_names_the_layers():
    with pytest.raises(ConditionError) as err:
        parse_condition("L9[0,1] > 0", NAMES)
    message = str(err.value)
    assert "no layer named 'L9'" in message and "layers: L1, L2, L3" in message
    with pytest.raises(ConditionError) as err:
        parse_condition("sign hiden[0,1]", ["input", "hidden", "output"])
    assert "did you mean 'hidden'" in str(err.value)


def test_weight_needs_a_column():
    for text in ("sign L2[0]", "L2[0] > 1", "stuck L2[1] 3"):
        with pytest.raises(ConditionError) as err:
            parse_condition(text, NAMES)
        assert "two indices" in str(err.value), text


@pytest.mark.parametrize("text", ["", "stuck 0", "loss", "loss rises fast", "L2[0,1]",
                                  "L2[0,1] crosses", "stuck -1"])
def test_incomplete_conditions_are_refused(text):
    with pytest.raises(ConditionError):
        parse_condition(text, NAMES)


# ---- edges of the comparisons, on a net whose weight halves every iteration (exactly)
@pytest.fixture
def halving(make_scenario_text):
    """o = w·x with x = 1, y = 0, α = 1/2: δw = w, so ŵ = w/2: 1 → 1/2 → 1/4 → …"""
    layers = [{"name": "L1", "kind": "input", "size": 1},
              {"name": "L2", "kind": "linear", "size": 1, "bias": False, "weights": [[1]]}]
    text = make_scenario_text(layers, [([1], [0])], numbers="exact",
                              learning_rate=Fraction(1, 2), epochs=5)
    return parse_scenario(text, "halving.toml")


def weight_hits(scenario, text):
    """The iterations at which ``text`` is hit, continuing to the end."""
    session = Session(scenario)
    c = parse_condition(text, [s.name for s in scenario.layers])
    out = []
    while continue_forward(session, [c]) is not None:
        assert session.record.op.kind == "update"
        out.append(session.record.iteration)
    assert session.cursor == session.last_index
    return out


def test_halving_oracle(halving):
    session = Session(halving)
    values = [session.goto_iteration(t).new_params[1]["w"][0, 0] for t in range(1, 6)]
    assert values == [Fraction(1, 2 ** t) for t in range(1, 6)]


@pytest.mark.parametrize("text, iterations", [
    ("L2[0,0] crosses 1/2", [1]),       # lands exactly on V: hit once, leaving V is no crossing
    ("L2[0,0] crosses 3/10", [2]),      # 1/2 → 1/4 passes 3/10
    ("L2[0,0] crosses 0", []),          # never reaches 0
    ("L2[0,0] <= 1/2", [1]),            # 1/2 ≤ 1/2 already at iteration 1
    ("L2[0,0] < 1/2", [2]),             # strictly below only from 1/4
    ("L2[0,0] < 1/16", [5]),            # 1/32
    ("L2[0,0] > 0", []),                # always true: never *becomes* true
    ("L2[0,0] >= 1", []),               # true before training, false after: no hit
    ("sign L2[0,0]", []),               # stays positive
    ("sign", []),
])
def test_weight_edges(halving, text, iterations):
    assert weight_hits(halving, text) == iterations


@pytest.mark.parametrize("text, iterations", [
    # per-iteration losses ½w² = 1/2, 1/8, 1/32, 1/128, 1/512
    ("loss <= 1/8", [2]),
    ("loss < 1/8", [3]),
    ("loss >= 1/2", [1]),               # true at the first loss: no earlier iteration to compare
    ("loss > 1/2", []),
    ("loss rises", []),
])
def test_loss_edges(halving, text, iterations):
    session = Session(halving)
    c = parse_condition(text, ["L1", "L2"])
    losses = [session.goto_iteration(t).loss for t in range(1, 6)]
    assert losses == [Fraction(1, 2 * 4 ** t) for t in range(5)]
    session.goto(0)
    out = []
    while continue_forward(session, [c]) is not None:
        assert session.record.op.kind == "loss"
        out.append(session.record.iteration)
    assert out == iterations


# ---- one name for each thing; breakpoints that can never fire are refused (issue 9)

@pytest.fixture(scope="module")
def broccoli_layers(broccoli_path):
    from nnstep.engine import load_scenario
    return load_scenario(broccoli_path).layers  # L1 input 3, L2 linear 1×3 no bias, L3 relu


@pytest.mark.parametrize("text", ["sign w²[1,2]", "sign w2[1,2]", "sign L2[0,1]",
                                  "w²[1,2] crosses 0", "w2[1,2] > 1/2", "stuck w²[1,2] 3"])
def test_the_screen_name_and_the_old_name_are_the_same_weight(broccoli_layers, text):
    assert parse_condition(text, broccoli_layers).weight == (1, "w", (0, 1))


@pytest.mark.parametrize("text", [
    "L2[5,7] > 0", "sign L2[3,3]", "stuck L2[9,9] 2", "sign L2[0,12345678901234567890]",
    "L1[0,0] > 0", "L3[0,0] > 0", "sign L2.b[0]", "sign b²[1]", "w²[0,1] > 0", "w⁹[1,1] > 0",
    "sign L3 n1"])
def test_a_condition_on_a_weight_that_does_not_exist_is_refused(broccoli_layers, text):
    with pytest.raises(ConditionError) as err:
        parse_condition(text, broccoli_layers)
    assert "\n" not in str(err.value) and len(str(err.value)) < 400


def test_a_float64_condition_value_beyond_float_range_is_refused(broccoli_layers):
    with pytest.raises(ConditionError, match="range of float64"):
        parse_condition("loss < 1e400", broccoli_layers, "float64")
    assert parse_condition("loss < 1e400", broccoli_layers, "exact").value == 10**400
    with pytest.raises(ConditionError, match="exponent"):
        parse_condition("loss < 1e999999999", broccoli_layers, "exact")


def test_a_superscript_count_is_the_expected_form():
    """'unchanged ²': ² is a digit to isdigit, not to int(): the message was int()'s."""
    with pytest.raises(ConditionError) as err:
        parse_condition("unchanged ²", NAMES)
    assert str(err.value) == "'unchanged ²': expected 'unchanged [N]' (e.g. unchanged 3)"
