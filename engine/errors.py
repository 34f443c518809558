"""Errors that name the file, the place (line and key path) and what was expected."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

KeyPath = Sequence["str | int"]


def key_path_text(path: KeyPath) -> str:
    """("layers", 2, "kind") -> "layers[2].kind"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + cut(str(part), SHOWN)
    return text


MAX_MESSAGE = 400  # characters of a one-line message; longer ones are cut with "…"
SHOWN = 40  # characters of a value quoted in a message


def escape(text: str) -> str:
    """``text`` safe for a terminal line: control characters, bidi overrides and other format
    characters written as \\n, \\t or \\u202e, so nothing a file holds can move the cursor, retitle
    the terminal, reorder the line or split a one-line message."""
    out = []
    for ch in text:
        if ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, "…" marking the cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shown(value: object, limit: int = SHOWN) -> str:
    """A value a person wrote, quoted in a message: its text (repr for non-strings) cut to
    ``limit`` characters, then escaped."""
    text = value if isinstance(value, str) else _repr(value)
    return escape(cut(text, limit))


def _repr(value: object) -> str:
    if isinstance(value, (list, tuple, dict)) and len(value) > 8:
        return f"a {type(value).__name__} of {len(value)} items"
    try:
        return repr(value)
    except ValueError:  # an integer past Python's 4,300-digit text limit
        return "a very long number"


def one_line(text: str) -> str:
    """A message as one short line: escaped and cut to MAX_MESSAGE characters."""
    return cut(escape(cut(text, MAX_MESSAGE)), MAX_MESSAGE)


class ScenarioError(Exception):
    """A scenario that cannot be used. ``str()`` is the one-line message shown to the person."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        path: KeyPath = (),
        line: int | None = None,
    ) -> None:
        self.file = str(file)
        self.message = message
        self.path = tuple(path)
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.file + (f", line {self.line}" if self.line else "")
        where = key_path_text(self.path)
        return one_line(f"{place}: {where + ': ' if where else ''}{self.message}")


def suggest(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'relu'?)" when a close choice exists, else ""."""
    if len(word) > SHOWN:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# a [table] or [[array]] header; the name starts and ends with a non-space, so no two parts of
# the pattern can both match the same spaces (no catastrophic backtracking)
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"'-](?:[A-Za-z0-9_.\"' -]*[A-Za-z0-9_.\"'-])?)"
                     r"\s*\]\]?\s*(#.*)?$")


def locate(text: str, path: KeyPath) -> int | None:
    """Best-effort 1-based line of a key path in TOML source (None when it cannot tell).

    Understands ``[table]`` and ``[[array]]`` headers, plain ``key =`` lines, and the n-th inline
    table of an inline array (``samples[3]``).
    """
    if not path:
        return None
    lines = text.splitlines()
    start, end = 0, len(lines)
    parts = list(path)
    table = parts[0] if isinstance(parts[0], str) else None
    header_seen: dict[str, int] = {}
    section = None
    if table is not None:
        for i, raw in enumerate(lines):
            m = _HEADER.match(raw)
            if not m:
                continue
            name = m.group(2).strip()
            if section is not None:
                end = i
                break
            if name != table:
                continue
            count = header_seen.get(name, 0)
            header_seen[name] = count + 1
            is_array = m.group(1) == "[["
            want = parts[1] if is_array and len(parts) > 1 and isinstance(parts[1], int) else None
            if is_array and want is not None and count != want:
                continue
            section = i
            start = i + 1
            parts = parts[2:] if is_array and want is not None else parts[1:]
        if section is None:
            start, end = 0, _first_header(lines)
            parts = list(path)
        elif not parts:
            return section + 1
    return _find_in(lines, start, end, parts) or (section + 1 if section is not None else None)


def _first_header(lines: list[str]) -> int:
    for i, raw in enumerate(lines):
        if _HEADER.match(raw):
            return i
    return len(lines)


def _find_in(lines: list[str], start: int, end: int, parts: list) -> int | None:
    if not parts or not isinstance(parts[0], str):
        return None
    key = re.compile(rf"^\s*\"?{re.escape(parts[0])}\"?\s*=")
    for i in range(start, end):
        if key.match(lines[i]):
            if len(parts) > 1 and isinstance(parts[1], int):
                return _nth_brace(lines, i, end, parts[1]) or i + 1
            return i + 1
    return None


def _nth_brace(lines: list[str], start: int, end: int, n: int) -> int | None:
    seen = 0
    for i in range(start, end):
        for ch in lines[i]:
            if ch == "{":
                if seen == n:
                    return i + 1
                seen += 1
    return None
