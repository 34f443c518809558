"""Class labels: with ``[data] classes = ["setosa", …]`` a sample's target may be one label —
a class name or a 0-based class index — which becomes a one-hot row of the classes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .errors import shown, suggest
from .limits import MAX_NEURONS


class LabelError(ValueError):
    """A target that is not one of the classes; the message quotes it, escaped."""


def parse_classes(names: list[str] | None, where: tuple, fail) -> tuple[str, ...]:
    """[data] classes: distinct names without spaces around them, at least two; () without."""
    if names is None:
        return ()
    if len(names) < 2:
        raise fail(f"expected at least two class names, got {len(names)}", where)
    if len(names) > MAX_NEURONS:  # one output neuron each
        raise fail(f"{len(names):,} class names are over the limit of {MAX_NEURONS:,} (one "
                   "output neuron each)", where)
    for name in names:  # distinct: Fields.names refuses a name given twice
        if not name.strip() or name != name.strip():
            raise fail(f"class name '{shown(name)}' is empty or has spaces around it", where)
    return tuple(names)


def class_index(value: Any, classes: tuple[str, ...]) -> int:
    """The 0-based index of a label: a class name, or an index (an integer, or its digits)."""
    if isinstance(value, str):
        text = value.strip()
        if text in classes:
            return classes.index(text)
        if text.isdecimal() and text.isascii() and len(text) > 18:  # int() stops at 4,300
            raise LabelError(f"class index {shown(text)} is out of range (0 … "
                             f"{len(classes) - 1} for {len(classes)} classes)")
        if text.isdecimal() and text.isascii():
            value = int(text)
        else:
            raise LabelError(f"'{shown(text)}' is not a class{suggest(text, classes)} "
                             f"(expected one of {', '.join(classes)}, or an index 0 … "
                             f"{len(classes) - 1})")
    if isinstance(value, bool) or not isinstance(value, int):
        raise LabelError(f"expected a class name or index, got {shown(value)}")
    if not 0 <= value < len(classes):
        raise LabelError(f"class index {value} is out of range (0 … {len(classes) - 1} for "
                         f"{len(classes)} classes)")
    return value


def one_hot(value: Any, classes: tuple[str, ...]) -> tuple[Fraction, ...]:
    """The one-hot row of a label."""
    index = class_index(value, classes)
    return tuple(Fraction(int(c == index)) for c in range(len(classes)))
