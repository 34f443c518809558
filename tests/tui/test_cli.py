"""`nnstep FILE` on a broken scenario prints the engine's message and exits 2, no UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_broken_scenario_exits_2_without_ui(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "broken"\nnumbers = "exact"\n[training]\nlearning_rate = "x"\n'
                      '[data]\nsamples = [{ x = [1], y = [1] }]\n[[layers]]\nkind = "input"\n'
                      'size = 1\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nnstep.tui.cli", str(broken)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "broken.toml" in done.stderr and "learning_rate" in done.stderr
    assert done.stdout == ""  # no UI was drawn


def test_missing_file_exits_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "nnstep.tui.cli", str(tmp_path / "none.toml")],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_no_terminal_exits_2_instead_of_painting_into_a_pipe(tmp_path: Path) -> None:
    """`nnstep FILE < /dev/null > log`: Textual painted ~1 MB/s into the pipe, its memory grew
    to GBs and no key could ever reach it."""
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "broccoli.toml"
    done = subprocess.run([sys.executable, "-m", "nnstep.tui.cli", "--fresh", str(scenario)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                          env={"XDG_STATE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"nnstep: {scenario}: the debugger needs a terminal (keys on standard "
                           "input, the screen on standard output); without one, train with: "
                           "nnstep run FILE\n")
