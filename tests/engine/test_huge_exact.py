"""Exact values beyond float range are values like any other; an edit that fails changes
nothing. Oracle: Python's own Fractions and float formatting (never the engine's code)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from nnstep.engine import EditError, Session, load_scenario
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import fmt
from nnstep.engine.signs import sign_rows
from nnstep.engine.summary import layer_stats
from nnstep.engine.trace import iteration_json


def no_constants(name):
    raise ValueError(name)


def every_view(session: Session) -> None:
    """What the CLI and the debugger compute from each record: findings, sign rows, layer
    statistics, the JSON trace (strict) and the record's numbers as text."""
    model = session.model
    for index in range(session.last_index + 1):
        rec = session.goto(index)
        diagnose(rec, model)
        sign_rows(rec, model)
        layer_stats(rec, model)
        if rec.op.kind == "update":
            line = json.dumps(iteration_json(rec, model))
            json.loads(line, parse_constant=no_constants)
        for style in ("fraction", "decimal", "scientific"):
            fmt(rec.loss, style, max_len=12)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "9" * 1500, "1e-400", "-1e1500"])
def test_an_exact_weight_beyond_float_range_runs_and_shows(broccoli_path, value):
    session = Session(load_scenario(broccoli_path, "exact"))
    session.set_weight(1, 0, 0, value)
    assert session.record.params[1]["w"][0, 0] == Fraction(value)
    every_view(session)


def test_exact_values_read_in_the_chosen_format():
    assert fmt(Fraction(10) ** 400, "scientific") == f"{1e300:.5e}".replace("300", "400")
    assert fmt(Fraction(10) ** 400, "decimal") == "1e+400"
    assert fmt(-Fraction(25, 10) * Fraction(10) ** 5000, "scientific") == "-2.50000e+5000"
    assert fmt(Fraction(1, 10**5000) * 3, "decimal") == "3e-5000"


def test_the_diverging_scenario_runs_exactly(repo_root):
    session = Session(load_scenario(repo_root / "scenarios" / "diverging.toml", "exact"))
    every_view(session)


def test_a_weight_of_5000_nines_is_refused_and_changes_nothing(broccoli_path):
    session = Session(load_scenario(broccoli_path, "exact"))
    session.goto(5)
    before = (len(session.branches), session.branch, session.cursor, session.record)
    with pytest.raises(EditError, match="limit"):
        session.set_weight(1, 0, 0, "9" * 5000)
    assert (len(session.branches), session.branch, session.cursor, session.record) == before


def test_a_float64_edit_beyond_float_range_changes_nothing(broccoli_path):
    session = Session(load_scenario(broccoli_path, "float64"))
    session.goto(session.last_index)
    before = (len(session.branches), session.branch, session.cursor, session.record)
    for edit in (lambda: session.set_weight(1, 0, 0, "1e400"),
                 lambda: session.set_learning_rate("1e999"),
                 lambda: session.set_target(0, 0, "-1e309")):
        with pytest.raises(EditError, match="range of float64"):
            edit()
        assert (len(session.branches), session.branch, session.cursor, session.record) == before


def test_an_exact_learning_rate_of_1e999_then_undo(broccoli_path):
    session = Session(load_scenario(broccoli_path, "exact"))
    session.goto(session.last_index)
    rec = session.record
    session.set_learning_rate("1e999")
    every_view(session)
    assert session.undo() and session.record is rec
    assert not session.undo()


def test_an_edit_that_cannot_be_computed_is_not_applied(broccoli_path):
    session = Session(load_scenario(broccoli_path, "exact"), max_fraction_bits=64)
    session.goto(session.last_index - 1)
    before = (len(session.branches), session.branch, session.cursor, session.record)
    with pytest.raises(EditError, match="not applied"):
        session.set_weight(1, 0, 0, "1/" + "7" * 40)
    assert (len(session.branches), session.branch, session.cursor, session.record) == before
