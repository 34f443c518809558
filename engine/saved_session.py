"""A debugging session as plain data, to keep between runs: the branch tree (every edit, where it
was made and on which branch), the branch and operation the cursor was on, the selection, the
number format and the breakpoints (with whether each is on and how often it stopped a run).

``capture`` reads it off a live session; ``replay`` makes a new session from it by making the
same edits at the same operations through ``Session.edit`` — records bit-identical to the ones
the edits first made. JSON in and out (``to_json`` / ``from_json``); anything that does not
read as a saved session raises SavedSessionError, never another exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .edits import KINDS, Edit, EditError
from .numbers import MODES, NumberError, parse_number
from .scenario import Scenario
from .session import Session
from .step import RunawayFractions

FORMAT = "nnstep session"
VERSION = 1
MAX_BRANCHES = 10_000  # more edits than a person makes; a bigger file is not a saved session


class SavedSessionError(ValueError):
    """A saved session that cannot be read or does not fit its scenario; says why."""


@dataclass(frozen=True)
class SavedBreakpoint:
    """A breakpoint as the person set it: its condition text, on or off, and its hit count."""

    text: str
    enabled: bool = True
    hits: int = 0


@dataclass(frozen=True)
class SavedBranch:
    """Branch number i + 1 of the tree: ``edit`` made on branch ``parent`` at operation ``at``."""

    parent: int
    at: int
    edit: Edit


@dataclass(frozen=True)
class SavedSession:
    """Everything restored when the same scenario is opened again. ``digest`` is the sha256 of
    the scenario file's bytes when the session was saved, ``inputs`` that of each data or
    weights file it read (by its path relative to the scenario; None in a session saved before
    they were kept), ``numbers`` the mode it was opened in; ``selected`` is (layer, row, col)
    with col None for a bias, all 0-based."""

    scenario: str
    digest: str
    numbers: str
    branches: tuple[SavedBranch, ...] = ()
    branch: int = 0
    cursor: int = 0
    selected: tuple[int, int, int | None] | None = None
    style: str | None = None
    breakpoints: tuple[SavedBreakpoint, ...] = ()
    inputs: dict[str, str] | None = None

    def replay(self, scenario: Scenario, **session_options: Any) -> Session:
        """A new session on ``scenario`` with every branch of the tree made again, on the saved
        branch; the cursor is left at 0 (moving it may take long: the caller decides how).
        Raises SavedSessionError when an edit does not apply: nothing half-restored."""
        session = Session(scenario, **session_options)  # with the scenario's [branch] edits
        for n, saved in enumerate(self.branches, start=len(session.branches)):
            if not 0 <= saved.parent < n:
                raise SavedSessionError(f"branch {n} grows from branch {saved.parent}, which "
                                        "does not exist yet")
            if not 0 <= saved.at <= session.last_index:
                raise SavedSessionError(f"branch {n}'s edit was made at operation {saved.at}, "
                                        f"past the end of training ({session.last_index})")
            try:
                session.switch(saved.parent)
                session.goto(saved.at)
                session.edit(saved.edit)
            except (EditError, RunawayFractions) as problem:
                raise SavedSessionError(f"branch {n}'s edit does not apply: {problem}") from None
        if not 0 <= self.branch < len(session.branches):
            raise SavedSessionError(f"no branch {self.branch} to return to")
        if not 0 <= self.cursor <= session.last_index:
            raise SavedSessionError(f"operation {self.cursor} is past the end of training "
                                    f"({session.last_index})")
        session.switch(self.branch)
        session.goto(0)
        return session


def capture(session: Session, scenario_path: str, digest: str, *,
            selected: tuple | None = None, style: str | None = None,
            breakpoints: tuple[SavedBreakpoint, ...] = (),
            inputs: dict[str, str] | None = None) -> SavedSession:
    """The saveable state of ``session`` (opened from ``scenario_path``, whose bytes hash to
    ``digest``, and whose data and weights files hash to ``inputs``). The branches a
    scenario's [branch] edits made are not kept: opening the scenario makes them again, with
    the same numbers."""
    made = 1 + len(session.scenario.branch.edits)  # the first branches: the scenario's own
    branches = tuple(SavedBranch(b.parent, b.at, b.edit) for b in session.branches[made:])
    return SavedSession(scenario_path, digest, session.branches[0].records[0].mode, branches,
                        session.branch.id, session.cursor, selected, style, tuple(breakpoints),
                        dict(inputs or {}))


def to_json(saved: SavedSession) -> str:
    data = {
        "format": FORMAT, "version": VERSION, "scenario": saved.scenario,
        "digest": saved.digest, "inputs": saved.inputs, "numbers": saved.numbers,
        "branches": [{"parent": b.parent, "at": b.at, "edit": _edit_json(b.edit)}
                     for b in saved.branches],
        "branch": saved.branch, "cursor": saved.cursor,
        "selected": list(saved.selected) if saved.selected is not None else None,
        "style": saved.style,
        "breakpoints": [{"condition": b.text, "enabled": b.enabled, "hits": b.hits}
                        for b in saved.breakpoints],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def from_json(text: str) -> SavedSession:
    """Parse a saved session; SavedSessionError says what is wrong."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise SavedSessionError(f"not JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SavedSessionError(f"not a saved {FORMAT}")
    if data.get("version") != VERSION:
        raise SavedSessionError(f"saved by another version (format {data.get('version')!r}, "
                                f"this nnstep reads {VERSION})")
    numbers = _get(data, "numbers", str)
    if numbers not in MODES:
        raise SavedSessionError(f"unknown number mode {numbers!r}")
    raw_branches = _get(data, "branches", list)
    if len(raw_branches) > MAX_BRANCHES:
        raise SavedSessionError(f"{len(raw_branches)} branches (at most {MAX_BRANCHES})")
    branches = tuple(_branch(b, n) for n, b in enumerate(raw_branches, start=1))
    selected = data.get("selected")
    if selected is not None:
        if (not isinstance(selected, list) or len(selected) != 3
                or not all(_index(v) for v in selected[:2])
                or not (selected[2] is None or _index(selected[2]))):
            raise SavedSessionError("'selected' is not [layer, row, column or null]")
        selected = tuple(selected)
    style = data.get("style")
    if style is not None and not isinstance(style, str):
        raise SavedSessionError("'style' is not a string")
    inputs = data.get("inputs")
    if inputs is not None and not (isinstance(inputs, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in inputs.items())):
        raise SavedSessionError("'inputs' is not a table of file names and digests")
    return SavedSession(
        _get(data, "scenario", str), _get(data, "digest", str), numbers, branches,
        _get(data, "branch", int), _get(data, "cursor", int), selected, style,
        tuple(_breakpoint(b) for b in _get(data, "breakpoints", list)), inputs)


def _edit_json(edit: Edit) -> dict:
    value = str(edit.value) if isinstance(edit.value, Fraction) else edit.value
    return {"kind": edit.kind, "value": value, "layer": edit.layer, "row": edit.row,
            "col": edit.col}


def _branch(raw: Any, n: int) -> SavedBranch:
    if not isinstance(raw, dict):
        raise SavedSessionError(f"branch {n} is not an object")
    edit = raw.get("edit")
    if not isinstance(edit, dict) or edit.get("kind") not in KINDS:
        raise SavedSessionError(f"branch {n} has no edit of a known kind")
    value = edit.get("value")
    if edit["kind"] == "mode":
        if value not in MODES:
            raise SavedSessionError(f"branch {n}: unknown number mode {value!r}")
    else:
        try:
            value = parse_number(value if isinstance(value, str) else "")
        except NumberError as err:
            raise SavedSessionError(f"branch {n}: {err}") from None
    places = [edit.get(key) for key in ("layer", "row", "col")]
    if not all(p is None or _index(p) for p in places):
        raise SavedSessionError(f"branch {n}: layer, row and col must be whole numbers ≥ 0")
    return SavedBranch(_get(raw, "parent", int), _get(raw, "at", int),
                       Edit(edit["kind"], value, *places))


def _breakpoint(raw: Any) -> SavedBreakpoint:
    if not isinstance(raw, dict):
        raise SavedSessionError("a breakpoint is not an object")
    return SavedBreakpoint(_get(raw, "condition", str), _get(raw, "enabled", bool),
                           _get(raw, "hits", int))


def _index(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _get(data: dict, key: str, kind: type) -> Any:
    value = data.get(key)
    ok = (isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
          and not (kind is int and value < 0))
    if not ok:
        raise SavedSessionError(f"'{key}' is missing or not a {_KIND_NAMES[kind]}")
    return value


_KIND_NAMES = {str: "string", int: "whole number ≥ 0", bool: "true / false", list: "list"}
