"""TOML text from the plain values ``tomllib`` reads (str, int, float, bool, lists, tables), so
that ``tomllib.loads(toml_text(d)) == d``. Used to write scenarios back out."""

from __future__ import annotations

import math
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b",
            "\f": "\\f"}


def toml_text(doc: dict) -> str:
    """A TOML document: top-level values, then ``[table]`` sections, then ``[[array]]`` ones."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in doc.items() if not _section(v)]
    for key, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]"] + [f"{_key(k)} = {_value(v)}"
                                                for k, v in value.items()]
        elif _section(value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"] + [f"{_key(k)} = {_value(v)}"
                                                      for k, v in item.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _section(value: Any) -> bool:
    """A top-level table or a non-empty array of tables: written as a [section]."""
    return isinstance(value, dict) or (isinstance(value, list) and bool(value)
                                       and all(isinstance(v, dict) for v in value))


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key, multiline=False)


def _string(text: str, multiline: bool = True) -> str:
    """A basic string; a multi-line one (\"\"\"…\"\"\") when the text has line breaks."""
    lines = multiline and "\n" in text
    out = []
    for c in text:
        if lines and c == "\n":
            out.append(c)
        elif c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return ('"""\n' if lines else '"') + "".join(out) + ('"""' if lines else '"')


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = getattr(value, "text", None)  # a literal read from a scenario, as written
        if text is not None:
            return text
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }" \
            if value else "{}"
    if isinstance(value, list):
        if value and all(isinstance(v, (dict, list)) for v in value):
            return "[\n" + "".join(f"    {_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} values as TOML")
