"""Number formats (engine/format.py): the decimal style never shows a value rounder than it is,
tiny exact values keep their size, counts agree in number."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine.format import count, fmt


def test_decimal_tells_the_articles_updated_weights_from_round_numbers() -> None:
    # ŵ²[1,2] = −3/11600 + 2000 and ŵ²[1,3] = 1/5800 + 3000 (the broccoli example)
    assert fmt(Fraction(23199997, 11600), "decimal") == "1999.9997"
    assert fmt(Fraction(17400001, 5800), "decimal") == "3000.0002"
    assert fmt(2000.0, "decimal") == "2000" and fmt(Fraction(1, 2), "decimal") == "0.5"
    assert fmt(-0.337131234, "decimal") == "-0.337131"  # 6 digits stay 6
    assert fmt(0.1 + 0.2, "decimal") == "0.3"  # float noise beyond 12 digits stays hidden


def test_decimal_shows_the_digits_that_tell_a_value_from_the_rounder_one_it_rounds_to() -> None:
    # iris's Adam m = 0.00025260002: 6 digits give 0.000252600, printed 0.0002526, a number
    # rounder than the value; the value differs from it by 8e-11 of its size (exact fractions,
    # the oracle), far above the 1e-12 where float noise starts, so the digits that show the
    # difference are added: 11, as the articles' ŵ needs 8 to read 1999.9997 and not 2000
    for v, shown in ((0.00025260002, "0.00025260002"), (0.0025260002, "0.0025260002")):
        rounder = Fraction(shown[: shown.index("2526") + 4])
        assert abs(Fraction(v) - rounder) > Fraction(1, 10**11) * Fraction(v)
        assert fmt(v, "decimal") == shown
    # a difference at the 14th digit is float noise: hidden
    v = 0.002526 + 1e-16
    assert abs(Fraction(v) - Fraction("0.002526")) < Fraction(1, 10**13) * Fraction(v)
    assert fmt(v, "decimal") == "0.002526"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_decimal_text_is_exact_or_shows_six_significant_digits(v: float) -> None:
    text = fmt(v, "decimal")
    digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    if float(text) != v:  # rounded: then it shows 5 or 6 digits of its own (or 12 were tried)
        assert len(digits) >= 5 or abs(float(text) - v) <= 1e-11 * abs(v)
    assert abs(float(text) - v) <= 5e-6 * abs(v)  # and it is as close as 6 digits


def test_tiny_and_huge_fractions_keep_their_size() -> None:
    assert fmt(Fraction(1, 10**400), "fraction", max_len=24) == "≈1e-400"  # not ≈0
    assert fmt(Fraction(-3, 10**400), "decimal") == "-3e-400"
    huge = Fraction(10**500, 3)
    assert fmt(huge, "decimal") == "3.33333e+499"
    assert fmt(huge, "scientific") == "3.33333e+499"
    assert fmt(Fraction(7, 10**330), "decimal") == "7e-330"  # below float64's smallest


def test_counts_agree_in_number() -> None:
    assert count(1, "sample") == "1 sample" and count(1500, "sample") == "1,500 samples"
