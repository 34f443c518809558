"""Float64 and exact (Fraction) arithmetic behind one small interface.

Exact arrays are numpy object arrays holding ``fractions.Fraction``; float arrays are float64.
Both support the same numpy operations used by the layers (+, -, *, @, comparisons, sum).
Transcendental functions (exp, tanh) exist only in float64: an exact scenario that uses them is
refused when it is loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_RATIO = re.compile(r"^\s*[+-]?\d+\s*/\s*[+-]?\d+\s*$")

EXACT = "exact"
FLOAT = "float64"
MODES = (EXACT, FLOAT)


class NumberError(ValueError):
    """A value that is not a number in one of the accepted notations."""


def parse_number(value: Any) -> Fraction:
    """Parse a TOML number or a string ("1/200", "-0.25", "3e-4", "7") exactly, never with eval.

    Floats given as TOML numbers are taken by their decimal text (0.1 -> 1/10), which is what the
    person wrote, not the binary float nearest to it.
    """
    if isinstance(value, bool):
        raise NumberError(f"expected a number, got the boolean {str(value).lower()}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"expected a finite number, got {value}")
        return Fraction(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if _RATIO.match(text):
            num, den = (int(part) for part in text.replace(" ", "").split("/"))
            if den == 0:
                raise NumberError(f"'{value}' divides by zero")
            return Fraction(num, den)
        if _NUMBER.match(text):
            return Fraction(text)
        raise NumberError(
            f"'{value}' is not a number (expected an integer, a decimal like -0.25 or 3e-4, "
            "or a fraction like 1/200)"
        )
    raise NumberError(f"expected a number, got {type(value).__name__} {value!r}")


@dataclass(frozen=True)
class Numbers:
    """The arithmetic of a session: ``Numbers("exact")`` or ``Numbers("float64")``."""

    mode: str = FLOAT

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise NumberError(f"unknown number mode {self.mode!r} (expected exact or float64)")

    @property
    def exact(self) -> bool:
        return self.mode == EXACT

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
        return freeze(np.asarray(arr, dtype=np.float64))

    def exp(self, arr: np.ndarray) -> np.ndarray:
        if self.exact:
            raise NumberError("exp has no exact rational value; use numbers = \"float64\"")
        return np.exp(arr)

    def tanh(self, arr: np.ndarray) -> np.ndarray:
        if self.exact:
            raise NumberError("tanh has no exact rational value; use numbers = \"float64\"")
        return np.tanh(arr)


def freeze(arr: np.ndarray) -> np.ndarray:
    """Mark an array read-only (records hold only frozen arrays) and return it."""
    arr.setflags(write=False)
    return arr


def max_bits(arr: np.ndarray) -> int:
    """The largest numerator or denominator size, in bits, in an exact array (0 for float)."""
    if arr.dtype != object or arr.size == 0:
        return 0
    return max(max(v.numerator.bit_length(), v.denominator.bit_length()) for v in arr.flat)


def is_finite(arr: np.ndarray) -> bool:
    if arr.dtype == object:
        return True
    return bool(np.isfinite(arr).all())
