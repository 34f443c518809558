"""The progress line of a long `nnstep run` (tui/progress.py): only on a terminal's stderr, only
when nothing else shows how far the run got, erased before anything else is printed there."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from nnstep.engine import load_scenario
from nnstep.tui import headless, progress
from nnstep.tui.progress import ProgressLine, wanted

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CLEAR = "\r\x1b[K"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_only_a_terminal_gets_it_and_only_when_nothing_else_shows_the_run():
    assert wanted("none", io.StringIO(), Terminal())
    assert wanted("json", io.StringIO(), Terminal())  # the lines go to a file or a pipe
    assert not wanted("json", Terminal(), Terminal())  # the lines show the run
    assert not wanted("none", Terminal(), io.StringIO())  # a log, a pipe
    closed = io.StringIO()
    closed.close()
    assert not wanted("none", io.StringIO(), closed)


def test_the_line_is_rewritten_in_place_then_erased():
    err = Terminal()
    shown = ProgressLine(1_000, err, clock=Clock(0.3))
    for t in range(1, 11):
        shown.tick(t)
    text = err.getvalue()
    assert text.startswith(CLEAR) and "\n" not in text
    assert text.count(CLEAR) == 4  # not before 1 s, then every 0.5 s at most
    assert "iteration 4 of 1,000 · " in text and "iterations/s" in text and " left" in text
    shown.close()
    shown.close()
    assert err.getvalue() == text + CLEAR  # erased once


def test_a_short_run_shows_nothing():
    err = Terminal()
    quick = ProgressLine(10, err, clock=Clock(0.01))
    for t in range(1, 11):
        quick.tick(t)
    quick.close()
    assert err.getvalue() == ""


@pytest.mark.parametrize("seconds, text", [(45, "45 s"), (12 * 60, "12 min"), (3.5 * 3600, "3.5 h"),
                                           (41 * 86400, "41 days"), (1e12, "31,688 years"),
                                           (float("inf"), "unknown time")])
def test_time_left_reads_in_a_fitting_unit(seconds, text):
    assert progress._duration(seconds) == text


def test_a_run_stopped_by_a_breakpoint_says_so_on_a_clean_line(monkeypatch):
    monkeypatch.setattr(progress.time, "monotonic", Clock(1.0))
    scenario = load_scenario(SCENARIOS / "sign_flip.toml")
    out, err = io.StringIO(), Terminal()
    code = headless.run(scenario, None, "none", False, ["sign L2[0,0]"], out=out, err=err)
    assert code == headless.EXIT_BREAK and out.getvalue() == ""
    text = err.getvalue()
    before, message = text.rsplit(CLEAR, 1)
    assert "iteration 1 of" in before
    assert message.startswith("nnstep: ") and "stopped at operation 16" in message


def test_a_finished_run_leaves_nothing_on_the_terminal(monkeypatch):
    monkeypatch.setattr(progress.time, "monotonic", Clock(0.4))
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    err = Terminal()
    assert headless.run(scenario, 30, "json", False, out=io.StringIO(), err=err) == 0
    assert err.getvalue().endswith(CLEAR) and "iteration 30 of 30" not in err.getvalue()[-5:]


def test_ctrl_c_stops_a_run_with_one_line_and_keeps_what_was_finished(monkeypatch, tmp_path):
    """Ctrl-C (KeyboardInterrupt) during a run: exit 130, one line saying after which iteration,
    the lines of the finished iterations printed, and --save writes the weights after them."""
    import nnstep.engine.search as search

    real = search.scan

    def interrupted(session, conditions, stop=None, history=None):
        for n, item in enumerate(real(session, conditions, stop, history)):
            if n == 2:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(search, "scan", interrupted)
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    out, err, saved = io.StringIO(), io.StringIO(), tmp_path / "w.npz"
    code = headless.run(scenario, None, "json", False, out=out, err=err, save_to=str(saved))
    assert code == headless.EXIT_INTERRUPTED == 130
    assert len(out.getvalue().splitlines()) == 2
    lines = err.getvalue().splitlines()
    assert lines[0].endswith("broccoli.toml: interrupted after iteration 2 of 3")
    assert "wrote the weights after iteration 2" in lines[1] and saved.is_file()


def test_ctrl_c_while_explain_computes_its_iterations(monkeypatch):
    """`nnstep explain --iteration 99999999`: Ctrl-C on the way there is one line, exit 130."""
    from nnstep.engine import Session
    from nnstep.tui.explain_command import explain

    real = Session.goto_iteration

    def interrupted(self, iteration):
        if iteration > 2:
            raise KeyboardInterrupt
        return real(self, iteration)

    monkeypatch.setattr(Session, "goto_iteration", interrupted)
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    out, err = io.StringIO(), io.StringIO()
    assert explain(scenario, 99_999_999, "w2[1,1]", None, None, out, err) == 130
    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == [
        f"nnstep: {scenario.path}: interrupted after iteration 0 of 99,999,999 (nothing "
        "explained)"]


def test_explain_shows_its_progress_on_a_terminal(monkeypatch):
    from nnstep.tui import explain_command

    monkeypatch.setattr(progress.time, "monotonic", Clock(1.0))  # every tick is shown
    monkeypatch.setattr(explain_command, "STRIDE", 2)
    scenario = load_scenario(SCENARIOS / "broccoli.toml")
    out, err = io.StringIO(), Terminal()
    assert explain_command.explain(scenario, 9, "w2[1,1]", None, None, out, err) == 0
    assert "iteration 8 of 9" in err.getvalue() and err.getvalue().endswith(CLEAR)
    plain = io.StringIO()
    explain_command.explain(scenario, 9, "w2[1,1]", None, None, plain, io.StringIO())
    assert out.getvalue() == plain.getvalue()


def test_ctrl_c_while_a_scenario_is_read(monkeypatch, capsys):
    from nnstep.tui import cli

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_scenario", interrupted)
    assert cli.main(["check", str(SCENARIOS / "broccoli.toml")]) == 130
    assert capsys.readouterr().err == "nnstep: interrupted\n"
