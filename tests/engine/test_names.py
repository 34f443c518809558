"""The one parser of the names a person types for a weight, a bias or a neuron."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import load_scenario, parse_scenario
from nnstep.engine.names import BadName, Target, parse_name


@pytest.fixture(scope="module")
def broccoli(broccoli_path):
    return load_scenario(broccoli_path)


@pytest.fixture(scope="module")
def iris(repo_root):
    return load_scenario(repo_root / "scenarios" / "iris.toml")


@pytest.mark.parametrize("text, target", [
    ("w²[1,2]", Target(1, "w", (0, 1))),
    ("w2[1,2]", Target(1, "w", (0, 1))),
    ("  w2[ 1 , 3 ] ", Target(1, "w", (0, 2))),
    ("L2[0,1]", Target(1, "w", (0, 1))),  # the condition language's 0-based form
    ("L3 n1", Target(2, "o", (0,))),
    ("L1 n3", Target(0, "o", (2,))),
    ("Tagada strawberries", Target(0, "o", (1,))),
])
def test_names_in_broccoli(broccoli, text, target):
    found = parse_name(text, broccoli.layers, broccoli.features)
    assert found == target


@pytest.mark.parametrize("text, target, label", [
    ("b²[8]", Target(1, "b", (7,)), "b²[8]"),
    ("b4[3]", Target(3, "b", (2,)), "b⁴[3]"),
    ("L4.b[2]", Target(3, "b", (2,)), "b⁴[3]"),
    ("w⁴[3,8]", Target(3, "w", (2, 7)), "w⁴[3,8]"),
    ("L3 n8", Target(2, "o", (7,)), "L3 n8"),
])
def test_names_in_iris_come_back_as_the_screen_writes_them(iris, text, target, label):
    found = parse_name(text, iris.layers, iris.features)
    assert found == target
    assert found.label([spec.name for spec in iris.layers]) == label


@pytest.mark.parametrize("text, message", [
    ("w²[1,4]", "'w²[1,4]': L2 has 1 neuron × 3 inputs, weights w²[1,1] … w²[1,3]"),
    ("w³[1,1]", "'w³[1,1]': layer 3 (L3, relu) has no weights; weights are w²"),
    ("w⁹[1,1]", "'w⁹[1,1]': there is no layer 9 (layers 1 … 3)"),
    ("b²[1]", "'b²[1]': layer 2 (L2) has no bias"),
    ("L9 n1", "'L9 n1': no layer named 'L9' (layers: L1, L2, L3)"),
    ("L3 n2", "'L3 n2': L3 has 1 neuron (n1)"),
    ("w2[0,1]", "'w2[0,1]': rows and columns count from 1 in this form (the 0-based form is "
                "L2[0,1])"),
    ("w2[1]", "'w2[1]': a weight has two indices, e.g. w²[1,1]"),
    ("w2[1" + "9" * 5000 + ",1]", "names no weight, bias or neuron"),
    ("w2[99999999999999,1]", "L2 has 1 neuron × 3 inputs"),
    ("w2\x1b[1,2]", r"'w2\x1b[1,2]' names no weight"),
    ("", "names no weight, bias or neuron; expected e.g. w²[1,2]"),
])
def test_bad_names_say_what_is_wrong(broccoli, text, message):
    with pytest.raises(BadName) as caught:
        parse_name(text, broccoli.layers, broccoli.features)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300 and "\x1b" not in str(caught.value)


@pytest.fixture(scope="module")
def small(make_scenario_text):
    layers = [{"name": "in", "kind": "input", "size": 2},
              {"name": "out", "kind": "linear", "size": 1, "weights": [[1, 2]]}]
    return parse_scenario(make_scenario_text(layers, [([1, 2], [1])]), "small.toml").layers


@given(text=st.text(max_size=60))
def test_any_text_is_a_target_or_a_clear_refusal(small, text):
    try:
        target = parse_name(text, small, ("a", "b"))
    except BadName:
        return
    assert target.key in ("w", "b", "o")
