"""The command line at the edges: exit 2 with one short, escaped line naming file and place."""

from __future__ import annotations

import pytest


def one_line(done) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 420, done.stderr
    return lines[0]


def flag_error(done) -> str:
    """argparse's usage, then one line naming the flag."""
    assert done.returncode == 2 and "Traceback" not in done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_max_fraction_bits_has_an_upper_bound(nnstep, broccoli_path):
    line = flag_error(nnstep("run", broccoli_path, "--max-fraction-bits", "9" * 30))
    assert "--max-fraction-bits" in line and "expected a whole number" in line
    line = flag_error(nnstep("run", broccoli_path, "--max-fraction-bits", "10000000"))
    assert "over the limit of 1,000,000" in line


def test_check_escapes_the_title(nnstep, tmp_path, broccoli_path):
    text = broccoli_path.read_text().replace('title = "', 'title = "\\u001b]0;PWNED\\u0007', 1)
    path = tmp_path / "t.toml"
    path.write_text(text)
    done = nnstep("check", path)
    assert done.returncode == 0 and "\x1b" not in done.stdout and "\\x1b]0;PWNED" in done.stdout


@pytest.mark.parametrize(("old", "new", "place"), [
    ('learning_rate = "1/10"', 'learning_rate = "1e400"', "training.learning_rate"),
    ('weights = [["1/2", "-1/4", "1/8"]]', 'weights = [["1e400", "-1/4", "1/8"]]',
     "layers[1].weights[0][0]"),
    ('{ x = [1, 2, 3], y = [1] }', '{ x = [1, "-1e309", 3], y = [1] }', "data.samples[0].x[1]"),
    # below the range: a value that float64 would read as 0 (a ReLU's sign changes with it)
    ('weights = [["1/2", "-1/4", "1/8"]]', 'weights = [["1e-400", "-1/4", "1/8"]]',
     "layers[1].weights[0][0]"),
    ('{ x = [1, 2, 3], y = [1] }', '{ x = [1, 2, 3], y = ["-2e-324"] }', "data.samples[0].y[0]"),
    # TOML float literals too: tomllib reads 1e-400 as 0.0 and 1e400 as inf
    ('learning_rate = "1/10"', 'learning_rate = 1e-400', "training.learning_rate"),
    ('{ x = [1, 2, 3], y = [1] }', '{ x = [1, 2e400, 3], y = [1] }', "data.samples[0].x[1]"),
])
def test_float64_values_beyond_float_range_are_refused(nnstep, tmp_path, old, new, place):
    text = SMALL.replace(old, new)
    path = tmp_path / "f.toml"
    path.write_text(text)
    line = one_line(nnstep("check", path))
    assert place in line and "range of float64" in line
    path.write_text(text.replace('numbers = "float64"', 'numbers = "exact"'))
    assert nnstep("check", path).returncode == 0


SMALL = """title = "Small"
numbers = "float64"

[data]
samples = [
    { x = [1, 2, 3], y = [1] },
]

[training]
learning_rate = "1/10"

[[layers]]
kind = "input"
size = 3

[[layers]]
kind = "linear"
size = 1
bias = false
weights = [["1/2", "-1/4", "1/8"]]
"""


@pytest.mark.parametrize("command", ["open", "check", "run", "explain"])
def test_every_commands_help_prints(nnstep, command):
    """`nnstep run --help` died on the '%' of 'dying 50%' (argparse formats help with %)."""
    done = nnstep(command, "--help")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "usage:" in done.stdout
    if command == "run":
        assert "'dying 50%'" in done.stdout


def test_check_cuts_a_long_title_and_counts_in_words(nnstep, tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(SMALL.replace('title = "Small"', 'title = "' + "T" * 100_000 + '"'))
    done = nnstep("check", path)
    assert done.returncode == 0 and len(done.stdout) < 400, len(done.stdout)
    assert "TTT…'" in done.stdout
    assert "1 sample, 1 epoch of 1 iteration, " in done.stdout


def test_a_tiny_csv_cell_is_refused_in_float64(nnstep, tmp_path):
    """numpy reads 1e-400 as 0.0: the exact reader names the cell instead."""
    (tmp_path / "d.csv").write_text("a,b,c,y\n1,2,3,1\n1,0.5e-400,3,0\n")
    path = tmp_path / "f.toml"
    path.write_text(SMALL.replace("samples = [\n    { x = [1, 2, 3], y = [1] },\n]",
                                  'file = "d.csv"\ntargets = ["y"]'))
    line = one_line(nnstep("check", path))
    assert "d.csv, line 3, column 'b'" in line and "below the range of float64" in line


def test_a_toml_literal_is_quoted_as_written(nnstep, tmp_path):
    path = tmp_path / "f.toml"
    path.write_text(SMALL.replace('learning_rate = "1/10"', "learning_rate = 1e-400"))
    assert "'1e-400' is below the range of float64" in one_line(nnstep("check", path))


@pytest.mark.parametrize("command", [["check"], ["run", "--format", "none"],
                                     ["explain", "--iteration", "1", "--weight", "w2[1,1]"],
                                     ["open", "--fresh"]])
def test_a_branch_edit_that_does_not_apply_is_one_line_for_every_command(
        nnstep, repo_root, tmp_path, command):
    """A [branch] switching iris (tanh, softmax, Adam) to exact numbers: `check` said ok, and
    run, explain and the debugger stopped with a ScenarioError traceback."""
    text = (repo_root / "scenarios" / "iris.toml").read_text().replace(
        '"data/iris.csv"', f'"{repo_root / "scenarios" / "data" / "iris.csv"}"')
    path = tmp_path / "iris_branch.toml"
    path.write_text(text + '\n[branch]\nedits = [{ at = "2", kind = "numbers", '
                           'value = "exact" }]\n')
    message = one_line(nnstep(command[0], path, *command[1:]))
    assert message.endswith("iris_branch.toml: branch.edits[0]: tanh, softmax_cross_entropy, "
                            "adam has no exact rational values: this session stays in float64")


def test_a_broken_branch_keeps_the_saved_session(repo_root, tmp_path):
    """The scenario's own [branch] is what fails: the session saved beside it is not set
    aside for it."""
    from nnstep.engine import ScenarioError, Session, load_scenario
    from nnstep.engine.saved_session import capture
    from nnstep.engine.session_store import digest, save, session_file
    from nnstep.tui.controllers.sessions import open_session

    path = tmp_path / "b.toml"
    text = (repo_root / "scenarios" / "broccoli.toml").read_text()
    path.write_text(text)
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    session = Session(load_scenario(path, "float64"))
    path.write_text(text + '\n[branch]\nedits = [{ at = "2", kind = "weight", layer = "L2", '
                           'row = 1, col = 1, value = "1e400" }]\n')
    save(capture(session, str(path.resolve()), digest(path)), env)  # saved for this text
    broken = load_scenario(path, "float64")
    saved = session_file(path, "float64", env)
    with pytest.raises(ScenarioError, match="branch.edits"):
        open_session(broken, env)
    assert saved.exists() and not list(saved.parent.glob("*.set-aside-*"))
