"""A branch saved as a scenario: the original scenario plus a ``[branch]`` table holding the
edits that made the branch and where to open.

    [branch]
    goto = "12:backward:L3"            # where the debugger opens (position.py's syntax)
    edits = [                          # replayed in this order, each at its operation
        { at = "3:loss", kind = "weight", layer = "L2", row = 1, col = 2, value = "1/200" },
        { at = "3:loss", kind = "bias", layer = "L2", row = 1, value = "0" },
        { at = "5", kind = "learning_rate", value = "1/10" },
        { at = "7:pick", kind = "input", sample = 4, feature = 3, value = "250" },
        { at = "7:pick", kind = "target", sample = 4, output = 1, value = "1" },
        { at = "9:update", kind = "numbers", value = "float64" },
    ]

Rows, columns, samples, features and outputs count from 1, as the screen names them (w²[1,2]).
Replaying the same edits in the same order at the same operations gives bit-identical records
(the step function is pure), so the saved file reopens exactly where the branch was. An edit
made after going back to an earlier iteration starts its branch there: the log keeps the edits
before it (they made the branch it forked from), and replaying them all rebuilds that tree.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .edits import Edit
from .errors import escape
from .files import FileProblem, write_atomic
from .numbers import MODES, NumberError, parse_number
from .position import PositionError, describe, parse_position
from .toml_text import toml_text

BRANCH_KEYS = ("goto", "edits")
PLACES = {"weight": ("layer", "row", "col"), "bias": ("layer", "row"),
          "input": ("sample", "feature"), "target": ("sample", "output"),
          "learning_rate": (), "numbers": ()}
EDIT_KIND = {"numbers": "mode"}  # the file's word -> Edit.kind


@dataclass(frozen=True)
class BranchTable:
    """Edits as (operation index, Edit), oldest first, and the position to open at."""

    edits: tuple[tuple[int, Edit], ...] = ()
    goto: str | None = None


def parse_branch(raw: Any, layers: tuple, schedule, fail) -> BranchTable:
    """The ``[branch]`` table, checked against the scenario's ``layers`` and ``schedule``
    (a step.Schedule): ScenarioError through ``fail`` with the edit's key path otherwise."""
    where = ("branch",)
    if not isinstance(raw, dict) or set(raw) - set(BRANCH_KEYS):
        raise fail(f"expected a table with keys {', '.join(BRANCH_KEYS)}", where)
    names = [spec.name for spec in layers]
    goto = raw.get("goto")
    if goto is not None:
        _index(goto, names, schedule, where + ("goto",), fail)
    edits = raw.get("edits", [])
    if not isinstance(edits, list):
        raise fail("expected a list of edits { at = …, kind = …, value = … }", where + ("edits",))
    out = []
    for i, item in enumerate(edits):
        out.append(_edit(item, layers, names, schedule, where + ("edits", i), fail))
    return BranchTable(tuple(out), goto)


def _index(text: Any, names: list[str], schedule, where: tuple, fail) -> int:
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise fail("expected a position such as \"12\" or \"12:backward:L3\"", where)
    try:
        return parse_position(str(text), names).index(schedule)
    except PositionError as err:
        raise fail(str(err), where) from None


def _edit(item: Any, layers: tuple, names: list[str], schedule, where: tuple, fail):
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str) \
            or item["kind"] not in PLACES:
        raise fail(f"expected {{ at = …, kind = …, value = … }} with kind one of "
                   f"{', '.join(PLACES)}", where)
    kind = item["kind"]
    keys = ("at", "kind", *PLACES[kind], "value")
    if set(item) != set(keys):
        raise fail(f"a {kind} edit has exactly the keys {', '.join(keys)}", where)
    at = _index(item["at"], names, schedule, where + ("at",), fail)
    iteration = schedule.locate(at)[0]
    if kind == "numbers":
        if item["value"] not in MODES:
            raise fail(f"expected one of {', '.join(MODES)}", where + ("value",))
        return at, Edit("mode", item["value"])
    try:
        value = parse_number(item["value"])
    except NumberError as err:
        raise fail(str(err), where + ("value",)) from None
    if kind == "learning_rate":
        if value < 0:
            raise fail(f"expected a learning rate ≥ 0, got {value}", where + ("value",))
        return at, Edit(kind, value)
    if kind in ("weight", "bias"):
        layer = item["layer"]
        if layer not in names or not layers[names.index(layer)].trainable:
            raise fail(f"'{layer}' is not a linear layer of this scenario", where + ("layer",))
        k = names.index(layer)
        if kind == "bias" and not layers[k].bias:
            raise fail(f"layer {layer} has no bias", where + ("layer",))
        row = _count(item, "row", layers[k].size, where, fail)
        col = _count(item, "col", layers[k - 1].size, where, fail) if kind == "weight" else None
        return at, Edit(kind, value, k, row, col)
    if iteration == 0:
        raise fail(f"an {kind} edit is made in an iteration (once its samples are picked), "
                   "not at the start of training", where + ("at",))
    batch = schedule.samples(iteration)
    sample = _count(item, "sample", schedule.n_samples, where, fail)
    if sample not in batch:
        raise fail(f"sample {sample + 1} is not in iteration {iteration}'s batch (samples "
                   f"{', '.join(str(s + 1) for s in batch)})", where + ("sample",))
    size = layers[0].size if kind == "input" else layers[-1].size
    col = _count(item, PLACES[kind][1], size, where, fail)
    return at, Edit(kind, value, None, batch.index(sample), col)


def _count(item: dict, key: str, size: int, where: tuple, fail) -> int:
    """A 1-based number in the file -> 0-based."""
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= size:
        raise fail(f"expected a whole number 1 … {size}, got {value!r}", where + (key,))
    return value - 1


def branch_source(session, cursor: int, destination: Path) -> dict:
    """The scenario (as TOML values) of ``session``'s current branch, opening at ``cursor``,
    to be written at ``destination``: its data and weights paths relative to that file."""
    scenario = session.scenario
    raw = _moved(copy.deepcopy(scenario.source), Path(scenario.path).parent, destination.parent)
    raw["numbers"] = scenario.numbers
    raw.setdefault("training", {})["epochs"] = scenario.training.epochs
    names = [spec.name for spec in session.model.layers]
    schedule = session.schedule

    def where(index: int) -> str:
        iteration, _, op = schedule.locate(index)
        return describe(iteration, op, names)

    edits = [_edit_source(at, edit, where(at), names, schedule) for at, edit in session.edit_log]
    raw.pop("branch", None)
    raw["branch"] = {"goto": where(cursor), "edits": edits} if edits else {"goto": where(cursor)}
    return raw


def _edit_source(at: int, edit: Edit, position: str, names: list[str], schedule) -> dict:
    if edit.kind == "mode":
        return {"at": position, "kind": "numbers", "value": edit.value}
    value = edit.value
    text = str(value.numerator) if value.denominator == 1 else str(value)
    out: dict = {"at": position, "kind": edit.kind}
    if edit.kind in ("weight", "bias"):
        out.update(layer=names[edit.layer], row=edit.row + 1)
        if edit.kind == "weight":
            out["col"] = edit.col + 1
    elif edit.kind in ("input", "target"):
        sample = schedule.samples(schedule.locate(at)[0])[edit.row]
        out.update({"sample": sample + 1, PLACES[edit.kind][1]: edit.col + 1})
    out["value"] = text
    return out


def _moved(raw: dict, source: Path, destination: Path) -> dict:
    """``raw`` with the file paths it names (data, weights) relative to ``destination``."""
    def move(table: Any) -> None:
        if isinstance(table, dict) and isinstance(table.get("file"), str):
            target = os.path.abspath(source / table["file"])
            table["file"] = Path(os.path.relpath(target, os.path.abspath(destination))).as_posix()

    move(raw.get("data"))
    move(raw.get("weights"))
    for layer in raw.get("layers", []):
        if isinstance(layer, dict):
            move(layer.get("weights"))
            move(layer.get("biases"))
    return raw


def save_branch(session, cursor: int, path: str | Path) -> None:
    """Write the branch scenario to ``path`` atomically (FileProblem when it cannot)."""
    path = Path(path)
    text = toml_text(branch_source(session, cursor, path))
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as err:
        raise FileProblem(f"cannot write scenario '{escape(str(path))}': "
                          f"{err.strerror or err}") from None
