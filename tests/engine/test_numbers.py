"""parse_number: exact values from the notations people write, never via eval."""

from __future__ import annotations

import builtins
import tomllib
from fractions import Fraction

import pytest
from nnstep.engine.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (7, Fraction(7)),
        (-12, Fraction(-12)),
        ("7", Fraction(7)),
        ("1/200", Fraction(1, 200)),
        ("-3000/11600000", Fraction(-3, 11600)),
        (" 1 / 200 ", Fraction(1, 200)),
        ("-0.25", Fraction(-1, 4)),
        ("+0.5", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("3e-4", Fraction(3, 10000)),
        ("2.5E3", Fraction(2500)),
        ("0", Fraction(0)),
    ],
)
def test_accepted_notations(text, expected):
    value = parse_number(text)
    assert isinstance(value, Fraction)
    assert value == expected


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("a = 0.1", Fraction(1, 10)),
        ("a = -0.25", Fraction(-1, 4)),
        ("a = 3e-4", Fraction(3, 10000)),
        ("a = 1e22", Fraction(10**22)),
        ("a = 0.3", Fraction(3, 10)),
    ],
)
def test_toml_floats_by_their_decimal_text(toml, expected):
    raw = tomllib.loads(toml)["a"]
    assert isinstance(raw, (float, int))
    value = parse_number(raw)
    assert value == expected
    if isinstance(raw, float) and expected.denominator & (expected.denominator - 1):
        # not a dyadic rational: the binary float itself is not the decimal the person wrote
        assert Fraction(raw) != expected


@pytest.mark.parametrize(
    "bad",
    ["1/0", "-5/0", "abc", "", "1/2/3", "1.2.3", "0x10", "2**3", "1_000", "nan", "inf",
     "__import__('os').getcwd()", "1/2.5"],
)
def test_refused_strings(bad):
    with pytest.raises(NumberError):
        parse_number(bad)


@pytest.mark.parametrize("bad", [True, False, float("nan"), float("inf"), float("-inf"), None,
                                 [1], {"a": 1}])
def test_refused_values(bad):
    with pytest.raises(NumberError):
        parse_number(bad)


def test_division_by_zero_message_names_the_value():
    with pytest.raises(NumberError, match="1/0"):
        parse_number("1/0")


def test_boolean_message_says_boolean():
    with pytest.raises(NumberError, match="boolean"):
        parse_number(True)


def test_never_uses_eval(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("parse_number must not evaluate text")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    assert parse_number("-3000/11600000") == Fraction(-3, 11600)
    assert parse_number("3e-4") == Fraction(3, 10000)
    with pytest.raises(NumberError):
        parse_number("__import__('os').system('true')")
