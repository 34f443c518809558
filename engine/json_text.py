"""JSON text written directly: byte for byte what ``json.dumps(value, ensure_ascii=False)``
writes for the value with its non-finite floats as the strings "nan", "inf" and "-inf" (as
``format.to_json`` has them). The trace writes its lines this way: building the objects for
``json.dumps`` and walking them again cost several times the digits themselves.

Float arrays are the bulk of a line: ``repr`` of a list of floats is already its JSON text (the
same ``float.__repr__``, the same ", " between items), so an array is written in one C call;
finite floats never print an "n", so only a text holding one needs its NaN and inf quoted.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring
from typing import Any

from .format import nested_json, to_json

_NON_FINITE = re.compile(r"-?inf|nan")
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode

string = encode_basestring  # a str as JSON text (the json module's own C escaping)


def _quoted(match: re.Match) -> str:
    return f'"{match.group()}"'


def array(arr: Any) -> str:
    """A record's array (or None) as nested lists: floats as numbers, exact values as strings
    ("-3/11600"), non-finite floats as "nan", "inf", "-inf"."""
    if arr is None:
        return "null"
    if arr.dtype.hasobject:  # exact values (cheaper to ask than `dtype == object`)
        return value(nested_json(arr))
    text = repr(arr.tolist())
    return _NON_FINITE.sub(_quoted, text) if "n" in text else text


def number(v: Any) -> str:
    """One number of a record (a float, a Fraction or None) as ``to_json`` gives it."""
    if v.__class__ is float and v - v == 0:  # finite (inf − inf and NaN − NaN are NaN)
        return float.__repr__(v)
    v = to_json(v)
    if v.__class__ is float:
        return float.__repr__(v)
    return "null" if v is None else string(v)


def value(v: Any) -> str:
    """Any JSON-able value (dicts, lists, str, int, float, bool, None)."""
    try:
        return _ENCODE(v)
    except ValueError:  # a NaN or inf among the floats: those become strings
        return _ENCODE(_finite(v))


def obj(pairs: dict[str, str]) -> str:
    """An object from its keys (plain names: letters, digits and "_", which need no escaping)
    and the JSON text of their values."""
    return "{" + ", ".join(f'"{k}": {t}' for k, t in pairs.items()) + "}"


def _finite(v: Any) -> Any:
    """``v`` with every non-finite float written as "nan", "inf" or "-inf"."""
    if isinstance(v, float):
        return to_json(v)
    if isinstance(v, list):
        return [_finite(u) for u in v]
    if isinstance(v, dict):
        return {k: _finite(u) for k, u in v.items()}
    return v
