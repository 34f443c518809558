"""Reading one value of a scenario's TOML: a table with only known keys, a string (one of some
choices), a whole number within limits, a number in the scenario's mode, a list of names, a
flag. Every refusal raises through ``fail`` with the key path, so the message names the file,
the line and the key."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from .errors import ScenarioError, shown, suggest
from .numbers import FLOAT, NumberError, parse_number

Fail = Callable[..., ScenarioError]


class Fields:
    """The readers, for one scenario: ``fail(message, key_path)`` makes its error, ``mode`` is
    the number mode numbers are read in."""

    def __init__(self, fail: Fail, mode: str = FLOAT) -> None:
        self.fail, self.mode = fail, mode

    def table(self, raw: Any, where: tuple, allowed: tuple, required: tuple = ()) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(f"expected a table with keys {', '.join(allowed)}", where)
        for key in raw:
            if key not in allowed:
                raise self.fail(f"unknown key '{shown(key)}'{suggest(key, allowed)} "
                                f"(expected one of {', '.join(allowed)})", where + (key,))
        for key in required:
            if key not in raw:
                raise self.fail(f"missing key '{key}'", where)
        return raw

    def string(self, raw: dict, key: str, where: tuple, default=None, choices=None) -> str:
        value = raw.get(key, default)
        if value is None:
            raise self.fail(f"missing key '{key}' (expected a string)", where)
        if not isinstance(value, str):
            raise self.fail(f"expected a string, got {shown(value)}", where + (key,))
        if choices and value not in choices:
            raise self.fail(f"'{shown(value)}' is not valid{suggest(value, choices)}; expected "
                            f"one of {', '.join(choices)}", where + (key,))
        return value

    def integer(self, raw: dict, key: str, where: tuple, default: int, minimum: int,
                maximum: int | None = None) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"expected a whole number ≥ {minimum}, got {shown(value)}",
                            where + (key,))
        if maximum is not None and value > maximum:
            raise self.fail(f"{shown(value)} is over the limit of {maximum:,}", where + (key,))
        return value

    def number(self, raw: dict, key: str, where: tuple, default=None) -> Fraction:
        if key not in raw and default is not None:
            return Fraction(default)
        if key not in raw:
            raise self.fail(f"missing key '{key}' (expected a number)", where)
        try:
            return parse_number(raw[key], self.mode)
        except NumberError as err:
            raise self.fail(str(err), where + (key,)) from None

    def names(self, raw: dict, key: str, where: tuple) -> list[str] | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("expected a list of names (strings)", where + (key,))
        seen: set[str] = set()
        for name in value:  # one name for each thing: the screen and the dialogs go by name
            if name in seen:
                thing = {"features": "feature", "targets": "target", "classes": "class"}.get(key,
                                                                                          key)
                raise self.fail(f"the {thing} name '{shown(name)}' is used twice (each "
                                f"{thing} needs its own name)", where + (key,))
            seen.add(name)
        return value

    def flag(self, raw: dict, key: str, where: tuple, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {shown(value)}", where + (key,))
        return value
