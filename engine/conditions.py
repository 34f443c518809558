"""Breakpoint conditions: a small language, parsed here into objects that say whether they are
hit when training goes from one record to the next (each kind's check: condition_checks.py).

    nonfinite                 any NaN or ±inf appears (always on when running forward)
    blocked                   a ReLU blocks the learning flow while there is something to learn
    rounding                  a sign test was decided by float rounding (float64 only)
    saturated                 a sigmoid/tanh derivative vanishes while there is something to learn
    overshoot                 an update raised the loss of its own batch (α too large)
    loss < V   (<=, >, >=)    the loss goes below / above V (from one iteration to the next)
    loss rises                the loss is higher than the previous iteration's
    sign [W]                  an update flips the sign of a weight (any, or W)
    W crosses V               weight W passes through the value V
    W < V   (<=, >, >=)       weight W becomes smaller / larger than V
    stuck [W] N               |δw| ≤ 1e-12 (exactly 0 in exact mode) for N iterations in a row
    vanishing, exploding, dying, update_ratio, unchanged [thresholds]
                              the research detectors (detectors.py), e.g. ``dying 50%``

W names a weight or a bias as the screen does, 1-based: ``w²[1,2]`` (ASCII ``w2[1,2]``),
``b²[1]`` (``b2[1]``); the older ``L2[0,1]`` / ``L2.b[0]`` (layer name, 0-based) still works.
A weight that does not exist is refused when the condition is parsed. A condition is
edge-triggered: it is hit at the operation where it becomes true, so continuing goes on to the
next time it happens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import detector_conditions, detectors
from .condition_checks import CHECKS, FINDING_KINDS
from .errors import one_line, shown, suggest
from .names import BadName, parse_name
from .numbers import NumberError, parse_number
from .records import Record

# a weight or a bias as names.parse_name reads it: w²[1,2], w2[1,2], b²[1], L2[0,1], L2.b[0]
_WEIGHT = r"(?P<w>[^\s\[<>=]+\[[^\]]*\])"
_NUM = r"(?P<value>[^\s]+)"
MAX_CONDITION = 200  # characters of a condition
MAX_STUCK = 1_000_000  # iterations a stuck condition may wait for


class ConditionError(ValueError):
    """A condition that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``hit(prev, rec, history)`` returns a message when it is hit at
    ``rec`` (the record after ``prev``); ``history(t)`` gives the record ending iteration t."""

    text: str
    kind: str
    op: str | None = None
    value: Any = None
    weight: tuple | None = None  # (layer index, key, place)
    count: int = 0

    def hit(self, prev: Record, rec: Record, model, history) -> str | None:
        return CHECKS[self.kind](self, prev, rec, model, history)


def parse_condition(text: str, layers: Sequence[Any], mode: str | None = None) -> Condition:
    """Parse one condition; raise ConditionError naming what was expected. ``layers`` are the
    model's layer specs (a weight that does not exist is refused), or only their names (then
    any index is taken). With ``mode`` "float64", a value beyond float range is refused."""
    t = " ".join(str(text).split())
    if len(t) > MAX_CONDITION:
        raise ConditionError(f"'{shown(t)}' is not a condition (longer than {MAX_CONDITION} "
                             "characters)")
    specs = [_AnyLayer(spec) if isinstance(spec, str) else spec for spec in layers]
    if t in FINDING_KINDS:
        return Condition(t, t)
    m = re.fullmatch(rf"loss\s*(?P<op><=|>=|<|>)\s*{_NUM}", t)
    if m:
        return Condition(t, "loss", m["op"], _value(m["value"], t, mode))
    if t == "loss rises":
        return Condition(t, "rises")
    m = re.fullmatch(rf"sign(?:\s+{_WEIGHT})?", t)
    if m:
        return Condition(t, "sign", weight=_weight(m, specs, t) if m["w"] else None)
    m = re.fullmatch(rf"{_WEIGHT}\s*(?P<op>crosses|<=|>=|<|>)\s*{_NUM}", t)
    if m:
        return Condition(t, "weight", m["op"], _value(m["value"], t, mode), _weight(m, specs, t))
    m = re.fullmatch(rf"stuck(?:\s+{_WEIGHT})?\s+(?P<n>\d+)", t)
    if m:
        n = int(m["n"]) if len(m["n"]) <= 9 else 0
        if not 1 <= n <= MAX_STUCK:
            raise ConditionError(f"'{shown(t)}': expected a number of iterations ≥ 1 (at most "
                                 f"{MAX_STUCK:,})")
        return Condition(t, "stuck", weight=_weight(m, specs, t) if m["w"] else None, count=n)
    try:
        detector = detector_conditions.parse(t)
    except ValueError as err:
        raise ConditionError(one_line(str(err))) from None
    if detector:
        return Condition(t, detector[0], value=detector[1])
    words = ("nonfinite", "blocked", "rounding", "saturated", "overshoot", "loss", "sign",
             "stuck", *detectors.KINDS)
    first = t.split(" ")[0] if t else ""
    raise ConditionError(
        f"'{shown(t)}' is not a condition{suggest(first, words)}; expected one of: "
        "nonfinite, blocked, rounding, saturated, overshoot, 'loss < V', 'loss rises', "
        "'sign [w²[1,2]]', 'w²[1,2] crosses V', 'w²[1,2] > V', 'stuck [w²[1,2]] N', "
        "vanishing, exploding, 'dying [P%]', update_ratio, 'unchanged [N]'")


@dataclass(frozen=True)
class _AnyLayer:
    """A layer known only by its name: any weight index is taken."""

    name: str
    kind: str = "linear"
    size: int = 10**9
    trainable: bool = True
    bias: bool = True


def _value(text: str, whole: str, mode: str | None) -> Fraction:
    try:
        return parse_number(text, mode)
    except NumberError as err:
        raise ConditionError(f"'{shown(whole)}': {err}") from None


def _weight(m: re.Match, specs: Sequence[Any], whole: str) -> tuple:
    """(layer index, key, place) of the weight or bias ``m["w"]`` names (names.parse_name: the
    screen's w²[1,2], ASCII w2[1,2], b²[1], and the older L2[0,1], L2.b[0])."""
    try:
        target = parse_name(m["w"], specs)
    except BadName as err:
        raise ConditionError(one_line(f"'{whole}': " + str(err).split(": ", 1)[-1])) from None
    if target.key == "o":
        raise ConditionError(f"'{shown(whole)}': a condition watches a weight or a bias, "
                             "e.g. w²[1,2] or b²[1]")
    return (target.layer, target.key, target.place)
