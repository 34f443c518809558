"""What the command line writes back is escaped: a scenario's file name, a --save-weights path
and an unrecognised argument can hold a terminal's escape sequence, which must reach the
terminal as text (\\x1b), never as a command; a path the system refuses is one line, never a
traceback."""

from __future__ import annotations

import shutil

import pytest
from nnstep.engine.files import FileProblem, writable_target
from nnstep.tui import cli

ESC = "\x1b]0;pwned\x07\x1b[2J"


def run(capfd, *argv: str) -> tuple[int, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as stop:  # argparse
        code = stop.code
    return code, capfd.readouterr().err


def test_a_scenario_named_with_an_escape_sequence(nnstep, repo_root, tmp_path):
    path = tmp_path / f"d{ESC}.toml"
    shutil.copy(repo_root / "scenarios" / "diverging.toml", path)
    done = nnstep("run", path, "--format", "none")
    assert done.returncode == 3 and "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "d\\x1b]0;pwned\\x07\\x1b[2J.toml: stopped at operation 188" in done.stderr
    done = nnstep("explain", path, "--iteration", "1", "--weight", "w9[1,1]")
    assert done.returncode == 2 and "\x1b" not in done.stderr and "\\x1b" in done.stderr


def test_a_save_weights_path_with_an_escape_sequence(nnstep, broccoli_path, tmp_path):
    target = tmp_path / f"w{ESC}.npz"
    done = nnstep("run", broccoli_path, "--format", "none", "--save-weights", target)
    assert done.returncode == 0 and target.is_file()
    assert "\x1b" not in done.stderr and "w\\x1b]0;pwned\\x07\\x1b[2J.npz" in done.stderr
    done = nnstep("run", broccoli_path, "--save-weights", f"{target}.txt")
    assert done.returncode == 2 and "\x1b" not in done.stderr


def test_an_unrecognised_argument_with_an_escape_sequence(capfd, broccoli_path):
    code, err = run(capfd, "run", str(broccoli_path), ESC)
    assert code == 2 and "\x1b" not in err
    assert err.splitlines()[-1] == ("nnstep: error: unrecognized arguments: "
                                    "\\x1b]0;pwned\\x07\\x1b[2J")


def test_a_file_name_too_long_for_the_system_is_a_message(tmp_path, capfd, broccoli_path):
    long = tmp_path / ("a" * 300 + ".npz")
    with pytest.raises(FileProblem, match="File name too long"):
        writable_target(long, "--save-weights file")
    code, err = run(capfd, "run", str(broccoli_path), "--save-weights", str(long))
    assert code == 2 and len(err.splitlines()) == 1 and "File name too long" in err


def test_a_nul_in_a_typed_path_is_a_message(tmp_path):
    with pytest.raises(FileProblem, match="contains a NUL character"):
        writable_target(tmp_path / "a\0b.npz", "file")
    (tmp_path / "kept.npz").write_bytes(b"")
    with pytest.raises(FileProblem, match="already exists"):
        writable_target(tmp_path / "kept.npz", "file")
