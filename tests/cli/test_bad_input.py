"""Bad input through `nnstep check FILE` and `nnstep run FILE` (subprocesses), one case per kind:
exit status 2, ONE message on stderr naming the file, the line where one applies, the key path,
and what was expected; never a traceback."""

from __future__ import annotations

import re

import pytest

# file, line (None: no line applies), key path (None: top level), fragments the message must say
CASES = [
    ("syntax_error.toml", 11, None, ["TOML syntax error", "Expected '='"]),
    ("missing_title.toml", None, None, ["missing key 'title'", "expected a string"]),
    ("missing_learning_rate.toml", 10, "training", ["missing key 'learning_rate'", "expected"]),
    ("missing_size.toml", 13, "layers[0]", ["missing key 'size'", "expected the number"]),
    ("unknown_key.toml", 11, "training.learnig_rate",
     ["unknown key 'learnig_rate'", "did you mean 'learning_rate'?", "expected one of"]),
    ("wrong_kind.toml", 27, "layers[2].kind", ["'rleu'", "did you mean 'relu'?",
                                               "expected one of"]),
    ("weights_rows.toml", 23, "layers[1].weights", ["expected 1 row(s) of 3 weights", "got 2"]),
    ("weights_cols.toml", 23, "layers[1].weights", ["expected 1 row(s) of 3 weights",
                                                    "2 values"]),
    ("x_length.toml", 7, "data.samples[1].x", ["2 values", "expects 3"]),
    ("y_length.toml", 6, "data.samples[0].y", ["2 values", "outputs 1"]),
    ("division_by_zero.toml", 23, "layers[1].weights[0][0]", ["'1/0'", "divides by zero"]),
    ("not_a_number.toml", 6, "data.samples[0].x[1]", ["'abc' is not a number", "expected"]),
    ("missing_data_file.toml", 5, "data.file", ["nowhere.csv", "does not exist"]),
    ("empty_data.toml", 5, "data.samples", ["empty", "expected at least one sample"]),
    ("empty_csv.toml", 5, "data.file", ["empty", "expected at least one sample"]),
    ("sigmoid_exact.toml", 27, "layers[2].kind", ["sigmoid", "float64"]),
    ("csv_bad_cell.toml", 5, "data.file", ["bad_cell.csv, line 3", "'one' is not a number"]),
]


def check_message(done, name: str, line: int | None, key_path: str | None, fragments):
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert done.stdout == ""
    lines = [text for text in done.stderr.splitlines() if text.strip()]
    assert len(lines) == 1, done.stderr
    message = lines[0]
    assert name in message
    found = re.findall(r"\.toml, line (\d+)", message)
    assert found == ([str(line)] if line is not None else [])
    if key_path is not None:
        assert f": {key_path}: " in message
    for fragment in fragments:
        assert fragment in message
    return message


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize(("name", "line", "key_path", "fragments"), CASES,
                         ids=[c[0].removesuffix(".toml") for c in CASES])
def test_bad_scenario(nnstep, data_dir, command, name, line, key_path, fragments):
    done = nnstep(command, data_dir / name)
    check_message(done, name, line, key_path, fragments)


@pytest.mark.parametrize("command", ["check", "run"])
def test_missing_scenario_file(nnstep, tmp_path, command):
    missing = tmp_path / "no_such_scenario.toml"
    done = nnstep(command, missing)
    message = check_message(done, "no_such_scenario.toml", None, None, ["no such file"])
    assert str(missing) in message


def test_the_line_points_at_the_key(data_dir):
    """Guard for the table above: each line number is where the offending text really is."""
    needles = {"unknown_key.toml": "learnig_rate", "wrong_kind.toml": "rleu",
               "division_by_zero.toml": "1/0", "not_a_number.toml": "abc",
               "x_length.toml": "x = [0, 1]", "y_length.toml": "y = [1, 0]",
               "sigmoid_exact.toml": "sigmoid", "weights_rows.toml": "weights",
               "missing_data_file.toml": "nowhere.csv", "syntax_error.toml": 'learning_rate "'}
    by_name = {c[0]: c[1] for c in CASES}
    for name, needle in needles.items():
        text = (data_dir / name).read_text().splitlines()
        assert needle in text[by_name[name] - 1], name


@pytest.mark.parametrize("argv, expected", [
    (["scenarios/broccoli.toml"], ["open", "scenarios/broccoli.toml"]),
    (["--fresh", "scenarios/broccoli.toml"], ["open", "--fresh", "scenarios/broccoli.toml"]),
    (["--goto", "3", "scenarios/broccoli.toml", "--exact"],
     ["open", "--goto", "3", "scenarios/broccoli.toml", "--exact"]),
    (["run", "scenarios/broccoli.toml"], ["run", "scenarios/broccoli.toml"]),
    (["--help"], ["--help"]),
    ([], []),
])
def test_options_before_the_file_open_the_debugger(argv, expected):
    from nnstep.tui.cli import parser, with_command

    assert with_command(argv) == expected
    if expected and expected[0] == "open":
        args = parser().parse_args(expected)
        assert args.command == "open" and args.file == "scenarios/broccoli.toml"


@pytest.mark.parametrize("argv, prog", [(["--fresh"], "nnstep"), (["open"], "nnstep"),
                                        (["run"], "nnstep run"), (["check"], "nnstep check")])
def test_a_missing_file_is_one_clear_line(nnstep, argv, prog):
    out = nnstep(*argv)
    assert out.returncode == 2
    assert out.stderr.splitlines()[-1] == f"{prog}: error: the following arguments are " \
                                          "required: file"
