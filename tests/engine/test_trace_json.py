"""The JSON trace of an iteration: non-finite floats as "nan" / "inf" / "-inf" strings, exact
numbers as strings, floats as numbers (checked against the records they come from)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from nnstep.engine import Session, load_scenario
from nnstep.engine.trace import iteration_json, line


def leaves(value):
    if isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def test_non_finite_floats_are_strings(data_dir):
    session = Session(load_scenario(data_dir / "huge_learning_rate.toml"))
    opi = session.schedule.ops_per_iteration
    seen: set[str] = set()
    for t in range(1, session.schedule.iterations + 1):
        rec = session.goto(t * opi)
        text = line(rec, session.model)
        assert "NaN" not in text and "Infinity" not in text
        obj = json.loads(text)
        lin = obj["layers"][1]
        pairs = [(obj["loss"], rec.loss)]
        pairs += list(zip(leaves(lin["weights_after"]), rec.new_params[1]["w"].flat))
        pairs += list(zip(leaves(lin["bias_after"]), rec.new_params[1]["b"].flat))
        pairs += list(zip(leaves(obj["loss_delta"]), rec.loss_delta.flat))
        for shown, value in pairs:
            value = float(value)
            if math.isnan(value):
                assert shown == "nan"
            elif math.isinf(value):
                assert shown == ("inf" if value > 0 else "-inf")
            else:
                assert isinstance(shown, float) and shown == value
            if isinstance(shown, str):
                seen.add(shown)
    # the scenario does blow up: all three spellings were exercised
    assert seen == {"nan", "inf", "-inf"}


def test_exact_numbers_are_strings_that_read_back(broccoli_path):
    session = Session(load_scenario(broccoli_path))
    rec = session.goto(3 * session.schedule.ops_per_iteration)
    obj = iteration_json(rec, session.model)
    assert obj["learning_rate"] == "1"
    l2 = obj["layers"][1]
    back = [Fraction(v) for v in leaves(l2["weights_after"])]
    assert back == list(rec.new_params[1]["w"].flat)
    assert obj["loss"] == "1/2"


def test_an_unknown_field_is_quoted_escaped_and_cut():
    """--fields is typed text: its echo is escaped (a terminal's escape sequence stays inert)
    and cut to 40 characters, the message one line."""
    from nnstep.engine.trace import FieldError, select

    with pytest.raises(FieldError) as caught:
        select("loss,lo\x1b[31mss" + "a" * 1000, ["L1", "L2"])
    message = str(caught.value)
    assert "no field 'lo\\x1b[31mss" + "a" * 30 + "…'" in message  # 40 as typed
    assert "\x1b" not in message and "\n" not in message and len(message) <= 400
