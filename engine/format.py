"""Number formats shared by the headless table, the JSON trace and the UI.

Styles: "fraction" (exact values as p/q; floats as their shortest repr), "decimal" (fixed
significant digits), "scientific". Non-finite floats read "nan", "inf", "-inf".
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

STYLES = ("fraction", "decimal", "scientific")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n: int | str) -> str:
    """Superscript digits, as the articles write layer numbers: sup(2) -> '²'."""
    return str(n).translate(_SUP)


def weight_label(k: int, key: str, place: tuple[int, ...]) -> str:
    """A weight as the debugger names it: w²[1,2] is layer k = 1 (the second, 0-based), neuron 1,
    input 2 (1-based, as in the articles); b²[1] a bias. The one screen name of a weight:
    names.parse_name reads it back (and the older 0-based L2[0,1])."""
    return f"{key}{sup(k + 1)}[{','.join(str(i + 1) for i in place)}]"


def fmt(value: Any, style: str = "fraction", digits: int = 6, max_len: int | None = None) -> str:
    """One number as text in ``style``. A fraction longer than ``max_len`` characters reads
    "≈" and its decimal value instead (the exact value stays in the record). Exact values beyond
    float range keep their digits: 10^400 reads 1e+400 (decimal) or 1.00000e+400 (scientific)."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        if style == "fraction":
            text = fraction_text(value)
            if max_len is None or len(text) <= max_len:
                return text
            return "≈" + _exact_text(value, "decimal", digits)
        return _exact_text(value, style, digits)
    v = float(value)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if style == "fraction":
        return _shortest(v)
    return _float_text(v, style, digits)


def brief(value: Any, digits: int = 4, max_len: int = 24) -> str:
    """A number for a message: exact values as p/q while short, else "≈" and ``digits``
    significant digits; floats with ``digits`` significant digits. Never fails on huge
    fractions (Python refuses to print integers past 4,300 digits)."""
    if isinstance(value, Fraction):
        return fmt(value, "fraction", digits=digits, max_len=max_len)
    return fmt(value, "decimal", digits=digits)


def fraction_text(value: Fraction) -> str:
    """``str(value)``, or "≈" and its scientific text when Python refuses to print integers
    that long (over 4,300 digits)."""
    try:
        return str(value)
    except ValueError:
        return "≈" + _exact_text(value, "scientific", 6)


def _exact_text(value: Fraction, style: str, digits: int) -> str:
    """An exact value in ``style`` ("decimal" or "scientific") with ``digits`` significant
    digits: through float when it is within float range, else with integer arithmetic."""
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if math.isfinite(v) and (v != 0 or value == 0):
        return _float_text(v, style, digits)
    return _big(value, style, digits)


def _big(value: Fraction, style: str, digits: int) -> str:
    """A fraction beyond float range (or too small for one), written as Python writes floats:
    ``digits`` significant digits, e.g. 1e+400 / 1.00000e+400 for 10^400."""
    sign, a = ("-" if value < 0 else ""), abs(value)
    digits = max(digits, 1)
    exp = int((a.numerator.bit_length() - a.denominator.bit_length()) * 0.30102999566398)
    while Fraction(10) ** exp > a:
        exp -= 1
    while Fraction(10) ** (exp + 1) <= a:
        exp += 1
    mantissa = round(a * Fraction(10) ** (digits - 1 - exp))
    if mantissa >= 10**digits:
        mantissa, exp = mantissa // 10, exp + 1
    text = str(mantissa)
    if style == "scientific":
        body = text[0] + ("." + text[1:] if len(text) > 1 else "")
    else:
        rest = text[1:].rstrip("0")
        body = text[0] + ("." + rest if rest else "")
    return f"{sign}{body}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def _shortest(v: float) -> str:
    if v == 0:
        return "0"  # -0.0 reads 0: its sign is a float artefact
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _float_text(v: float, style: str, digits: int) -> str:
    if v == 0:
        return "0"
    if style == "scientific":
        return f"{v:.{max(digits - 1, 0)}e}"
    text = f"{v:.{digits}g}"
    return text


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
