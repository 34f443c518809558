"""Number formats shared by the headless table, the JSON trace and the UI.

Styles: "fraction" (exact values as p/q; floats as their shortest repr), "decimal" (6
significant digits, more where rounding would make a value look rounder than it is: see
``_float_text``), "scientific". Non-finite floats read "nan", "inf", "-inf".
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

STYLES = ("fraction", "decimal", "scientific")
MORE_DIGITS = 12  # the most significant digits "decimal" grows to (float noise stays hidden)
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n: int | str) -> str:
    """Superscript digits, as the articles write layer numbers: sup(2) -> '²'."""
    return str(n).translate(_SUP)


def weight_label(k: int, key: str, place: tuple[int, ...]) -> str:
    """A weight as the debugger names it: w²[1,2] is layer k = 1 (the second, 0-based), neuron 1,
    input 2 (1-based, as in the articles); b²[1] a bias. (The condition language writes the
    same weight with the layer's name and 0-based indices: L2[0,1].) A place of None reads
    "·": w²[1,·] is neuron 1's row of weights."""
    return f"{key}{sup(k + 1)}[{','.join('·' if i is None else str(i + 1) for i in place)}]"


def fmt(value: Any, style: str = "fraction", digits: int = 6, max_len: int | None = None) -> str:
    """One number as text in ``style``. A fraction longer than ``max_len`` characters reads
    "≈" and its decimal value instead (the exact value stays in the record)."""
    if not isinstance(value, float):  # floats (numpy's float64 too) skip the Fraction test,
        if value is None:                # which (an ABC's) costs more than the digits
            return ""
        if isinstance(value, Fraction):
            return _fraction_fmt(value, style, digits, max_len)
    v = float(value)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if style == "fraction":
        return _shortest(v)
    return _float_text(v, style, digits)


def _fraction_fmt(value: Fraction, style: str, digits: int, max_len: int | None) -> str:
    if style == "fraction":
        text = fraction_text(value)
        if max_len is None or len(text) <= max_len:
            return text
        return "≈" + (_float_text(float(value), "decimal", digits) if _fits(value)
                      else _big(value, "decimal", digits))
    return (_float_text(float(value), style, digits) if _fits(value)
            else _big(value, style, digits))


def brief(value: Any, digits: int = 4, max_len: int = 24) -> str:
    """A number for a message: exact values as p/q while short, else "≈" and ``digits``
    significant digits; floats with ``digits`` significant digits. Never fails on huge
    fractions (Python refuses to print integers past 4,300 digits)."""
    if isinstance(value, float) and math.isfinite(value):  # numpy's float64 too
        return _float_text(float(value), "decimal", digits)
    if isinstance(value, Fraction):
        return fmt(value, "fraction", digits=digits, max_len=max_len)
    return fmt(value, "decimal", digits=digits)


def fraction_text(value: Fraction) -> str:
    """``str(value)``, or "≈" and an approximation when Python refuses to print integers that
    long (over 4,300 digits: only derived values can get there, records are guarded)."""
    try:
        return str(value)
    except ValueError:
        return "≈" + (_float_text(float(value), "scientific", 6) if _fits(value)
                      else _big(value, "scientific", 6))


def count(n: int, word: str) -> str:
    """'1 sample', '3 samples'."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _fits(value: Fraction) -> bool:
    """True when ``value`` is a float's size: neither overflows nor vanishes to 0 as one."""
    try:
        return value == 0 or float(value) != 0
    except OverflowError:
        return False


def _big(value: Fraction, style: str, digits: int = 6) -> str:
    """A fraction too large or too small for a float, in scientific notation: its exponent
    found with integers, its mantissa as a float."""
    a = abs(value)
    exp = int((a.numerator.bit_length() - a.denominator.bit_length()) * 0.30103)
    mantissa = float(a / Fraction(10) ** exp)
    while mantissa >= 10:
        mantissa, exp = mantissa / 10, exp + 1
    while mantissa < 1:
        mantissa, exp = mantissa * 10, exp - 1
    sign = "-" if value < 0 else ""
    text = (f"{mantissa:.{max(digits - 1, 0)}f}" if style == "scientific"
            else f"{mantissa:.{digits}g}")
    return f"{sign}{text}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _shortest(v: float) -> str:
    if v == 0:
        return "0"  # -0.0 reads 0: its sign is a float artefact
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _float_text(v: float, style: str, digits: int) -> str:
    """``v`` with ``digits`` significant digits. In "decimal", a value that rounding would show
    rounder than it is gets more digits: 23199997/11600 (ŵ²[1,2] of the articles) reads
    1999.9997, not 2000. Rounded text that lost two or more trailing zeros ("2000", "0.5") must
    equal the value, else digits are added (up to MORE_DIGITS) until it does or until it shows
    ``digits`` significant digits of its own. Float noise beyond MORE_DIGITS (0.1 + 0.2) stays
    hidden, and so does one dropped zero (-0.023323 for -0.02332295: the 6-digit rounding)."""
    if v == 0:
        return "0"
    if style == "scientific":
        return f"{v:.{max(digits - 1, 0)}e}"
    text = "%.*g" % (digits, v)  # format(v, f".{digits}g"), at half the cost
    more = digits
    if _significant(text) >= digits - 1:
        return text
    while _significant(text) < digits and float(text) != v and more < MORE_DIGITS:
        more += 1
        text = "%.*g" % (more, v)
    return text if float(text) == v or _significant(text) >= digits else "%.*g" % (digits, v)


def _significant(text: str) -> int:
    """The significant digits ``text`` shows (after %g dropped trailing zeros): '2000' → 1,
    '0.5' → 1, '1999.9997' → 8, '1.5e-07' → 2."""
    # the mantissa's digits without the sign, the point, leading and trailing zeros
    return len(text.partition("e")[0].replace(".", "").strip("-0")) or 1


def to_json(value: Any) -> Any:
    """A JSON value: exact numbers as strings ("-3/11600"), floats as numbers, non-finite floats
    as "nan" / "inf" / "-inf"."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return fraction_text(value)
    v = float(value)
    if not math.isfinite(v):
        return fmt(v)
    return v


def nested_json(arr: Any) -> Any:
    """A numpy array (or None) as nested lists of JSON values."""
    if arr is None:
        return None
    if hasattr(arr, "tolist"):
        arr = arr.tolist()
    if isinstance(arr, list):
        return [nested_json(a) for a in arr]
    return to_json(arr)
