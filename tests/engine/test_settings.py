"""[loss], [optimizer] and [data] classes: every mistake is one line naming the file, the line
and the key path; class labels become one-hot rows."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from nnstep.engine import ScenarioError, load_scenario, parse_scenario

BASE = """title = "Classes"

[data]
classes = ["cat", "dog", "bird"]
samples = [
    { x = [1, 2], y = "dog" },
    { x = [0, 1], y = 2 },
    { x = [3, 1], y = [1, 0, 0] },
]

[training]
learning_rate = 0.1

[loss]
kind = "softmax_cross_entropy"

[optimizer]
kind = "sgd"
momentum = 0.9

[[layers]]
kind = "input"
size = 2

[[layers]]
kind = "linear"
size = 3
init = "xavier"
"""


def error_of(old: str, new: str, text: str = BASE) -> ScenarioError:
    assert old in text, old
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text.replace(old, new, 1), "broken.toml")
    return caught.value


def test_labels_by_name_and_index_become_one_hot_rows():
    scenario = parse_scenario(BASE, "ok.toml")
    assert [list(s.y) for s in scenario.samples] == [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    assert scenario.targets == ("cat", "dog", "bird") == scenario.classes
    assert scenario.optimizer.kind == "sgd"
    assert scenario.optimizer.values["momentum"] == Fraction(9, 10)
    assert scenario.optimizer.given and scenario.loss == "softmax_cross_entropy"


@pytest.mark.parametrize(("old", "new", "line", "path", "fragment"), [
    ('y = "dog"', 'y = "dgo"', 6, "data.samples[0].y",
     "'dgo' is not a class (did you mean 'dog'?)"),
    ('y = 2', 'y = 3', 7, "data.samples[1].y", "class index 3 is out of range (0 … 2"),
    ('y = 2', 'y = -1', 7, "data.samples[1].y", "class index -1 is out of range"),
    ('y = 2', 'y = true', 7, "data.samples[1].y", "expected a class name or index"),
    ('y = "dog"', 'y = "\\u001b[31mdog"', 6, "data.samples[0].y", "\\x1b[31mdog"),
    ('classes = ["cat", "dog", "bird"]', 'classes = ["cat", "dog", "cat"]', 4, "data.classes",
     "class name 'cat' is used twice"),
    ('classes = ["cat", "dog", "bird"]', 'classes = ["cat"]', 4, "data.classes",
     "at least two class names"),
    ('classes = ["cat", "dog", "bird"]', 'classes = ["cat", "dog", "bird", "fish"]', 4,
     "data.classes", "4 classes for 3 outputs"),
    ('y = [1, 0, 0]', 'y = [2, -1, 0]', 8, "data.samples[2].y",
     "softmax_cross_entropy needs class probabilities between 0 and 1"),
    ('kind = "softmax_cross_entropy"', 'kind = "sofmax_cross_entropy"', 15, "loss.kind",
     "did you mean 'softmax_cross_entropy'?"),
    ('kind = "sgd"', 'kind = "rmsprop"', 18, "optimizer.kind", "expected one of sgd, adam, adamw"),
    ('kind = "sgd"\n', '', 17, "optimizer", "missing key 'kind'"),
    ('momentum = 0.9', 'momentun = 0.9', 19, "optimizer.momentun",
     "unknown key 'momentun' (did you mean 'momentum'?) for sgd"),
    ('momentum = 0.9', 'momentum = -0.5', 19, "optimizer.momentum", "expected momentum ≥ 0"),
    ('momentum = 0.9', 'momentum = "1e400"', 19, "optimizer.momentum", "at most 1e+06"),
    ('momentum = 0.9', 'momentum = "x"', 19, "optimizer.momentum", "is not a number"),
    ('momentum = 0.9', 'momentum = 0.9\ndampening = 2', 20, "optimizer.dampening",
     "expected dampening ≤ 1"),
    ('momentum = 0.9', 'momentum = 0.9\nnesterov = "yes"', 20, "optimizer.nesterov",
     "expected true or false"),
    ('momentum = 0.9', 'nesterov = true', 19, "optimizer.nesterov",
     "Nesterov momentum needs a momentum > 0 and no dampening"),
    ('momentum = 0.9', 'momentum = 0.9\nnesterov = true\ndampening = 0.1', 20,
     "optimizer.nesterov", "no dampening"),
    ('kind = "sgd"\nmomentum = 0.9', 'kind = "adam"\nmomentum = 0.9', 19, "optimizer.momentum",
     "unknown key 'momentum' for adam"),
    ('kind = "sgd"\nmomentum = 0.9', 'kind = "adam"\nbeta1 = 1', 19, "optimizer.beta1",
     "expected beta1 < 1"),
    ('kind = "sgd"\nmomentum = 0.9', 'kind = "adamw"\nbeta2 = -0.1', 19, "optimizer.beta2",
     "expected beta2 ≥ 0"),
    ('kind = "sgd"\nmomentum = 0.9', 'kind = "adam"\neps = -1e-8', 19, "optimizer.eps",
     "expected eps ≥ 0"),
    ('kind = "sgd"\nmomentum = 0.9', 'kind = "adamw"\nweight_decay = -0.01', 19,
     "optimizer.weight_decay", "expected weight_decay ≥ 0"),
])
def test_mistakes_name_the_file_line_and_key(old, new, line, path, fragment):
    err = error_of(old, new)
    text = str(err)
    assert text.startswith(f"broken.toml, line {line}: {path}: "), text
    assert fragment in text, text
    assert "\n" not in text and "\x1b" not in text


def test_an_optimizer_that_is_not_a_table():
    text = BASE.replace('[optimizer]\nkind = "sgd"\nmomentum = 0.9\n', "")
    assert not parse_scenario(text, "ok.toml").optimizer.given
    with pytest.raises(ScenarioError, match="optimizer: expected a table"):
        parse_scenario('optimizer = 3\n' + text, "broken.toml")


def test_csv_labels(tmp_path: Path):
    (tmp_path / "d.csv").write_text("a,b,animal\n1,2,dog\n0,1,2\n3,1,cat\n", encoding="utf-8")
    text = BASE.replace('samples = [\n    { x = [1, 2], y = "dog" },\n    { x = [0, 1], y = 2 },'
                        '\n    { x = [3, 1], y = [1, 0, 0] },\n]',
                        'file = "d.csv"\ntargets = ["animal"]')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert [list(s.y) for s in scenario.samples] == [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    assert scenario.features == ("a", "b") and scenario.targets == ("cat", "dog", "bird")
    (tmp_path / "d.csv").write_text("a,b,animal\n1,2,dog\n0,1,\u0007fish\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "d.csv, line 3, column 'animal': '\\x07fish' is not a class" in message
    assert "\x07" not in message
    (tmp_path / "d.csv").write_text("a,b,animal,other\n1,2,dog,1\n", encoding="utf-8")
    path.write_text(text.replace('targets = ["animal"]', 'targets = ["animal", "other"]'),
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="one column of class labels, not 2"):
        load_scenario(path)
