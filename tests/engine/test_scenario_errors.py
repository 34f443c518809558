"""ScenarioError in process: the file, the line, the key path and the expectation, for the kinds
of mistakes the CLI tests do not cover one by one."""

from __future__ import annotations

import pytest
from nnstep.engine import ScenarioError, load_scenario, parse_scenario
from nnstep.engine.errors import key_path_text

BASE = """title = "Small"
numbers = "exact"

[data]
samples = [
    { x = [1, 2, 3], y = [1] },
    { x = [0, 1, 0], y = [0] },
]

[training]
learning_rate = "1/10"
batch_size = 1
order = "sequential"

[[layers]]
name = "L1"
kind = "input"
size = 3

[[layers]]
name = "L2"
kind = "linear"
size = 1
bias = false
weights = [["1/2", "-1/4", "1/8"]]

[[layers]]
name = "L3"
kind = "relu"
"""


def error_of(old: str, new: str, **kw) -> ScenarioError:
    assert old in BASE
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(BASE.replace(old, new, 1), "broken.toml", **kw)
    return caught.value


def test_base_is_valid():
    scenario = parse_scenario(BASE, "ok.toml")
    assert [s.kind for s in scenario.layers] == ["input", "linear", "relu"]


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "fragment"),
    [
        ('batch_size = 1', 'batch_size = 0', 12, ("training", "batch_size"), "≥ 1"),
        ('order = "sequential"', 'order = "shufle"', 13, ("training", "order"),
         "did you mean 'shuffle'?"),
        ('learning_rate = "1/10"', 'learning_rate = "-1"', 11, ("training", "learning_rate"),
         "≥ 0"),
        ('name = "L3"', 'name = "L2"', 28, ("layers", 2, "name"), "used twice"),
        # N:backward:loss is the loss's δ: a ReLU named loss could not be reached (--goto, and
        # the command `run` prints when a breakpoint stops it)
        ('name = "L3"', 'name = "loss"', 28, ("layers", 2, "name"), "names the loss"),
        ('kind = "input"', 'kind = "linear"', 17, ("layers", 0, "kind"), '"input"'),
        ('kind = "relu"', 'kind = "relu"\nsize = 4', 30, ("layers", 2, "size"), "expected 1"),
        ('kind = "relu"', 'kind = "relu"\nslope = "1/5"', 30, ("layers", 2, "slope"),
         "only to leaky_relu"),
        ('bias = false', 'bias = "no"', 24, ("layers", 1, "bias"), "true or false"),
        ('title = "Small"', 'titel = "Small"', 1, ("titel",), "did you mean 'title'?"),
        ('numbers = "exact"', 'numbers = "exakt"', 2, ("numbers",), "did you mean 'exact'?"),
        # one name for each thing: two inputs named alike cannot be told apart (/, i, explain)
        ('[data]', '[data]\nfeatures = ["a", "b", "a"]', 5, ("data", "features"),
         "feature name 'a' is used twice"),
        ('[data]', '[data]\ntargets = ["y", "y"]', 5, ("data", "targets"),
         "target name 'y' is used twice"),
    ],
)
def test_error_names_line_and_key_path(old, new, line, path, fragment):
    err = error_of(old, new)
    assert err.file == "broken.toml"
    assert err.path == path
    assert err.line == line
    assert fragment in err.message
    text = str(err)
    assert text.startswith(f"broken.toml, line {line}: {key_path_text(path)}: ")
    assert "\n" not in text


def test_key_path_text():
    assert key_path_text(("layers", 2, "kind")) == "layers[2].kind"
    assert key_path_text(("data", "samples", 1, "x", 0)) == "data.samples[1].x[0]"
    assert key_path_text(()) == ""


def test_sigmoid_is_fine_in_float64():
    text = BASE.replace('kind = "relu"', 'kind = "sigmoid"')
    with pytest.raises(ScenarioError):
        parse_scenario(text, "s.toml")
    assert parse_scenario(text, "s.toml", numbers="float64").layers[2].kind == "sigmoid"


def csv_scenario_error(tmp_path, csv: str | None, target: str, file: str = '"d.csv"',
                       numbers: str = "exact") -> ScenarioError:
    """The error of loading BASE (in ``numbers``) with its samples read from ``file`` holding
    ``csv`` (target column ``target``)."""
    if csv is not None:
        (tmp_path / "d.csv").write_text(csv)
    text = BASE.replace('numbers = "exact"', f'numbers = "{numbers}"').replace(
        'samples = [\n    { x = [1, 2, 3], y = [1] },\n    { x = [0, 1, 0], y = [0] },\n]',
        f'file = {file}\ntargets = ["{target}"]')
    (tmp_path / "s.toml").write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.toml")
    return caught.value


def test_csv_missing_target_column(tmp_path):
    error = csv_scenario_error(tmp_path, "a,b,c,good\n1,2,3,1\n", "god")
    assert "'god'" in error.message and "did you mean 'good'?" in error.message


def test_csv_wrong_column_count_names_csv_line(tmp_path):
    error = csv_scenario_error(tmp_path, "a,b,c,good\n1,2,3,1\n1,2,3,1\n4,5,6\n", "good")
    assert "d.csv, line 4" in error.message
    assert error.path == ("data", "file")


@pytest.mark.parametrize("value", ["3", "1.5", "true", "[]", "{ a = 1 }", '["d.csv"]'])
def test_data_file_that_is_not_a_path(tmp_path, value):
    error = csv_scenario_error(tmp_path, None, "good", file=value)
    assert error.path == ("data", "file")
    assert "expected the path of a CSV file" in error.message


@pytest.mark.parametrize("numbers", ["exact", "float64"])
def test_csv_narrower_than_the_network_names_the_data_not_a_sample(tmp_path, numbers):
    """A CSV has no samples[i] in the scenario: both readers name the data set's width."""
    error = csv_scenario_error(tmp_path, "a,b,good\n1,2,1\n", "good", numbers=numbers)
    assert error.path == ("data",)
    assert error.message == "the data has 2 inputs per sample, the input layer 'L1' has 3"
