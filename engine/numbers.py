"""Float64 and exact (Fraction) arithmetic behind one small interface.

Exact arrays are numpy object arrays holding ``fractions.Fraction``; float arrays are float64.
Both support the same numpy operations used by the layers (+, -, *, @, comparisons, sum).
Transcendental functions (exp, tanh) exist only in float64: an exact scenario that uses them is
refused when it is loaded.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import shown
from .limits import MAX_DIGITS, MAX_EXPONENT

SMALL = 256  # values: up to this many, an array costs numpy's per-call overhead more than its
# values, and the analyses take the way with the fewest numpy calls; past it, the fewest passes

_NUMBER = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")
_RATIO = re.compile(r"(?P<num>[+-]?\d+)\s*/\s*(?P<den>[+-]?\d+)")

EXACT = "exact"
FLOAT = "float64"
MODES = (EXACT, FLOAT)


class NumberError(ValueError):
    """A value that is not a number in one of the accepted notations."""


class TomlFloat(float):
    """A TOML float literal with the text it was written as (``toml_float``, tomllib's
    parse_float): as a float 1e-400 is 0.0 and 1e400 inf; parse_number reads the text."""

    text: str

    def __repr__(self) -> str:  # in messages, the number as written
        return self.text


def toml_float(text: str) -> TomlFloat:
    value = TomlFloat(text.replace("_", ""))
    value.text = text
    return value


def parse_number(value: Any, mode: str | None = None) -> Fraction:
    """Parse a TOML number or a string ("1/200", "-0.25", "3e-4", "7") exactly, never with eval.

    Floats given as TOML numbers are taken by their decimal text (0.1 -> 1/10), which is what the
    person wrote, not the binary float nearest to it. The digits (MAX_DIGITS) and the exponent
    (±MAX_EXPONENT) are checked before any number is built: "1e999999999" is refused at once.
    With ``mode`` "float64", a value beyond float64's range (±1.8e308) is refused too.
    """
    number = _parse(value)
    if mode == FLOAT and not float_range(number):
        raise NumberError(f"'{shown(value)}' {outside_float_range(number)}; use exact numbers "
                          "for it (numbers = \"exact\", or --exact)")
    return number


def _parse(value: Any) -> Fraction:
    if isinstance(value, bool):
        raise NumberError(f"expected a number, got the boolean {str(value).lower()}")
    if isinstance(value, int):
        if value.bit_length() > MAX_DIGITS * 3.33:
            raise NumberError(f"a number of more than {MAX_DIGITS:,} digits is over the limit")
        return Fraction(value)
    if isinstance(value, TomlFloat):  # as written: 1e-400 is not 0, 1e400 is not inf
        return _parse_text(value.text.replace("_", ""))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"expected a finite number, got {value}")
        return Fraction(repr(value))
    if isinstance(value, str):
        return _parse_text(value)
    raise NumberError(f"expected a number, got {type(value).__name__} {shown(value)}")


def _parse_text(value: str) -> Fraction:
    text = value.strip()
    if len(text) > MAX_DIGITS + 16:
        raise NumberError(f"a value of {len(text):,} characters is too long for a number "
                          f"(the limit is {MAX_DIGITS:,} digits)")
    m = _RATIO.fullmatch(text)
    if m:
        num, den = int(m["num"]), int(m["den"])
        if den == 0:
            raise NumberError(f"'{shown(value)}' divides by zero")
        return Fraction(num, den)
    m = _NUMBER.fullmatch(text)
    if m and (m["int"] or m["frac"]):
        exp = m["exp"]
        if exp is not None and len(exp.lstrip("+-").lstrip("0")) > len(str(MAX_EXPONENT)) or (
                exp is not None and abs(int(exp)) > MAX_EXPONENT):
            raise NumberError(f"'{shown(value)}': an exponent beyond ±{MAX_EXPONENT} is over "
                              "the limit")
        digits = len(m["int"]) + len(m["frac"] or "")
        if digits > MAX_DIGITS:
            raise NumberError(f"a number of {digits:,} digits is over the limit of "
                              f"{MAX_DIGITS:,}")
        return Fraction(text)
    raise NumberError(
        f"'{shown(value)}' is not a number (expected an integer, a decimal like -0.25 or 3e-4, "
        "or a fraction like 1/200)"
    )


def float_range(value: Fraction) -> bool:
    """True when ``value`` is within float64's range: it rounds to a finite float, and to 0
    only when it is 0."""
    try:
        as_float = float(value)
    except OverflowError:
        return False
    return math.isfinite(as_float) and (as_float != 0 or value == 0)


def outside_float_range(value: Fraction) -> str:
    """Why ``value`` (not ``float_range``) is no float64, for a message."""
    if abs(value) > 1:
        return "is beyond the range of float64 numbers (±1.8e308)"
    return "is below the range of float64 numbers (it would read as 0; the smallest is ±4.9e-324)"



LARGE_SUM = 4096  # past this many values einsum's plain loop sums faster than add.reduce's


@np.errstate(over="ignore", invalid="ignore")  # an overflow or inf − inf is expected here
def sum_is_finite(arr: np.ndarray) -> bool:
    """True when the sum of a float array is finite: it then holds no NaN nor ±inf, since a sum
    is NaN or ±inf whenever one of its terms is, in any order of summation. False also when
    finite values overflow, so a False only flags: the caller tests value by value."""
    flat = arr.reshape(-1)
    total = np.einsum("i->", flat) if flat.size > LARGE_SUM else np.add.reduce(flat)
    return math.isfinite(total)


@dataclass(frozen=True)
class Numbers:
    """The arithmetic of a session: ``Numbers("exact")`` or ``Numbers("float64")``."""

    mode: str = FLOAT
    exact: bool = field(init=False, repr=False, compare=False)  # True in exact mode

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise NumberError(f"unknown number mode {self.mode!r} (expected exact or float64)")
        # a plain attribute rather than a property: every operation reads it several times
        object.__setattr__(self, "exact", self.mode == EXACT)

    def scalar(self, value: Fraction | float) -> Any:
        """One number of this mode."""
        if self.exact:
            return value if isinstance(value, Fraction) else Fraction(value)
        return float(value)

    def array(self, values: Iterable[Any] | np.ndarray) -> np.ndarray:
        """A read-only array of this mode from nested sequences of Fractions / numbers."""
        if not self.exact and isinstance(values, np.ndarray):
            return freeze(values.astype(np.float64, copy=True))
        if self.exact:
            out = np.array(values, dtype=object)
            flat = out.reshape(-1)
            for i, v in enumerate(flat):
                if not isinstance(v, Fraction):
                    flat[i] = Fraction(v)
        else:
            out = np.array(values, dtype=np.float64)
        return freeze(out)

    def zeros(self, shape: tuple[int, ...]) -> np.ndarray:
        if self.exact:
            out = np.empty(shape, dtype=object)
            out.fill(Fraction(0))
            return out
        return np.zeros(shape, dtype=np.float64)

    def convert(self, arr: np.ndarray) -> np.ndarray:
        """The same values in this mode (Fraction -> float64, or float64 -> exact Fraction)."""
        if self.exact:
            if arr.dtype == object:
                return arr
            return self.array(np.vectorize(Fraction, otypes=[object])(arr) if arr.size else arr)
        return freeze(floats(arr).copy() if arr.dtype == object else
                      np.asarray(arr, dtype=np.float64))

    def exp(self, arr: np.ndarray) -> np.ndarray:
        if self.exact:
            raise NumberError("exp has no exact rational value; use numbers = \"float64\"")
        with np.errstate(over="ignore"):  # e^x past float range is inf: its exact limit here
            return np.exp(arr)

    def tanh(self, arr: np.ndarray) -> np.ndarray:
        if self.exact:
            raise NumberError("tanh has no exact rational value; use numbers = \"float64\"")
        return np.tanh(arr)


@lru_cache(maxsize=None)
def numbers_of(mode: str) -> Numbers:
    """The one ``Numbers(mode)`` the analyses share (it holds no state; made once)."""
    return Numbers(mode)


# float64 constants as 0-d arrays: an operation with one costs half what it costs with a Python
# float, which numpy converts on every call (same dtype, same values: the same bits)
ZERO = np.zeros(())
HALF = np.full((), 0.5)


def freeze(arr: np.ndarray) -> np.ndarray:
    """Mark an array read-only (records hold only frozen arrays) and return it."""
    arr.setflags(False)  # write=False: positional, half the cost of the keyword
    return arr


freeze(ZERO), freeze(HALF)


def max_bits(arr: np.ndarray) -> int:
    """The largest numerator or denominator size, in bits, in an exact array (0 for float)."""
    if arr.dtype != object or arr.size == 0:
        return 0
    return max(max(v.numerator.bit_length(), v.denominator.bit_length()) for v in arr.flat)


def is_finite(arr: np.ndarray) -> bool:
    if arr.dtype == object:
        return True
    return bool(np.isfinite(arr).all())


def to_float(value: Any) -> float:
    """One number as a float: an exact value beyond float range is ±inf (for colours, scales
    and sorting; its text stays exact: format.fmt)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def root(square: Fraction) -> float | Fraction:
    """√square (square ≥ 0) as a value: the float ``math.sqrt`` gives while ``square`` is a
    normal float, else found with integers, 20 significant digits — a float when the root is a
    float's size, else a Fraction (√10^800 is 10^400, not inf; √10^-800 is 10^-400, not 0)."""
    if square == 0:
        return 0.0
    try:
        if float(square) >= sys.float_info.min:
            return math.sqrt(square)
    except OverflowError:
        pass
    p, q = square.numerator, square.denominator
    # 10^e with √(square / 10^2e) of about 20 digits: log10(square) from the bit lengths
    e = int((p.bit_length() - q.bit_length()) * 0.30103 - 40) // 2
    m = math.isqrt(p * 10 ** (-2 * e) // q if e < 0 else p // (q * 10 ** (2 * e)))
    value = Fraction(m) * Fraction(10) ** e
    try:
        as_float = float(value)
    except OverflowError:
        return value
    return as_float if as_float >= sys.float_info.min else value


def floats(values: Any) -> np.ndarray:
    """An array (or sequence) of floats or Fractions as float64, Fractions beyond float range
    as ±inf. Float arrays come back as they are (no copy)."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.dtype != object:
        return arr.astype(np.float64, copy=False)
    try:
        return arr.astype(np.float64)
    except OverflowError:
        return np.array([to_float(v) for v in arr.ravel()], dtype=np.float64).reshape(arr.shape)
