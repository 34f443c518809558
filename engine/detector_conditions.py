"""The research detectors (detectors.py) as breakpoint conditions: their language
(``dying 50%``, ``update_ratio 1e-6 0.5``) and when one is hit — the operation where it is decided,
for a layer it did not hold for in the previous iteration (edge-triggered)."""

from __future__ import annotations

import re
from fractions import Fraction

from .detectors import DEFAULTS, KINDS, History, decided, detect
from .model import Model
from .numbers import NumberError, parse_number
from .records import Record

LOWEST, HIGHEST = Fraction(1, 10**300), Fraction(10**300)  # thresholds (floats compare them)
MAX_UNCHANGED = 1000  # `unchanged N` reads N earlier iterations at each update
FORMS = {  # what each detector accepts after its name, for messages
    "vanishing": "'vanishing [RATIO [FIRST]]' (e.g. vanishing 1e-4)",
    "exploding": "'exploding [RATIO [NORM]]' (e.g. exploding 100)",
    "dying": "'dying [P%]' (e.g. dying 50%)",
    "update_ratio": "'update_ratio [LOW HIGH]' (e.g. update_ratio 1e-6 0.5)",
    "unchanged": "'unchanged [N]' (e.g. unchanged 3)",
}


def parse(text: str) -> tuple[str, tuple] | None:
    """(kind, thresholds) of a detector condition, None when ``text`` is not one; ValueError
    naming the expected form when its thresholds are wrong. ``text`` is whitespace-normalised."""
    kind, _, rest = text.partition(" ")
    if kind not in KINDS:
        return None
    words = rest.split()
    if not words:
        return kind, DEFAULTS[kind]
    wrong = ValueError(f"'{text}': expected {FORMS[kind]}")
    if kind == "unchanged":
        if len(words) != 1 or not words[0].isdecimal():  # isdigit takes ², which int() refuses
            raise wrong
        n = int(words[0][:6])
        if not 1 <= n <= MAX_UNCHANGED or len(words[0]) > 6:
            raise ValueError(f"'{text}': expected a number of updates from 1 to {MAX_UNCHANGED}")
        return kind, (n,)
    if kind == "dying":
        m = re.fullmatch(r"(\S+?)\s*%", rest.strip())
        if m is None:
            raise wrong
        share = _number(m[1], text) / 100
        if not 0 < share <= 1:
            raise ValueError(f"'{text}': expected a share above 0 % and at most 100 %")
        return kind, (share,)
    if len(words) > 2 or (kind == "update_ratio" and len(words) != 2):
        raise wrong
    values = tuple(_number(w, text) for w in words)
    if any(not LOWEST <= v <= HIGHEST for v in values):
        raise ValueError(f"'{text}': thresholds must be between 1e-300 and 1e300")
    if kind == "update_ratio" and values[0] >= values[1]:
        raise ValueError(f"'{text}': the low end must be below the high end")
    return kind, values + DEFAULTS[kind][len(values):]


def _number(word: str, whole: str) -> Fraction:
    try:
        return parse_number(word)
    except NumberError as err:
        raise ValueError(f"'{whole}': {err}") from None


def hit(kind: str, values: tuple, rec: Record, model: Model, history: History) -> str | None:
    """The message when detector ``kind`` becomes true for a layer at ``rec``: it is decided at
    this operation and did not hold for that layer in the previous iteration (edge-triggered)."""
    layers = decided(kind, rec, model)
    if not layers:
        return None
    now = [f for f in detect(kind, rec, model, history, values) if f.layer in layers]
    if not now:
        return None
    last = history(rec.iteration - 1)
    held = set() if last is None else {f.layer for f in detect(kind, last, model, history, values)}
    new = [f for f in now if f.layer not in held]
    return new[0].message if new else None
